package deltastream_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
)

// The golden replays: answers written in the service's format (see
// testdata/golden/README.md), served verbatim in the service's
// alphabetical key order and in the legacy order, read through
// database/sql.

// goldenNY is the session zone of the replays (goldenZone).
func goldenNY(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(goldenZone)
	require.NoError(t, err)
	return loc
}

func utcTime(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// TestGoldenFilesAlphabetical checks that every golden answer is what the
// service writes: compact JSON with its keys in alphabetical order at every
// level (every line of a .jsonl file of WebSocket frames).
func TestGoldenFilesAlphabetical(t *testing.T) {
	n := 0
	err := filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".jsonl")) {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for i, line := range goldenLines(path, b) {
			require.True(t, json.Valid(line), "%s line %d is not JSON", path, i+1)
			var compact bytes.Buffer
			require.NoError(t, json.Compact(&compact, line))
			assert.Equal(t, compact.String(), string(line), "%s line %d is not compact", path, i+1)
			assert.NoError(t, checkAlphabetical(line, path))
		}
		return nil
	})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, n, 20, "golden files found")
}

// TestGoldenLegacyOrder checks the harness's reordering: the same members
// with the same bytes, the header first and data last.
func TestGoldenLegacyOrder(t *testing.T) {
	in := []byte(`{"createdOn":1,"data":[["a\u003c",null]],"metadata":{"columns":[{"name":"x","nullable":true,"type":"VARCHAR"}]},"sqlState":"00000","statementID":"s"}`)
	got, err := legacyOrder(in)
	require.NoError(t, err)
	assert.Equal(t, `{"sqlState":"00000","statementID":"s","createdOn":1,"metadata":{"columns":[{"name":"x","nullable":true,"type":"VARCHAR"}]},"data":[["a\u003c",null]]}`, string(got))
	assert.Error(t, checkAlphabetical(got, "legacy"))
	assert.NoError(t, checkAlphabetical(in, "stored"))
}

// commandColumns are the five columns of a command result.
func commandColumns() []goldenColumn {
	return []goldenColumn{
		{"Type", "VARCHAR", false, rtString}, {"Name", "VARCHAR", false, rtString}, {"Command", "VARCHAR", false, rtString},
		{"Summary", "VARCHAR", false, rtString}, {"Path", "VARCHAR", true, rtNullString},
	}
}

func TestGoldenDDLAcknowledgement(t *testing.T) {
	const stmt = "CREATE STREAM pageviews_by_user AS SELECT userid, COUNT(*) AS cnt FROM pageviews GROUP BY userid;"
	sc := goldenScenario{statement: stmt, exchanges: []goldenExchange{
		{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "ddl_ack/submit.json"},
	}}
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		goldenQuery(t, sc, order, commandColumns(), [][]any{
			{"stream", "demodb.public.pageviews_by_user", "CREATE", `stream "demodb.public.pageviews_by_user" was successfully created`, `["demodb","public","pageviews_by_user"]`},
			{"query", "0f4e2c6a-83d1-4b5e-a9f7-2c1d3e4f5a60", "CREATE", `query "0f4e2c6a-83d1-4b5e-a9f7-2c1d3e4f5a60" was successfully created`, nil},
		})

		// Exec of the same answer: no rows to read, nothing reported.
		srv := newGoldenServer(t, sc, order)
		var info deltastream.StatementInfo
		ctx := deltastream.WithStatementInfo(context.Background(), func(i deltastream.StatementInfo) { info = i })
		res, err := openGoldenDB(t, srv).ExecContext(ctx, stmt)
		require.NoError(t, err)
		_, err = res.RowsAffected()
		assert.ErrorIs(t, err, deltastream.ErrNotReported)
		assert.Equal(t, "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c01", info.ID)
		srv.assertAllServed(t)
	})
}

func TestGoldenListTimestamps(t *testing.T) {
	sc := goldenScenario{statement: "LIST ORGANIZATIONS;", exchanges: []goldenExchange{
		{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "list_organizations/submit.json"},
	}}
	ny := goldenNY(t)
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		goldenQuery(t, sc, order, []goldenColumn{
			{"ID", "VARCHAR", false, rtString}, {"Name", "VARCHAR", false, rtString}, {"Description", "VARCHAR", true, rtNullString},
			{"IsDefault", "BOOLEAN", false, rtBool}, {"CreatedAt", "TIMESTAMP_TZ", false, rtTime}, {"UpdatedAt", "TIMESTAMP_LTZ", false, rtTime},
		}, [][]any{
			// TIMESTAMP_TZ keeps the value's zone; TIMESTAMP_LTZ is in the session zone.
			{"5febb10d-ac4d-466e-8afe-cef669bbb9cd", "acme", "Acme & Co <prod>", true,
				utcTime(2024, 3, 5, 21, 11, 55, 123456000), utcTime(2024, 3, 5, 21, 11, 55, 123456000).In(ny)},
			{"0b8c3d2e-1f4a-4c6b-8d9e-7f6a5b4c3d21", "acme-eu", nil, false,
				time.Date(2024, 1, 15, 9, 30, 0, 0, time.FixedZone("", 3600)), time.Date(2024, 1, 15, 3, 30, 0, 0, ny)},
		})
	})
}

// goldenAllTypes is the expectation of all_types/submit.json: per column
// its metadata and the value of the first row (the second row is NULL but
// for the NOT NULL column).
func goldenAllTypes(ny *time.Location) ([]goldenColumn, []any) {
	type c struct {
		name, db string
		scan     reflect.Type
		v        any
	}
	cs := []c{
		{"tiny", "TINYINT", rtNullInt64, int64(127)},
		{"tiny_wide", "TINYINT", rtNullInt64, int64(255)},
		{"small", "SMALLINT", rtNullInt64, int64(-32768)},
		{"int", "INTEGER", rtNullInt64, int64(2147483647)},
		{"big", "BIGINT", rtNullInt64, int64(math.MinInt64)},
		{"big_exp", "BIGINT", rtNullInt64, int64(math.MaxInt64)},
		{"flt", "FLOAT", rtNullFloat64, 3.5},
		{"dbl_max", "DOUBLE", rtNullFloat64, -1.79e308},
		{"dbl_min", "DOUBLE", rtNullFloat64, 2.23e-308},
		{"dbl_nan", "DOUBLE", rtNullFloat64, math.NaN()},
		{"dbl_inf", "DOUBLE", rtNullFloat64, math.Inf(1)},
		{"dbl_ninf", "DOUBLE", rtNullFloat64, math.Inf(-1)},
		{"dec", "DECIMAL", rtNullString, "123.00"},
		{"dec_wide", "DECIMAL", rtNullString, "1234567890123456789012345678.0123456789"},
		{"bool", "BOOLEAN", rtNullBool, true},
		{"vc", "VARCHAR", rtNullString, "héllo \"q\" <b> & \\ \n\t\u2028☃"},
		{"vc255", "VARCHAR", rtNullString, ""},
		{"str", "STRING", rtNullString, "alias"},
		{"vb", "VARBINARY", rtBytes, []byte("binary")},
		{"vb16", "VARBINARY", rtBytes, []byte{0, 1, 2, 255}},
		{"bytes", "BYTES", rtBytes, []byte{0, 1}},
		{"date", "DATE", rtNullTime, utcTime(2007, 4, 30, 0, 0, 0, 0)},
		{"time", "TIME", rtNullString, "13:10:02"},
		{"time3", "TIME", rtNullString, "13:10:02.0474381"},
		{"time_z", "TIME", rtNullString, "13:10:02.0474381Z"},
		{"ts3", "TIMESTAMP", rtNullTime, utcTime(2007, 4, 30, 13, 10, 2, 47438100)},
		{"ts9", "TIMESTAMP", rtNullTime, utcTime(2007, 4, 30, 13, 10, 2, 123456789)},
		{"ltz", "TIMESTAMP_LTZ", rtNullTime, utcTime(2023, 12, 30, 3, 37, 45, 0).In(ny)},
		{"ltz6", "TIMESTAMP_LTZ", rtNullTime, utcTime(2007, 4, 30, 5, 10, 2, 47438100).In(ny)},
		{"ltz_with", "TIMESTAMP WITH LOCAL TIME ZONE", rtNullTime, utcTime(2007, 4, 30, 20, 10, 2, 0).In(ny)},
		{"tz", "TIMESTAMP_TZ", rtNullTime, time.Date(2007, 4, 30, 13, 10, 2, 47e6, time.FixedZone("", 8*3600))},
		{"arr", "ARRAY", rtNullString, "[1,2,3,4]"},
		{"map", "MAP", rtNullString, `{"k": "v & w"}`},
		{"struct", "STRUCT", rtNullString, `{"k":"x","Mixed":5}`},
		{"nn", "BIGINT", rtInt64, int64(42)},
		{"geo", "GEOGRAPHY", rtNullString, "POINT(1 2)"},
	}
	cols := make([]goldenColumn, len(cs))
	vals := make([]any, len(cs))
	for i, c := range cs {
		cols[i] = goldenColumn{name: c.name, dbType: c.db, nullable: c.name != "nn", scan: c.scan}
		vals[i] = c.v
	}
	return cols, vals
}

func TestGoldenAllTypes(t *testing.T) {
	const stmt = "SELECT * FROM all_types;"
	sc := goldenScenario{statement: stmt, exchanges: []goldenExchange{
		{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "all_types/submit.json"},
	}}
	cols, vals := goldenAllTypes(goldenNY(t))
	require.Len(t, cols, 36)
	nulls := make([]any, len(vals))
	nulls[34] = int64(42) // nn is NOT NULL
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		srv := goldenQuery(t, sc, order, cols, [][]any{vals, nulls})

		// Every ScanType takes its column's value and NULL, as tools that
		// build typed frames from reflect.New(ScanType) need.
		rows, err := openGoldenDB(t, srv).Query(stmt)
		require.NoError(t, err)
		defer rows.Close()
		cts, err := rows.ColumnTypes()
		require.NoError(t, err)
		for rows.Next() {
			dest := make([]any, len(cts))
			for i, ct := range cts {
				dest[i] = reflect.New(ct.ScanType()).Interface()
			}
			require.NoError(t, rows.Scan(dest...))
		}
		require.NoError(t, rows.Err())

		// The full type strings, unescaped from Go's \u003c and \u003e.
		var info deltastream.StatementInfo
		ctx := deltastream.WithStatementInfo(context.Background(), func(i deltastream.StatementInfo) { info = i })
		rows2, err := openGoldenDB(t, srv).QueryContext(ctx, stmt)
		require.NoError(t, err)
		require.NoError(t, rows2.Close())
		require.Len(t, info.Columns, 36)
		assert.Equal(t, deltastream.ColumnInfo{Name: "arr", Type: "ARRAY<INTEGER>", Nullable: true}, info.Columns[31])
		assert.Equal(t, deltastream.ColumnInfo{Name: "struct", Type: `STRUCT<k VARCHAR, "Mixed" BIGINT>`, Nullable: true}, info.Columns[33])
		assert.Equal(t, deltastream.ColumnInfo{Name: "nn", Type: "BIGINT NOT NULL", Nullable: false}, info.Columns[34])

		// What an application scans into: JSON, time.Time, exact strings.
		var (
			arr deltastream.JSON[[]int32]
			tz  time.Time
			dec string
		)
		require.NoError(t, openGoldenDB(t, srv).QueryRow(stmt).Scan(
			new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any),
			new(any), new(any), &dec, new(any), new(any), new(any), new(any), new(any), new(any), new(any),
			new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any),
			&tz, &arr, new(any), new(any), new(any), new(any)))
		assert.Equal(t, []int32{1, 2, 3, 4}, arr.V)
		assert.Equal(t, "2007-04-30T13:10:02.047+08:00", tz.Format(time.RFC3339Nano))
		assert.Equal(t, "123.00", dec)
	})
}

func TestGoldenRunningThenDone(t *testing.T) {
	const id = "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c04"
	sc := goldenScenario{statement: "SELECT userid, cnt FROM pageviews_by_user;", exchanges: []goldenExchange{
		{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusAccepted, file: "running_then_done/submit.202.json"},
		{plane: planeControl, method: http.MethodGet, path: "/statements/" + id, status: http.StatusAccepted, file: "running_then_done/poll.202.json"},
		{plane: planeControl, method: http.MethodGet, path: "/statements/" + id, status: http.StatusOK, file: "running_then_done/poll.200.json"},
	}}
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		goldenQuery(t, sc, order,
			[]goldenColumn{{"userid", "VARCHAR", true, rtNullString}, {"cnt", "BIGINT", false, rtInt64}},
			[][]any{{"User_1", int64(12)}, {"User_2", int64(7)}})
	})
}

func TestGoldenMultiPartition(t *testing.T) {
	const id = "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c05"
	sc := goldenScenario{statement: "SELECT id, name, ts FROM users;", exchanges: []goldenExchange{
		{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "multi_partition/submit.json"},
		{plane: planeControl, method: http.MethodGet, path: "/statements/" + id, part: 1, status: http.StatusOK, file: "multi_partition/partition1.json"},
		{plane: planeControl, method: http.MethodGet, path: "/statements/" + id, part: 2, status: http.StatusOK, file: "multi_partition/partition2.json"},
		{plane: planeControl, method: http.MethodGet, path: "/statements/" + id, part: 3, status: http.StatusOK, file: "multi_partition/partition3.json"},
	}}
	ny := goldenNY(t)
	ts := func(ms int) time.Time { return utcTime(2024, 3, 5, 21, 11, 55, ms*1e6).In(ny) }
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		goldenQuery(t, sc, order,
			[]goldenColumn{{"id", "BIGINT", false, rtInt64}, {"name", "VARCHAR", true, rtNullString}, {"ts", "TIMESTAMP_LTZ", true, rtNullTime}},
			[][]any{
				{int64(1), "a", ts(1)}, {int64(2), "b", nil}, {int64(3), nil, ts(3)},
				{int64(4), "d", ts(4)}, {int64(5), "e", ts(5)},
				{int64(6), "f", ts(6)},
			})
	})
}

func TestGoldenDataplaneResultSet(t *testing.T) {
	const dpID = "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c16"
	sc := goldenScenario{
		statement: "SELECT region, total, window_end FROM region_totals_mv;",
		dpToken:   "dp-token-eyJhbGciOiJIUzI1NiJ9.result-set",
		exchanges: []goldenExchange{
			{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "dataplane_result/submit.json"},
			{plane: planeData, method: http.MethodGet, path: "/statements/" + dpID, status: http.StatusAccepted, file: "dataplane_result/dp_status.202.json"},
			{plane: planeData, method: http.MethodGet, path: "/statements/" + dpID, status: http.StatusOK, file: "dataplane_result/dp_partition0.json"},
			{plane: planeData, method: http.MethodGet, path: "/statements/" + dpID, part: 1, status: http.StatusOK, file: "dataplane_result/dp_partition1.json"},
		},
	}
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		goldenQuery(t, sc, order,
			[]goldenColumn{{"region", "VARCHAR", false, rtString}, {"total", "DECIMAL", true, rtNullString}, {"window_end", "TIMESTAMP", false, rtTime}},
			[][]any{
				{"Region_1", "1024.50", utcTime(2024, 3, 5, 21, 0, 0, 0)},
				{"Region_2", nil, utcTime(2024, 3, 5, 21, 0, 0, 0)},
				{"Region_3", "7.25", utcTime(2024, 3, 5, 21, 5, 0, 0)},
			})
	})
}

func TestGoldenStreaming(t *testing.T) {
	const id = "a96a9711-e737-4aa2-9567-2000ed88b361"
	sc := goldenScenario{
		statement: "SELECT viewtime, userid, pageid, amount, seen_at, tags FROM pageviews;",
		dpToken:   "dp-token-eyJhbGciOiJIUzI1NiJ9.streaming",
		exchanges: []goldenExchange{
			{plane: planeControl, method: http.MethodPost, path: "/statements", status: http.StatusOK, file: "streaming/submit.json"},
			{plane: planeData, method: methodWS, path: "/print/" + id, file: "streaming/frames.jsonl"},
		},
	}
	forEachGoldenOrder(t, sc, func(t *testing.T, order goldenOrder) {
		srv := goldenQuery(t, sc, order, []goldenColumn{
			{"viewtime", "BIGINT", false, rtInt64}, {"userid", "VARCHAR", true, rtNullString},
			{"pageid", "VARCHAR", true, rtNullString}, {"amount", "DECIMAL", true, rtNullString},
			{"seen_at", "TIMESTAMP_TZ", true, rtNullTime}, {"tags", "ARRAY", true, rtNullString},
		}, [][]any{
			{int64(1709673115000), "User_1", "Page_11", "12.50", time.Date(2024, 3, 5, 21, 11, 55, 123e6, time.FixedZone("", 3600)), `["a","<b>"]`},
			{int64(1709673116000), nil, "Page_12", nil, nil, nil},
			{int64(1709673117000), "User_3", "Page_13", "0.01", utcTime(2024, 3, 5, 20, 11, 57, 0), "[]"},
		})

		// Length and precision from the metadata frame.
		rows, err := openGoldenDB(t, srv).Query(sc.statement)
		require.NoError(t, err)
		defer rows.Close()
		cts, err := rows.ColumnTypes()
		require.NoError(t, err)
		l, ok := cts[2].Length()
		assert.True(t, ok)
		assert.Equal(t, int64(16), l)
		p, s, ok := cts[3].DecimalSize()
		assert.True(t, ok)
		assert.Equal(t, [2]int64{10, 2}, [2]int64{p, s})
		p, _, ok = cts[4].DecimalSize()
		assert.True(t, ok)
		assert.Equal(t, int64(3), p)
	})
}

func TestGoldenSQLErrors(t *testing.T) {
	post := func(status int, file string) goldenExchange {
		return goldenExchange{plane: planeControl, method: http.MethodPost, path: "/statements", status: status, file: file}
	}
	tests := []struct {
		name      string
		sc        goldenScenario
		stream    bool // the error arrives while reading rows
		want      deltastream.Error
		sentinel  error
		wantInMsg []string
	}{
		{
			name: "syntax error in a 200",
			sc:   goldenScenario{statement: "SELEC 1;", exchanges: []goldenExchange{post(http.StatusOK, "sql_errors/syntax.200.json")}},
			want: deltastream.Error{State: "42601", Message: `syntax error at or near "SELEC": expected a statement`,
				StatementID: "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c08", HTTPStatus: http.StatusOK},
			wantInMsg: []string{"42601", "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c08"},
		},
		{
			name: "not found after a 202",
			sc: goldenScenario{statement: "USE DATABASE nodb;", exchanges: []goldenExchange{
				post(http.StatusAccepted, "sql_errors/not_found.202.json"),
				{plane: planeControl, method: http.MethodGet, path: "/statements/6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c09", status: http.StatusOK, file: "sql_errors/not_found.200.json"},
			}},
			want: deltastream.Error{State: "3D002", Message: `database "nodb" does not exist`,
				StatementID: "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c09", HTTPStatus: http.StatusOK},
			sentinel: deltastream.ErrNotFound,
		},
		{
			name: "400 with a sqlState",
			sc:   goldenScenario{statement: "SELECT 'x;", exchanges: []goldenExchange{post(http.StatusBadRequest, "sql_errors/invalid.400.json")}},
			want: deltastream.Error{State: "42601", Message: "invalid statement: unterminated string literal",
				TraceID: "5c1d6f2e8a9b4c3d", HTTPStatus: http.StatusBadRequest},
			wantInMsg: []string{"5c1d6f2e8a9b4c3d", "HTTP 400"},
		},
		{
			name: "403 expired token",
			sc:   goldenScenario{statement: "LIST DATABASES;", exchanges: []goldenExchange{post(http.StatusForbidden, "sql_errors/expired.403.json")}},
			want: deltastream.Error{Message: "unauthorized: the API token has expired", TraceID: "7e2f1a0b9c8d4e3f",
				HTTPStatus: http.StatusForbidden},
			sentinel: deltastream.ErrUnauthorized,
		},
		{
			name: "error frame on a stream",
			sc: goldenScenario{statement: "PRINT ENTITY pageviews;", dpToken: "dp-token-eyJhbGciOiJIUzI1NiJ9.stream-error", exchanges: []goldenExchange{
				post(http.StatusOK, "sql_errors/stream_error.json"),
				{plane: planeData, method: methodWS, path: "/print/6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c0a", file: "sql_errors/stream_error.frames.jsonl"},
			}},
			stream: true,
			want: deltastream.Error{State: "XX000", Message: `the source topic "pageviews" was deleted`,
				StatementID: "6f1c2a9e-0d4b-4e7a-9c3f-5b8e2d1a7c0a", HTTPStatus: http.StatusOK},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachGoldenOrder(t, tt.sc, func(t *testing.T, order goldenOrder) {
				srv := newGoldenServer(t, tt.sc, order)
				db := openGoldenDB(t, srv)
				rows, err := db.Query(tt.sc.statement)
				if tt.stream {
					require.NoError(t, err)
					require.True(t, rows.Next(), rows.Err())
					var user sql.NullString
					require.NoError(t, rows.Scan(&user))
					assert.Equal(t, "User_1", user.String)
					assert.False(t, rows.Next())
					err = rows.Err()
					require.NoError(t, rows.Close())
				} else if err == nil {
					rows.Close()
				}
				require.Error(t, err)
				var got *deltastream.Error
				require.True(t, errors.As(err, &got), "%T: %v", err, err)
				assert.Equal(t, tt.want.State, got.State)
				assert.Equal(t, tt.want.Message, got.Message)
				assert.Equal(t, tt.want.StatementID, got.StatementID)
				assert.Equal(t, tt.want.TraceID, got.TraceID)
				assert.Equal(t, tt.want.HTTPStatus, got.HTTPStatus)
				if tt.sentinel != nil {
					assert.ErrorIs(t, err, tt.sentinel)
				}
				for _, s := range tt.wantInMsg {
					assert.Contains(t, err.Error(), s)
				}
				assert.NotContains(t, err.Error(), goldenAPIToken)
				assert.NotContains(t, err.Error(), "dp-token")
				srv.assertAllServed(t)
			})
		})
	}
}
