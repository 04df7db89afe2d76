package types

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseDatabaseTypeName checks that DatabaseTypeName is the base name
// as the service spells it (upper-cased, without parameters), not the
// canonical name of the kind.
func TestParseDatabaseTypeName(t *testing.T) {
	tests := []struct {
		in, base string
		kind     Kind
	}{
		{"BYTES", "BYTES", KindVarbinary},
		{"bytes not null", "BYTES", KindVarbinary},
		{"VARBINARY(16)", "VARBINARY", KindVarbinary},
		{"INT", "INT", KindInteger},
		{"integer", "INTEGER", KindInteger},
		{"STRING", "STRING", KindVarchar},
		{"varchar(20)", "VARCHAR", KindVarchar},
		{"CHARACTER VARYING(5)", "CHARACTER VARYING", KindVarchar},
		{"DEC(4, 3)", "DEC", KindDecimal},
		{"DECIMAL(4, 3)", "DECIMAL", KindDecimal},
		{"REAL", "REAL", KindFloat},
		{"DOUBLE PRECISION", "DOUBLE PRECISION", KindDouble},
		{"TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ", KindTimestampLTZ},
		{"TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP WITH LOCAL TIME ZONE", KindTimestampLTZ},
		{"TIMESTAMP_TZ(3)", "TIMESTAMP_TZ", KindTimestampTZ},
		{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", KindTimestampTZ},
		{"TIMESTAMP(9) WITHOUT TIME ZONE", "TIMESTAMP WITHOUT TIME ZONE", KindTimestamp},
		{"ROW<a INT>", "ROW", KindStruct},
		{"ROW(a INT)", "ROW", KindStruct},
		{"struct<a INT>", "STRUCT", KindStruct},
		{"INT ARRAY", "ARRAY", KindArray},
		{"varchar multiset", "MULTISET", KindMultiset},
		{"map<varchar, int>", "MAP", KindMap},
		{"GEOGRAPHY(4326)", "GEOGRAPHY", KindOther},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, err := Parse(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.base, typ.DatabaseTypeName())
			assert.Equal(t, tt.kind, typ.Kind())
			assert.Equal(t, tt.kind.String() == "OTHER", typ.CanonicalName() != tt.kind.String())
			// Parameters from a WebSocket metadata frame keep the name.
			col := NewColumn("c", tt.in, true, ptr(int64(7)), ptr(int64(3)), ptr(int64(1)))
			assert.Equal(t, tt.base, col.Type.DatabaseTypeName())
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		str     string // canonical String
		kind    Kind
		name    string // CanonicalName
		notNull bool
	}{
		// The examples of WIRE.md.
		{"VARCHAR", "VARCHAR", KindVarchar, "VARCHAR", false},
		{"VARCHAR(255)", "VARCHAR(255)", KindVarchar, "VARCHAR", false},
		{"TINYINT", "TINYINT", KindTinyInt, "TINYINT", false},
		{"SMALLINT", "SMALLINT", KindSmallInt, "SMALLINT", false},
		{"INTEGER", "INTEGER", KindInteger, "INTEGER", false},
		{"BIGINT", "BIGINT", KindBigInt, "BIGINT", false},
		{"FLOAT", "FLOAT", KindFloat, "FLOAT", false},
		{"DOUBLE", "DOUBLE", KindDouble, "DOUBLE", false},
		{"DECIMAL(4, 3)", "DECIMAL(4, 3)", KindDecimal, "DECIMAL", false},
		{"BOOLEAN", "BOOLEAN", KindBoolean, "BOOLEAN", false},
		{"DATE", "DATE", KindDate, "DATE", false},
		{"TIME", "TIME", KindTime, "TIME", false},
		{"TIME(3)", "TIME(3)", KindTime, "TIME", false},
		{"TIMESTAMP(3)", "TIMESTAMP(3)", KindTimestamp, "TIMESTAMP", false},
		{"TIMESTAMP_LTZ", "TIMESTAMP_LTZ", KindTimestampLTZ, "TIMESTAMP_LTZ", false},
		{"TIMESTAMP_LTZ(6)", "TIMESTAMP_LTZ(6)", KindTimestampLTZ, "TIMESTAMP_LTZ", false},
		{"TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(3)", KindTimestampLTZ, "TIMESTAMP_LTZ", false},
		{"VARBINARY", "VARBINARY", KindVarbinary, "VARBINARY", false},
		{"VARBINARY(16)", "VARBINARY(16)", KindVarbinary, "VARBINARY", false},
		{"BYTES", "VARBINARY", KindVarbinary, "VARBINARY", false},
		{"ARRAY<INTEGER>", "ARRAY<INTEGER>", KindArray, "ARRAY", false},
		{"MAP<VARCHAR, VARCHAR>", "MAP<VARCHAR, VARCHAR>", KindMap, "MAP", false},
		{`STRUCT<k VARCHAR, "Mixed" BIGINT>`, `STRUCT<k VARCHAR, "Mixed" BIGINT>`, KindStruct, "STRUCT", false},
		// Aliases, case and spacing.
		{"int", "INTEGER", KindInteger, "INTEGER", false},
		{"  Int  ", "INTEGER", KindInteger, "INTEGER", false},
		{"STRING", "VARCHAR", KindVarchar, "VARCHAR", false},
		{"CHAR", "CHAR", KindChar, "CHAR", false},
		{"CHAR(3)", "CHAR(3)", KindChar, "CHAR", false},
		{"CHARACTER(3)", "CHAR(3)", KindChar, "CHAR", false},
		{"CHARACTER VARYING(5)", "VARCHAR(5)", KindVarchar, "VARCHAR", false},
		{"char varying", "VARCHAR", KindVarchar, "VARCHAR", false},
		{"BINARY(8)", "BINARY(8)", KindBinary, "BINARY", false},
		{"BINARY VARYING(8)", "VARBINARY(8)", KindVarbinary, "VARBINARY", false},
		{"DEC", "DECIMAL(10, 0)", KindDecimal, "DECIMAL", false},
		{"NUMERIC(38,18)", "DECIMAL(38, 18)", KindDecimal, "DECIMAL", false},
		{"decimal(5)", "DECIMAL(5, 0)", KindDecimal, "DECIMAL", false},
		{"DECIMAL ( 4 , 3 )", "DECIMAL(4, 3)", KindDecimal, "DECIMAL", false},
		{"REAL", "FLOAT", KindFloat, "FLOAT", false},
		{"DOUBLE PRECISION", "DOUBLE", KindDouble, "DOUBLE", false},
		{"TIMESTAMP", "TIMESTAMP", KindTimestamp, "TIMESTAMP", false},
		{"TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP", KindTimestamp, "TIMESTAMP", false},
		{"timestamp(9) without time zone", "TIMESTAMP(9)", KindTimestamp, "TIMESTAMP", false},
		{"TIMESTAMP WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ", KindTimestampLTZ, "TIMESTAMP_LTZ", false},
		{"timestamp(3)with local time zone", "TIMESTAMP_LTZ(3)", KindTimestampLTZ, "TIMESTAMP_LTZ", false},
		{"TIME(0) WITHOUT TIME ZONE", "TIME(0)", KindTime, "TIME", false},
		{"TIMESTAMP(3) *ROWTIME*", "TIMESTAMP(3)", KindTimestamp, "TIMESTAMP", false},
		{"TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*", "TIMESTAMP_LTZ(3) NOT NULL", KindTimestampLTZ, "TIMESTAMP_LTZ", true},
		// NOT NULL at any level.
		{"BIGINT NOT NULL", "BIGINT NOT NULL", KindBigInt, "BIGINT", true},
		{"bigint not  null", "BIGINT NOT NULL", KindBigInt, "BIGINT", true},
		{"BIGINT NULL", "BIGINT", KindBigInt, "BIGINT", false},
		{"ARRAY<INT NOT NULL> NOT NULL", "ARRAY<INTEGER NOT NULL> NOT NULL", KindArray, "ARRAY", true},
		{"MAP<VARCHAR NOT NULL, INT>", "MAP<VARCHAR NOT NULL, INTEGER>", KindMap, "MAP", false},
		// Nesting, composites.
		{"ARRAY<MAP<VARCHAR, ARRAY<INT>>>", "ARRAY<MAP<VARCHAR, ARRAY<INTEGER>>>", KindArray, "ARRAY", false},
		{"array<array<array<bigint>>>", "ARRAY<ARRAY<ARRAY<BIGINT>>>", KindArray, "ARRAY", false},
		{"MULTISET<VARCHAR>", "MULTISET<VARCHAR>", KindMultiset, "MULTISET", false},
		{"INT ARRAY", "ARRAY<INTEGER>", KindArray, "ARRAY", false},
		{"INT NOT NULL ARRAY NOT NULL", "ARRAY<INTEGER NOT NULL> NOT NULL", KindArray, "ARRAY", true},
		{"VARCHAR MULTISET", "MULTISET<VARCHAR>", KindMultiset, "MULTISET", false},
		{"ARRAY", "ARRAY", KindArray, "ARRAY", false},
		{"MAP", "MAP", KindMap, "MAP", false},
		{"STRUCT", "STRUCT", KindStruct, "STRUCT", false},
		{"ROW", "STRUCT", KindStruct, "STRUCT", false},
		{"STRUCT<>", "STRUCT<>", KindStruct, "STRUCT", false},
		{`STRUCT<k VARCHAR, "Mixed ""q"" name" BIGINT>`, `STRUCT<k VARCHAR, "Mixed ""q"" name" BIGINT>`, KindStruct, "STRUCT", false},
		{"STRUCT<`a``b` INT, `c` INT>", `STRUCT<"a` + "`b" + `" INTEGER, c INTEGER>`, KindStruct, "STRUCT", false},
		{"ROW<a INT, b STRING>", "STRUCT<a INTEGER, b VARCHAR>", KindStruct, "STRUCT", false},
		{"ROW(a INT, b STRING)", "STRUCT<a INTEGER, b VARCHAR>", KindStruct, "STRUCT", false},
		{"row(a int not null comment 'it''s', b string 'desc')", "STRUCT<a INTEGER NOT NULL 'it''s', b VARCHAR 'desc'>", KindStruct, "STRUCT", false},
		{"STRUCT<Upper INT, _x1 INT, x_2 ARRAY<STRUCT<y DATE>>>", `STRUCT<"Upper" INTEGER, _x1 INTEGER, x_2 ARRAY<STRUCT<y DATE>>>`, KindStruct, "STRUCT", false},
		{"STRUCT<not INT, null INT, array INT>", "STRUCT<not INTEGER, null INTEGER, array INTEGER>", KindStruct, "STRUCT", false},
		{"STRUCT<a INT>NOT NULL", "STRUCT<a INTEGER> NOT NULL", KindStruct, "STRUCT", true},
		{"STRUCT<\"\" INT>", `STRUCT<"" INTEGER>`, KindStruct, "STRUCT", false},
		{"STRUCT<é INT>", `STRUCT<"é" INTEGER>`, KindStruct, "STRUCT", false},
		// Unknown types are KindOther, never errors.
		{"GEOGRAPHY", "GEOGRAPHY", KindOther, "GEOGRAPHY", false},
		{"geography not null", "GEOGRAPHY NOT NULL", KindOther, "GEOGRAPHY", true},
		{"INTERVAL DAY(2) TO SECOND(3)", "INTERVAL DAY(2) TO SECOND(3)", KindOther, "INTERVAL DAY TO SECOND", false},
		{"interval year to month", "INTERVAL YEAR TO MONTH", KindOther, "INTERVAL YEAR TO MONTH", false},
		{"RAW('java.lang.Object', 'AAE=')", "RAW('java.lang.Object', 'AAE=')", KindOther, "RAW", false},
		{`SYMBOL(x, "Y")`, `SYMBOL(x, "Y")`, KindOther, "SYMBOL", false},
		{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP_TZ", KindTimestampTZ, "TIMESTAMP_TZ", false},
		{"TIMESTAMP(3) WITH TIME ZONE", "TIMESTAMP_TZ(3)", KindTimestampTZ, "TIMESTAMP_TZ", false},
		{"TIMESTAMP_TZ", "TIMESTAMP_TZ", KindTimestampTZ, "TIMESTAMP_TZ", false},
		{"timestamp_tz(9) not null", "TIMESTAMP_TZ(9) NOT NULL", KindTimestampTZ, "TIMESTAMP_TZ", true},
		{"TIMESTAMP_TZ WITH TIME ZONE", "TIMESTAMP_TZ WITH TIME ZONE", KindOther, "TIMESTAMP_TZ WITH TIME ZONE", false},
		{"TIME WITH TIME ZONE", "TIME WITH TIME ZONE", KindOther, "TIME WITH TIME ZONE", false},
		{"NULL", "NULL", KindOther, "NULL", false},
		{"VECTOR<FLOAT>", "VECTOR<FLOAT>", KindOther, "VECTOR", false},
		{"INT(5)", "INT(5)", KindOther, "INT", false},
		{"VARCHAR(a)", "VARCHAR(a)", KindOther, "VARCHAR", false},
		{"DECIMAL(1, 2, 3)", "DECIMAL(1, 2, 3)", KindOther, "DECIMAL", false},
		{"BOOLEAN()", "BOOLEAN()", KindOther, "BOOLEAN", false},
		{"TIMESTAMP_LTZ WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ WITH LOCAL TIME ZONE", KindOther, "TIMESTAMP_LTZ WITH LOCAL TIME ZONE", false},
		{"STRUCT<a GEOGRAPHY(4326), b INT>", "STRUCT<a GEOGRAPHY(4326), b INTEGER>", KindStruct, "STRUCT", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, err := Parse(tt.in)
			require.NoError(t, err)
			if tt.kind == KindOther {
				assert.Equal(t, tt.name, typ.DatabaseTypeName(), "an unknown type's name is its words")
			}
			assert.Equal(t, tt.str, typ.String())
			assert.Equal(t, tt.kind, typ.Kind())
			assert.Equal(t, tt.name, typ.CanonicalName())
			assert.NotEmpty(t, typ.DatabaseTypeName())
			assert.Equal(t, tt.notNull, typ.NotNull())
			assert.Equal(t, tt.in, typ.Raw())
			assert.Equal(t, tt.kind == KindTimestampLTZ, typ.LocalTimeZone())

			again, err := Parse(typ.String())
			require.NoError(t, err, "String() must re-parse")
			assert.Equal(t, typ.String(), again.String())
		})
	}
}

func TestParseParams(t *testing.T) {
	const unbounded = math.MaxInt64
	tests := []struct {
		in          string
		length      int64
		lengthOK    bool
		prec, scale int64
		precScaleOK bool
	}{
		{"VARCHAR", unbounded, true, 0, 0, false},
		{"STRING", unbounded, true, 0, 0, false},
		{"VARCHAR(255)", 255, true, 0, 0, false},
		{"VARCHAR(2147483647)", 2147483647, true, 0, 0, false},
		{"CHAR", 1, true, 0, 0, false},
		{"CHAR(10)", 10, true, 0, 0, false},
		{"BINARY", 1, true, 0, 0, false},
		{"BINARY(16)", 16, true, 0, 0, false},
		{"VARBINARY", unbounded, true, 0, 0, false},
		{"BYTES", unbounded, true, 0, 0, false},
		{"VARBINARY(16)", 16, true, 0, 0, false},
		{"DECIMAL", 0, false, 10, 0, true},
		{"DECIMAL(4, 3)", 0, false, 4, 3, true},
		{"DECIMAL(38)", 0, false, 38, 0, true},
		{"TIME", 0, false, 0, 0, true},
		{"TIME(3)", 0, false, 3, 0, true},
		{"TIMESTAMP", 0, false, 6, 0, true},
		{"TIMESTAMP(3)", 0, false, 3, 0, true},
		{"TIMESTAMP_LTZ", 0, false, 6, 0, true},
		{"TIMESTAMP(9) WITH LOCAL TIME ZONE", 0, false, 9, 0, true},
		{"BIGINT", 0, false, 0, 0, false},
		{"DOUBLE", 0, false, 0, 0, false},
		{"ARRAY<VARCHAR(3)>", 0, false, 0, 0, false},
		{"GEOGRAPHY(3)", 0, false, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, err := Parse(tt.in)
			require.NoError(t, err)
			l, ok := typ.Length()
			assert.Equal(t, tt.lengthOK, ok, "Length ok")
			assert.Equal(t, tt.length, l, "Length")
			p, s, ok := typ.PrecisionScale()
			assert.Equal(t, tt.precScaleOK, ok, "PrecisionScale ok")
			assert.Equal(t, tt.prec, p, "precision")
			assert.Equal(t, tt.scale, s, "scale")
		})
	}
}

func TestParseNested(t *testing.T) {
	typ, err := Parse(`STRUCT<id BIGINT NOT NULL, "Tags" ARRAY<VARCHAR(8)>, attrs MAP<VARCHAR, DECIMAL(4, 3)> 'the attributes'>`)
	require.NoError(t, err)
	fields := typ.Fields()
	require.Len(t, fields, 3)

	assert.Equal(t, "id", fields[0].Name)
	assert.Equal(t, KindBigInt, fields[0].Type.Kind())
	assert.True(t, fields[0].Type.NotNull())
	assert.Equal(t, "BIGINT NOT NULL", fields[0].Type.Raw())

	assert.Equal(t, "Tags", fields[1].Name)
	require.Equal(t, KindArray, fields[1].Type.Kind())
	elem := fields[1].Type.Elem()
	require.NotNil(t, elem)
	l, ok := elem.Length()
	assert.True(t, ok)
	assert.Equal(t, int64(8), l)
	assert.Equal(t, "VARCHAR(8)", elem.Raw())

	assert.Equal(t, "attrs", fields[2].Name)
	assert.Equal(t, "the attributes", fields[2].Description)
	m := fields[2].Type
	require.Equal(t, KindMap, m.Kind())
	assert.Equal(t, KindVarchar, m.Key().Kind())
	assert.Equal(t, KindDecimal, m.Elem().Kind())

	// Fields returns a copy.
	fields[0].Name = "changed"
	assert.Equal(t, "id", typ.Fields()[0].Name)

	// Accessors of types without children.
	leaf, err := Parse("INT")
	require.NoError(t, err)
	assert.Nil(t, leaf.Elem())
	assert.Nil(t, leaf.Key())
	assert.Nil(t, leaf.Fields())
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		in  string
		msg string // part of the error message
	}{
		{"", "expected a type name, found end of input"},
		{"   ", "expected a type name"},
		{"ARRAY<INT", "expected '>', found end of input at offset 9"},
		{"ARRAY<>", "expected a type name, found '>'"},
		{"ARRAY<INT>>", "unexpected '>' after the type"},
		{"MAP<INT>", "expected ','"},
		{"MAP<INT, >", "expected a type name"},
		{"MAP<INT, INT, INT>", "expected '>'"},
		{"STRUCT<a>", "expected a type name, found '>'"},
		{"STRUCT<a INT,>", "expected a field name, found '>'"},
		{"STRUCT<a INT 'x' b INT>", "expected '>'"},
		{"STRUCT<'a' INT>", "expected a field name, found string literal"},
		{"ROW(a INT>", "expected ')'"},
		{"DECIMAL(4, 3", "expected ',' or ')'"},
		{"DECIMAL(,)", "expected a type parameter"},
		{"VARCHAR(99999999999999999999)", "too large"},
		{"INT NOT", "unexpected word \"NOT\" after the type"},
		{"INT COMMENT 'x'", "unexpected word \"COMMENT\""},
		{"a.b", "unexpected character '.'"},
		{"INT;", "unexpected character ';'"},
		{`STRUCT<"a INT>`, "unterminated quoted text"},
		{"RAW('abc)", "unterminated quoted text"},
		{"42", "expected a type name, found number 42"},
		{"TIMESTAMP(3) *ROWTIME", "expected '*'"},
		{"INT * *", "expected a marker name"},
		{"VECTOR<FLOAT, 3>", "expected a type name, found number 3"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, err := Parse(tt.in)
			require.Error(t, err)
			assert.Nil(t, typ)
			assert.Contains(t, err.Error(), "deltastream: malformed column type")
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestParseDepth(t *testing.T) {
	nest := func(n int) string {
		return strings.Repeat("ARRAY<", n-1) + "INT" + strings.Repeat(">", n-1)
	}
	typ, err := Parse(nest(MaxDepth))
	require.NoError(t, err)
	assert.Equal(t, strings.Replace(nest(MaxDepth), "INT", "INTEGER", 1), typ.String())

	_, err = Parse(nest(MaxDepth + 1))
	require.ErrorContains(t, err, "nests deeper than 64 levels")

	postfix := "INT" + strings.Repeat(" ARRAY", MaxDepth-1)
	_, err = Parse(postfix)
	require.NoError(t, err)
	_, err = Parse(postfix + " ARRAY")
	require.ErrorContains(t, err, "nests deeper")
	_, err = Parse("ARRAY<" + postfix + ">")
	require.ErrorContains(t, err, "nests deeper")

	// A megabyte of hostile input fails fast without exhausting the stack.
	_, err = Parse(strings.Repeat("ARRAY<", 1<<20/6))
	require.ErrorContains(t, err, "nests deeper")
	_, err = Parse(strings.Repeat("STRUCT<a ", 1<<20/9))
	require.ErrorContains(t, err, "nests deeper")
	_, err = Parse("INT" + strings.Repeat(" ARRAY", 1<<20/6))
	require.ErrorContains(t, err, "nests deeper")
	_, err = Parse("FOO" + strings.Repeat("<FOO", 1<<20/4))
	require.ErrorContains(t, err, "nests deeper")
}

func TestParseErrorTruncatesInput(t *testing.T) {
	_, err := Parse(strings.Repeat("x", 1000) + ";")
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200)
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "BIGINT", KindBigInt.String())
	assert.Equal(t, "TIMESTAMP_LTZ", KindTimestampLTZ.String())
	assert.Equal(t, "OTHER", KindOther.String())
	assert.Equal(t, "KIND(200)", Kind(200).String())
	assert.True(t, KindSmallInt.IsInteger())
	assert.False(t, KindFloat.IsInteger())
	assert.True(t, KindStruct.IsComposite())
	assert.False(t, KindVarchar.IsComposite())
}

func ptr[T any](v T) *T { return &v }
