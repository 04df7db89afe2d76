package bind

import (
	"database/sql/driver"
	"testing"
	"time"
)

// BenchmarkParseRender measures the work the driver does per Exec of an
// unprepared INSERT with three arguments.
func BenchmarkParseRender(b *testing.B) {
	const query = "INSERT INTO pageviews (userid, pageid, viewtime) VALUES (?, ?, ?);"
	args := []driver.NamedValue{
		{Ordinal: 1, Value: "User_1"},
		{Ordinal: 2, Value: int64(42)},
		{Ordinal: 3, Value: time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)},
	}
	b.ReportAllocs()
	for b.Loop() {
		tpl, err := Parse(query)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Render(args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender measures rendering alone, as for a prepared statement.
func BenchmarkRender(b *testing.B) {
	tpl, err := Parse("INSERT INTO pageviews (userid, pageid, viewtime) VALUES (?, ?, ?);")
	if err != nil {
		b.Fatal(err)
	}
	args := []driver.NamedValue{
		{Ordinal: 1, Value: "User_1"},
		{Ordinal: 2, Value: int64(42)},
		{Ordinal: 3, Value: 1.5},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Render(args); err != nil {
			b.Fatal(err)
		}
	}
}
