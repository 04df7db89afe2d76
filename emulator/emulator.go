package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"
)

// Config configures an emulator. The zero Config is a usable in-memory
// emulator on a free loopback port with a random token.
type Config struct {
	// Addr is the listen address; "" means 127.0.0.1:0 (a free loopback
	// port).
	Addr string
	// DataplaneAddr is the listen address of the dataplane, which, as in
	// the service, is another origin: result sets of materialized views
	// and continuous queries are served there, at base path /v2. "" means
	// a free port on Addr's host. Clients learn its URL from the answers.
	DataplaneAddr string
	// DataFile is the SQLite file holding the catalog and the data; it is
	// created when missing and persists across restarts. "" keeps
	// everything in memory, gone at Close.
	DataFile string
	// Token is the API token clients must send; "" generates a random one.
	Token string
	// PartitionSize is the number of rows per result partition; results
	// with more rows are paged. 0 means 10000.
	PartitionSize int
	// RunTimes makes statements answer 202 ("still running") for an
	// artificial time before they complete, so that applications can test
	// their polling. The key is the statement's first keyword in upper
	// case ("SELECT", "INSERT", "CREATE", "DROP", "LIST", "DESCRIBE",
	// "USE"); "*" applies to every other statement. The statement itself
	// runs at once; only its answer waits.
	RunTimes map[string]time.Duration
	// Clock is the emulator's time source: it stamps created_at/updated_at
	// and decides when a RunTimes wait is over. nil means real time.
	Clock Clock
	// Logger receives one debug line per statement and errors of the
	// emulator itself; nil discards them. The token is never logged.
	Logger *slog.Logger
	// StatementTTL is how long the emulator remembers a finished
	// statement after its last access (its submission, a status poll, a
	// partition fetch, the end of its WebSocket), measured on Clock; a
	// forgotten statement answers 404 like an unknown id, as the service
	// does with old statements. A statement that runs, or whose result a
	// client keeps paging or streaming, is kept. 0 means 1 hour; a
	// negative value keeps every statement while the emulator runs.
	// The rows of a large result live apart from its statement: the
	// emulator keeps the last 8 spilled results, so a result stays
	// readable while both its statement is remembered and it is among
	// those 8; a result whose statement is forgotten is dropped then and
	// leaves its place to the others.
	StatementTTL time.Duration
	// MaxStatements caps the statements remembered: beyond it the least
	// recently accessed finished ones are forgotten first. 0 means
	// 10000; a negative value means no cap.
	MaxStatements int
}

// Defaults of Config.StatementTTL and Config.MaxStatements.
const (
	DefaultStatementTTL  = time.Hour
	DefaultMaxStatements = 10000
)

// Clock tells the emulator the time. Implementations must be safe for
// concurrent use.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Emulator is a running local DeltaStream service. Create it with Start,
// connect with DSN, and Close it when done. Its methods are safe for
// concurrent use.
type Emulator struct {
	eng   *engine
	srv   *serving
	token string

	closeOnce sync.Once
	closeErr  error
}

// Start opens the data file (or an in-memory store), creates the default
// catalog on first use (organization, role sysadmin, database db with
// schema public, store local) and starts serving the DeltaStream v2 API.
// It returns once the emulator is listening. The caller must Close it.
func Start(cfg Config) (*Emulator, error) {
	if cfg.Token == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		cfg.Token = "local-" + hex.EncodeToString(b[:])
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.PartitionSize <= 0 {
		cfg.PartitionSize = 10000
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.StatementTTL == 0 {
		cfg.StatementTTL = DefaultStatementTTL
	}
	if cfg.MaxStatements == 0 {
		cfg.MaxStatements = DefaultMaxStatements
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	eng, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	srv, err := serve(cfg, eng)
	if err != nil {
		return nil, errors.Join(err, eng.close())
	}
	return &Emulator{eng: eng, srv: srv, token: cfg.Token}, nil
}

// DSN returns a data source name for the deltastream driver,
// "http://:TOKEN@127.0.0.1:PORT/v2", usable with
// sql.Open("deltastream", e.DSN()). Plain http is allowed because the
// address is a loopback one; for another address add
// allowInsecureHTTP=true.
func (e *Emulator) DSN() string {
	u := url.URL{Scheme: "http", User: url.UserPassword("", e.token), Host: e.srv.addr(), Path: e.srv.base()}
	return u.String()
}

// URL returns the control-plane base URL, e.g. "http://127.0.0.1:PORT/v2".
func (e *Emulator) URL() string { return "http://" + e.srv.addr() + e.srv.base() }

// Addr returns the address the emulator listens on, host:port.
func (e *Emulator) Addr() string { return e.srv.addr() }

// Token returns the API token the emulator accepts.
func (e *Emulator) Token() string { return e.token }

// OrganizationID returns the UUID of the emulator's organization.
func (e *Emulator) OrganizationID() string { return e.eng.orgID }

// Close stops serving (open connections are closed, running handlers
// finish) and closes the data file. It is idempotent and safe to call
// concurrently; later calls return the first call's result.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		err := e.srv.close()
		e.closeErr = errors.Join(err, e.eng.close())
		if e.closeErr != nil {
			e.closeErr = fmt.Errorf("emulator: close: %w", e.closeErr)
		}
	})
	return e.closeErr
}
