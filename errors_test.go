package deltastream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

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
		{"42P010 six chars", &Error{State: StateDuplicateSecurityInteg}, []error{ErrAlreadyExists}, nil, IsAlreadyExists},
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
