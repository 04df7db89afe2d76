package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// schemaSQL creates the catalog. Every relation's rows live in their own
// table r<id> (see relationTable); the catalog tables hold everything
// LIST, DESCRIBE and deltastream.sys show.
//
// Layout for persistent queries (part 2): every relation table is an
// append log whose INTEGER PRIMARY KEY "_seq" is a monotonically
// increasing offset, so a query can remember the last offset it consumed
// (ds_queries.offsets); a changelog also keeps its current state keyed by
// primary key in s<id>.
const schemaSQL = `
CREATE TABLE IF NOT EXISTS ds_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ds_objects (
	kind       TEXT NOT NULL,
	scope      TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL,
	owner      TEXT NOT NULL,
	props      TEXT NOT NULL DEFAULT '{}',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (kind, scope, name)
);
CREATE TABLE IF NOT EXISTS ds_blobs (
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	file TEXT NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (kind, name)
);
CREATE TABLE IF NOT EXISTS ds_relations (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	db          TEXT NOT NULL,
	schema_name TEXT NOT NULL,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	columns     TEXT NOT NULL,
	primary_key TEXT NOT NULL DEFAULT '[]',
	props       TEXT NOT NULL DEFAULT '{}',
	store       TEXT NOT NULL DEFAULT '',
	topic       TEXT NOT NULL DEFAULT '',
	owner       TEXT NOT NULL,
	state       TEXT NOT NULL,
	sql         TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	UNIQUE (db, schema_name, name)
);
CREATE TABLE IF NOT EXISTS ds_queries (
	id             TEXT PRIMARY KEY,
	name           TEXT,
	version        INTEGER,
	intended_state TEXT NOT NULL,
	current_state  TEXT NOT NULL,
	error_message  TEXT,
	sql            TEXT NOT NULL,
	sink_id        INTEGER,
	sources        TEXT NOT NULL DEFAULT '[]',
	offsets        TEXT NOT NULL DEFAULT '{}',
	owner          TEXT NOT NULL,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ds_query_runtime (
	id          TEXT PRIMARY KEY,
	db          TEXT NOT NULL,
	schema_name TEXT NOT NULL,
	tz          TEXT NOT NULL,
	select_text TEXT NOT NULL,
	state       TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS ds_join_padded (
	query_id TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	PRIMARY KEY (query_id, seq)
) WITHOUT ROWID;
`

// openStore opens (and creates when needed) the SQLite database: a file,
// or a private in-memory database when file is "". The emulator uses a
// single connection and serializes statements, so one SQLite connection
// is enough and the in-memory database lives as long as it.
func openStore(file string) (*sql.DB, error) {
	dsn := "file::memory:"
	if file != "" {
		dsn = "file:" + (&url.URL{Path: file}).EscapedPath()
	}
	dsn += "?_pragma=foreign_keys(1)&_pragma=case_sensitive_like(1)&_pragma=busy_timeout(5000)&_txlock=immediate"
	if file != "" {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("emulator: open %s: %w", file, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	existed, version, err := storeVersion(context.Background(), db)
	if err != nil {
		_ = db.Close()
		if file != "" {
			return nil, fmt.Errorf("emulator: %s is not a usable emulator data file (is it another program's SQLite file?): %w", file, err)
		}
		return nil, fmt.Errorf("emulator: create the catalog: %w", err)
	}
	if version > dataVersion {
		_ = db.Close()
		return nil, upgradeStore(context.Background(), db, file, existed, version)
	}
	if _, err := db.ExecContext(context.Background(), schemaSQL); err != nil {
		_ = db.Close()
		if file != "" {
			return nil, fmt.Errorf("emulator: %s is not a usable emulator data file (is it another program's SQLite file?): %w", file, err)
		}
		return nil, fmt.Errorf("emulator: create the catalog: %w", err)
	}
	if err := upgradeStore(context.Background(), db, file, existed, version); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// errNoRows reports whether err is sql.ErrNoRows.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
