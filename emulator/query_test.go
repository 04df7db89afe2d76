package emulator_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// seedUsers creates a changelog of users with a few rows.
func seedUsers(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db,
		`CREATE CHANGELOG users (userid VARCHAR, regionid VARCHAR, visits INTEGER, score DECIMAL(10, 2), PRIMARY KEY(userid));`,
		`INSERT INTO users VALUES ('u1', 'r1', 3, 1.5), ('u2', 'r1', 5, 2.25), ('u3', 'r2', 7, NULL), ('u4', NULL, 1, 10);`,
		`INSERT INTO users (userid, regionid, visits, score) VALUES ('u1', 'r2', 4, 1.555);`, // upsert u1
	)
}

func TestSelectOverChangelog(t *testing.T) {
	_, db := start(t, emulator.Config{})
	seedUsers(t, db)
	tests := []struct {
		name  string
		sql   string
		cols  []string
		rows  [][]string
		types []string
	}{
		{
			name: "star in insertion order of current state",
			sql:  `SELECT * FROM users;`,
			cols: []string{"userid", "regionid", "visits", "score"},
			rows: [][]string{{"u2", "r1", "5", "2.25"}, {"u3", "r2", "7", "NULL"}, {"u4", "NULL", "1", "10.00"}, {"u1", "r2", "4", "1.56"}},
		},
		{
			name: "projection, expression, where, order, limit",
			sql:  `SELECT userid AS id, visits * 2 AS v2 FROM users WHERE visits > 2 ORDER BY visits DESC LIMIT 2;`,
			cols: []string{"id", "v2"},
			rows: [][]string{{"u3", "14"}, {"u2", "10"}},
		},
		{
			name:  "group by with aggregates",
			sql:   `SELECT regionid, COUNT(*) AS n, SUM(visits) AS total, AVG(visits) AS a, MAX(score) AS m FROM users GROUP BY regionid ORDER BY regionid;`,
			cols:  []string{"regionid", "n", "total", "a", "m"},
			rows:  [][]string{{"r1", "1", "5", "5", "2.25"}, {"r2", "2", "11", "5", "1.56"}, {"NULL", "1", "1", "1", "10.00"}},
			types: []string{"VARCHAR", "BIGINT", "INTEGER", "INTEGER", "DECIMAL"},
		},
		{
			name: "having",
			sql:  `SELECT regionid FROM users GROUP BY regionid HAVING COUNT(*) > 1;`,
			cols: []string{"regionid"},
			rows: [][]string{{"r2"}},
		},
		{
			name: "case, like, is null, in, between",
			sql: `SELECT userid, CASE WHEN score IS NULL THEN 'none' ELSE 'some' END AS s FROM users
			      WHERE userid LIKE 'u%' AND visits BETWEEN 1 AND 7 AND userid IN ('u3', 'u4') ORDER BY userid;`,
			cols: []string{"userid", "s"},
			rows: [][]string{{"u3", "none"}, {"u4", "some"}},
		},
		{
			name: "like is case sensitive",
			sql:  `SELECT userid FROM users WHERE userid LIKE 'U%';`,
			cols: []string{"userid"},
		},
		{
			name: "decimal arithmetic keeps a scale",
			sql:  `SELECT score + 1 AS s FROM users WHERE userid = 'u2';`,
			cols: []string{"s"},
			rows: [][]string{{"3.25"}},
		},
		{
			name: "count on an empty filter",
			sql:  `SELECT COUNT(*) FROM users WHERE visits > 100;`,
			cols: []string{"EXPR$0"},
			rows: [][]string{{"0"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.QueryContext(context.Background(), tt.sql)
			require.NoError(t, err)
			cts, err := rows.ColumnTypes()
			require.NoError(t, err)
			require.NoError(t, rows.Close())
			for i, want := range tt.types {
				require.Equal(t, want, cts[i].DatabaseTypeName(), cts[i].Name())
			}
			cols, got := queryAll(t, db, tt.sql)
			require.Equal(t, tt.cols, cols)
			require.Equal(t, tt.rows, got)
		})
	}
}

func TestSelectErrors(t *testing.T) {
	_, db := start(t, emulator.Config{})
	seedUsers(t, db)
	mustExec(t, db, `CREATE STREAM clicks (userid VARCHAR, n INT);`)
	tests := []struct{ name, sql, state, contains string }{
		{"join", `SELECT * FROM users JOIN clicks ON users.userid = clicks.userid;`, "0A000", "JOIN"},
		{"subquery", `SELECT * FROM (SELECT * FROM users);`, "0A000", "subquery"},
		{"window", `SELECT * FROM TUMBLE(clicks, SIZE 1 MINUTE);`, "0A000", "TUMBLE"},
		{"unknown function", `SELECT soundex(userid) FROM users;`, "0A000", "SOUNDEX"},
		{"unknown column", `SELECT nope FROM users;`, "42703", "nope"},
		{"unknown relation", `SELECT * FROM nope;`, "3D020", "nope"},
		{"unknown database", `SELECT * FROM nodb.public.x;`, "3D002", "nodb"},
		{"bare column with group by", `SELECT userid, COUNT(*) FROM users GROUP BY regionid;`, "42803", "userid"},
		{"aggregate in where", `SELECT userid FROM users WHERE COUNT(*) > 1;`, "42803", ""},
		{"type mismatch", `SELECT * FROM users WHERE visits = 'x';`, "42804", "compare"},
		{"syntax error has a position", "SELECT * FROM users\nWHERE;", "42601", "line 2"},
		{"union", `SELECT * FROM users UNION SELECT * FROM users;`, "0A000", "UNION"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.QueryContext(context.Background(), tt.sql)
			if err == nil {
				rows.Close()
			}
			require.Error(t, err)
			require.Equal(t, tt.state, stateOf(err), err.Error())
			require.Contains(t, err.Error(), tt.contains)
		})
	}
}

func TestUseChangesContext(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	conn, err := db.Conn(ctx) // USE lasts while a connection is held
	require.NoError(t, err)
	defer conn.Close()
	for _, s := range []string{`CREATE DATABASE other;`, `USE DATABASE other;`, `CREATE CHANGELOG t (k INT, PRIMARY KEY(k));`, `INSERT INTO t VALUES (1);`} {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	_, rows := queryAll(t, conn, `SELECT k FROM t;`)
	require.Equal(t, [][]string{{"1"}}, rows)
	_, rows = queryAll(t, db, `SELECT k FROM other.public.t;`)
	require.Equal(t, [][]string{{"1"}}, rows)
	_, err = db.ExecContext(ctx, `SELECT k FROM t;`)
	require.Equal(t, "3D020", stateOf(err))
	for _, s := range []string{`CREATE SCHEMA s2;`, `USE SCHEMA s2;`, `CREATE CHANGELOG t (k INT, PRIMARY KEY(k));`} {
		_, err := conn.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	_, rows = queryAll(t, conn, `LIST RELATIONS;`)
	require.Len(t, rows, 1)
	require.Equal(t, `["other","s2","t"]`, rows[0][6])

	// USE inside a batch applies to the statements after it.
	batch, err := db.QueryContext(ctx, `USE DATABASE other; SELECT k FROM t;`)
	require.NoError(t, err)
	defer batch.Close()
	require.True(t, batch.NextResultSet())
	require.True(t, batch.Next())
	var k int
	require.NoError(t, batch.Scan(&k))
	require.Equal(t, 1, k)
}

func TestSelectWithoutFromAndTimeComparisons(t *testing.T) {
	_, db := start(t, emulator.Config{})
	_, rows := queryAll(t, db, `SELECT 1 AS one, 'x' || 'y', 2.50 * 2, UPPER('a');`)
	require.Equal(t, [][]string{{"1", "xy", "5.00", "A"}}, rows)

	mustExec(t, db, `CREATE CHANGELOG ev (id INT, at TIMESTAMP(3), d DATE, PRIMARY KEY(id));`,
		`INSERT INTO ev VALUES (1, '2024-01-01 10:00:00', '2024-01-01'), (2, '2024-01-02 10:00:00.5', '2024-01-02'), (3, NULL, NULL);`)
	_, rows = queryAll(t, db, `SELECT id, at FROM ev WHERE at >= '2024-01-02' ORDER BY at DESC;`)
	require.Equal(t, [][]string{{"2", "2024-01-02T10:00:00.5Z"}}, rows)
	_, rows = queryAll(t, db, `SELECT id FROM ev WHERE at = TIMESTAMP '2024-01-01 10:00:00' OR d = '2024-01-02' ORDER BY id;`)
	require.Equal(t, [][]string{{"1"}, {"2"}}, rows)
	// NULL sorts as the largest value, as in Flink.
	_, rows = queryAll(t, db, `SELECT id FROM ev ORDER BY at;`)
	require.Equal(t, [][]string{{"1"}, {"2"}, {"3"}}, rows)
	_, rows = queryAll(t, db, `SELECT id FROM ev ORDER BY at DESC;`)
	require.Equal(t, [][]string{{"3"}, {"2"}, {"1"}}, rows)
	_, err := db.Exec(`SELECT id FROM ev WHERE at > 'soon';`)
	require.Equal(t, "22007", stateOf(err))
}

func TestOrderByAliasWins(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, `CREATE CHANGELOG n (k INT, v INT, PRIMARY KEY(k));`, `INSERT INTO n VALUES (1, 3), (2, 2), (3, 1);`)
	_, rows := queryAll(t, db, `SELECT k, k * 10 AS v FROM n ORDER BY v;`) // the column v would give 3, 2, 1
	require.Equal(t, [][]string{{"1", "10"}, {"2", "20"}, {"3", "30"}}, rows)
	_, rows = queryAll(t, db, `SELECT k FROM n ORDER BY 1 DESC;`)
	require.Equal(t, [][]string{{"3"}, {"2"}, {"1"}}, rows)
}

func TestWhereSeesNoAliases(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, `CREATE CHANGELOG n (k INT, PRIMARY KEY(k));`)
	_, err := db.Exec(`SELECT COUNT(*) AS c FROM n WHERE c > 1;`)
	require.Equal(t, "42703", stateOf(err))
}
