// Package types understands DeltaStream column types and values.
//
// DeltaStream describes every result column with a type string such as
// "BIGINT", "DECIMAL(4, 3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE" or
// "STRUCT<k VARCHAR, \"Mixed\" ARRAY<INT>>", and sends every cell as a JSON
// string (or JSON null). This package parses the type strings ([Parse]),
// describes columns for database/sql ([Column]: scan type, length,
// precision and scale) and converts the text of a cell into the Go value the
// driver hands to database/sql ([Column.Convert]):
//
//	TINYINT, SMALLINT, INTEGER, BIGINT    int64 (exponent forms parsed exactly;
//	                                      any int64, even beyond the declared width)
//	FLOAT, DOUBLE                         float64 (Java's NaN and Infinity understood)
//	DECIMAL(p, s)                         string, exactly as sent
//	BOOLEAN                               bool
//	CHAR, VARCHAR                         string
//	BINARY, VARBINARY, BYTES              []byte (decoded from base64)
//	DATE                                  time.Time at midnight UTC
//	TIME(p)                               string "15:04:05[.fffffffff][zone]"
//	TIMESTAMP(p)                          time.Time in UTC, every fraction digit kept
//	TIMESTAMP_LTZ(p)                      time.Time in the session's location
//	TIMESTAMP_TZ(p)                       time.Time in the zone the value carries
//	ARRAY, MAP, MULTISET, STRUCT, ROW     string holding the JSON text as sent
//	anything else                         string
//
// The public deltastream.JSON scans that JSON text into Go values.
package types
