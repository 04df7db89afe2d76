package deltastream_test

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// resSqlxPoint is the Go side of a STRUCT column.
type resSqlxPoint struct {
	K     string `json:"k"`
	Mixed int64
}

// resSqlxRow has one field per column type, in the Go types applications
// pick for them.
type resSqlxRow struct {
	Tiny     int8                                `db:"tiny"`
	Small    int16                               `db:"small"`
	Int      int32                               `db:"int"`
	Big      int64                               `db:"big"`
	BigNull  *int64                              `db:"big_null"`
	Float    float32                             `db:"float"`
	Double   sql.NullFloat64                     `db:"double"`
	Dec      string                              `db:"dec"`
	DecExact resDecimal                          `db:"dec_exact"`
	DecNull  sql.NullString                      `db:"dec_null"`
	Bool     bool                                `db:"bool"`
	BoolNull sql.NullBool                        `db:"bool_null"`
	Varchar  string                              `db:"varchar"`
	VarNull  *string                             `db:"var_null"`
	Bin      []byte                              `db:"bin"`
	Date     time.Time                           `db:"date"`
	Time     string                              `db:"time"`
	TS       time.Time                           `db:"ts"`
	LTZ      sql.NullTime                        `db:"ltz"`
	LTZ2     *time.Time                          `db:"ltz2"`
	Arr      deltastream.JSON[[]int32]           `db:"arr"`
	Map      deltastream.JSON[map[string]string] `db:"map"`
	Struct   deltastream.JSON[resSqlxPoint]      `db:"struct"`
	Other    sql.NullString                      `db:"other"`
	MapNull  deltastream.JSON[map[string]string] `db:"map_null"`
}

var resSqlxCols = []dstest.Column{
	dstest.NotNullCol("tiny", "TINYINT"), dstest.NotNullCol("small", "SMALLINT"), dstest.NotNullCol("int", "INTEGER"),
	dstest.NotNullCol("big", "BIGINT"), dstest.Col("big_null", "BIGINT"), dstest.NotNullCol("float", "FLOAT"),
	dstest.Col("double", "DOUBLE"), dstest.NotNullCol("dec", "DECIMAL(10, 2)"), dstest.NotNullCol("dec_exact", "DECIMAL(38, 4)"),
	dstest.Col("dec_null", "DECIMAL(4, 1)"), dstest.NotNullCol("bool", "BOOLEAN"), dstest.Col("bool_null", "BOOLEAN"),
	dstest.NotNullCol("varchar", "VARCHAR(64)"), dstest.Col("var_null", "VARCHAR"), dstest.Col("bin", "VARBINARY"),
	dstest.NotNullCol("date", "DATE"), dstest.NotNullCol("time", "TIME(3)"), dstest.NotNullCol("ts", "TIMESTAMP(9)"),
	dstest.Col("ltz", "TIMESTAMP_LTZ(3)"), dstest.Col("ltz2", "TIMESTAMP(3) WITH LOCAL TIME ZONE"),
	dstest.Col("arr", "ARRAY<INTEGER>"), dstest.Col("map", "MAP<VARCHAR, VARCHAR>"),
	dstest.Col("struct", `STRUCT<k VARCHAR, "Mixed" BIGINT>`), dstest.Col("other", "GEOGRAPHY"),
	dstest.Col("map_null", "MAP<VARCHAR, VARCHAR>"),
}

var resSqlxRows = [][]any{
	{"-128", "32767", "-2147483648", "9.223372036854775807E+18", "-1", "3.5", "NaN", "123.00", "-98765432109876543210.1234", "1.5",
		"true", "false", "héllo", "there", "YmluYXJ5", "2007-04-30", "13:10:02.047", "2007-04-30 13:10:02.123456789",
		"2023-12-30 03:37:45Z", "2023-12-30 03:37:45.5+01:00", "[1,2,3]", `{"k": "v"}`, `{"k":"x","Mixed":5}`, "POINT(1 2)", nil},
	{"0", "0", "0", "0", nil, "-Infinity", nil, "0.00", "0", nil,
		"false", nil, "", nil, nil, "1970-01-01", "00:00:00.000", "1970-01-01 00:00:00",
		nil, nil, nil, nil, nil, nil, nil},
}

func resSqlxDB(t *testing.T) *sqlx.DB {
	t.Helper()
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM everything;").Columns(resSqlxCols...).Rows(resSqlxRows...).PartitionSize(1)
	srv.On("SELECT * FROM everything LIMIT 1;").Columns(resSqlxCols...).Rows(resSqlxRows[0])
	return sqlx.NewDb(openDB(t, srv, "timezone="+resZone), deltastream.DriverName)
}

// resCheckSqlxRows checks rows decoded from resSqlxRows.
func resCheckSqlxRows(t *testing.T, got []resSqlxRow) {
	t.Helper()
	require.Len(t, got, 2)
	resCheckSqlxFirst(t, got[0])
	resCheckSqlxSecond(t, got[1])
}

// resCheckSqlxFirst checks the row of values.
func resCheckSqlxFirst(t *testing.T, r resSqlxRow) {
	t.Helper()
	loc := resLoc(t)
	assert.Equal(t, int8(-128), r.Tiny)
	assert.Equal(t, int16(32767), r.Small)
	assert.Equal(t, int32(math.MinInt32), r.Int)
	assert.Equal(t, int64(math.MaxInt64), r.Big)
	require.NotNil(t, r.BigNull)
	assert.Equal(t, int64(-1), *r.BigNull)
	assert.Equal(t, float32(3.5), r.Float)
	assert.True(t, r.Double.Valid)
	assert.True(t, math.IsNaN(r.Double.Float64))
	assert.Equal(t, "123.00", r.Dec)
	assert.Equal(t, "-98765432109876543210.1234", r.DecExact.String())
	assert.Equal(t, sql.NullString{String: "1.5", Valid: true}, r.DecNull)
	assert.True(t, r.Bool)
	assert.Equal(t, sql.NullBool{Bool: false, Valid: true}, r.BoolNull)
	assert.Equal(t, "héllo", r.Varchar)
	require.NotNil(t, r.VarNull)
	assert.Equal(t, "there", *r.VarNull)
	assert.Equal(t, []byte("binary"), r.Bin)
	assert.Equal(t, time.Date(2007, 4, 30, 0, 0, 0, 0, time.UTC), r.Date)
	assert.Equal(t, "13:10:02.047", r.Time)
	assert.Equal(t, time.Date(2007, 4, 30, 13, 10, 2, 123456789, time.UTC), r.TS)
	assert.True(t, r.LTZ.Valid)
	assert.True(t, time.Date(2023, 12, 30, 3, 37, 45, 0, time.UTC).Equal(r.LTZ.Time))
	assert.Equal(t, loc, r.LTZ.Time.Location())
	require.NotNil(t, r.LTZ2)
	assert.True(t, time.Date(2023, 12, 30, 2, 37, 45, 5e8, time.UTC).Equal(*r.LTZ2))
	assert.Equal(t, loc, r.LTZ2.Location())
	assert.Equal(t, []int32{1, 2, 3}, r.Arr.V)
	assert.Equal(t, map[string]string{"k": "v"}, r.Map.V)
	assert.Equal(t, resSqlxPoint{K: "x", Mixed: 5}, r.Struct.V)
	assert.Equal(t, sql.NullString{String: "POINT(1 2)", Valid: true}, r.Other)
	assert.False(t, r.MapNull.Valid)
}

// resCheckSqlxSecond checks the row of zero values and NULLs.
func resCheckSqlxSecond(t *testing.T, n resSqlxRow) {
	t.Helper()
	assert.Nil(t, n.BigNull)
	assert.True(t, math.IsInf(float64(n.Float), -1))
	assert.False(t, n.Double.Valid)
	assert.Equal(t, "0", n.DecExact.String())
	assert.False(t, n.DecNull.Valid)
	assert.False(t, n.BoolNull.Valid)
	assert.Empty(t, n.Varchar)
	assert.Nil(t, n.VarNull)
	assert.Nil(t, n.Bin)
	assert.False(t, n.LTZ.Valid)
	assert.Nil(t, n.LTZ2)
	assert.False(t, n.Arr.Valid)
	assert.False(t, n.Map.Valid)
	assert.False(t, n.Struct.Valid)
	assert.False(t, n.Other.Valid)
}

func TestSqlxSelect(t *testing.T) {
	db := resSqlxDB(t)
	var got []resSqlxRow
	require.NoError(t, db.SelectContext(context.Background(), &got, "SELECT * FROM everything;"))
	resCheckSqlxRows(t, got)
}

func TestSqlxGet(t *testing.T) {
	db := resSqlxDB(t)
	var got resSqlxRow
	require.NoError(t, db.Get(&got, "SELECT * FROM everything LIMIT 1;"))
	resCheckSqlxFirst(t, got)
}

func TestSqlxStructScan(t *testing.T) {
	db := resSqlxDB(t)
	rows, err := db.Queryx("SELECT * FROM everything;")
	require.NoError(t, err)
	defer rows.Close()
	var got []resSqlxRow
	for rows.Next() {
		var r resSqlxRow
		require.NoError(t, rows.StructScan(&r))
		got = append(got, r)
	}
	require.NoError(t, rows.Err())
	resCheckSqlxRows(t, got)
}

func TestSqlxMapScan(t *testing.T) {
	db := resSqlxDB(t)
	rows, err := db.Queryx("SELECT * FROM everything;")
	require.NoError(t, err)
	defer rows.Close()
	var got []map[string]any
	for rows.Next() {
		m := map[string]any{}
		require.NoError(t, rows.MapScan(m))
		got = append(got, m)
	}
	require.NoError(t, rows.Err())
	require.Len(t, got, 2)
	loc := resLoc(t)
	m := got[0]
	assert.Len(t, m, len(resSqlxCols))
	want := map[string]any{
		"tiny": int64(-128), "small": int64(32767), "int": int64(math.MinInt32), "big": int64(math.MaxInt64),
		"big_null": int64(-1), "float": 3.5, "dec": "123.00", "dec_exact": "-98765432109876543210.1234", "dec_null": "1.5",
		"bool": true, "bool_null": false, "varchar": "héllo", "var_null": "there", "bin": []byte("binary"),
		"date": time.Date(2007, 4, 30, 0, 0, 0, 0, time.UTC), "time": "13:10:02.047",
		"ts":   time.Date(2007, 4, 30, 13, 10, 2, 123456789, time.UTC),
		"ltz":  time.Date(2023, 12, 30, 3, 37, 45, 0, time.UTC).In(loc),
		"ltz2": time.Date(2023, 12, 30, 2, 37, 45, 5e8, time.UTC).In(loc),
		"arr":  "[1,2,3]", "map": `{"k": "v"}`, "struct": `{"k":"x","Mixed":5}`, "other": "POINT(1 2)", "map_null": nil,
	}
	for k, w := range want {
		resAssertValue(t, w, m[k], k)
	}
	assert.True(t, math.IsNaN(m["double"].(float64)))
	for k, v := range got[1] {
		switch k {
		case "tiny", "small", "int", "big":
			assert.Equal(t, int64(0), v, k)
		case "float":
			assert.Equal(t, math.Inf(-1), v, k)
		case "dec", "dec_exact", "varchar", "time":
			assert.IsType(t, "", v, k)
		case "bool":
			assert.Equal(t, false, v, k)
		case "date", "ts":
			assert.IsType(t, time.Time{}, v, k)
		default:
			assert.Nil(t, v, k)
		}
	}
}
