package types

import (
	"math"
	"strconv"
	"strings"
)

// Type is a parsed column type. A Type is immutable and safe for concurrent
// use; build one with [Parse].
type Type struct {
	kind Kind
	// name is the canonical upper-case base name without parameters, e.g.
	// "DECIMAL" or "VARBINARY", or for KindOther the words of the type,
	// e.g. "INTERVAL DAY TO SECOND".
	name string
	// base is the base name as the type string spelled it, in upper case
	// and without parameters: "BYTES", "TIMESTAMP WITH LOCAL TIME ZONE".
	base string
	// other is the canonical text of a KindOther type, parameters included.
	other string
	raw   string

	length       int64 // CHAR, VARCHAR, BINARY, VARBINARY
	hasLength    bool  // length was given
	precision    int64 // DECIMAL; fractional-second digits of TIME, TIMESTAMP*
	hasPrecision bool  // precision was given
	scale        int64 // DECIMAL

	elem   *Type   // ARRAY and MULTISET element, MAP value
	key    *Type   // MAP key
	fields []Field // STRUCT fields

	notNull bool
}

// Field is one field of a STRUCT (or ROW) type.
type Field struct {
	// Name is the field name, unquoted and unescaped: the field
	// "Mixed ""q"" name" is named Mixed "q" name.
	Name string
	// Type is the field's type.
	Type *Type
	// Description is the field's comment, if the type string had one.
	Description string
}

// Defaults that apply when a type string leaves a parameter out, as in
// Apache Flink, whose type system DeltaStream uses.
const (
	DefaultDecimalPrecision      = 10 // DECIMAL means DECIMAL(10, 0)
	DefaultDecimalScale          = 0
	DefaultTimePrecision         = 0 // TIME means TIME(0)
	DefaultTimestampPrecision    = 6 // TIMESTAMP means TIMESTAMP(6)
	DefaultTimestampLTZPrecision = 6 // TIMESTAMP_LTZ means TIMESTAMP_LTZ(6)
	DefaultTimestampTZPrecision  = 6 // TIMESTAMP_TZ means TIMESTAMP_TZ(6)
	DefaultCharLength            = 1 // CHAR means CHAR(1), BINARY means BINARY(1)
)

// Kind returns the kind of the type.
func (t *Type) Kind() Kind { return t.kind }

// Raw returns the type string the type was parsed from, as given (for a
// nested type: the part of the outer string that spelled it).
func (t *Type) Raw() string { return t.raw }

// NotNull reports whether the type string ended in NOT NULL.
func (t *Type) NotNull() bool { return t.notNull }

// LocalTimeZone reports whether the type is TIMESTAMP_LTZ, also spelled
// TIMESTAMP WITH LOCAL TIME ZONE.
func (t *Type) LocalTimeZone() bool { return t.kind == KindTimestampLTZ }

// Elem returns the element type of an ARRAY or MULTISET and the value type
// of a MAP; nil for other types and for a bare ARRAY, MULTISET or MAP.
func (t *Type) Elem() *Type { return t.elem }

// Key returns the key type of a MAP; nil for other types.
func (t *Type) Key() *Type { return t.key }

// Fields returns a copy of the fields of a STRUCT or ROW type; nil for
// other types.
func (t *Type) Fields() []Field {
	if t.fields == nil {
		return nil
	}
	return append([]Field(nil), t.fields...)
}

// DatabaseTypeName returns the base name of the type as the type string
// spells it, in upper case, without parameters, nested types or NOT NULL:
// "DECIMAL" for "decimal(4, 3)", "BYTES" for "BYTES", "INT" for "INT",
// "ROW" for "ROW<a INT>", "TIMESTAMP WITH LOCAL TIME ZONE" for
// "TIMESTAMP(3) WITH LOCAL TIME ZONE". Aliases keep their own name; use
// Kind (whose String is the canonical name, e.g. VARBINARY for BYTES) to
// classify a type. For an unknown type it is its words in upper case, e.g.
// "INTERVAL DAY TO SECOND".
func (t *Type) DatabaseTypeName() string {
	if t.base != "" {
		return t.base
	}
	return t.name
}

// CanonicalName returns the canonical upper-case base name of the type:
// the name of its kind ("INTEGER" for INT, "VARBINARY" for BYTES, "STRUCT"
// for ROW, "TIMESTAMP_LTZ" for TIMESTAMP WITH LOCAL TIME ZONE), or for an
// unknown type its words in upper case.
func (t *Type) CanonicalName() string { return t.name }

// Length returns the length of a CHAR, VARCHAR, BINARY or VARBINARY type,
// following database/sql's ColumnTypeLength: VARCHAR and VARBINARY (also
// STRING and BYTES) without a length are unbounded and report
// (math.MaxInt64, true); CHAR and BINARY without a length report their
// default length 1. Every other type reports (0, false).
func (t *Type) Length() (int64, bool) {
	switch t.kind {
	case KindVarchar, KindVarbinary:
		if t.hasLength {
			return t.length, true
		}
		return math.MaxInt64, true
	case KindChar, KindBinary:
		if t.hasLength {
			return t.length, true
		}
		return DefaultCharLength, true
	}
	return 0, false
}

// PrecisionScale returns the precision and scale of a DECIMAL type
// (default 10 and 0), and for TIME, TIMESTAMP, TIMESTAMP_LTZ and
// TIMESTAMP_TZ the number of fractional-second digits as the precision with
// a zero scale (defaults 0, 6, 6 and 6). Every other type reports (0, 0, false).
func (t *Type) PrecisionScale() (precision, scale int64, ok bool) {
	switch t.kind {
	case KindDecimal:
		if t.hasPrecision {
			return t.precision, t.scale, true
		}
		return DefaultDecimalPrecision, DefaultDecimalScale, true
	case KindTime, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
		if t.hasPrecision {
			return t.precision, 0, true
		}
		return defaultPrecision(t.kind), 0, true
	}
	return 0, 0, false
}

func defaultPrecision(k Kind) int64 {
	switch k {
	case KindTime:
		return DefaultTimePrecision
	case KindTimestamp:
		return DefaultTimestampPrecision
	case KindTimestampLTZ:
		return DefaultTimestampLTZPrecision
	case KindTimestampTZ:
		return DefaultTimestampTZPrecision
	case KindDecimal:
		return DefaultDecimalPrecision
	}
	return 0
}

// String returns the canonical type string: canonical names (INTEGER,
// VARCHAR, VARBINARY, STRUCT, TIMESTAMP_LTZ, TIMESTAMP_TZ), parameters as given (DECIMAL
// always shows both), nested types in canonical form, field names quoted
// with double quotes unless they are plain lower-case identifiers, field
// comments as '...' strings, and " NOT NULL" when the type has it. Parsing
// the result gives a type with the same String.
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Type) write(b *strings.Builder) {
	switch t.kind {
	case KindOther:
		b.WriteString(t.other)
	case KindDecimal:
		p, s, _ := t.PrecisionScale()
		b.WriteString("DECIMAL(")
		b.WriteString(strconv.FormatInt(p, 10))
		b.WriteString(", ")
		b.WriteString(strconv.FormatInt(s, 10))
		b.WriteByte(')')
	case KindChar, KindVarchar, KindBinary, KindVarbinary:
		b.WriteString(t.name)
		if t.hasLength {
			writeParam(b, t.length)
		}
	case KindTime, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
		b.WriteString(t.name)
		if t.hasPrecision {
			writeParam(b, t.precision)
		}
	case KindArray, KindMultiset:
		b.WriteString(t.name)
		if t.elem != nil {
			b.WriteByte('<')
			t.elem.write(b)
			b.WriteByte('>')
		}
	case KindMap:
		b.WriteString(t.name)
		if t.key != nil {
			b.WriteByte('<')
			t.key.write(b)
			b.WriteString(", ")
			t.elem.write(b)
			b.WriteByte('>')
		}
	case KindStruct:
		b.WriteString(t.name)
		if t.fields != nil {
			b.WriteByte('<')
			for i, f := range t.fields {
				if i > 0 {
					b.WriteString(", ")
				}
				writeIdent(b, f.Name)
				b.WriteByte(' ')
				f.Type.write(b)
				if f.Description != "" {
					b.WriteByte(' ')
					writeQuoted(b, f.Description, '\'')
				}
			}
			b.WriteByte('>')
		}
	default:
		b.WriteString(t.name)
	}
	if t.notNull {
		b.WriteString(" NOT NULL")
	}
}

func writeParam(b *strings.Builder, v int64) {
	b.WriteByte('(')
	b.WriteString(strconv.FormatInt(v, 10))
	b.WriteByte(')')
}

// writeIdent writes a field name, bare when it is a plain lower-case
// identifier and double-quoted otherwise.
func writeIdent(b *strings.Builder, name string) {
	plain := name != ""
	for i := 0; i < len(name) && plain; i++ {
		c := name[i]
		plain = c == '_' || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9')
	}
	if plain {
		b.WriteString(name)
		return
	}
	writeQuoted(b, name, '"')
}

// writeQuoted writes s between q quotes, doubling any q inside.
func writeQuoted(b *strings.Builder, s string, q byte) {
	b.WriteByte(q)
	for i := 0; i < len(s); i++ {
		if s[i] == q {
			b.WriteByte(q)
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(q)
}

// withParams returns a copy of t whose length, precision and scale are
// replaced by the non-nil, non-negative arguments that apply to its kind.
func (t *Type) withParams(length, precision, scale *int64) *Type {
	c := *t
	changed := false
	switch t.kind {
	case KindChar, KindVarchar, KindBinary, KindVarbinary:
		if length != nil && *length >= 0 {
			c.length, c.hasLength, changed = *length, true, true
		}
	case KindDecimal:
		if precision != nil && *precision >= 0 {
			if !c.hasPrecision {
				c.scale = DefaultDecimalScale
			}
			c.precision, c.hasPrecision, changed = *precision, true, true
		}
		if scale != nil && *scale >= 0 {
			if !c.hasPrecision {
				c.precision, c.hasPrecision = DefaultDecimalPrecision, true
			}
			c.scale, changed = *scale, true
		}
	case KindTime, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
		if precision != nil && *precision >= 0 {
			c.precision, c.hasPrecision, changed = *precision, true, true
		}
	}
	if !changed {
		return t
	}
	return &c
}
