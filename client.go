package deltastream

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Version is the version of this driver, sent in the User-Agent header.
const Version = "0.1.0"

// maxErrorBody caps how much of an error answer is read.
const maxErrorBody = 64 << 10

// maxStatusBody caps the body of a 202 answer and of /version.
const maxStatusBody = 1 << 20

// endpoint is a base URL with the token that opens it: the control plane,
// or a dataplane base with its short-lived token.
type endpoint struct {
	base   string
	tokens *tokenSource
}

// client speaks the v2 REST API. It is safe for concurrent use.
type client struct {
	http    *http.Client
	cp      endpoint
	ua      string
	log     *slog.Logger
	reqTO   time.Duration
	retryTO time.Duration

	// boundary delimits the multipart bodies of submissions without
	// attachments; ctype is their Content-Type.
	boundary string
	ctype    string
}

func newClient(cfg *Config) *client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: newTransport(cfg)}
	}
	hc = withoutRedirects(hc)
	ua := "deltastream-go/" + Version + " (" + runtime.Version() + ")"
	if cfg.UserAgent != "" {
		ua += " " + cfg.UserAgent
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	return &client{
		boundary: boundary,
		ctype:    "multipart/form-data; boundary=" + boundary,
		http:     hc,
		cp:       endpoint{base: cfg.baseURL(), tokens: newTokenSource(cfg)},
		ua:       ua,
		log:      log,
		reqTO:    cfg.RequestTimeout,
		retryTO:  cfg.RetryTimeout,
	}
}

// newTransport is the default transport: keep-alive with enough idle
// connections per host for concurrent statements and prefetching, HTTP/2
// attempted, proxy from the environment, TLS verified unless the DSN says
// otherwise, and no client-wide timeout (deadlines come from ctx).
func newTransport(cfg *Config) *http.Transport {
	idle := 64
	if cfg.Prefetch+1 > idle {
		idle = cfg.Prefetch + 1
	}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4 * idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: cfg.InsecureSkipVerify}, //nolint:gosec // opt-in via DSN
	}
}

// request describes one logical HTTP request, which may take several attempts.
type request struct {
	ep     *endpoint
	method string
	path   string // below the base, e.g. /statements/ID
	query  url.Values
	// body returns a fresh body for each attempt; nil for GET.
	body func() (io.ReadCloser, string, error)
	// idempotent requests are retried on transient failures; others only
	// when they provably never reached the server, or on 429.
	idempotent bool
	// stmtID names the statement in errors, when known.
	stmtID string
	// once forbids any retry (a streamed body cannot be sent again).
	once bool
}

// do sends the request with retries and returns a 2xx answer with its body
// open (the caller closes it), or an error: *Error for an HTTP error answer.
// When ctx ends after a failed attempt, the error matches both ctx's error
// and that failure (interruptedError).
func (c *client) do(ctx context.Context, r *request) (*http.Response, error) {
	var deadline time.Time
	if c.retryTO > 0 {
		deadline = time.Now().Add(c.retryTO)
	}
	op := r.method + " " + r.path
	refreshed := false
	var stale string
	var last error // the last failed attempt, for an interrupted retry
	for attempt := 1; ; attempt++ {
		tok, err := c.token(ctx, r.ep, stale)
		if err != nil {
			return nil, interrupted(ctx, op, attempt-1, last, err)
		}
		stale = ""
		sentSecrets.add(tok)
		resp, err := c.attempt(ctx, r, tok)
		if err != nil {
			if ctx.Err() != nil {
				return nil, interrupted(ctx, op, attempt-1, last, ctx.Err())
			}
			last = &networkError{op: op, attempts: attempt, err: err}
			retry := !r.once && !isPermanent(err) && (r.idempotent && isTransportError(err) || neverSent(err))
			if retry && c.backoff(ctx, attempt, 0, deadline) {
				c.log.DebugContext(ctx, "deltastream: retrying", "method", r.method, "path", r.path, "attempt", attempt, "error", err)
				continue
			}
			return nil, interrupted(ctx, op, attempt, last, last)
		}
		if resp.StatusCode/100 == 2 {
			return resp, nil
		}
		if isRedirect(resp.StatusCode) {
			resp.Body.Close()
			return nil, redirectError(resp, op, tok)
		}
		apiErr := readError(resp, r.stmtID, tok)
		apiErr.Attempts = attempt
		last = apiErr
		switch st := resp.StatusCode; {
		case (st == http.StatusUnauthorized || st == http.StatusForbidden) && !r.once && !refreshed && r.ep.tokens.canRefresh():
			// The token may have expired mid-result: refresh once. A POST
			// rejected for its token was not executed, so it is safe too.
			refreshed = true
			stale = tok
			c.log.DebugContext(ctx, "deltastream: token rejected, refreshing", "path", r.path, "status", st)
			continue
		case !r.once && isRetryableStatus(st) && (r.idempotent || st == http.StatusTooManyRequests):
			if c.backoff(ctx, attempt, retryAfter(resp.Header), deadline) {
				c.log.DebugContext(ctx, "deltastream: retrying", "method", r.method, "path", r.path, "attempt", attempt, "status", st)
				continue
			}
		}
		return nil, interrupted(ctx, op, attempt, last, apiErr)
	}
}

func (c *client) token(ctx context.Context, ep *endpoint, stale string) (string, error) {
	if stale != "" {
		tok, err := ep.tokens.refresh(ctx, stale)
		if err == nil {
			return tok, nil
		}
		if !errors.Is(err, errNoRefresh) {
			return "", err
		}
	}
	return ep.tokens.token(ctx)
}

// attempt sends one HTTP request. The answer's body is wrapped so that each
// read is bounded by the request timeout.
func (c *client) attempt(ctx context.Context, r *request, tok string) (*http.Response, error) {
	u := r.ep.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	actx, cancel := context.WithCancel(ctx)
	var body io.ReadCloser
	var ctype string
	if r.body != nil {
		var err error
		body, ctype, err = r.body()
		if err != nil {
			cancel()
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(actx, r.method, u, body)
	if err != nil {
		cancel()
		if body != nil {
			body.Close()
		}
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	t := newTimeout(c.reqTO, cancel)
	var wrote atomic.Bool // the whole request went out
	if !r.idempotent {
		// A streamed body (attachments) may take long to upload: the
		// timeout starts once it is written. Knowing that a statement was
		// sent also tells what a broken connection means.
		req = req.WithContext(httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(i httptrace.WroteRequestInfo) {
				wrote.Store(i.Err == nil)
				if r.once {
					t.arm()
				}
			},
		}))
	}
	if !r.once {
		t.arm()
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	t.disarm()
	if err == nil && t.fired() {
		// The timeout fired as the answer arrived: its body is cut off.
		resp.Body.Close()
		err = errRequestTimeout
	}
	if err != nil {
		cancel()
		if t.fired() && ctx.Err() == nil {
			err = fmt.Errorf("no answer within requestTimeout %v: %w", c.reqTO, errRequestTimeout)
		} else {
			err = scrubURLError(err)
		}
		if wrote.Load() && ctx.Err() == nil {
			err = &maybeRanError{err: err}
		}
		return nil, err
	}
	c.log.DebugContext(ctx, "deltastream: request", "method", r.method, "path", r.path, "status", resp.StatusCode, "elapsed", time.Since(start))
	resp.Body = &timeoutBody{rc: resp.Body, t: t, cancel: cancel}
	return resp, nil
}

var errRequestTimeout = errors.New("request timed out")

// scrubURLError drops the URL from a *url.Error: it may hold a dataplane
// token or other secrets in its query in the future, and the message is
// clearer without it.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readError turns a non-2xx answer into an *Error, reading at most
// maxErrorBody bytes of its body, and closes the body. The token the
// request carried (secret) is masked in the raw body, so that an excerpt
// never shows it, and again in every decoded field, where a JSON escape
// (\u0074...) may have hidden it: a proxy or gateway may echo the
// Authorization header in its error page.
func readError(resp *http.Response, stmtID, secret string) *Error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if len(secret) >= minMaskedSecret {
		b = bytes.ReplaceAll(b, []byte(secret), []byte(masked))
	}
	b = []byte(sentSecrets.mask(string(b)))
	var er wire.ErrorResponse
	if json.Unmarshal(b, &er) == nil && (er.Message != "" || er.SQLState != "" || er.TraceID != "") {
		e := serverError(resp.StatusCode, er.SQLState, er.Message, "", er.TraceID, secret)
		e.StatementID = stmtID
		return e
	}
	msg := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if s := snippet(b); s != "" {
		msg += ": " + s
	}
	e := serverError(resp.StatusCode, "", msg, "", "", secret)
	e.StatementID = stmtID
	return e
}

// dataplaneToken is the dataplane token an answer carries, or "".
func dataplaneToken(rs *wire.ResultSet) string {
	if rs == nil || rs.Metadata == nil || rs.Metadata.DataplaneRequest == nil {
		return ""
	}
	return rs.Metadata.DataplaneRequest.Token
}

// requestSecret is the bearer token the request of resp carried, to be
// masked in whatever the answer says.
func requestSecret(resp *http.Response) string {
	if resp == nil || resp.Request == nil {
		return ""
	}
	return strings.TrimPrefix(resp.Request.Header.Get("Authorization"), "Bearer ")
}

// snippet is a short, single-line, printable excerpt of a non-JSON body.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if lower := strings.ToLower(s); strings.HasPrefix(lower, "<!doctype") || strings.HasPrefix(lower, "<html") {
		if i := strings.Index(lower, "<title>"); i >= 0 {
			if j := strings.Index(lower[i:], "</title>"); j > 0 {
				return "HTML page " + strings.TrimSpace(s[i+7:i+j])
			}
		}
		return "HTML page"
	}
	var out strings.Builder
	for _, r := range s {
		if out.Len() >= 200 {
			out.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError:
			out.WriteRune('?')
		case r < ' ':
			out.WriteByte(' ')
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// submit posts a statement. Without attachments the body is built in memory
// and the request may be retried when it never reached the server; with
// attachments it is streamed and sent once.
func (c *client) submit(ctx context.Context, sr *wire.StatementRequest, atts []attachment) (*http.Response, error) {
	r := &request{ep: &c.cp, method: http.MethodPost, path: "/statements"}
	if len(atts) == 0 {
		body, ctype, err := c.requestBody(sr)
		if err != nil {
			return nil, err
		}
		r.body = func() (io.ReadCloser, string, error) {
			return io.NopCloser(bytes.NewReader(body)), ctype, nil
		}
		return c.do(ctx, r)
	}
	r.once = true
	started := false
	defer func() {
		if !started { // failed before the body was built: close the files here
			closeAttachments(atts)
		}
	}()
	r.body = func() (io.ReadCloser, string, error) {
		started = true
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			was := make([]wire.Attachment, len(atts))
			for i, a := range atts {
				was[i] = wire.Attachment{Name: a.name, R: a.r}
			}
			err := wire.WriteStatement(mw, sr, was)
			closeAttachments(atts)
			pw.CloseWithError(err)
		}()
		return pr, mw.FormDataContentType(), nil
	}
	return c.do(ctx, r)
}

// requestBody builds the multipart body of a submission without
// attachments with the connector's boundary, or a fresh one in the unlikely
// case that the statement contains it.
func (c *client) requestBody(sr *wire.StatementRequest) ([]byte, string, error) {
	body, ok, err := wire.AppendStatement(nil, c.boundary, sr)
	if err != nil {
		return nil, "", err
	}
	if ok {
		return body, c.ctype, nil
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := wire.WriteStatement(mw, sr, nil); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// getStatement fetches the status of a statement, or partition part of its
// result (part < 0: no partitionID parameter).
func (c *client) getStatement(ctx context.Context, ep *endpoint, id string, part int, p *wire.Parameters) (*http.Response, error) {
	q := url.Values{}
	if part >= 0 {
		q.Set("partitionID", fmt.Sprint(part))
	}
	if p != nil {
		if p.SessionID != "" {
			q.Set("sessionID", p.SessionID)
		}
		if p.Timezone != "" {
			q.Set("timezone", p.Timezone)
		}
	}
	return c.do(ctx, &request{ep: ep, method: http.MethodGet, path: "/statements/" + url.PathEscape(id), query: q, idempotent: true, stmtID: id})
}

// version calls GET /version.
func (c *client) version(ctx context.Context) (*wire.Version, error) {
	resp, err := c.do(ctx, &request{ep: &c.cp, method: http.MethodGet, path: "/version", idempotent: true})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var v wire.Version
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStatusBody)).Decode(&v); err != nil {
		return nil, fmt.Errorf("deltastream: GET /version: unreadable answer: %w", err)
	}
	return &v, nil
}

// download streams an uploaded source.
func (c *client) download(ctx context.Context, kind, orgID, name string) (io.ReadCloser, error) {
	path := "/download/" + kind + "/" + url.PathEscape(orgID) + "/" + url.PathEscape(name)
	resp, err := c.do(ctx, &request{ep: &c.cp, method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
