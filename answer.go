package deltastream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Reading one answer of the REST API (a submission, a poll, a partition):
// its header in any key order, its rows streamed or set aside, and errors
// that say what arrived when it is not a result at all.

// resultStream is an answer to POST /statements or GET /statements/{id}
// whose header has been decoded; for a finished statement dec is positioned
// at the first row of the partition in the body.
//
// The service writes "data" before "metadata" and "sqlState" (alphabetical
// order). A first answer, whose columns the reader does not know yet, has
// its rows set aside (up to firstAnswerBuffer bytes) while the rest is read;
// then dec decodes the rows set aside, or, for larger rows, refetch says to
// GET partition 0 again now that the columns are known. An answer whose
// columns are known (a later partition) streams its rows at once; its
// sqlState, when it comes after them, is checked by finish.
type resultStream struct {
	status   int
	rs       *wire.ResultSet
	dec      *wire.Decoder
	body     io.ReadCloser
	hasRows  bool    // the data array is not empty
	deferred bool    // the rows came before sqlState: finish checks it
	refetch  bool    // the rows were too large to set aside: fetch partition 0 again
	aside    *[]byte // the rows set aside, from asidePool
	limit    capReader
	secret   string // token of the request, masked in errors (requestSecret)
}

// firstAnswerBuffer caps the rows of a first answer set aside while its
// columns are unknown. Above it partition 0 is read twice: once to the
// metadata, and again streaming. It matches prefetchBuffer: a reader holds
// at most one such buffer at a time, besides its prefetched partitions. A
// variable only so that tests can lower it.
var firstAnswerBuffer = 8 << 20

var asidePool = sync.Pool{New: func() any { return new([]byte) }}

// close releases the answer. What is left of a network body is drained (a
// little, briefly: see timeoutBody.drain) so that its HTTP connection can
// be reused, and never waits for a server that stalls. It is idempotent.
func (r *resultStream) close() {
	if r == nil {
		return
	}
	if r.body != nil {
		if tb, ok := r.body.(*timeoutBody); ok {
			tb.drain()
		}
		r.body.Close()
		r.body = nil
	}
	if r.dec != nil {
		r.dec.Reset(nil)
		decoderPool.Put(r.dec)
		r.dec = nil
	}
	if r.aside != nil {
		// A buffer grown to the cap is left to the collector: most first
		// answers are small, and it would sit in the pool for nothing.
		if cap(*r.aside) < firstAnswerBuffer {
			*r.aside = (*r.aside)[:0]
			asidePool.Put(r.aside)
		}
		r.aside = nil
	}
}

// decoderPool recycles decoders and their 64 KiB read buffers across
// polls and partitions.
var decoderPool = sync.Pool{New: func() any { return wire.NewDecoder(nil) }}

func (r *resultStream) running() bool {
	return r.status == http.StatusAccepted || r.rs.SQLState == wire.StateRunning
}

// openResult decodes the header of an answer about statement id, partition
// part (part < 0: a submission or status answer); its errors name both.
// The columns of a later partition (part > 0) are known from partition 0:
// its metadata is skipped.
func openResult(resp *http.Response, id string, part int) (*resultStream, error) {
	return openAnswer(resp, id, part, part > 0)
}

// openAnswer is openResult; known says whether the reader holds the
// result's columns already.
func openAnswer(resp *http.Response, id string, part int, known bool) (*resultStream, error) {
	op := "reading the answer"
	if part >= 0 {
		op = fmt.Sprintf("partition %d: reading the answer", part)
	}
	dec := decoderPool.Get().(*wire.Decoder)
	st := &resultStream{status: resp.StatusCode, dec: dec, body: resp.Body, secret: requestSecret(resp)}
	if resp.StatusCode == http.StatusAccepted {
		// A "still running" answer is small: bound it.
		st.limit = capReader{r: resp.Body, n: maxStatusBody}
		dec.Reset(&st.limit)
	} else {
		dec.Reset(resp.Body)
	}
	if known {
		dec.SkipMetadata()
	}
	fail := func(err error) error {
		st.close()
		if id == "" { // a submission: its id is not known yet
			return fmt.Errorf("deltastream: %s: %w", op, err)
		}
		return withStatement(id, op, err)
	}
	rs, err := dec.Head()
	if err != nil {
		return nil, fail(notJSON(resp, dec, err))
	}
	st.rs = rs
	if st.hasRows = dec.AtRows(); st.hasRows {
		switch {
		case known:
			st.deferred = !dec.Seen("sqlState")
		case !dec.Seen("sqlState") || rs.SQLState == wire.StateSuccess && !dec.Seen("metadata"):
			if err := st.setAside(); err != nil {
				if part < 0 { // the rows of a submission or status answer are partition 0
					op = "partition 0: " + op
				}
				return nil, fail(err)
			}
		}
	}
	if !st.deferred && rs.SQLState == "" && resp.StatusCode == http.StatusOK {
		return nil, fail(errors.New("answer has no sqlState"))
	}
	return st, nil
}

// setAside reads the rows of a first answer, which came before its
// metadata, into a buffer, reads the rest of the answer, and makes dec
// decode the rows from the buffer; or, when they do not fit in
// firstAnswerBuffer, marks the answer for a refetch. The network body is
// released at once.
func (r *resultStream) setAside() error {
	off := r.dec.InputOffset() - 1 // the data array's '['
	r.aside = asidePool.Get().(*[]byte)
	rows, complete, err := r.dec.BufferRows((*r.aside)[:0], firstAnswerBuffer)
	*r.aside = rows
	if err != nil {
		return err
	}
	if err := r.dec.Tail(r.rs); err != nil {
		return err
	}
	r.body.Close()
	r.body = nil
	if !complete {
		r.refetch = true
		return nil
	}
	r.dec.ResetData(bytes.NewReader(rows), off)
	return nil
}

// finish reads what follows the rows once Next has returned them all, and
// checks the sqlState of an answer that sent it after its rows.
func (r *resultStream) finish(id string) error {
	if err := r.dec.Tail(r.rs); err != nil {
		return fmt.Errorf("malformed result: %w", err)
	}
	if !r.deferred {
		return nil
	}
	switch state := r.rs.SQLState; state {
	case wire.StateSuccess:
		return nil
	case "":
		return errors.New("answer has no sqlState")
	case wire.StateRunning:
		return fmt.Errorf("the answer holds rows but its sqlState %s says the statement is still running", state)
	}
	r.deferred = false
	return r.sqlError(id)
}

// sqlError returns the SQL error a finished statement reported, or nil.
func (r *resultStream) sqlError(id string) error {
	if r.rs.SQLState == wire.StateSuccess || r.running() || r.deferred {
		return nil
	}
	if id == "" {
		id = r.rs.StatementID
	}
	return serverError(r.status, r.rs.SQLState, r.rs.Message, id, "", r.secret, dataplaneToken(r.rs))
}

// capReader reads at most n bytes of r; more is an error naming the limit,
// where io.LimitReader would cut the body short silently.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		if n, err := c.r.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("the \"still running\" (HTTP 202) answer is longer than the driver's limit of %d bytes; the service sends a few hundred", maxStatusBody)
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// notJSON explains a header that failed to decode because the answer is
// not a JSON object at all, such as the HTML page of a proxy: the error
// names the content type and quotes the first bytes, escaped, with the
// request's token masked. Other errors are returned as they are.
func notJSON(resp *http.Response, dec *wire.Decoder, err error) error {
	if !errors.Is(err, wire.ErrSyntax) && !errors.Is(err, wire.ErrType) {
		return err
	}
	start := bytes.TrimLeft(dec.Start(), " \t\r\n")
	if len(start) == 0 || start[0] == '{' {
		return err
	}
	e := &notJSONError{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), err: err}
	// Keep a little more than is shown, so that a token cut at the end is
	// still recognised and masked.
	e.start = bytes.Clone(start[:min(len(start), 4*notJSONShow)])
	if resp.Request != nil {
		e.mask(strings.TrimPrefix(resp.Request.Header.Get("Authorization"), "Bearer "))
	}
	return e
}

// notJSONShow is how many bytes of an answer that is not JSON an error
// quotes.
const notJSONShow = 64

// notJSONError is an answer that is not JSON.
type notJSONError struct {
	status int
	ctype  string
	start  []byte // the first bytes, secrets masked
	err    error
}

func (e *notJSONError) Error() string {
	ct := "none"
	if e.ctype != "" {
		ct = quoteText([]byte(e.ctype))
	}
	start, more := e.start, ""
	if len(start) > notJSONShow {
		start, more = start[:notJSONShow], "..."
	}
	return fmt.Sprintf("the answer (HTTP %d, Content-Type %s) is not JSON; it starts with %s%s: %v",
		e.status, ct, quoteText(start), more, e.err)
}

func (e *notJSONError) Unwrap() error { return e.err }

// mask replaces every occurrence of secret (when long enough to be one) in
// the quoted bytes, and a start of secret that the end of the kept bytes
// cut off: a long token echoed near the start of a page.
func (e *notJSONError) mask(secret string) {
	if len(secret) < minMaskedSecret {
		return
	}
	e.start = bytes.ReplaceAll(e.start, []byte(secret), []byte(masked))
	for k := min(len(secret)-1, len(e.start)); k >= minMaskedSecret; k-- {
		if bytes.HasSuffix(e.start, []byte(secret[:k])) {
			e.start = append(e.start[:len(e.start)-k], masked...)
			return
		}
	}
}

// maskAnswer masks secret in the quoted bytes of an answer that was not
// JSON, wherever err holds one: a dataplane answer may echo the API token,
// which its request did not carry.
func maskAnswer(err error, secret string) error {
	var e *notJSONError
	if errors.As(err, &e) {
		e.mask(secret)
	}
	return err
}

// quoteText renders server text for an error: quoted, with control
// characters and invalid UTF-8 escaped.
func quoteText(b []byte) string { return fmt.Sprintf("%q", b) }
