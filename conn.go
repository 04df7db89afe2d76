package deltastream

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Conn is a connection: the session context (organization, role, database,
// schema, store, compute pool) plus the connector's shared HTTP client.
// DeltaStream keeps no server-side session, so a Conn holds no network
// connection of its own. Like every driver.Conn it is used by one goroutine
// at a time.
//
// Conn implements driver.ExecerContext, driver.QueryerContext,
// driver.ConnPrepareContext, driver.Pinger, driver.SessionResetter,
// driver.Validator and driver.NamedValueChecker.
type Conn struct {
	connector *Connector
	client    *client
	session   Session
	closed    bool
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
	_ driver.NamedValueChecker  = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
)

var errConnClosed = errors.New("deltastream: connection is closed")

// Prepare implements driver.Conn; see PrepareContext.
func (c *Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext implements driver.ConnPrepareContext. Preparing is
// client-side and costs no network call: it parses the placeholders once.
// The statement is sent when it is executed.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if c.closed {
		return nil, errConnClosed
	}
	return newStmt(c, query)
}

// Close implements driver.Conn. It releases nothing on the network: the
// HTTP connections belong to the connector.
func (c *Conn) Close() error {
	c.closed = true
	return nil
}

// Begin implements driver.Conn. DeltaStream has no transactions: it always
// returns ErrTransactionsNotSupported.
func (c *Conn) Begin() (driver.Tx, error) { return nil, ErrTransactionsNotSupported }

// BeginTx implements driver.ConnBeginTx: it always returns
// ErrTransactionsNotSupported.
func (c *Conn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return nil, ErrTransactionsNotSupported
}

// Ping implements driver.Pinger with GET /version: it checks that the
// endpoint answers and accepts the token. A rejected token is an *Error
// matching ErrUnauthorized.
func (c *Conn) Ping(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	_, err := c.client.version(ctx)
	return err
}

// ResetSession implements driver.SessionResetter: when a connection
// returns to the pool, its session context goes back to the DSN's values,
// so a USE statement run by one caller never leaks into another's.
func (c *Conn) ResetSession(ctx context.Context) error {
	if c.closed {
		return driver.ErrBadConn
	}
	c.session = sessionFromConfig(c.connector.cfg)
	return nil
}

// IsValid implements driver.Validator.
func (c *Conn) IsValid() bool { return !c.closed }

// CheckNamedValue implements driver.NamedValueChecker: it accepts every
// argument type the binder can render (see the README, "Parameters").
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValue(nv) }

// ExecContext implements driver.ExecerContext. It runs the statement (or
// batch) to completion. For a batch the first failing statement is reported
// with its position. Under WithAsync it returns once the statement is
// accepted; under WithResume it waits for statements submitted earlier.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	query, err := bindQuery(query, args)
	if err != nil {
		discardAttachments(ctx)
		return nil, err
	}
	return c.exec(ctx, query)
}

// QueryContext implements driver.QueryerContext. Under WithAsync the Rows
// wait for the statement on first use; under WithResume, with an empty
// query, they read the result of a statement submitted earlier.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	query, err := bindQuery(query, args)
	if err != nil {
		discardAttachments(ctx)
		return nil, err
	}
	return c.query(ctx, query)
}

func (c *Conn) exec(ctx context.Context, query string) (driver.Result, error) {
	if ids, ok := resumeIDs(ctx); ok {
		return c.resumeExec(ctx, query, ids)
	}
	if isAsync(ctx) {
		return c.execAsync(ctx, query)
	}
	st, err := c.run(ctx, query)
	if err != nil {
		return nil, err
	}
	defer st.close()
	if err := c.awaitRest(ctx, st.rs, false); err != nil {
		return nil, err
	}
	return result{st.rs}, nil
}

// awaitRest waits for the statements of a batch after the first, whose
// answer is rs, and reports the first failure with its position.
func (c *Conn) awaitRest(ctx context.Context, rs *wire.ResultSet, resumed bool) error {
	ids := rs.StatementIDs
	if len(ids) <= 1 {
		return nil
	}
	for i, id := range ids {
		if id == rs.StatementID && i == 0 {
			continue
		}
		next, err := c.fetch(ctx, &c.client.cp, id, -1)
		if err != nil {
			reportInfo(ctx, id, i+1, nil)
			return batchError(err, i+1)
		}
		if !resumed {
			c.session.adopt(metaContext(next.rs))
		}
		reportInfo(ctx, id, i+1, next.rs)
		next.close()
	}
	return nil
}

// execAsync submits a statement and returns once the service has accepted
// it (WithAsync).
func (c *Conn) execAsync(ctx context.Context, query string) (driver.Result, error) {
	st, p, err := c.submit(ctx, query)
	if err != nil {
		return nil, err
	}
	if st.running() {
		st.close()
		return result{st.rs}, nil
	}
	// Finished at once: report it like a waited-for statement.
	if st, err = c.complete(ctx, p, st); err != nil {
		return nil, err
	}
	st.close()
	return result{st.rs}, nil
}

// position is the 1-based position of statement id in a batch (1 when the
// answer does not say).
func position(ids []string, id string) int {
	for i, x := range ids {
		if x == id {
			return i + 1
		}
	}
	return 1
}

func batchError(err error, pos int) error {
	var de *Error
	if errors.As(err, &de) {
		de.Position = pos
	}
	return err
}

// pending is a statement the service has accepted, for complete.
type pending struct {
	id      string
	ids     []string  // the statement ids of a batch, from its submission
	start   time.Time // when it was submitted (or the wait began)
	resumed bool      // read through WithResume: leave the session alone
}

// run submits a statement and waits until it is done. On success the
// answer's header is decoded and the first partition's rows wait in st.
func (c *Conn) run(ctx context.Context, query string) (*resultStream, error) {
	st, p, err := c.submit(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, p, st)
}

// submit posts a statement and decodes the header of the answer; it tells
// the WithStatementAccepted hook about the statement before returning.
func (c *Conn) submit(ctx context.Context, query string) (*resultStream, pending, error) {
	if c.closed {
		discardAttachments(ctx)
		return nil, pending{}, driver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		discardAttachments(ctx)
		return nil, pending{}, err
	}
	req := &wire.StatementRequest{
		Statement:    query,
		Organization: c.session.Organization,
		Role:         c.session.Role,
		Database:     c.session.Database,
		Schema:       c.session.Schema,
		Store:        c.session.Store,
		ComputePool:  c.session.ComputePool,
		Parameters:   c.params(),
	}
	start := time.Now()
	resp, err := c.client.submit(ctx, req, attachmentsFrom(ctx))
	if err != nil {
		return nil, pending{}, err
	}
	st, err := openResult(resp, "", -1)
	if err != nil {
		return nil, pending{}, err
	}
	if st.running() && st.rs.StatementID == "" {
		st.close()
		return nil, pending{}, errors.New("deltastream: the service accepted the statement without a statement id")
	}
	reportAccepted(ctx, st.rs)
	// The statement ids of a batch come with the answer to the submission
	// only (also when it is a 202): keep them across the polls.
	return st, pending{id: st.rs.StatementID, ids: st.rs.StatementIDs, start: start}, nil
}

// complete finishes the statement p: st is its latest answer, or nil when
// there is none to use. While the statement runs it is polled. A SQL error
// becomes an *Error (with its batch position); on success the session
// adopts the statement's context (unless resumed) and WithStatementInfo
// hears of it.
func (c *Conn) complete(ctx context.Context, p pending, st *resultStream) (*resultStream, error) {
	batch := len(p.ids) > 1
	pos := 0
	if batch {
		pos = 1
	}
	if st == nil || st.running() {
		st.close()
		var err error
		if st, err = c.await(ctx, &c.client.cp, p.id, -1, p.start); err != nil {
			reportInfo(ctx, p.id, pos, nil)
			if batch {
				err = batchError(err, position(p.ids, p.id))
			}
			return nil, err
		}
		ids := p.ids
		if len(ids) == 0 {
			ids = []string{p.id}
		}
		st.rs.StatementIDs = ids
	}
	if err := st.sqlError(""); err != nil {
		st.close()
		if batch {
			pos = position(p.ids, st.rs.StatementID)
			err = batchError(err, pos)
		}
		reportInfo(ctx, st.rs.StatementID, pos, nil)
		return nil, err
	}
	if !p.resumed {
		c.session.adopt(metaContext(st.rs))
	}
	reportInfo(ctx, p.id, pos, st.rs)
	return st, nil
}

// params are the request parameters sent with every call.
func (c *Conn) params() *wire.Parameters {
	cfg := c.connector.cfg
	return &wire.Parameters{Timezone: cfg.Timezone, SessionID: cfg.SessionID}
}

func metaContext(rs *wire.ResultSet) *wire.Context {
	if rs.Metadata == nil {
		return nil
	}
	return rs.Metadata.Context
}

func metaColumns(rs *wire.ResultSet) []wire.Column {
	if rs.Metadata == nil {
		return nil
	}
	return rs.Metadata.Columns
}

// dataplaneEndpoint returns the REST base of a dataplane result: the uri's
// scheme, host and path up to /statements.
func dataplaneEndpoint(cfg *Config, dp *wire.DataplaneRequest) (*endpoint, error) {
	u, err := url.Parse(dp.URI)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("deltastream: dataplane uri %q is not a URL", dp.URI)
	}
	if err := checkPlainText(cfg, u); err != nil {
		return nil, err
	}
	path := u.Path
	if i := strings.Index(path, "/statements"); i >= 0 {
		path = path[:i]
	} else {
		path = DefaultPath
	}
	switch u.Scheme {
	case "wss":
		u.Scheme = "https"
	case "ws":
		u.Scheme = "http"
	}
	return &endpoint{base: u.Scheme + "://" + u.Host + path, tokens: &tokenSource{static: dp.Token}}, nil
}

// renewDataplaneToken returns a function that asks the control plane for
// statement id again to get a fresh dataplane token: the one handed out
// with a result lives about five minutes, less than a slow reader may need.
func (c *Conn) renewDataplaneToken(id string) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		st, err := c.fetch(ctx, &c.client.cp, id, -1)
		if err != nil {
			return "", err
		}
		defer st.close()
		dp := dataplane(st.rs)
		if dp == nil || dp.Token == "" {
			return "", errors.New("the control plane gave no new dataplane token")
		}
		return dp.Token, nil
	}
}

// checkPlainText refuses to send a dataplane token in clear text over a
// network: like the API token, only to loopback hosts unless the DSN says
// allowInsecureHTTP=true.
func checkPlainText(cfg *Config, u *url.URL) error {
	if (u.Scheme == "http" || u.Scheme == "ws") && !cfg.AllowInsecureHTTP && !isLoopback(u.Host) {
		return fmt.Errorf("deltastream: refusing to send the dataplane token over plain %s:// to %s: the service should hand out https or wss; add allowInsecureHTTP=true to the DSN if you really mean it", u.Scheme, u.Host)
	}
	return nil
}
