package emulator

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// fuzzSeeds are statements of every kind the front end knows.
var fuzzSeeds = []string{
	`CREATE DATABASE "d";`,
	`CREATE SCHEMA s IN DATABASE d;`,
	`CREATE STORE k WITH ('type' = KAFKA, 'uris' = 'b:9092', 'kafka.sasl.password' = 'x');`,
	`CREATE STREAM pv (viewtime BIGINT, userid VARCHAR, m MAP<VARCHAR, ARRAY<INT>>) WITH ('topic' = 'pv', 'timestamp' = 'viewtime');`,
	`CREATE CHANGELOG u (id INT, name VARCHAR(10), d DECIMAL(10, 2), ts TIMESTAMP_LTZ(3), PRIMARY KEY(id));`,
	`INSERT INTO u VALUES (1, 'a''b', 1.5, '2024-01-01 00:00:00Z'), (2, NULL, -3, TIMESTAMP '2024-01-01 10:00:00');`,
	`SELECT id, name || 'x' AS n, CASE WHEN d > 1 THEN 'big' ELSE 'small' END FROM u WHERE name LIKE 'a%' AND id IN (1, 2) ORDER BY id DESC LIMIT 3;`,
	`SELECT name, COUNT(*), SUM(d), AVG(id) FROM u GROUP BY name HAVING COUNT(*) > 0;`,
	`SELECT name, "owner", created_at FROM deltastream.sys."databases" WHERE name = 'd';`,
	`CREATE MATERIALIZED VIEW mv AS SELECT name, COUNT(*) AS n FROM u GROUP BY name;`,
	`LIST RELATIONS; DESCRIBE RELATION COLUMNS u; USE DATABASE d; DROP STREAM pv;`,
	"SELECT /* c */ 1 -- x\nFROM u",
	`SELECT CAST(id AS DOUBLE), -(-id), NOT (id = 1) FROM u WHERE id BETWEEN 1 AND 2 AND name IS NOT NULL;`,
}

// FuzzStatement runs arbitrary text through the whole engine (lexer,
// parser, planner, SQLite) on a small catalog: it must never panic and
// never report an internal error for input it could not understand.
func FuzzStatement(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	eng, err := newEngine(Config{Clock: realClock{}, PartitionSize: 100, Logger: nil})
	if err != nil {
		f.Fatal(err)
	}
	defer eng.close()
	eng.cfg.Logger = discardLogger()
	exec := func(sql string) []*server.Outcome {
		return eng.Execute(context.Background(), &server.Submission{
			Request:    &wire.StatementRequest{Statement: sql},
			Statements: server.SplitStatements(sql),
			Now:        time.Now(),
		})
	}
	exec(`CREATE CHANGELOG u (id INT, name VARCHAR(10), d DECIMAL(10, 2), ts TIMESTAMP_LTZ(3), PRIMARY KEY(id)); INSERT INTO u VALUES (1, 'a', 1.5, '2024-01-01 00:00:00Z');`)
	f.Fuzz(func(t *testing.T, sql string) {
		if strings.TrimSpace(sql) == "" || len(sql) > 4096 {
			return
		}
		for _, o := range exec(sql) {
			if o == nil {
				t.Fatalf("nil outcome for %q", sql)
			}
			if o.SQLState == stateInternal {
				t.Fatalf("internal error for %q: %s", sql, o.Message)
			}
		}
	})
}

// FuzzParse checks the front end alone: no panic, and a statement that
// parses prints no error.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := parse(sql)
		if err == nil && st == nil {
			t.Fatalf("no statement and no error for %q", sql)
		}
		if err != nil {
			if _, ok := err.(*sqlError); !ok {
				t.Fatalf("error of type %T for %q", err, sql)
			}
		}
	})
}
