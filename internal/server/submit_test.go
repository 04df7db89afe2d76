package server

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzDecodeSubmission(f *testing.F) {
	mp, mpType := multipartBody(f, wireReq("SELECT 1;"), Attachment{Name: "a.jar", Data: []byte("x")})
	f.Add(mpType, mp)
	f.Add("application/json", []byte(`{"statement":"SELECT 1;","parameters":{"timezone":"UTC"}}`))
	f.Add("", []byte(`{"statement":""}`))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\n{\"statement\":\"s\"}\r\n--x--\r\n"))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"attachments\"\r\n\r\nA\r\n--x--\r\n"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req, atts, err := decodeSubmission(contentType, body)
		if err != nil {
			require.Nil(t, req)
			require.Nil(t, atts)
			return
		}
		require.NotNil(t, req)
		require.NotEmpty(t, req.Statement)
		for _, a := range atts {
			require.NotEmpty(t, a.Name)
		}
	})
}
