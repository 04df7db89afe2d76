package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// newExampleServer starts a fake DeltaStream for the examples; real code
// opens the driver with a DSN such as
// "https://:TOKEN@api.deltastream.io/v2?organization=acme".
func newExampleServer() *dstest.Server {
	srv, err := dstest.New(dstest.WithToken("example-token"))
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

// Query a result with several partitions; Rows read them all, fetching the
// next ones ahead while you scan.
func Example() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT userid, n FROM counts;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).
		Rows([]any{"alice", "3"}, []any{"bob", "5"}, []any{nil, "7"}).
		PartitionSize(2)

	db, err := sql.Open("deltastream", srv.DSN())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rows, err := db.QueryContext(context.Background(), "SELECT userid, n FROM counts;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var user sql.NullString
		var n int64
		if err := rows.Scan(&user, &n); err != nil {
			log.Fatal(err)
		}
		fmt.Println(user.String, user.Valid, n)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// alice true 3
	// bob true 5
	//  false 7
}

// Parse a DSN, adjust it, and print it: the token is always masked.
func ExampleParseDSN() {
	cfg, err := deltastream.ParseDSN("https://:s3cret@api.deltastream.io/v2?organization=acme&timezone=Europe%2FParis")
	if err != nil {
		log.Fatal(err)
	}
	cfg.Prefetch = 4
	fmt.Println(cfg.Organization, cfg.Timezone, cfg.MaxPollInterval)
	fmt.Println(cfg)

	_, err = deltastream.ParseDSN("https://:s3cret@api.deltastream.io/v2?orgnization=acme")
	fmt.Println(err)
	// Output:
	// acme Europe/Paris 1s
	// https://:xxxxx@api.deltastream.io/v2?organization=acme&timezone=Europe%2FParis&prefetch=4
	// deltastream: invalid DSN: unknown parameter "orgnization"; known parameters: allowInsecureHTTP, computePool, database, insecureSkipVerify, maxPollInterval, minPollInterval, organization, prefetch, requestTimeout, retryTimeout, role, schema, sessionID, store, timezone
}

// Make create and drop idempotent with the error classes.
func ExampleIsAlreadyExists() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On(`CREATE DATABASE "Sales";`).Error(deltastream.StateDuplicateDatabase, `database "Sales" already exists`)
	srv.On(`DROP DATABASE "Old";`).Error(deltastream.StateDatabaseNotFound, `database "Old" not found`)
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	_, err := db.Exec("CREATE DATABASE " + deltastream.QuoteIdentifier("Sales") + ";")
	fmt.Println(deltastream.IsAlreadyExists(err))
	_, err = db.Exec(`DROP DATABASE "Old";`)
	fmt.Println(deltastream.IsNotFound(err))
	var de *deltastream.Error
	if errors.As(err, &de) {
		fmt.Println(de.SQLState(), de.Message)
	}
	// Output:
	// true
	// true
	// 3D002 database "Old" not found
}

// Bind arguments: they are rendered into the statement as literals, and no
// argument can change the statement's structure.
func Example_parameters() {
	srv := newExampleServer()
	defer srv.Close()
	srv.OnMatch(func(string) bool { return true }).CommandResult("query", "q", "INSERT", "ok")
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	_, err := db.Exec("INSERT INTO users VALUES (?, ?, ?);", 42, "O'Brien'; DROP STREAM x; --", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		log.Fatal(err)
	}
	_, err = db.Exec("SELECT * FROM t WHERE a = @a OR b = @a;", sql.Named("a", 1.5))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range srv.Submissions() {
		fmt.Println(s.Statement.Statement)
	}
	// Output:
	// INSERT INTO users VALUES ( 42 ,  'O''Brien''; DROP STREAM x; --' ,  TIMESTAMP '2024-05-01 12:00:00' );
	// SELECT * FROM t WHERE a =  1.5E0  OR b =  1.5E0 ;
}

// Switch the database of one connection with USE; the change is undone
// when the connection returns to the pool.
func ExampleCurrentSession() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("USE DATABASE analytics;").Context(dstest.Context{DatabaseName: "analytics"}).CommandResult("database", "analytics", "USE", "ok")
	db, _ := sql.Open("deltastream", srv.DSN()+"?database=default_db")
	defer db.Close()
	ctx := context.Background()

	conn, err := db.Conn(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "USE DATABASE analytics;"); err != nil {
		log.Fatal(err)
	}
	s, _ := deltastream.CurrentSession(ctx, conn)
	fmt.Println(s.Database)

	s.Role = "securityadmin" // switch role for the next statements, no round trip
	_ = deltastream.SetSession(ctx, conn, s)
	s, _ = deltastream.CurrentSession(ctx, conn)
	fmt.Println(s.Database, s.Role)
	// Output:
	// analytics
	// analytics securityadmin
}

// Learn the statement id of a successful statement (for logs and support)
// and the full type strings of its result.
func ExampleWithStatementInfo() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT price FROM orders;").Columns(dstest.Col("price", "DECIMAL(10, 2)")).Rows([]any{"19.90"})
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	var info deltastream.StatementInfo
	ctx := deltastream.WithStatementInfo(context.Background(), func(si deltastream.StatementInfo) { info = si })
	var price string
	if err := db.QueryRowContext(ctx, "SELECT price FROM orders;").Scan(&price); err != nil {
		log.Fatal(err)
	}
	fmt.Println(price, info.ID != "", info.Columns[0].Type)
	// Output:
	// 19.90 true DECIMAL(10, 2)
}

// Decode JSON-typed columns (ARRAY, MAP, STRUCT) into Go values.
func ExampleJSON() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT tags, attrs FROM items;").
		Columns(dstest.Col("tags", "ARRAY<VARCHAR>"), dstest.Col("attrs", "MAP<VARCHAR, VARCHAR>")).
		Rows([]any{`["a","b"]`, `{"color":"red"}`}, []any{nil, nil})
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	rows, err := db.Query("SELECT tags, attrs FROM items;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tags deltastream.JSON[[]string]
		var attrs deltastream.JSON[map[string]string]
		if err := rows.Scan(&tags, &attrs); err != nil {
			log.Fatal(err)
		}
		fmt.Println(tags.Valid, tags.V, attrs.V["color"])
	}
	// Output:
	// true [a b] red
	// false []
}

// Read a continuous query: take the first rows, then close. Close is safe
// at any moment and leaves nothing behind; a ctx deadline bounds the wait.
func Example_continuousQuery() {
	srv := newExampleServer()
	defer srv.Close()
	stream := srv.On("SELECT * FROM pageviews;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.Col("viewtime", "BIGINT")).
		Stream()
	go func() {
		for i := 1; ; i++ {
			if stream.Push(fmt.Sprintf("user_%d", i), fmt.Sprint(1000+i)) != nil {
				return // the client closed the stream
			}
		}
	}()

	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT * FROM pageviews;")
	if err != nil {
		log.Fatal(err)
	}
	cols, _ := rows.Columns()
	fmt.Println(strings.Join(cols, ","))
	for n := 0; n < 3 && rows.Next(); n++ {
		var user string
		var viewtime int64
		if err := rows.Scan(&user, &viewtime); err != nil {
			log.Fatal(err)
		}
		fmt.Println(user, viewtime)
	}
	rows.Close()
	<-stream.ClientClosed()
	fmt.Println("closed")
	// Output:
	// userid,viewtime
	// user_1 1001
	// user_2 1002
	// user_3 1003
	// closed
}

// Attach a file to a statement; the SQL refers to it by name.
func ExampleWithAttachment() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = `CREATE DESCRIPTOR_SOURCE "protos" WITH ('file' = 'protos.desc');`
	srv.On(stmt).CommandResult("descriptor_source", "protos", "CREATE", "created")
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	ctx := deltastream.WithAttachment(context.Background(), "protos.desc", strings.NewReader("descriptor bytes"))
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		log.Fatal(err)
	}
	a := srv.Submissions()[0].Attachments[0]
	fmt.Println(a.Name, string(a.Data))
	// Output:
	// protos.desc descriptor bytes
}

// Read each statement of a batch as its own result set.
func Example_batch() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("LIST DATABASES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"db1"}, []any{"db2"})
	srv.On("LIST STORES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"kafka"})
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	rows, err := db.Query("LIST DATABASES; LIST STORES;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for set := 1; ; set++ {
		for rows.Next() {
			var name string
			_ = rows.Scan(&name)
			fmt.Println(set, name)
		}
		if !rows.NextResultSet() {
			break
		}
	}
	// Output:
	// 1 db1
	// 1 db2
	// 2 kafka
}

// Consume a continuous query for a fixed time: the ctx deadline ends it.
// The deadline may surface from Next (rows.Err) or from the Scan right
// after it, since database/sql closes the rows when ctx ends.
func Example_continuousQueryDeadline() {
	srv := newExampleServer()
	defer srv.Close()
	stream := srv.On("PRINT ENTITY pageviews;").Columns(dstest.Col("viewtime", "BIGINT")).Stream()
	go func() {
		for i := 0; stream.Push(fmt.Sprint(i)) == nil; i++ {
		}
	}()
	db, _ := sql.Open("deltastream", srv.DSN())
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rows, err := db.QueryContext(ctx, "PRINT ENTITY pageviews;")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var viewtime int64
		if err = rows.Scan(&viewtime); err != nil {
			break
		}
		n++
	}
	if err == nil {
		err = rows.Err()
	}
	fmt.Println(n > 0, errors.Is(err, context.DeadlineExceeded))
	// Output:
	// true true
}
