package types

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneRow is a test-only database/sql connector whose every query answers
// one row holding vals, so that tests scan through database/sql's own
// conversion code.
type oneRow struct{ vals []driver.Value }

func (c oneRow) Connect(context.Context) (driver.Conn, error) { return c, nil }
func (c oneRow) Driver() driver.Driver                        { return nil }
func (c oneRow) Prepare(string) (driver.Stmt, error)          { return nil, errors.New("not supported") }
func (c oneRow) Close() error                                 { return nil }
func (c oneRow) Begin() (driver.Tx, error)                    { return nil, errors.New("not supported") }
func (c oneRow) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return &oneRowRows{vals: c.vals}, nil
}

type oneRowRows struct {
	vals []driver.Value
	done bool
}

func (r *oneRowRows) Columns() []string { return make([]string, len(r.vals)) }
func (r *oneRowRows) Close() error      { return nil }
func (r *oneRowRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	copy(dest, r.vals)
	return nil
}

// scanThroughSQL scans v, as a driver would return it, into a new value of
// type typ with database/sql, and returns the pointer to it.
func scanThroughSQL(t *testing.T, v driver.Value, typ reflect.Type) reflect.Value {
	t.Helper()
	db := sql.OpenDB(oneRow{vals: []driver.Value{v}})
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), "q")
	require.NoError(t, err)
	defer rows.Close()
	require.True(t, rows.Next())
	dst := reflect.New(typ)
	require.NoError(t, rows.Scan(dst.Interface()), "scan %T into %v", v, typ)
	require.NoError(t, rows.Close())
	return dst
}

// sameValue reports whether got, a scanned value, holds exactly want.
func assertSameValue(t *testing.T, want driver.Value, got any) {
	t.Helper()
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		require.True(t, ok, "got %T", got)
		assert.True(t, w.Equal(g), "want %v got %v", w, g)
		assert.Equal(t, w.Location(), g.Location())
	case float64:
		g, ok := got.(float64)
		require.True(t, ok, "got %T", got)
		assert.Equal(t, math.Float64bits(w), math.Float64bits(g))
	case []byte:
		g, ok := got.([]byte)
		require.True(t, ok, "got %T", got)
		assert.Equal(t, w, g)
		assert.NotNil(t, g)
	default:
		assert.Equal(t, want, got)
	}
}

func TestScanTypeRoundTrip(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	tests := []struct{ typ, cell string }{
		{"TINYINT", "-128"},
		{"TINYINT", "255"}, // beyond the declared width, as the service was seen to send
		{"SMALLINT", "32767"},
		{"INTEGER", "-2147483648"},
		{"BIGINT", "-9223372036854775808"},
		{"BIGINT", "9.223372036854775807E+18"},
		{"FLOAT", "0.1"},
		{"DOUBLE", "-1.79E+308"},
		{"DOUBLE", "NaN"},
		{"DOUBLE", "-Infinity"},
		{"DOUBLE", "-0.0"},
		{"DECIMAL(38, 10)", "1234567890123456789012345678.0123456789"},
		{"BOOLEAN", "true"},
		{"BOOLEAN", "false"},
		{"CHAR(1)", "a"},
		{"VARCHAR", "héllo"},
		{"VARCHAR(3)", ""},
		{"VARBINARY", "YmluYXJ5"},
		{"BYTES", ""},
		{"BINARY(2)", "AAE="},
		{"DATE", "2024-02-29"},
		{"TIME(3)", "13:10:02.0474381"},
		{"TIME(7)", "13:10:02.0474381Z"},
		{"TIMESTAMP_TZ", "2007-04-30 13:10:02.0474381+0800"},
		{"TIMESTAMP_TZ(3)", "2023-12-30 03:37:45Z"},
		{"TIMESTAMP(3)", "2007-04-30 13:10:02.0474381"},
		{"TIMESTAMP_LTZ(3)", "2023-12-30 03:37:45.123456789Z"},
		{"TIMESTAMP(3) WITH LOCAL TIME ZONE", "2023-12-30 03:37:45"},
		{"ARRAY<INTEGER>", "[1,2,3,4]"},
		{"MAP<VARCHAR, VARCHAR>", `{"k": "v"}`},
		{`STRUCT<k VARCHAR, "Mixed" BIGINT>`, `{"k":"a","Mixed":1}`},
		{"MULTISET<INT>", `{"1":2}`},
		{"ROW(a INT)", `{"a":1}`},
		{"INTERVAL DAY(2) TO SECOND(3)", "+2 01:00:00.000"},
		{"not a type(", "x"},
	}
	for _, tt := range tests {
		for _, nullable := range []bool{false, true} {
			name := tt.typ + "/" + tt.cell
			if nullable {
				name += "/nullable"
			}
			t.Run(name, func(t *testing.T) {
				col := NewColumn("c", tt.typ, nullable, nil, nil, nil)
				v, err := col.Convert([]byte(tt.cell), la)
				require.NoError(t, err)
				dst := scanThroughSQL(t, v, col.ScanType())
				if valuer, ok := dst.Interface().(driver.Valuer); ok {
					got, err := valuer.Value()
					require.NoError(t, err)
					assertSameValue(t, v, got)
				} else {
					assertSameValue(t, v, dst.Elem().Interface())
				}
				if !nullable {
					return
				}
				// NULL scans into the nullable scan type as the invalid value.
				dst = scanThroughSQL(t, nil, col.ScanType())
				if valuer, ok := dst.Interface().(driver.Valuer); ok {
					got, err := valuer.Value()
					require.NoError(t, err)
					assert.Nil(t, got)
				} else {
					assert.True(t, dst.Elem().IsNil(), "NULL must scan as nil")
				}
			})
		}
	}
}

func TestScanTypeTable(t *testing.T) {
	tests := []struct {
		typ      string
		plain    any
		nullable any
	}{
		{"TINYINT", int64(0), sql.NullInt64{}},
		{"SMALLINT", int64(0), sql.NullInt64{}},
		{"INT", int64(0), sql.NullInt64{}},
		{"BIGINT", int64(0), sql.NullInt64{}},
		{"FLOAT", float64(0), sql.NullFloat64{}},
		{"DOUBLE", float64(0), sql.NullFloat64{}},
		{"BOOLEAN", false, sql.NullBool{}},
		{"DECIMAL(4, 3)", "", sql.NullString{}},
		{"CHAR", "", sql.NullString{}},
		{"VARCHAR", "", sql.NullString{}},
		{"TIME", "", sql.NullString{}},
		{"BYTES", []byte(nil), []byte(nil)},
		{"BINARY", []byte(nil), []byte(nil)},
		{"DATE", time.Time{}, sql.NullTime{}},
		{"TIMESTAMP", time.Time{}, sql.NullTime{}},
		{"TIMESTAMP_LTZ", time.Time{}, sql.NullTime{}},
		{"TIMESTAMP_TZ", time.Time{}, sql.NullTime{}},
		{"TIMESTAMP WITH TIME ZONE", time.Time{}, sql.NullTime{}},
		{"ARRAY<INT>", "", sql.NullString{}},
		{"MAP<INT, INT>", "", sql.NullString{}},
		{"STRUCT<a INT>", "", sql.NullString{}},
		{"MULTISET<INT>", "", sql.NullString{}},
		{"GEOGRAPHY", "", sql.NullString{}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			assert.Equal(t, reflect.TypeOf(tt.plain), NewColumn("c", tt.typ, false, nil, nil, nil).ScanType())
			assert.Equal(t, reflect.TypeOf(tt.nullable), NewColumn("c", tt.typ, true, nil, nil, nil).ScanType())
			assert.Equal(t, reflect.TypeOf(tt.plain), NewColumn("c", tt.typ+" NOT NULL", true, nil, nil, nil).ScanType())
		})
	}
	assert.Equal(t, reflect.TypeOf(sql.NullString{}), (&Column{Nullable: true}).ScanType())
}

// TestScanIntegerBeyondWidth documents what an application sees when the
// service sends an integer beyond its column's declared width: the value
// is the int64, the ScanType (int64) takes it, and database/sql refuses to
// narrow it into a Go integer it does not fit instead of wrapping.
func TestScanIntegerBeyondWidth(t *testing.T) {
	col := NewColumn("c", "TINYINT", false, nil, nil, nil)
	v, err := col.Convert([]byte("255"), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(255), v)
	assert.Equal(t, reflect.TypeFor[int64](), col.ScanType())
	assert.Equal(t, int64(255), scanThroughSQL(t, v, col.ScanType()).Elem().Interface())
	assert.Equal(t, int16(255), scanThroughSQL(t, v, reflect.TypeFor[int16]()).Elem().Interface())
	assert.Equal(t, uint8(255), scanThroughSQL(t, v, reflect.TypeFor[uint8]()).Elem().Interface())

	db := sql.OpenDB(oneRow{vals: []driver.Value{v}})
	defer db.Close()
	var i8 int8
	err = db.QueryRowContext(context.Background(), "q").Scan(&i8)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "out of range")
	assert.Zero(t, i8)
}
