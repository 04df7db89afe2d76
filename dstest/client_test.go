package dstest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// client is a minimal DeltaStream client over plain net/http for tests.
type client struct {
	t     testing.TB
	srv   *dstest.Server
	token string
}

func newClient(t testing.TB, srv *dstest.Server) *client {
	return &client{t: t, srv: srv, token: srv.Token()}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) rs(t testing.TB) wire.ResultSet {
	t.Helper()
	var rs wire.ResultSet
	require.NoError(t, json.Unmarshal(a.body, &rs), "body: %s", a.body)
	return rs
}

func (c *client) do(req *http.Request) answer {
	c.t.Helper()
	if c.token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.srv.Client().Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// submit POSTs a statement request as multipart, with attachments.
func (c *client) submit(req wire.StatementRequest, atts ...dstest.Attachment) answer {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := make(textproto.MIMEHeader)
	hdr.Set("Content-Disposition", `form-data; name="request"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(hdr)
	require.NoError(c.t, err)
	require.NoError(c.t, json.NewEncoder(pw).Encode(req))
	for _, a := range atts {
		fw, err := mw.CreateFormFile("attachments", a.Name)
		require.NoError(c.t, err)
		_, _ = fw.Write(a.Data)
	}
	require.NoError(c.t, mw.Close())
	r, err := http.NewRequest(http.MethodPost, c.srv.URL()+"/statements", &buf)
	require.NoError(c.t, err)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(r)
}

func (c *client) sql(sql string) answer {
	c.t.Helper()
	return c.submit(wire.StatementRequest{Statement: sql})
}

// get GETs a URL (absolute, or relative to the control-plane base).
func (c *client) get(url string) answer {
	c.t.Helper()
	if len(url) > 0 && url[0] == '/' {
		url = c.srv.URL() + url
	}
	r, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(c.t, err)
	return c.do(r)
}

// rows flattens result rows (NULL → "<null>").
func rows(data [][]*string) [][]string {
	out := make([][]string, len(data))
	for i, r := range data {
		out[i] = make([]string, len(r))
		for j, c := range r {
			if c == nil {
				out[i][j] = "<null>"
			} else {
				out[i][j] = *c
			}
		}
	}
	return out
}
