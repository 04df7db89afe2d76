package deltastream_test

import (
	"database/sql"
	"fmt"
	"log"
	"time"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// TIMESTAMP_LTZ values come back in the session zone (the DSN's timezone),
// TIMESTAMP_TZ values in the zone each value carries, TIMESTAMP values as
// UTC wall time, and TIME values as text (a zone suffix is kept).
func Example_timeZones() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("LIST ORGANIZATIONS;").
		Columns(dstest.Col("CreatedAt", "TIMESTAMP_TZ(6)"), dstest.Col("UpdatedAt", "TIMESTAMP_LTZ(6)"),
			dstest.Col("Local", "TIMESTAMP(3)"), dstest.Col("At", "TIME(7)")).
		Rows([]any{"2024-01-15 09:30:00+01:00", "2024-01-15 08:30:00Z", "2024-01-15 09:30:00.123", "13:10:02.0474381Z"})

	db, err := sql.Open("deltastream", srv.DSN()+"?timezone=America%2FNew_York")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	var created, updated, local time.Time
	var at string
	if err := db.QueryRow("LIST ORGANIZATIONS;").Scan(&created, &updated, &local, &at); err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.Format(time.RFC3339))
	fmt.Println(updated.Format(time.RFC3339), updated.Location())
	fmt.Println(local.Format(time.RFC3339Nano))
	fmt.Println(at)
	// Output:
	// 2024-01-15T09:30:00+01:00
	// 2024-01-15T03:30:00-05:00 America/New_York
	// 2024-01-15T09:30:00.123Z
	// 13:10:02.0474381Z
}

// ColumnTypes describe a result: DatabaseTypeName is the base name as the
// service spells it (BYTES stays BYTES), ScanType a Go type that takes
// every value of the column. An integer column scans into int64 whatever
// its declared width: the service may send "255" in a TINYINT, and
// scanning that into an int8 fails rather than wrapping.
func Example_columnTypes() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT * FROM t;").
		Columns(dstest.NotNullCol("flags", "TINYINT"), dstest.Col("payload", "BYTES"),
			dstest.Col("amount", "DECIMAL(10, 2)"), dstest.Col("seen", "TIMESTAMP(3) WITH LOCAL TIME ZONE")).
		Rows([]any{"255", "AAE=", "12.50", nil})

	db, err := sql.Open("deltastream", srv.DSN())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rows, err := db.Query("SELECT * FROM t;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		log.Fatal(err)
	}
	for _, ct := range cts {
		fmt.Printf("%s %s %v\n", ct.Name(), ct.DatabaseTypeName(), ct.ScanType())
	}
	for rows.Next() {
		var flags int64
		var payload []byte
		var amount string
		var seen sql.NullTime
		if err := rows.Scan(&flags, &payload, &amount, &seen); err != nil {
			log.Fatal(err)
		}
		fmt.Println(flags, payload, amount, seen.Valid)
		var narrow int8
		fmt.Println(rows.Scan(&narrow, &payload, &amount, &seen) != nil)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// flags TINYINT int64
	// payload BYTES []uint8
	// amount DECIMAL sql.NullString
	// seen TIMESTAMP WITH LOCAL TIME ZONE sql.NullTime
	// 255 [0 1] 12.50 false
	// true
}

// A STRUCT column decodes into a Go struct through JSON.
func ExampleJSON_struct() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT address FROM users;").
		Columns(dstest.Col("address", `STRUCT<street VARCHAR, "Zip" INTEGER>`)).
		Rows([]any{`{"street":"1 Main St","Zip":94105}`}, []any{nil})

	db, err := sql.Open("deltastream", srv.DSN())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	type address struct {
		Street string `json:"street"`
		Zip    int
	}
	rows, err := db.Query("SELECT address FROM users;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a deltastream.JSON[address]
		if err := rows.Scan(&a); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%+v %v\n", a.V, a.Valid)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {Street:1 Main St Zip:94105} true
	// {Street: Zip:0} false
}
