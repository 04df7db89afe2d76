package emulator

import (
	"github.com/deltastream-go/deltastream/internal/wire"
)

// col is a result column.
func col(name, typ string, nullable bool) wire.Column {
	return wire.Column{Name: name, Type: typ, Nullable: &nullable}
}

const ltz = "TIMESTAMP_LTZ"

// str is a non-NULL cell.
func str(s string) *string { return &s }

// boolCell is a BOOLEAN cell.
func boolCell(b bool) *string {
	if b {
		return str("true")
	}
	return str("false")
}

// ltzCell renders a stored timestamp as TIMESTAMP_LTZ in the session's
// zone.
func (x *exec) ltzCell(stored string) *string {
	return render(ltzType, stored, x.sess.loc)
}

var ltzType = parseType(ltz)

func (x *exec) list(s *listStmt) (*result, error) {
	switch s.what {
	case kindDatabase:
		objs, err := x.objects(kindDatabase, "")
		if err != nil {
			return nil, err
		}
		res := &result{cols: []wire.Column{col("Name", "VARCHAR", false), col("IsDefault", "BOOLEAN", false), col("Owner", "VARCHAR", false), col("CreatedAt", ltz, false)}}
		for _, o := range objs {
			res.rows = append(res.rows, []*string{str(o.name), boolCell(o.name == x.sess.db), str(o.owner), x.ltzCell(o.created)})
		}
		return res, nil
	}
	return nil, unsupported("LIST " + string(s.what))
}
