package deltastream

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"time"

	"github.com/deltastream-go/deltastream/internal/types"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// columnSet holds the columns of a result and converts its rows: result-set
// rows and streamed rows alike. Per-column work (type parsing, finding the
// text columns) is done once in set; convert does the per-row work.
type columnSet struct {
	cols  []*types.Column
	names []string
	text  []int // indexes of the columns whose values are strings
	strs  types.RowStrings
	loc   *time.Location
}

// set takes the columns of a result's metadata.
func (cs *columnSet) set(wcs []wire.Column, loc *time.Location) {
	cs.loc = loc
	cs.cols = make([]*types.Column, len(wcs))
	cs.names = make([]string, len(wcs))
	cs.text = cs.text[:0]
	for i := range wcs {
		wc := &wcs[i]
		cs.cols[i] = types.NewColumn(wc.Name, wc.Type, wc.IsNullable(), wc.Length, wc.Precision, wc.Scale)
		cs.names[i] = wc.Name
		if cs.cols[i].Text() {
			cs.text = append(cs.text, i)
		}
	}
}

// checkCells reports a row whose cell count is not the column count.
func (cs *columnSet) checkCells(row *wire.Row) error {
	if n := row.Len(); n != len(cs.cols) {
		return fmt.Errorf("has %d cells, but the result has %d columns", n, len(cs.cols))
	}
	return nil
}

// convert converts the cells of row, checked by checkCells, into dest. The
// strings of a row share one allocation (see types.RowStrings).
func (cs *columnSet) convert(row *wire.Row, dest []driver.Value) error {
	n := 0
	for _, i := range cs.text {
		cell, _ := row.Cell(i)
		n += len(cell)
	}
	cs.strs.Reset(n)
	for i, col := range cs.cols {
		cell, null := row.Cell(i)
		if null {
			dest[i] = nil
			continue
		}
		v, err := col.ConvertRow(cell, cs.loc, &cs.strs)
		if err != nil {
			return err
		}
		dest[i] = v
	}
	return nil
}

// Columns implements driver.Rows.
func (cs *columnSet) Columns() []string { return cs.names }

// ColumnTypeScanType implements driver.RowsColumnTypeScanType: the Go type
// that every value of the column scans into without loss; nullable columns
// get sql.Null types.
func (cs *columnSet) ColumnTypeScanType(i int) reflect.Type { return cs.cols[i].ScanType() }

// ColumnTypeDatabaseTypeName implements
// driver.RowsColumnTypeDatabaseTypeName: the base type name in upper case
// without parameters, e.g. DECIMAL. WithStatementInfo gives the full type.
func (cs *columnSet) ColumnTypeDatabaseTypeName(i int) string {
	return cs.cols[i].Type.DatabaseTypeName()
}

// ColumnTypeNullable implements driver.RowsColumnTypeNullable.
func (cs *columnSet) ColumnTypeNullable(i int) (nullable, ok bool) { return cs.cols[i].Nullable, true }

// ColumnTypeLength implements driver.RowsColumnTypeLength for CHAR(n),
// VARCHAR(n), BINARY(n) and VARBINARY(n).
func (cs *columnSet) ColumnTypeLength(i int) (int64, bool) { return cs.cols[i].Type.Length() }

// ColumnTypePrecisionScale implements driver.RowsColumnTypePrecisionScale:
// precision and scale of DECIMAL(p, s), and the fractional-second
// precision of TIME, TIMESTAMP and TIMESTAMP_LTZ.
func (cs *columnSet) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return cs.cols[i].Type.PrecisionScale()
}
