package wire

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readRequestPart parses a submission body the way a server does.
func readRequestPart(t *testing.T, body []byte, ctype string) (*StatementRequest, int) {
	t.Helper()
	_, params, err := mime.ParseMediaType(ctype)
	require.NoError(t, err)
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var req *StatementRequest
	parts := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		parts++
		if p.FormName() == PartRequest {
			assert.Equal(t, "application/json", p.Header.Get("Content-Type"))
			req = new(StatementRequest)
			require.NoError(t, json.NewDecoder(p).Decode(req))
		}
	}
	return req, parts
}

func TestAppendStatement(t *testing.T) {
	req := &StatementRequest{Statement: "SELECT '--b\r\n' FROM t;", Database: "db", Parameters: &Parameters{Timezone: "UTC"}}
	const boundary = "0123456789abcdef0123456789abcdef"
	body, ok, err := AppendStatement(nil, boundary, req)
	require.NoError(t, err)
	require.True(t, ok)
	got, parts := readRequestPart(t, body, "multipart/form-data; boundary="+boundary)
	assert.Equal(t, 1, parts)
	assert.Equal(t, req, got)

	// A statement holding the boundary is refused, so the caller can pick another.
	clash := &StatementRequest{Statement: "SELECT '" + boundary + "';"}
	out, ok, err := AppendStatement([]byte("keep"), boundary, clash)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, "keep", string(out))

	// WriteStatement produces an equivalent body.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, WriteStatement(mw, req, []Attachment{{Name: `a "q".jar`, R: bytes.NewReader([]byte("jar"))}}))
	got, parts = readRequestPart(t, buf.Bytes(), mw.FormDataContentType())
	assert.Equal(t, 2, parts)
	assert.Equal(t, req, got)
}
