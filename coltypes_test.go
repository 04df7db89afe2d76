package deltastream_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// resZone is the connection time zone of the type tests: TIMESTAMP_LTZ
// values are expressed in it, TIMESTAMP and DATE values are not.
const resZone = "America/New_York"

func resLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(resZone)
	require.NoError(t, err)
	return loc
}

// resTypeCase is one column type with one value on the wire and what the
// driver makes of it.
type resTypeCase struct {
	typ  string // type string as the service sends it
	cell string // wire text of a non-null value
	want any    // the driver value (what Scan into *any yields)

	scan      reflect.Type // ScanType of the nullable column
	scanNN    reflect.Type // ScanType of the NOT NULL column
	dbName    string       // DatabaseTypeName
	length    int64        // ColumnTypeLength, when hasLen
	hasLen    bool
	prec, sc  int64 // DecimalSize, when hasPrec
	hasPrec   bool
	notNullTy bool // the type string itself says NOT NULL
}

var (
	rtInt64       = reflect.TypeFor[int64]()
	rtFloat64     = reflect.TypeFor[float64]()
	rtBool        = reflect.TypeFor[bool]()
	rtString      = reflect.TypeFor[string]()
	rtBytes       = reflect.TypeFor[[]byte]()
	rtTime        = reflect.TypeFor[time.Time]()
	rtNullInt64   = reflect.TypeFor[sql.NullInt64]()
	rtNullFloat64 = reflect.TypeFor[sql.NullFloat64]()
	rtNullBool    = reflect.TypeFor[sql.NullBool]()
	rtNullString  = reflect.TypeFor[sql.NullString]()
	rtNullTime    = reflect.TypeFor[sql.NullTime]()
)

// resTypeCases lists every type the driver knows, with the wire forms the
// service is seen to send. loc is the connection zone.
func resTypeCases(loc *time.Location) []resTypeCase {
	ints := func(typ, cell string, v int64) resTypeCase {
		return resTypeCase{typ: typ, cell: cell, want: v, scan: rtNullInt64, scanNN: rtInt64, dbName: strings.Fields(typ)[0]}
	}
	floats := func(typ, cell string, v float64) resTypeCase {
		return resTypeCase{typ: typ, cell: cell, want: v, scan: rtNullFloat64, scanNN: rtFloat64, dbName: typ}
	}
	str := func(typ, cell, db string) resTypeCase {
		return resTypeCase{typ: typ, cell: cell, want: cell, scan: rtNullString, scanNN: rtString, dbName: db}
	}
	dec := func(typ, cell string, p, s int64) resTypeCase {
		c := str(typ, cell, "DECIMAL")
		c.prec, c.sc, c.hasPrec = p, s, true
		return c
	}
	tm := func(typ, cell, db string, v time.Time, p int64) resTypeCase {
		return resTypeCase{typ: typ, cell: cell, want: v, scan: rtNullTime, scanNN: rtTime, dbName: db, prec: p, hasPrec: db != "DATE"}
	}
	bin := func(typ, db, cell string, v []byte, n int64) resTypeCase {
		return resTypeCase{typ: typ, cell: cell, want: v, scan: rtBytes, scanNN: rtBytes, dbName: db, length: n, hasLen: true}
	}
	withLen := func(c resTypeCase, n int64) resTypeCase { c.length, c.hasLen = n, true; return c }
	withPrec := func(c resTypeCase, p int64) resTypeCase { c.prec, c.hasPrec = p, true; return c }
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	nn := ints("bigint not null", "42", 42)
	nn.scan, nn.dbName, nn.notNullTy = rtInt64, "BIGINT", true
	return []resTypeCase{
		ints("TINYINT", "127", 127),
		ints("TINYINT", "-128", -128),
		ints("TINYINT", "255", 255), // beyond the declared width: seen from the service, kept as int64
		ints("SMALLINT", "40000", 40000),
		ints("SMALLINT", "-32768", -32768),
		ints("INTEGER", "2147483647", 2147483647),
		ints("BIGINT", "-9223372036854775808", math.MinInt64),
		ints("BIGINT", "9.223372036854775807E+18", math.MaxInt64),
		ints("BIGINT", "1.5E1", 15),
		floats("FLOAT", "3.5", 3.5),
		floats("DOUBLE", "-1.79E+308", -1.79e308),
		floats("DOUBLE", "2.23E-308", 2.23e-308),
		floats("DOUBLE", "NaN", math.NaN()),
		floats("DOUBLE", "Infinity", math.Inf(1)),
		floats("DOUBLE", "-Infinity", math.Inf(-1)),
		dec("DECIMAL(10, 2)", "123.00", 10, 2),
		dec("DECIMAL(4, 3)", "1.5", 4, 3),
		dec("DECIMAL(5, 1)", "-12.3456", 5, 1),
		dec("DECIMAL(38, 10)", "1234567890123456789012345678.0123456789", 38, 10),
		dec("DECIMAL", "7", 10, 0),
		{typ: "BOOLEAN", cell: "true", want: true, scan: rtNullBool, scanNN: rtBool, dbName: "BOOLEAN"},
		{typ: "BOOLEAN", cell: "false", want: false, scan: rtNullBool, scanNN: rtBool, dbName: "BOOLEAN"},
		withLen(str("VARCHAR", "héllo \"q\" \\ \n\t☃", "VARCHAR"), math.MaxInt64),
		withLen(str("VARCHAR(255)", "", "VARCHAR"), 255),
		withLen(str("varchar(20)", "lower-case type", "VARCHAR"), 20),
		withLen(str("STRING", "alias", "STRING"), math.MaxInt64),
		bin("VARBINARY", "VARBINARY", "YmluYXJ5", []byte("binary"), math.MaxInt64),
		bin("VARBINARY(16)", "VARBINARY", "AAEC/w==", []byte{0, 1, 2, 255}, 16),
		bin("BYTES", "BYTES", "", []byte{}, math.MaxInt64),
		bin("bytes", "BYTES", "AAE=", []byte{0, 1}, math.MaxInt64),
		tm("DATE", "2007-04-30", "DATE", utc(2007, 4, 30, 0, 0, 0, 0), 0),
		withPrec(str("TIME", "13:10:02", "TIME"), 0),
		withPrec(str("TIME(3)", "13:10:02.0474381", "TIME"), 3),
		withPrec(str("TIME(9)", "23:59:59.999999999", "TIME"), 9),
		withPrec(str("TIME(7)", "13:10:02.0474381Z", "TIME"), 7),
		withPrec(str("TIME", "13:10:02+01:00", "TIME"), 0),
		tm("TIMESTAMP(3)", "2007-04-30 13:10:02.0474381", "TIMESTAMP", utc(2007, 4, 30, 13, 10, 2, 47438100), 3),
		tm("TIMESTAMP(9)", "2007-04-30 13:10:02.123456789", "TIMESTAMP", utc(2007, 4, 30, 13, 10, 2, 123456789), 9),
		tm("TIMESTAMP", "1970-01-01 00:00:00", "TIMESTAMP", utc(1970, 1, 1, 0, 0, 0, 0), 6),
		tm("TIMESTAMP_LTZ(3)", "2023-12-30 03:37:45Z", "TIMESTAMP_LTZ", utc(2023, 12, 30, 3, 37, 45, 0).In(loc), 3),
		tm("TIMESTAMP_LTZ(6)", "2007-04-30 13:10:02.0474381+0800", "TIMESTAMP_LTZ", utc(2007, 4, 30, 5, 10, 2, 47438100).In(loc), 6),
		tm("TIMESTAMP_LTZ", "2007-04-30 13:10:02-07:00", "TIMESTAMP_LTZ", utc(2007, 4, 30, 20, 10, 2, 0).In(loc), 6),
		tm("TIMESTAMP_LTZ(3)", "2007-04-30 13:10:02.5", "TIMESTAMP_LTZ", time.Date(2007, 4, 30, 13, 10, 2, 5e8, loc), 3),
		tm("TIMESTAMP(3) WITH LOCAL TIME ZONE", "2023-12-30 03:37:45.123Z", "TIMESTAMP WITH LOCAL TIME ZONE", utc(2023, 12, 30, 3, 37, 45, 123e6).In(loc), 3),
		tm("TIMESTAMP(3) WITH LOCAL TIME ZONE", "2023-07-01 12:00:00", "TIMESTAMP WITH LOCAL TIME ZONE", time.Date(2023, 7, 1, 12, 0, 0, 0, loc), 3),
		tm("timestamp_ltz(3) ", "2023-12-30 03:37:45Z", "TIMESTAMP_LTZ", utc(2023, 12, 30, 3, 37, 45, 0).In(loc), 3),
		// TIMESTAMP_TZ keeps the zone the value carries, not the session's.
		tm("TIMESTAMP_TZ", "2023-12-30 03:37:45Z", "TIMESTAMP_TZ", utc(2023, 12, 30, 3, 37, 45, 0), 6),
		tm("TIMESTAMP_TZ(3)", "2007-04-30 13:10:02.0474381+0800", "TIMESTAMP_TZ", time.Date(2007, 4, 30, 13, 10, 2, 47438100, time.FixedZone("", 8*3600)), 3),
		tm("TIMESTAMP_TZ(6)", "2007-04-30 13:10:02-07:00", "TIMESTAMP_TZ", time.Date(2007, 4, 30, 13, 10, 2, 0, time.FixedZone("", -7*3600)), 6),
		tm("TIMESTAMP_TZ(3)", "2007-04-30 13:10:02", "TIMESTAMP_TZ", time.Date(2007, 4, 30, 13, 10, 2, 0, loc), 3),
		str("ARRAY<INTEGER>", "[1,2,3,4]", "ARRAY"),
		str("MAP<VARCHAR, VARCHAR>", `{"k": "v"}`, "MAP"),
		str(`STRUCT<k VARCHAR, "Mixed" BIGINT>`, `{"k":"x","Mixed":5}`, "STRUCT"),
		str("ARRAY<ROW<a INTEGER NOT NULL>>", `[{"a":1}]`, "ARRAY"),
		str("ROW<a INTEGER>", `{"a":1}`, "ROW"),
		str("GEOGRAPHY", "POINT(1 2)", "GEOGRAPHY"),
		str("INTERVAL DAY(2) TO SECOND(3)", "+2 01:00:00.000", "INTERVAL DAY TO SECOND"),
		str("DECIMAL(", "1", "DECIMAL("),
		nn,
	}
}

// resTypeQuery scripts one query whose columns are all the cases (nullable
// unless notNull), with a row of values and, for nullable columns, a row
// of NULLs.
func resTypeQuery(srv *dstest.Server, query string, cases []resTypeCase, notNull bool) {
	cols := make([]dstest.Column, len(cases))
	vals := make([]any, len(cases))
	nulls := make([]any, len(cases))
	for i, c := range cases {
		cols[i] = dstest.Col(fmt.Sprintf("c%d", i), c.typ)
		if notNull {
			cols[i].Nullable = false
		}
		vals[i] = c.cell
		if c.notNullTy {
			nulls[i] = c.cell // a NOT NULL type never holds NULL
		}
	}
	st := srv.On(query).Columns(cols...).Rows(vals)
	if !notNull {
		st.Rows(nulls)
	}
}

// resAssertValue compares a scanned value with the expected driver value:
// NaN equals NaN, times must be the same instant in the same zone.
func resAssertValue(t *testing.T, want, got any, msg string) {
	t.Helper()
	switch w := want.(type) {
	case float64:
		g, ok := got.(float64)
		require.True(t, ok, "%s: got %T, want float64", msg, got)
		if math.IsNaN(w) {
			assert.True(t, math.IsNaN(g), "%s: got %v, want NaN", msg, g)
			return
		}
		assert.Equal(t, w, g, msg)
	case time.Time:
		g, ok := got.(time.Time)
		require.True(t, ok, "%s: got %T, want time.Time", msg, got)
		assert.True(t, w.Equal(g), "%s: got %v, want %v", msg, g, w)
		assert.Equal(t, w.Location().String(), g.Location().String(), "%s: location", msg)
		_, wOff := w.Zone()
		_, gOff := g.Zone()
		assert.Equal(t, wOff, gOff, "%s: zone offset", msg)
		assert.Equal(t, w.Nanosecond(), g.Nanosecond(), "%s: every fraction digit", msg)
	default:
		assert.Equal(t, want, got, msg)
	}
}

// TestColTypesValues reads every type, null and not null, through
// database/sql into *any: the value the driver hands out.
func TestColTypesValues(t *testing.T) {
	loc := resLoc(t)
	cases := resTypeCases(loc)
	srv := dstest.NewServer(t)
	for i, c := range cases {
		srv.On(fmt.Sprintf("SELECT v FROM t%d;", i)).Columns(dstest.Col("v", c.typ)).Rows([]any{c.cell}, []any{nil})
	}
	db := openDB(t, srv, "timezone="+resZone)
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s %q", c.typ, c.cell), func(t *testing.T) {
			rows, err := db.Query(fmt.Sprintf("SELECT v FROM t%d;", i))
			require.NoError(t, err)
			defer rows.Close()
			var v any
			require.True(t, rows.Next(), rows.Err())
			require.NoError(t, rows.Scan(&v))
			resAssertValue(t, c.want, v, "value")
			require.True(t, rows.Next(), rows.Err())
			require.NoError(t, rows.Scan(&v))
			assert.Nil(t, v, "NULL")
			assert.False(t, rows.Next())
			require.NoError(t, rows.Err())
		})
	}
}

// TestColTypesLTZSessionZone reads TIMESTAMP_LTZ values in the default
// (UTC) and another session zone: the instant is the same, the location
// follows the connection.
func TestColTypesLTZSessionZone(t *testing.T) {
	tests := []struct {
		zone string
		cell string
		want time.Time // in UTC
	}{
		{zone: "UTC", cell: "2024-03-10 06:59:59Z", want: time.Date(2024, 3, 10, 6, 59, 59, 0, time.UTC)},
		{zone: "UTC", cell: "2024-03-10 01:59:59", want: time.Date(2024, 3, 10, 1, 59, 59, 0, time.UTC)},
		{zone: "Asia/Kolkata", cell: "2024-03-10 12:00:00+05:30", want: time.Date(2024, 3, 10, 6, 30, 0, 0, time.UTC)},
		{zone: "Asia/Kolkata", cell: "2024-03-10 12:00:00", want: time.Date(2024, 3, 10, 6, 30, 0, 0, time.UTC)},
		{zone: "America/New_York", cell: "2024-07-01 08:00:00", want: time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)},
		{zone: "America/New_York", cell: "2024-01-01 08:00:00", want: time.Date(2024, 1, 1, 13, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.cell, func(t *testing.T) {
			srv := dstest.NewServer(t)
			srv.On("SELECT ts FROM z;").Columns(dstest.Col("ts", "TIMESTAMP_LTZ(3)")).Rows([]any{tt.cell})
			db := openDB(t, srv, "timezone="+tt.zone)
			var got time.Time
			require.NoError(t, db.QueryRow("SELECT ts FROM z;").Scan(&got))
			assert.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
			assert.Equal(t, tt.zone, got.Location().String())
			assert.Equal(t, tt.zone, srv.Submissions()[0].Statement.Parameters.Timezone, "the zone is sent with the statement")
		})
	}
}

// TestColTypesInvalidValues checks that a cell that is not valid for its
// type fails the read with an error naming the column, the type, the
// value, the statement and the partition.
func TestColTypesInvalidValues(t *testing.T) {
	tests := []struct {
		typ, cell, reason string
	}{
		{"TINYINT", "9223372036854775808", "out of range for a 64-bit integer"},
		{"BIGINT", "9223372036854775808", "out of range for a 64-bit integer"},
		{"BIGINT", "9.3E+18", "out of range for a 64-bit integer"},
		{"BIGINT", "1.5", "fractional part"},
		{"BIGINT", "12abc", "not an integer"},
		{"DOUBLE", "1e400", "out of range"},
		{"DOUBLE", "one", "not a number"},
		{"DECIMAL(10, 2)", "12a", "not a decimal"},
		{"BOOLEAN", "yes", "not a boolean"},
		{"VARBINARY", "###", "not base64"},
		{"DATE", "2007-02-30", "not a date"},
		{"TIME(3)", "25:00:00", "not a time"},
		{"TIMESTAMP(3)", "2007-04-30 13:61:00", "not a timestamp"},
		{"TIMESTAMP_LTZ(3)", "2007-04-30 13:10:02 CET", "not a timestamp"},
		{"TIMESTAMP_TZ(3)", "2007-04-30 13:10:02 CET", "not a timestamp"},
		{"TIME", "13:10:02 CET", "not a time"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.cell, func(t *testing.T) {
			srv := dstest.NewServer(t)
			srv.On("SELECT amount FROM bad;").Columns(dstest.Col("amount", tt.typ)).Rows([]any{tt.cell})
			db := openDB(t, srv)
			var infos resInfos
			var v any
			err := db.QueryRowContext(infos.ctx(context.Background()), "SELECT amount FROM bad;").Scan(&v)
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, `column "amount"`)
			assert.Contains(t, msg, fmt.Sprintf("%q", tt.cell))
			assert.Contains(t, msg, tt.reason)
			assert.Contains(t, msg, infos.id(t))
			assert.Contains(t, msg, "partition 0")
		})
	}
}

// TestColTypesIntegerBeyondWidth pins down what an application sees when
// the service sends an integer beyond its column's declared width ("255" in
// a TINYINT, as seen in recorded answers): the row reads, the value is an
// int64, ScanType stays int64, and only a Scan into a Go integer too
// narrow for the value fails, with database/sql's range error.
func TestColTypesIntegerBeyondWidth(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT flags FROM w;").Columns(dstest.NotNullCol("flags", "TINYINT")).Rows([]any{"255"}, []any{"7"})
	db := openDB(t, srv)
	tests := []struct {
		name    string
		dest    func() any
		want    any
		errText string
	}{
		{"int64", func() any { return new(int64) }, int64(255), ""},
		{"any", func() any { return new(any) }, int64(255), ""},
		{"int16", func() any { return new(int16) }, int16(255), ""},
		{"uint8", func() any { return new(uint8) }, uint8(255), ""},
		{"int8", func() any { return new(int8) }, nil, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.Query("SELECT flags FROM w;")
			require.NoError(t, err)
			defer rows.Close()
			cts, err := rows.ColumnTypes()
			require.NoError(t, err)
			assert.Equal(t, rtInt64, cts[0].ScanType())
			assert.Equal(t, "TINYINT", cts[0].DatabaseTypeName())
			require.True(t, rows.Next(), rows.Err())
			dest := tt.dest()
			err = rows.Scan(dest)
			if tt.errText != "" {
				require.ErrorContains(t, err, tt.errText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, reflect.ValueOf(dest).Elem().Interface())
			require.True(t, rows.Next(), rows.Err())
			assert.False(t, rows.Next())
			require.NoError(t, rows.Err())
		})
	}
}

// resDecimal is a user-defined exact decimal: what an application plugs in
// with sql.Scanner to keep DECIMAL values exact.
type resDecimal struct {
	unscaled *big.Int
	scale    int
}

// Scan implements sql.Scanner from the DECIMAL text.
func (d *resDecimal) Scan(src any) error {
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("resDecimal: want a string, got %T", src)
	}
	intPart, frac, _ := strings.Cut(s, ".")
	u, ok := new(big.Int).SetString(intPart+frac, 10)
	if !ok {
		return fmt.Errorf("resDecimal: %q is not a decimal", s)
	}
	d.unscaled, d.scale = u, len(frac)
	return nil
}

// String renders the decimal with its scale.
func (d resDecimal) String() string {
	s := new(big.Int).Abs(d.unscaled).String()
	if d.scale > 0 {
		s = strings.Repeat("0", max(0, d.scale-len(s)+1)) + s
		s = s[:len(s)-d.scale] + "." + s[len(s)-d.scale:]
	}
	if d.unscaled.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// TestColTypesScanDestinations scans values into the destinations
// applications use besides the driver's own types.
func TestColTypesScanDestinations(t *testing.T) {
	type point struct {
		K     string `json:"k"`
		Mixed int64
	}
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM d;").Columns(
		dstest.Col("d1", "DECIMAL(10, 2)"), dstest.Col("d2", "DECIMAL(38, 10)"), dstest.Col("d3", "DECIMAL(5, 3)"),
		dstest.Col("arr", "ARRAY<INTEGER>"), dstest.Col("m", "MAP<VARCHAR, VARCHAR>"),
		dstest.Col("s", `STRUCT<k VARCHAR, "Mixed" BIGINT>`), dstest.Col("b", "BIGINT"), dstest.Col("bin", "BYTES"),
	).Rows(
		[]any{"123.00", "-1234567890123456789012345678.0123456789", "-0.005", "[1,2,3,4]", `{"k": "v", "x": "y"}`, `{"k":"x","Mixed":5}`, "9.223372036854775807E+18", "YmluYXJ5"},
		[]any{nil, nil, nil, nil, nil, nil, nil, nil},
	)
	db := openDB(t, srv)
	rows, err := db.Query("SELECT * FROM d;")
	require.NoError(t, err)
	defer rows.Close()

	var (
		d1s   string
		d2f   float64
		d3    resDecimal
		arr   deltastream.JSON[[]int32]
		m     deltastream.JSON[map[string]string]
		s     deltastream.JSON[point]
		b     int64
		bin   []byte
		nd1   sql.NullString
		nd2   sql.NullFloat64
		nd3   *string
		nbig  sql.NullInt64
		nbin  []byte
		narr  deltastream.JSON[[]int32]
		nm    deltastream.JSON[map[string]string]
		ns    deltastream.JSON[point]
		d2exa resDecimal
	)
	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(&d1s, &d2f, &d3, &arr, &m, &s, &b, &bin))
	assert.Equal(t, "123.00", d1s)
	assert.InEpsilon(t, -1.2345678901234568e27, d2f, 1e-15)
	assert.Equal(t, "-0.005", d3.String())
	assert.Equal(t, deltastream.JSON[[]int32]{V: []int32{1, 2, 3, 4}, Valid: true}, arr)
	assert.Equal(t, map[string]string{"k": "v", "x": "y"}, m.V)
	assert.Equal(t, point{K: "x", Mixed: 5}, s.V)
	assert.True(t, s.Valid)
	assert.Equal(t, int64(math.MaxInt64), b, "exponent form is exact")
	assert.Equal(t, []byte("binary"), bin)
	require.NoError(t, rows.Scan(&d1s, &d2exa, &d3, &arr, &m, &s, &b, &bin))
	assert.Equal(t, "-1234567890123456789012345678.0123456789", d2exa.String(), "exact through a custom Scanner")

	require.True(t, rows.Next())
	require.NoError(t, rows.Scan(&nd1, &nd2, &nd3, &narr, &nm, &ns, &nbig, &nbin))
	assert.False(t, nd1.Valid)
	assert.False(t, nd2.Valid)
	assert.Nil(t, nd3)
	assert.False(t, narr.Valid)
	assert.Nil(t, narr.V)
	assert.False(t, nm.Valid)
	assert.False(t, ns.Valid)
	assert.False(t, nbig.Valid)
	assert.Nil(t, nbin)
	assert.False(t, rows.Next())
	require.NoError(t, rows.Err())
}

// resReadBack returns whether a value scanned into a ScanType holds a
// value, and the value in the driver's terms.
func resReadBack(v reflect.Value) (bool, any) {
	switch x := v.Interface().(type) {
	case sql.NullInt64:
		return x.Valid, x.Int64
	case sql.NullFloat64:
		return x.Valid, x.Float64
	case sql.NullBool:
		return x.Valid, x.Bool
	case sql.NullString:
		return x.Valid, x.String
	case sql.NullTime:
		return x.Valid, x.Time
	case []byte:
		return x != nil, x
	}
	return true, v.Interface()
}

// TestColTypesMetadata checks rows.ColumnTypes for every type, nullable and
// not: each ScanType receives the column's values (and NULLs) without error
// or loss, the way BI tools build typed frames; the type name, length,
// precision and nullability are reported; WithStatementInfo has the full
// type string.
func TestColTypesMetadata(t *testing.T) {
	loc := resLoc(t)
	cases := resTypeCases(loc)
	srv := dstest.NewServer(t)
	resTypeQuery(srv, "SELECT * FROM nullable;", cases, false)
	resTypeQuery(srv, "SELECT * FROM notnull;", cases, true)
	db := openDB(t, srv, "timezone="+resZone)

	for _, notNull := range []bool{false, true} {
		query, name := "SELECT * FROM nullable;", "nullable"
		if notNull {
			query, name = "SELECT * FROM notnull;", "not null"
		}
		t.Run(name, func(t *testing.T) {
			var infos resInfos
			rows, err := db.QueryContext(infos.ctx(context.Background()), query)
			require.NoError(t, err)
			defer rows.Close()
			cts, err := rows.ColumnTypes()
			require.NoError(t, err)
			require.Len(t, cts, len(cases))
			info := infos.all()
			require.Len(t, info, 1)
			require.Len(t, info[0].Columns, len(cases))

			dest := make([]any, len(cases))
			for i, c := range cases {
				ct := cts[i]
				msg := fmt.Sprintf("column %d %s", i, c.typ)
				nullable := !notNull && !c.notNullTy
				wantScan := c.scan
				if !nullable {
					wantScan = c.scanNN
				}
				assert.Equal(t, wantScan, ct.ScanType(), msg)
				assert.Equal(t, c.dbName, ct.DatabaseTypeName(), msg)
				n, ok := ct.Nullable()
				assert.True(t, ok, msg)
				assert.Equal(t, nullable, n, msg)
				l, ok := ct.Length()
				assert.Equal(t, c.hasLen, ok, msg)
				assert.Equal(t, c.length, l, msg)
				p, s, ok := ct.DecimalSize()
				assert.Equal(t, c.hasPrec, ok, msg)
				assert.Equal(t, [2]int64{c.prec, c.sc}, [2]int64{p, s}, msg)
				assert.Equal(t, deltastream.ColumnInfo{Name: fmt.Sprintf("c%d", i), Type: c.typ, Nullable: nullable}, info[0].Columns[i], msg)
				dest[i] = reflect.New(ct.ScanType()).Interface()
			}

			require.True(t, rows.Next(), rows.Err())
			require.NoError(t, rows.Scan(dest...))
			for i, c := range cases {
				valid, v := resReadBack(reflect.ValueOf(dest[i]).Elem())
				assert.True(t, valid, "column %d %s", i, c.typ)
				resAssertValue(t, c.want, v, fmt.Sprintf("column %d %s", i, c.typ))
			}
			if !notNull {
				require.True(t, rows.Next(), rows.Err())
				for i, ct := range cts {
					dest[i] = reflect.New(ct.ScanType()).Interface()
				}
				require.NoError(t, rows.Scan(dest...), "every nullable ScanType takes NULL")
				for i, c := range cases {
					valid, _ := resReadBack(reflect.ValueOf(dest[i]).Elem())
					assert.Equal(t, c.notNullTy, valid, "column %d %s: NULL", i, c.typ)
				}
			}
			assert.False(t, rows.Next())
			require.NoError(t, rows.Err())
		})
	}
}
