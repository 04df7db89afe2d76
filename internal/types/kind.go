package types

import "strconv"

// Kind is the family of a column type. Aliases share a kind: INT and
// INTEGER are KindInteger, STRING is KindVarchar, BYTES is KindVarbinary,
// DEC and NUMERIC are KindDecimal, REAL is KindFloat, ROW is KindStruct,
// TIMESTAMP WITH LOCAL TIME ZONE is KindTimestampLTZ and TIMESTAMP WITH
// TIME ZONE is KindTimestampTZ.
type Kind uint8

// The kinds of column types. KindOther is any type this package does not
// know; its values convert to strings.
const (
	KindOther Kind = iota
	KindTinyInt
	KindSmallInt
	KindInteger
	KindBigInt
	KindFloat
	KindDouble
	KindDecimal
	KindBoolean
	KindChar
	KindVarchar
	KindBinary
	KindVarbinary
	KindDate
	KindTime
	KindTimestamp
	KindTimestampLTZ
	KindTimestampTZ
	KindArray
	KindMultiset
	KindMap
	KindStruct
	numKinds // not a kind: the number of kinds
)

// kindNames are the canonical upper-case type names, indexed by Kind.
var kindNames = [numKinds]string{
	KindOther:        "OTHER",
	KindTinyInt:      "TINYINT",
	KindSmallInt:     "SMALLINT",
	KindInteger:      "INTEGER",
	KindBigInt:       "BIGINT",
	KindFloat:        "FLOAT",
	KindDouble:       "DOUBLE",
	KindDecimal:      "DECIMAL",
	KindBoolean:      "BOOLEAN",
	KindChar:         "CHAR",
	KindVarchar:      "VARCHAR",
	KindBinary:       "BINARY",
	KindVarbinary:    "VARBINARY",
	KindDate:         "DATE",
	KindTime:         "TIME",
	KindTimestamp:    "TIMESTAMP",
	KindTimestampLTZ: "TIMESTAMP_LTZ",
	KindArray:        "ARRAY",
	KindMultiset:     "MULTISET",
	KindMap:          "MAP",
	KindStruct:       "STRUCT",
	KindTimestampTZ:  "TIMESTAMP_TZ",
}

// String returns the canonical type name of the kind ("BIGINT",
// "TIMESTAMP_LTZ", "VARBINARY"...), or "OTHER" for KindOther and "KIND(n)" for a value
// that is not a kind.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "KIND(" + strconv.Itoa(int(k)) + ")"
}

// IsInteger reports whether k is TINYINT, SMALLINT, INTEGER or BIGINT.
func (k Kind) IsInteger() bool { return k >= KindTinyInt && k <= KindBigInt }

// IsComposite reports whether k is ARRAY, MULTISET, MAP or STRUCT, whose
// values travel as JSON text.
func (k Kind) IsComposite() bool { return k >= KindArray && k <= KindStruct }

// simpleKinds maps the upper-case names of parameterless-or-simple types to
// their kind. Composite names and multi-word forms are handled by the parser.
var simpleKinds = map[string]Kind{
	"TINYINT":       KindTinyInt,
	"SMALLINT":      KindSmallInt,
	"INT":           KindInteger,
	"INTEGER":       KindInteger,
	"BIGINT":        KindBigInt,
	"FLOAT":         KindFloat,
	"REAL":          KindFloat,
	"DOUBLE":        KindDouble,
	"DECIMAL":       KindDecimal,
	"DEC":           KindDecimal,
	"NUMERIC":       KindDecimal,
	"BOOLEAN":       KindBoolean,
	"CHAR":          KindChar,
	"CHARACTER":     KindChar,
	"VARCHAR":       KindVarchar,
	"STRING":        KindVarchar,
	"BINARY":        KindBinary,
	"VARBINARY":     KindVarbinary,
	"BYTES":         KindVarbinary,
	"DATE":          KindDate,
	"TIME":          KindTime,
	"TIMESTAMP":     KindTimestamp,
	"TIMESTAMP_LTZ": KindTimestampLTZ,
	"TIMESTAMP_TZ":  KindTimestampTZ,
}
