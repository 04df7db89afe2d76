package render

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"testing"
	"time"

	"github.com/DATA-DOG/go-sqlmock"
	"github.com/stretchr/testify/require"
)

// mockCol is a column of a mocked result.
type mockCol struct{ name, typ string }

// mockRows returns *sql.Rows holding rows, with database type names as
// the deltastream driver reports them.
func mockRows(t testing.TB, cols []mockCol, rows ...[]driver.Value) *sql.Rows {
	t.Helper()
	db, mock, err := sqlmock.New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	defs := make([]*sqlmock.Column, len(cols))
	for i, c := range cols {
		defs[i] = mock.NewColumn(c.name).OfType(c.typ, nil).Nullable(true)
	}
	mr := mock.NewRowsWithColumnDefinition(defs...)
	for _, r := range rows {
		mr.AddRow(r...)
	}
	mock.ExpectQuery("SELECT").WillReturnRows(mr)
	rs, err := db.Query("SELECT")
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

// render writes rows in the given options and returns the text.
func render(t testing.TB, o Options, cols []mockCol, rows ...[]driver.Value) (string, Summary) {
	t.Helper()
	var buf bytes.Buffer
	o.FlushEvery = -1
	sum, err := Write(&buf, mockRows(t, cols, rows...), o)
	require.NoError(t, err)
	return buf.String(), sum
}

// allTypes is one column of every kind, and a row of values as the driver
// returns them.
var allTypes = []mockCol{
	{"i", "BIGINT"}, {"f", "DOUBLE"}, {"d", "DECIMAL"}, {"b", "BOOLEAN"},
	{"dt", "DATE"}, {"tm", "TIME"}, {"ts", "TIMESTAMP"}, {"ltz", "TIMESTAMP_LTZ"},
	{"bin", "VARBINARY"}, {"arr", "ARRAY"}, {"s", "VARCHAR"},
}

func allTypesRow() []driver.Value {
	la := time.FixedZone("PDT", -7*3600)
	return []driver.Value{
		int64(-9223372036854775808), 1.5e300, "123.00", true,
		time.Date(2007, 4, 30, 0, 0, 0, 0, time.UTC), "13:10:02.0474381",
		time.Date(2007, 4, 30, 13, 10, 2, 47438100, time.UTC),
		time.Date(2023, 12, 30, 3, 37, 45, 0, la),
		[]byte("binary"), "[1,2,3]", "héllo, \"world\"",
	}
}
