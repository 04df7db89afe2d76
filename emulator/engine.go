package emulator

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// engine runs DeltaStream statements on SQLite. It implements
// server.Engine and server.Downloader. Statements run one at a time (mu),
// each in its own SQLite transaction, so a statement is all or nothing
// and concurrent clients see each other's statements in one order.
type engine struct {
	cfg   Config
	db    *sql.DB
	orgID string

	mu      sync.Mutex
	closed  bool
	spilled int64    // temporary tables created so far (names)
	spills  []string // live temporary tables, oldest first

	// hub wakes continuous readers after appends (streaming, fanout.go).
	hub *hub
}

func newEngine(cfg Config) (*engine, error) {
	db, err := openStore(cfg.DataFile)
	if err != nil {
		return nil, err
	}
	orgID, err := initCatalog(context.Background(), db, storedNow(cfg.Clock.Now()))
	if err != nil {
		_ = db.Close()
		return nil, errors.New("emulator: initialize the catalog: " + err.Error())
	}
	return &engine{cfg: cfg, db: db, orgID: orgID, hub: newHub()}, nil
}

// close closes the store; statements after it fail with 57015.
func (e *engine) close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.hub.closeAll()
	return e.db.Close()
}

// result is what a successful statement answers.
type result struct {
	cols      []wire.Column
	rows      [][]*string
	dataplane bool
	// paged results carry their rows already split in parts.
	paged bool
	parts []server.Partition
	pages server.PageSource // rows produced on demand
	// use, when set, is the session after a USE statement.
	use *session
	// stream, when set, makes the answer a streaming one (continuous.go).
	stream server.Stream
}

// Execute implements server.Engine. Statements of one submission run in
// order; a USE changes the context of the statements after it.
func (e *engine) Execute(ctx context.Context, sub *server.Submission) []*server.Outcome {
	outs := make([]*server.Outcome, len(sub.Statements))
	sess, serr := e.newSession(sub.Request)
	for i, text := range sub.Statements {
		if serr != nil {
			outs[i] = &server.Outcome{SQLState: serr.state, Message: serr.msg}
			continue
		}
		outs[i] = e.statement(ctx, sess, text, sub)
		if outs[i].SQLState == "" && outs[i].Context != nil {
			sess = e.sessionFromContext(sess, outs[i].Context)
		}
	}
	return outs
}

// sessionFromContext is the session a batch continues with after a
// statement answered ctx.
func (e *engine) sessionFromContext(s *session, c *wire.Context) *session {
	n := *s
	n.role, n.db, n.schema, n.store, n.pool = c.RoleName, c.DatabaseName, c.SchemaName, c.StoreName, c.ComputePoolName
	return &n
}

// statement runs one statement and builds its outcome.
func (e *engine) statement(ctx context.Context, sess *session, text string, sub *server.Submission) *server.Outcome {
	start := time.Now()
	kind := firstWord(text)
	res, err := e.run(ctx, sess, text, sub)
	out := &server.Outcome{RunTime: e.runTime(kind)}
	var se *sqlError
	switch {
	case err == nil:
		ctxSess := sess
		if res.use != nil {
			ctxSess = res.use
		}
		out.Columns = res.cols
		out.Partitions = res.parts
		out.Pages = res.pages
		if !res.paged {
			out.Partitions = server.SplitRows(res.rows, e.cfg.PartitionSize)
		}
		out.Dataplane = res.dataplane
		out.Stream = res.stream
		out.Context = e.context(ctxSess)
	case errors.As(err, &se):
		out.SQLState, out.Message = se.state, se.msg
	default:
		out.SQLState, out.Message = stateInternal, "internal error of the local emulator: "+err.Error()
		e.cfg.Logger.Error("emulator: statement failed", "kind", kind, "err", err)
	}
	e.cfg.Logger.Debug("emulator: statement", "kind", kind, "state", out.SQLState, "elapsed", time.Since(start))
	return out
}

// runTime is the artificial run time configured for a statement kind.
func (e *engine) runTime(kind string) time.Duration {
	if d, ok := e.cfg.RunTimes[kind]; ok {
		return d
	}
	return e.cfg.RunTimes["*"]
}

// firstWord is the upper-case first keyword of a statement.
func firstWord(text string) string {
	for {
		text = strings.TrimLeft(text, " \t\r\n\f")
		switch {
		case strings.HasPrefix(text, "--"):
			_, text, _ = strings.Cut(text, "\n")
			continue
		case strings.HasPrefix(text, "/*"):
			_, text, _ = strings.Cut(text[2:], "*/")
			continue
		}
		break
	}
	end := strings.IndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '_' })
	if end < 0 {
		end = len(text)
	}
	return strings.ToUpper(text[:end])
}

// run parses and executes one statement under the engine lock.
func (e *engine) run(ctx context.Context, sess *session, text string, sub *server.Submission) (*result, error) {
	st, err := parse(text)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errorf("57015", "the local emulator is shutting down")
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	x := &exec{e: e, tx: tx, ctx: ctx, sess: sess, sub: sub, now: e.cfg.Clock.Now(), text: text}
	res, err := x.dispatch(st)
	if err != nil {
		return nil, err
	}
	if err := x.runQueries(); err != nil { // persistent queries (runtime.go)
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	e.hub.notify(x.touched)
	return res, nil
}

// exec is one statement being executed inside its transaction.
type exec struct {
	e    *engine
	tx   *sql.Tx
	ctx  context.Context
	sess *session
	sub  *server.Submission
	now  time.Time
	text string
	// touched are the relations this statement appended to: persistent
	// queries reading them run before the commit, readers wake after it.
	touched map[int64]bool
	// streaming makes plan read a relation's log between two offsets
	// (?1 exclusive, ?2 inclusive) instead of its current contents.
	streaming bool
	// regroup makes a streaming plan of an aggregation read the whole log
	// up to ?2, restricted to the groups of the rows after ?1.
	regroup bool
}

// stamp is the stored created_at/updated_at text of this statement.
func (x *exec) stamp() string { return storedNow(x.now) }

func (x *exec) dispatch(st any) (*result, error) {
	switch s := st.(type) {
	case *createStmt:
		return x.create(s)
	case *dropStmt:
		return x.drop(s)
	case *useStmt:
		return x.use(s)
	case *listStmt:
		return x.list(s)
	case *describeStmt:
		return x.describe(s)
	case *insertStmt:
		return x.insert(s)
	case *selectStmt:
		if x.isContinuous(s) {
			return x.continuous(s)
		}
		return x.query(s)
	}
	if res, ok, err := x.dispatchStreaming(st); ok {
		return res, err
	}
	return nil, unsupported("this statement")
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
