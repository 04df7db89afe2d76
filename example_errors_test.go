package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// A failure reported by DeltaStream is an *Error; its text from the server
// is cleaned: control characters escaped, the token masked.
func ExampleError() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT * FROM nowhere;").Error(deltastream.StateRelationNotFound, "relation \"nowhere\" not found\n\x1b[31mFAKE LOG LINE")
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	_, err := db.Query("SELECT * FROM nowhere;")
	var de *deltastream.Error
	if errors.As(err, &de) {
		fmt.Println(de.State, deltastream.IsNotFound(err))
		fmt.Println(de.Message)
	}
	// Output:
	// 3D020 true
	// relation "nowhere" not found\n\x1b[31mFAKE LOG LINE
}

// When ctx ends while a request is being retried, the error matches both
// the end of ctx and the last failure.
func Example_errorsKeepTheirCause() {
	srv := newExampleServer()
	defer srv.Close()
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		if strings.HasSuffix(r.Path, "/version") {
			return &dstest.Fault{Status: http.StatusServiceUnavailable}
		}
		return nil
	})
	db, _ := sql.Open("deltastream", srv.DSN()+"?retryTimeout=1h")
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := db.PingContext(ctx)
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, deltastream.ErrUnavailable))
	var de *deltastream.Error
	fmt.Println(errors.As(err, &de) && de.HTTPStatus == http.StatusServiceUnavailable)
	// Output:
	// true true
	// true
}

// The driver never follows a redirect: the token would go along.
func ExampleErrRedirected() {
	srv := newExampleServer()
	defer srv.Close()
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		return &dstest.Fault{Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {"https://elsewhere.example.com/v2/version?key=1"}}}
	})
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	err := db.Ping()
	fmt.Println(errors.Is(err, deltastream.ErrRedirected))
	fmt.Println(strings.Contains(err.Error(), "to https://elsewhere.example.com/v2/version?…"))
	// Output:
	// true
	// true
}
