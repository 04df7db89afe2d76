package server

import (
	"context"
	"net/http"
	"time"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Engine decides what the statements of a submission answer. The server
// calls Execute once per accepted POST /statements, before it answers that
// POST; everything else (statement ids, createdOn, 202 until ready,
// partitions, dataplane tokens, the WebSocket) is the server's business.
//
// Implementations must be safe for concurrent use: several submissions may
// execute at the same time.
type Engine interface {
	// Execute runs the statements of sub and returns one Outcome per
	// statement, in order. Returning more or fewer outcomes than
	// len(sub.Statements) is allowed (an engine may split the text its own
	// way); the answer then lists one statement id per outcome. Returning
	// no outcome, or a nil one, makes the server answer 500. ctx ends when
	// the client goes away or the server closes. Execute must not keep sub
	// after it returns; the server does not modify the outcomes after
	// Execute, and the engine must not modify them either.
	Execute(ctx context.Context, sub *Submission) []*Outcome
}

// Submission is one accepted POST /statements.
type Submission struct {
	// Request is the decoded `request` part (or JSON body). Statement is
	// never empty.
	Request *wire.StatementRequest
	// Statements is Request.Statement split at top-level semicolons by
	// SplitStatements. A submission holding a single statement has exactly
	// one element, the text exactly as submitted (untrimmed).
	Statements []string
	// Attachments are the `attachments` parts in the order they were sent.
	Attachments []Attachment
	// Header is the HTTP header of the POST (read-only).
	Header http.Header
	// Now is the server clock at the time of the submission.
	Now time.Time
}

// Attachment is one uploaded file of a submission.
type Attachment struct {
	Name string // the multipart filename: the name the SQL refers to
	Data []byte
}

// Outcome is what one statement answers. The zero Outcome is a successful
// statement without columns or rows that completes immediately.
type Outcome struct {
	// HTTPStatus, when non-zero, makes the server answer the whole POST with
	// this status and HTTPBody verbatim; no statement is created. When
	// several outcomes of a submission set it, the first one wins.
	HTTPStatus int
	HTTPBody   string

	// SQLState is the state of the finished statement; "" means
	// wire.StateSuccess. Any other state is a SQL error explained by
	// Message; such an answer carries no metadata and no rows.
	SQLState string
	Message  string

	// Columns, Partitions and Context make up the result metadata. A nil
	// Partitions slice means no rows (partitionInfo: []).
	Columns    []wire.Column
	Partitions []Partition
	Context    *wire.Context
	// Pages, when non-nil, replaces Partitions: the partitions are
	// produced on demand, for every request that needs one (see
	// PageSource), and never held by the server.
	Pages PageSource

	// RunTime keeps the statement answering 202 until this much time has
	// passed on the server clock since the submission.
	RunTime time.Duration
	// Gate, when non-nil, keeps the statement answering 202 until the
	// channel is closed. RunTime and Gate combine: both must have passed.
	Gate <-chan struct{}

	// Dataplane serves the rows from the dataplane result-set route: the
	// control-plane answer carries metadata.dataplaneRequest (requestType
	// "result-set") and no rows.
	Dataplane bool
	// Stream, when non-nil, makes this a streaming statement: the answer
	// carries metadata.dataplaneRequest (requestType "streaming") and the
	// rows travel over the dataplane WebSocket, fed by Stream. Partitions
	// are ignored.
	Stream Stream
	// StreamColumns, when non-nil, are the columns of the WebSocket
	// metadata frame of a streaming statement (which, unlike REST answers,
	// may carry length, precision and scale, and may leave nullable out);
	// nil sends Columns there too. REST answers always carry Columns.
	StreamColumns []wire.Column

	// FailGETs makes the first FailGETs GET requests about this statement
	// (status polls and partition fetches, on either plane) answer
	// FailStatus with a JSON error body. FailStatus 0 means 503.
	FailGETs   int
	FailStatus int
}

// Stream feeds the rows of a streaming statement to dataplane WebSocket
// clients. Implementations must be safe for concurrent use.
type Stream interface {
	// Serve runs one authenticated WebSocket connection; the server calls
	// it after it has written the metadata frame. Serve writes rows with
	// send, in order, and returns when it is done: nil for a normal close,
	// a *StreamError to send an error frame before closing, or any other
	// error (typically ctx.Err()) to drop the connection. ctx is cancelled
	// when the client closes the socket or goes away, or the server
	// closes. send returns an error once the connection is unusable.
	Serve(ctx context.Context, send func(ctx context.Context, row []*string) error) error
}

// ConnObserver may be implemented by a Stream that wants to hear about
// every WebSocket connection to its statement, including those that fail
// authentication and therefore never reach Serve.
type ConnObserver interface {
	// ConnOpened is called once per connection after the WebSocket
	// handshake, when the client's first frame has been read (or reading
	// it failed) and before its token is checked. auth is the decoded
	// auth frame; nil when the first frame was missing, not a text frame
	// or not an auth frame. ConnOpened returns a function that the server
	// calls exactly once when that connection has ended, for whatever
	// reason, after Serve has returned if it was called; it may return
	// nil.
	ConnOpened(auth *wire.AuthFrame) (ended func())
}

// StreamError ends a streaming statement with an error frame.
type StreamError struct {
	SQLCode string // e.g. "XX000"
	Message string
}

// Error implements error.
func (e *StreamError) Error() string { return e.SQLCode + ": " + e.Message }

// Downloader serves GET {base}/download/{kind}/{organizationID}/{name}.
type Downloader interface {
	// Download returns the bytes of the named source, or ok=false when it
	// does not exist. kind is "function_source" or "descriptor_source";
	// organizationID is the path element exactly as sent.
	Download(kind, organizationID, name string) (data []byte, ok bool)
}

// Download kinds accepted by the download route.
const (
	DownloadFunctionSource   = "function_source"
	DownloadDescriptorSource = "descriptor_source"
)
