package types

import (
	"database/sql"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Column describes one result column for database/sql and converts its
// cells. Build one with [NewColumn]; do not modify it afterwards.
type Column struct {
	// Name is the column name as the service sent it.
	Name string
	// Type is the column type; never nil for a Column from NewColumn. A
	// type string that does not parse gives a KindOther type whose String
	// and Raw are that string.
	Type *Type
	// Nullable reports whether the column may hold NULL: false when the
	// metadata says so or the type string ends in NOT NULL.
	Nullable bool
}

// NewColumn returns the column named name whose type string is typ.
// nullable is the column's nullable flag from the metadata (pass true when
// the metadata leaves it out). length, precision and scale, when non-nil
// and not negative, are the values of the WebSocket metadata frame; they
// override those parsed from typ for the types they apply to (length for
// CHAR, VARCHAR, BINARY and VARBINARY; precision for DECIMAL, TIME,
// TIMESTAMP, TIMESTAMP_LTZ and TIMESTAMP_TZ; scale for DECIMAL). NewColumn never fails: a
// malformed type string is kept as a KindOther type.
func NewColumn(name, typ string, nullable bool, length, precision, scale *int64) *Column {
	t := cachedType(typ).withParams(length, precision, scale)
	return &Column{Name: name, Type: t, Nullable: nullable && !t.notNull}
}

// typeCache keeps parsed type strings: a service has few distinct ones,
// and a Type is immutable. It stops growing at maxCachedTypes entries.
var (
	typeCache  sync.Map // string -> *Type
	typeCacheN atomic.Int32
)

const maxCachedTypes = 4096

// cachedType parses typ once; a malformed string gives a KindOther type.
func cachedType(typ string) *Type {
	if t, ok := typeCache.Load(typ); ok {
		return t.(*Type)
	}
	t, err := Parse(typ)
	if err != nil {
		t = malformedType(typ)
	}
	if typeCacheN.Load() < maxCachedTypes {
		if _, loaded := typeCache.LoadOrStore(typ, t); !loaded {
			typeCacheN.Add(1)
		}
	}
	return t
}

// malformedType is the KindOther stand-in for a type string Parse rejects.
func malformedType(typ string) *Type {
	s := strings.TrimSpace(typ)
	return &Type{kind: KindOther, name: upperASCII(s), other: s, raw: typ}
}

// The scan types of columns, see Column.ScanType.
var (
	scanInt64       = reflect.TypeFor[int64]()
	scanFloat64     = reflect.TypeFor[float64]()
	scanBool        = reflect.TypeFor[bool]()
	scanString      = reflect.TypeFor[string]()
	scanBytes       = reflect.TypeFor[[]byte]()
	scanTime        = reflect.TypeFor[time.Time]()
	scanNullInt64   = reflect.TypeFor[sql.NullInt64]()
	scanNullFloat64 = reflect.TypeFor[sql.NullFloat64]()
	scanNullBool    = reflect.TypeFor[sql.NullBool]()
	scanNullString  = reflect.TypeFor[sql.NullString]()
	scanNullTime    = reflect.TypeFor[sql.NullTime]()
)

// ScanType returns the Go type a value of the column scans into without
// loss, for database/sql's ColumnTypeScanType:
//
//	kind                              not nullable   nullable
//	TINYINT, SMALLINT, INTEGER, BIGINT  int64          sql.NullInt64
//	FLOAT, DOUBLE                       float64        sql.NullFloat64
//	BOOLEAN                             bool           sql.NullBool
//	DATE, TIMESTAMP, TIMESTAMP_LTZ,     time.Time      sql.NullTime
//	TIMESTAMP_TZ
//	BINARY, VARBINARY                   []byte         []byte (nil is NULL)
//	everything else                     string         sql.NullString
//
// An integer column scans into int64 whatever its declared width, because
// the service may send a value beyond that width (see Convert); scanning
// it into a narrower Go integer fails on such a value instead of wrapping.
// "Everything else" includes DECIMAL (kept as exact text), TIME, CHAR,
// VARCHAR, the JSON text of ARRAY, MAP, MULTISET and STRUCT, and unknown
// types. A nullable binary column scans into []byte because database/sql
// stores NULL there as a nil slice, while a non-NULL empty value is a
// non-nil empty slice.
func (c *Column) ScanType() reflect.Type {
	k := KindOther
	if c.Type != nil {
		k = c.Type.kind
	}
	switch k {
	case KindTinyInt, KindSmallInt, KindInteger, KindBigInt:
		if c.Nullable {
			return scanNullInt64
		}
		return scanInt64
	case KindFloat, KindDouble:
		if c.Nullable {
			return scanNullFloat64
		}
		return scanFloat64
	case KindBoolean:
		if c.Nullable {
			return scanNullBool
		}
		return scanBool
	case KindDate, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
		if c.Nullable {
			return scanNullTime
		}
		return scanTime
	case KindBinary, KindVarbinary:
		return scanBytes
	}
	if c.Nullable {
		return scanNullString
	}
	return scanString
}
