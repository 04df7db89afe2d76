package deltastream

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedirectTarget(t *testing.T) {
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "api.deltastream.io", Path: "/v2/statements/x"}}
	tests := []struct{ name, loc, want string }{
		{"absolute", "https://other.example.com:8443/v2/x", "https://other.example.com:8443/v2/x"},
		{"user info and query dropped", "http://user:pw@evil.example.com/steal?token=abc#frag", "http://evil.example.com/steal?…"},
		{"relative", "/v2/elsewhere", "https://api.deltastream.io/v2/elsewhere"},
		{"none", "", "an unnamed location"},
		{"unparsable", "http://[::1", "an unparsable location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 302, Header: http.Header{}, Request: req}
			if tt.loc != "" {
				resp.Header.Set("Location", tt.loc)
			}
			assert.Equal(t, tt.want, redirectTarget(resp))
		})
	}
}

func TestRedirectErrorMasksAndEscapes(t *testing.T) {
	const tok = "SeCrEt-0123456789"
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "api.deltastream.io", Path: "/v2/version"}}
	resp := &http.Response{StatusCode: 307, Header: http.Header{"Location": {"https://x.example.com/" + tok + "/%1b[2J"}}, Request: req}
	e := redirectError(resp, "GET /version", tok)
	assert.ErrorIs(t, e, ErrRedirected)
	assert.NotContains(t, e.Error(), tok)
	assert.NotContains(t, e.Error(), "\x1b")
	assert.Contains(t, e.Error(), "https://x.example.com/xxxxx/")
}
