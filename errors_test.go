package deltastream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name   string
		err    *Error
		is     []error
		isNot  []error
		helper func(error) bool
	}{
		{"relation not found", &Error{State: StateRelationNotFound}, []error{ErrNotFound}, []error{ErrAlreadyExists, ErrNotReady}, IsNotFound},
		{"3D023 compute pool", &Error{State: StateComputePoolNotFound}, []error{ErrNotFound}, nil, IsNotFound},
		{"42710 object exists", &Error{State: StateDuplicateObject}, []error{ErrAlreadyExists}, []error{ErrNotFound}, IsAlreadyExists},
		{"42P04 database exists", &Error{State: StateDuplicateDatabase}, []error{ErrAlreadyExists}, nil, IsAlreadyExists},
		{"42P09 token exists", &Error{State: StateDuplicateAPIToken}, []error{ErrAlreadyExists}, nil, IsAlreadyExists},
		{"42P010 six chars", &Error{State: StateDuplicateSecurityIntegration}, []error{ErrAlreadyExists}, nil, IsAlreadyExists},
		{"42P020 six chars", &Error{State: StateDuplicatePGUser}, []error{ErrAlreadyExists}, nil, IsAlreadyExists},
		{"42P001 ambiguous is not a duplicate", &Error{State: StateAmbiguousOrganization}, nil, []error{ErrAlreadyExists}, nil},
		{"42P03 is not in the range", &Error{State: "42P03"}, nil, []error{ErrAlreadyExists}, nil},
		{"42P021 is not in the range", &Error{State: "42P021"}, nil, []error{ErrAlreadyExists}, nil},
		{"3E004 pool not ready", &Error{State: StateComputePoolNotReady}, []error{ErrNotReady}, []error{ErrNotFound}, IsNotReady},
		{"401", &Error{HTTPStatus: http.StatusUnauthorized}, []error{ErrUnauthorized}, nil, nil},
		{"403", &Error{HTTPStatus: http.StatusForbidden}, []error{ErrUnauthorized}, nil, nil},
		{"408", &Error{HTTPStatus: http.StatusRequestTimeout}, []error{ErrTimeout}, nil, nil},
		{"57014", &Error{State: StateTimeout}, []error{ErrTimeout}, nil, nil},
		{"503", &Error{HTTPStatus: http.StatusServiceUnavailable}, []error{ErrUnavailable}, []error{ErrTimeout}, nil},
		{"57015", &Error{State: StateRemoteUnavailable}, []error{ErrUnavailable}, nil, nil},
		{"unknown state kept", &Error{State: "ZZ999"}, nil, []error{ErrNotFound, ErrAlreadyExists, ErrNotReady, ErrTimeout, ErrUnavailable, ErrUnauthorized}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("op: %w", tt.err)
			for _, s := range tt.is {
				assert.ErrorIs(t, wrapped, s)
			}
			for _, s := range tt.isNot {
				assert.NotErrorIs(t, wrapped, s)
			}
			if tt.helper != nil {
				assert.True(t, tt.helper(wrapped))
			}
		})
	}
}

func TestErrorAs(t *testing.T) {
	orig := &Error{State: StateSyntaxError, Message: "bad", StatementID: "s1", TraceID: "t1", HTTPStatus: 200}
	err := fmt.Errorf("wrapped: %w", orig)

	var p *Error
	require.True(t, errors.As(err, &p))
	assert.Same(t, orig, p)
	assert.Equal(t, StateSyntaxError, p.SQLState())

	var v Error
	require.True(t, errors.As(err, &v))
	assert.Equal(t, *orig, v)
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{State: "42601", Message: "syntax error at 1:8", StatementID: "s1", TraceID: "t1", HTTPStatus: 200},
			"deltastream: syntax error at 1:8 [sqlState 42601, statement s1, trace t1]"},
		{&Error{HTTPStatus: 403, Message: "invalid token"},
			"deltastream: invalid token (check the API token in the DSN or the token provider; it may have expired) [HTTP 403]"},
		{&Error{HTTPStatus: 502}, "deltastream: Bad Gateway [HTTP 502]"},
		{&Error{State: "3D020", Message: "relation x not found", Position: 2, StatementID: "s2"},
			"deltastream: statement 2 of batch: relation x not found [sqlState 3D020, statement s2]"},
		{&Error{HTTPStatus: 503, Message: "down", Attempts: 7},
			"deltastream: down (the service is unavailable; retry later) [HTTP 503, 7 attempts]"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestStatementIDOf(t *testing.T) {
	assert.Equal(t, "s1", StatementIDOf(fmt.Errorf("x: %w", &Error{StatementID: "s1"})))
	err := withStatement("s2", "waiting", context.Canceled)
	assert.Equal(t, "s2", StatementIDOf(err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "deltastream: statement s2: waiting: context canceled", err.Error())
	assert.Equal(t, "", StatementIDOf(errors.New("plain")))
}

func TestReadErrorBodies(t *testing.T) {
	tests := []struct {
		name, body, want string
		status           int
	}{
		{"json", `{"message":"token expired","traceID":"tr"}`, "deltastream: token expired (check the API token", 403},
		{"json with sqlState", `{"message":"bad sql","sqlState":"42601"}`, "deltastream: bad sql [sqlState 42601, HTTP 400", 400},
		{"html", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", "HTTP 502 Bad Gateway: HTML page 502 Bad Gateway", 502},
		{"empty", "", "deltastream: HTTP 504 Gateway Timeout [HTTP 504", 504},
		{"truncated json", `{"message":"unfini`, `HTTP 500 Internal Server Error: {"message":"unfini`, 500},
		{"binary", "\x00\x01\xff\xfe", "HTTP 429 Too Many Requests: ", 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Body: ioNopCloser(tt.body)}
			err := readError(resp, "sid", "")
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, "sid", err.StatementID)
			assert.Equal(t, tt.status, err.HTTPStatus)
		})
	}
}

func TestCleanServerText(t *testing.T) {
	const sec = "SeCrEt-0123456789"
	tests := []struct {
		name, in, want string
		limit          int
	}{
		{"plain", "syntax error at line 1", "syntax error at line 1", 100},
		{"unicode kept", "relation «café» not found", "relation «café» not found", 100},
		{"newline and CR", "a\nb\rc\td", `a\nb\rc\td`, 100},
		{"ESC and NUL", "\x1b[31mred\x00", `\x1b[31mred\x00`, 100},
		{"DEL and C1", "a\x7fb\u0085c\u009bd", `a\x7fb\u0085c\u009bd`, 100},
		{"bidi and separators", "a\u202eb\u2066c\u2028d\u200fe", `a\u202eb\u2066c\u2028d\u200fe`, 100},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`, 100},
		{"secret masked", "token " + sec + " rejected", "token xxxxx rejected", 100},
		{"secret twice", sec + sec, "xxxxxxxxxx", 100},
		{"short secret whole field", "abc", "xxxxx", 100},
		{"capped", strings.Repeat("a", 50), strings.Repeat("a", 10) + "… (50 bytes in all)", 10},
		{"capped after escapes", strings.Repeat("\n", 50), strings.Repeat(`\n`, 5) + "… (50 bytes in all)", 10},
		{"empty", "", "", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cleanServerText(tt.in, tt.limit, sec, "abc", ""))
		})
	}
}

func TestServerErrorCleansEveryField(t *testing.T) {
	const sec = "SeCrEt-0123456789"
	e := serverError(200, "42\n601", "bad "+sec+"\x1b[2J", sec, "tr\x00"+sec, sec)
	assert.Equal(t, `42\n601`, e.State)
	assert.Equal(t, `bad xxxxx\x1b[2J`, e.Message)
	assert.Equal(t, "xxxxx", e.StatementID)
	assert.Equal(t, `tr\x00xxxxx`, e.TraceID)
	assert.NotContains(t, e.Error(), sec)
}

// FuzzCleanServerText checks the promises of cleanServerText on any input:
// no raw control or bidi character, valid UTF-8, the secret never shows,
// and the result is bounded.
func FuzzCleanServerText(f *testing.F) {
	for _, s := range []string{"", "plain", "a\nb", "\x1b[31m", "\xff\xfe", "\u202e", "SeCrEt-0123456789", "xSeCrEt-0123456789\n"} {
		f.Add(s)
	}
	const sec = "SeCrEt-0123456789"
	f.Fuzz(func(t *testing.T, s string) {
		out := cleanServerText(s, 64, sec)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("raw %U in %q", r, out)
			}
		}
		if strings.Contains(out, sec) {
			t.Fatalf("secret in %q", out)
		}
		if len(out) > 64+8+40 {
			t.Fatalf("%d bytes: %q", len(out), out)
		}
	})
}
