package emulator_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

func TestValuesOnTheWire(t *testing.T) {
	emu, _ := start(t, emulator.Config{})
	db, err := sql.Open("deltastream", emu.DSN()+"?timezone=Asia/Singapore")
	require.NoError(t, err)
	defer db.Close()
	mustExec(t, db, `CREATE CHANGELOG v (
		k INT, ti TINYINT, si SMALLINT, bi BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10, 2), b BOOLEAN,
		s VARCHAR(5), bin VARBINARY, dt DATE, tm TIME(3), ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3),
		arr ARRAY<INTEGER>, m MAP<VARCHAR, VARCHAR>, st STRUCT<a INTEGER, "Mixed" VARCHAR>,
		PRIMARY KEY(k));`)
	mustExec(t, db, `INSERT INTO v VALUES (1, -128, 32767, -9223372036854775808, 3.5, -1.79E308, 1.5, true,
		'héllo', 'binary', DATE '2007-04-30', '13:10:02.047', TIMESTAMP '2007-04-30 13:10:02.0474381', '2023-12-30 03:37:45Z',
		ARRAY[1, 2, 3, 4], MAP['k', 'v'], ROW(1, 'x'));`)
	mustExec(t, db, `INSERT INTO v (k) VALUES (2);`)

	rows, err := db.QueryContext(context.Background(), `SELECT * FROM v ORDER BY k;`)
	require.NoError(t, err)
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	var typesSeen []string
	for _, c := range cts {
		typesSeen = append(typesSeen, c.DatabaseTypeName())
	}
	require.Equal(t, []string{"INTEGER", "TINYINT", "SMALLINT", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN",
		"VARCHAR", "VARBINARY", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ", "ARRAY", "MAP", "STRUCT"}, typesSeen)

	// Read the raw text through a string-only projection of each column:
	// the driver hands VARCHAR-like text back unchanged for sql.RawBytes
	// of strings, so check what the values mean instead.
	var (
		k, ti, si       int64
		bi              int64
		f, d            float64
		dec             string
		b               bool
		s               string
		bin             []byte
		dt, tm, ts, ltz any
		arr, m, st      string
	)
	row := db.QueryRowContext(context.Background(), `SELECT * FROM v WHERE k = 1;`)
	require.NoError(t, row.Scan(&k, &ti, &si, &bi, &f, &d, &dec, &b, &s, &bin, &dt, &tm, &ts, &ltz, &arr, &m, &st))
	require.Equal(t, int64(-128), ti)
	require.Equal(t, int64(32767), si)
	require.Equal(t, int64(-9223372036854775808), bi)
	require.Equal(t, 3.5, f)
	require.Equal(t, -1.79e308, d)
	require.Equal(t, "1.50", dec)
	require.True(t, b)
	require.Equal(t, "héllo", s)
	require.Equal(t, []byte("binary"), bin)
	require.Equal(t, "[1,2,3,4]", arr)
	require.Equal(t, `{"k": "v"}`, m)
	require.Equal(t, `{"a": 1, "Mixed": "x"}`, st)
	require.Contains(t, ltzString(t, ltz), "2023-12-30 11:37:45") // rendered in Asia/Singapore

	_, nulls := queryAll(t, db, `SELECT * FROM v WHERE k = 2;`)
	for i, c := range nulls[0][1:] {
		require.Equal(t, "NULL", c, "column %d", i+1)
	}
}

func ltzString(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case interface{ Format(string) string }:
		return x.Format("2006-01-02 15:04:05")
	case string:
		return x
	}
	t.Fatalf("unexpected %T", v)
	return ""
}

func TestInsertChecksValues(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, `CREATE CHANGELOG c (k INT, ti TINYINT, s VARCHAR(3), dec DECIMAL(4, 2), ts TIMESTAMP, PRIMARY KEY(k));`)
	tests := []struct{ name, sql, state string }{
		{"tinyint overflow", `INSERT INTO c (k, ti) VALUES (1, 128);`, "22003"},
		{"string too long", `INSERT INTO c (k, s) VALUES (1, 'abcd');`, "22001"},
		{"decimal too wide", `INSERT INTO c (k, dec) VALUES (1, 123.4);`, "22003"},
		{"bad timestamp", `INSERT INTO c (k, ts) VALUES (1, 'yesterday');`, "22007"},
		{"type mismatch", `INSERT INTO c (k, s) VALUES (1, 5);`, "42804"},
		{"null key", `INSERT INTO c (k) VALUES (NULL);`, "23502"},
		{"unknown column", `INSERT INTO c (nope) VALUES (1);`, "42703"},
		{"wrong arity", `INSERT INTO c VALUES (1, 2);`, "42601"},
		{"expression", `INSERT INTO c (k) VALUES (1 + 1);`, "0A000"},
		{"missing relation", `INSERT INTO nope VALUES (1);`, "3D020"},
		{"insert select", `INSERT INTO c SELECT * FROM c;`, "0A000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.ExecContext(context.Background(), tt.sql)
			require.Error(t, err)
			require.Equal(t, tt.state, stateOf(err), err.Error())
		})
	}
	// A bad row rejects the whole statement.
	_, err := db.ExecContext(context.Background(), `INSERT INTO c (k, ti) VALUES (1, 1), (2, 999);`)
	require.Equal(t, "22003", stateOf(err))
	_, rows := queryAll(t, db, `SELECT COUNT(*) FROM c;`)
	require.Equal(t, [][]string{{"0"}}, rows)
}
