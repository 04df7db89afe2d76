package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		dbType string
		want   kind
	}{
		{"BIGINT", kInt},
		{"tinyint", kInt},
		{"DECIMAL(10, 2)", kDecimal},
		{"DOUBLE NOT NULL", kFloat},
		{"TIMESTAMP", kTimestamp},
		{"TIMESTAMP(3)", kTimestamp},
		{"TIMESTAMP_LTZ(6)", kTimestampTZ},
		{"TIMESTAMP WITH LOCAL TIME ZONE", kTimestampTZ},
		{"TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL", kTimestampTZ},
		{"VARBINARY(16)", kBytes},
		{"ARRAY<INTEGER NOT NULL>", kJSON},
		{"MAP<VARCHAR, VARCHAR>", kJSON},
		{"VARCHAR(255)", kText},
		{"GEOMETRY", kText},
		{"DECIMAL(10", kDecimal},
		{"", kText},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, kindOf(tt.dbType), tt.dbType)
	}
}
