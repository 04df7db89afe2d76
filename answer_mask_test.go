package deltastream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNotJSONMasksCutToken: a long token echoed near the start of a page
// that is not JSON is masked even where the bytes the error keeps cut it.
func TestNotJSONMasksCutToken(t *testing.T) {
	token := "eyJ" + strings.Repeat("A", 400)
	tests := []struct {
		name string
		page string
	}{
		{"whole token", "<html>auth: " + token + "</html>"},
		{"token cut by the kept bytes", "<html>auth: " + token},
		{"token at the very end", strings.Repeat("x", 4*notJSONShow-20) + token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &notJSONError{status: 502, ctype: "text/html", start: []byte(tt.page[:min(len(tt.page), 4*notJSONShow)])}
			e.mask(token)
			msg := e.Error()
			assert.NotContains(t, msg, token[:minMaskedSecret], msg)
			assert.NotContains(t, string(e.start), token[:minMaskedSecret])
		})
	}
	e := &notJSONError{status: 502, start: []byte("<html>short</html>")}
	e.mask("short")
	assert.Contains(t, e.Error(), "short", "a secret shorter than minMaskedSecret is not masked inside a text")
}
