package deltastream_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The masking class of the fault suite: whatever the server sends back,
// once decoded, no error shows the token or a raw control character, and
// no error grows with the size of what was sent.

// escapeJSON writes every character of s as a \uXXXX escape: decoded, it is
// s again, but a byte search in the body does not find it.
func escapeJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

// hostileText holds every kind of character that must not reach a log line
// or a terminal raw.
const hostileText = "line1\nFAKE LOG LINE\r\x1b[31mred\x1b[0m\x00nul\x07bell\u0085c1\u202eevil\u2028sep\xff"

// rawControls are the raw forms that must not appear in an error.
var rawControls = []string{"\n", "\r", "\x1b", "\x00", "\x07", "\u0085", "\u202e", "\u2028", "\xff"}

func assertClean(t *testing.T, msg, token string) {
	t.Helper()
	assert.NotContains(t, msg, token, "the token shows")
	for _, c := range rawControls {
		assert.NotContains(t, msg, c, "a raw %q shows", c)
	}
	assert.True(t, utf8.ValidString(msg), "the message is valid UTF-8")
}

func TestSecurityMaskAfterDecoding(t *testing.T) {
	tok := secretToken(t)
	esc := escapeJSON(tok)
	quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		name  string
		match func(*dstest.Request) bool
		q     string
		fault *dstest.Fault
	}{
		{"200 SQL error, token in message", isPoll, resilHeldSQL,
			&dstest.Fault{Replace: `{"sqlState":"42601","message":"bad token ` + tok + `","statementID":"x","createdOn":1}`}},
		{"200 SQL error, escaped token in message", isPoll, resilHeldSQL,
			&dstest.Fault{Replace: `{"sqlState":"42601","message":"bad token ` + esc + `","statementID":"x","createdOn":1}`}},
		{"200 SQL error, token in sqlState", isPoll, resilHeldSQL,
			&dstest.Fault{Replace: `{"sqlState":"` + esc + `","message":"m","statementID":"x","createdOn":1}`}},
		{"200 SQL error, token in statementID", isPoll, resilHeldSQL,
			&dstest.Fault{Replace: `{"sqlState":"42601","message":"m","statementID":"` + esc + `","createdOn":1}`}},
		{"200 SQL error in a partition, escaped token", isPart1, resilSQL,
			&dstest.Fault{Replace: `{"sqlState":"XX000","message":"` + esc + `","statementID":"x","createdOn":1}`}},
		{"200 SQL error on the submission", isPost, resilSQL,
			&dstest.Fault{Replace: `{"sqlState":"42601","message":"` + esc + `","statementID":"x","createdOn":1}`}},
		{"200 SQL error, control characters", isPoll, resilHeldSQL,
			&dstest.Fault{Replace: `{"sqlState":"42601\n","message":` + quoted(hostileText) + `,"statementID":"x\u001b[2J","createdOn":1}`}},
		{"non-2xx JSON, escaped token", isPart1, resilSQL,
			&dstest.Fault{Status: 400, Body: `{"message":"echo: Bearer ` + esc + `","traceID":"` + esc + `"}`}},
		{"non-2xx JSON, control characters", isPart1, resilSQL,
			&dstest.Fault{Status: 400, Body: `{"message":` + quoted(hostileText) + `,"sqlState":"4\u001b2601"}`}},
		{"non-2xx text, control characters and token", isPart1, resilSQL,
			&dstest.Fault{Status: 502, Body: hostileText + " Bearer " + tok}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := resilServer(t)
			srv.SetToken(tok)
			db := openDB(t, srv, "retryTimeout=0")
			installHook(srv, tc.match, always(tc.fault))
			_, _, err := queryInts(context.Background(), db, tc.q)
			require.Error(t, err)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", de), de.Message, de.State, de.StatementID, de.TraceID} {
				assertClean(t, s, tok)
			}
		})
	}
}

func TestSecurityHugeSQLErrorMessageCapped(t *testing.T) {
	srv, _ := resilServer(t)
	db := openDB(t, srv)
	msg := strings.Repeat("é\n", 64<<10)
	installHook(srv, isPoll, always(&dstest.Fault{Replace: `{"sqlState":"42601","message":"` + strings.ReplaceAll(msg, "\n", `\n`) + `","statementID":"x","createdOn":1}`}))
	_, _, err := queryInts(context.Background(), db, resilHeldSQL)
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.Less(t, len(err.Error()), 20<<10, "the message is capped")
	assert.Contains(t, de.Message, fmt.Sprintf("(%d bytes in all)", len(msg)), "the cap says how long the message was")
	assert.True(t, utf8.ValidString(de.Message))
}

func TestSecurityStreamErrorFrameMasked(t *testing.T) {
	tok := secretToken(t)
	srv := dstest.NewServer(t, dstest.WithToken(tok))
	stream := srv.On("SELECT * FROM s;").Columns(dstest.Col("a", "VARCHAR")).Stream()
	db := openDB(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	stream.Fail("XX000\n", "boom "+tok+" "+hostileText)
	for rows.Next() {
	}
	err = rows.Err()
	var de *deltastream.Error
	require.True(t, errors.As(err, &de), "%v", err)
	assertClean(t, err.Error(), tok)
	assertClean(t, de.State, tok)
	assert.Contains(t, de.Message, "boom xxxxx")
}

func TestSecurityWebSocketHandshakeErrorMasked(t *testing.T) {
	tok := secretToken(t)
	srv := dstest.NewServer(t, dstest.WithToken(tok))
	srv.On("SELECT * FROM s;").Columns(dstest.Col("a", "VARCHAR")).Stream()
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		if strings.Contains(r.Path, "/print/") {
			return &dstest.Fault{Status: http.StatusBadRequest, Body: hostileText + tok}
		}
		return nil
	})
	db := openDB(t, srv)
	err := queryAll(context.Background(), db, "SELECT * FROM s;")
	require.Error(t, err)
	assertClean(t, err.Error(), tok)
}

// TestSecurityMaskInDecodeErrors: errors that quote what the server sent
// (a cell of the wrong shape, an unknown field value) mask the token too,
// wherever they are built.
func TestSecurityMaskInDecodeErrors(t *testing.T) {
	tok := secretToken(t)
	for _, cell := range []string{tok, "12" + tok + "\n\x1b[2J"} {
		srv, _ := resilServer(t)
		srv.SetToken(tok)
		db := openDB(t, srv, "retryTimeout=0")
		b, _ := json.Marshal([][]string{{cell}})
		installHook(srv, isPart1, always(&dstest.Fault{Replace: resilBody(string(b))}))
		_, _, err := queryInts(context.Background(), db, resilSQL)
		require.Error(t, err)
		assertClean(t, err.Error(), tok)
		assertClean(t, fmt.Sprintf("%+v", err), tok)
	}
}
