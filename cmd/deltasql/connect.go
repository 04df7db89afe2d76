package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/deltastream-go/deltastream"
)

// connection is the shell's link to a service: the pool, the one
// connection whose session context (USE ...) the shell keeps, and the
// secrets that must never be printed or stored.
type connection struct {
	db      *sql.DB
	conn    *sql.Conn
	where   string   // where it points, token masked
	secrets []string // the token
	stop    func() error
}

// Close closes the connection and stops an embedded emulator.
func (c *connection) Close() error {
	err := c.conn.Close()
	err = errors.Join(err, c.db.Close())
	if c.stop != nil {
		err = errors.Join(err, c.stop())
	}
	return err
}

// connect opens the connection the options and environment describe:
// --dsn, DELTASTREAM_DSN, DELTASTREAM_TOKEN with --server (or
// DELTASTREAM_SERVER), and with none of them the embedded emulator, which
// it announces in one line on stderr.
func connect(ctx context.Context, o *options, getenv func(string) string, stderr io.Writer) (*connection, error) {
	dsn := o.dsn
	if dsn == "" {
		dsn = getenv("DELTASTREAM_DSN")
	}
	if dsn != "" {
		return openDSN(ctx, dsn, nil)
	}
	if tok := getenv("DELTASTREAM_TOKEN"); tok != "" {
		server := o.server
		if server == "" {
			server = getenv("DELTASTREAM_SERVER")
		}
		cfg, err := serverConfig(server, tok)
		if err != nil {
			return nil, err
		}
		return openConfig(ctx, cfg, nil)
	}
	dsn, stop, err := startEmbedded(o.data)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded emulator: %w", err)
	}
	where := "in memory"
	if o.data != "" {
		where = "data in " + o.data
	}
	fmt.Fprintf(stderr, "deltasql: no --dsn, DELTASTREAM_DSN or DELTASTREAM_TOKEN: using the embedded emulator (%s)\n", where)
	c, err := openDSN(ctx, dsn, stop)
	if err != nil {
		_ = stop()
		return nil, err
	}
	c.where = "embedded emulator (" + where + ")"
	return c, nil
}

// serverConfig builds a configuration from a server URL (default the
// public service) and a token.
func serverConfig(server, token string) (*deltastream.Config, error) {
	cfg := deltastream.NewConfig()
	cfg.Token = token
	if server == "" {
		return cfg, nil
	}
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	u, err := url.Parse(server)
	if err == nil && u.User != nil {
		// Never echo what may be a token.
		return nil, fmt.Errorf("--server must not carry user information (%s://…@%s): the token goes in DELTASTREAM_TOKEN", u.Scheme, u.Host)
	}
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--server %q: give a URL such as https://api.deltastream.io/v2 (the token goes in DELTASTREAM_TOKEN)", server)
	}
	cfg.Scheme, cfg.Host = strings.ToLower(u.Scheme), u.Host
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		cfg.Path = p
	}
	return cfg, nil
}

// openDSN opens a DSN. ParseDSN's errors never hold the token.
func openDSN(ctx context.Context, dsn string, stop func() error) (*connection, error) {
	cfg, err := deltastream.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return openConfig(ctx, cfg, stop)
}

func openConfig(ctx context.Context, cfg *deltastream.Config, stop func() error) (*connection, error) {
	cfg.UserAgent = "deltasql"
	connector, err := deltastream.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return &connection{db: db, conn: conn, where: cfg.String(), secrets: []string{cfg.Token}, stop: stop}, nil
}
