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

// openExampleDB opens the driver on the fake server, polling fast so that
// the examples run quickly.
func openExampleDB(srv *dstest.Server) *sql.DB {
	dsn, sep := srv.DSN(), "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("deltastream", dsn+sep+"minPollInterval=1ms&maxPollInterval=2ms")
	if err != nil {
		log.Fatal(err)
	}
	return db
}

// Get the statement id as soon as the service accepts the statement, before
// the driver polls it: log it, show it, or keep it to resume later.
func ExampleWithStatementAccepted() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = "CREATE STORE kafka WITH ('type' = KAFKA);"
	gate := srv.On(stmt).CommandResult("store", "kafka", "CREATE", "created").Hold()
	db := openExampleDB(srv)
	defer db.Close()

	var accepted, finished string
	ctx := deltastream.WithStatementAccepted(context.Background(), func(si deltastream.StatementInfo) {
		accepted = si.ID
		fmt.Println("accepted; requests so far:", len(srv.Requests()))
		gate.Release() // the fake service finishes the statement now
	})
	ctx = deltastream.WithStatementInfo(ctx, func(si deltastream.StatementInfo) { finished = si.ID })
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		log.Fatal(err)
	}
	fmt.Println("same id when finished:", accepted != "" && accepted == finished)
	// Output:
	// accepted; requests so far: 1
	// same id when finished: true
}

// Follow the wait for a long statement, e.g. to draw a spinner.
func ExampleWithProgress() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = "CREATE STREAM big AS SELECT * FROM pageviews;"
	gate := srv.On(stmt).CommandResult("stream", "big", "CREATE", "created").Hold()
	db := openExampleDB(srv)
	defer db.Close()

	ctx := deltastream.WithProgress(context.Background(), func(p deltastream.Progress) {
		fmt.Printf("poll %d done=%v\n", p.Polls, p.Done)
		if p.Polls == 3 {
			gate.Release() // the fake service finishes the statement now
		}
	})
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		log.Fatal(err)
	}
	// Output:
	// poll 1 done=false
	// poll 2 done=false
	// poll 3 done=false
	// poll 4 done=true
}

// Submit a statement without waiting for it, keep its id, and collect its
// outcome later from another process (here another *sql.DB).
func ExampleWithAsync() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = "CREATE STORE kafka WITH ('type' = KAFKA);"
	gate := srv.On(stmt).CommandResult("store", "kafka", "CREATE", "created").Hold()

	submitter := openExampleDB(srv)
	defer submitter.Close()
	res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), stmt)
	if err != nil {
		log.Fatal(err)
	}
	ids := deltastream.ResultStatementIDs(res) // store them somewhere durable
	fmt.Println("submitted; requests so far:", len(srv.Requests()))

	gate.Release() // meanwhile the statement finishes on the service

	collector := openExampleDB(srv)
	defer collector.Close()
	var typ, name, command, summary, path string
	err = collector.QueryRowContext(deltastream.WithResume(context.Background(), ids...), "").
		Scan(&typ, &name, &command, &summary, &path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(summary, path)
	// Output:
	// submitted; requests so far: 1
	// created ["kafka"]
}

// An async query returns its Rows at once; the first Next waits for the
// statement.
func ExampleWithAsync_query() {
	srv := newExampleServer()
	defer srv.Close()
	const query = "SELECT page, n FROM top_pages;"
	gate := srv.On(query).Columns(dstest.Col("page", "VARCHAR"), dstest.Col("n", "BIGINT")).
		Rows([]any{"/home", "42"}).Hold()
	db := openExampleDB(srv)
	defer db.Close()

	ctx := deltastream.WithAsync(context.Background())
	ctx = deltastream.WithProgress(ctx, func(p deltastream.Progress) {
		if p.Polls == 1 {
			fmt.Println("first Next is waiting")
			gate.Release() // the fake service finishes the statement now
		}
	})
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	fmt.Println("QueryContext returned")
	for rows.Next() {
		var page string
		var n int64
		if err := rows.Scan(&page, &n); err != nil {
			log.Fatal(err)
		}
		fmt.Println(page, n)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// QueryContext returned
	// first Next is waiting
	// /home 42
}

// Read the result of a finished statement from its id alone.
func ExampleWithResume() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("LIST DATABASES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"analytics"}, []any{"sales"})
	db := openExampleDB(srv)
	defer db.Close()

	var id string
	ctx := deltastream.WithStatementAccepted(context.Background(), func(si deltastream.StatementInfo) { id = si.ID })
	if _, err := db.ExecContext(ctx, "LIST DATABASES;"); err != nil {
		log.Fatal(err)
	}

	rows, err := db.QueryContext(deltastream.WithResume(context.Background(), id), "")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(name)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// analytics
	// sales
}

// Resuming a statement that is still running polls it until it finishes.
func ExampleWithResume_running() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = "SELECT COUNT(*) FROM orders;"
	gate := srv.On(stmt).Columns(dstest.Col("n", "BIGINT")).Rows([]any{"1000"}).Hold()
	db := openExampleDB(srv)
	defer db.Close()
	res, err := db.ExecContext(deltastream.WithAsync(context.Background()), stmt)
	if err != nil {
		log.Fatal(err)
	}

	ctx := deltastream.WithProgress(context.Background(), func(p deltastream.Progress) {
		fmt.Println("poll", p.Polls, "done:", p.Done)
		gate.Release() // the fake service finishes the statement now
	})
	var n int64
	if err := db.QueryRowContext(deltastream.WithResume(ctx, deltastream.ResultStatementIDs(res)...), "").Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output:
	// poll 1 done: false
	// poll 2 done: true
	// 1000
}

// A failed statement resumes as its error; an id the service does not
// know is ErrNotFound.
func ExampleWithResume_errors() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT nope FROM orders;").Error(deltastream.StateSyntaxError, "column nope not found")
	db := openExampleDB(srv)
	defer db.Close()

	_, err := db.ExecContext(deltastream.WithAsync(context.Background()), "SELECT nope FROM orders;")
	id := deltastream.StatementIDOf(err)

	_, err = db.QueryContext(deltastream.WithResume(context.Background(), id), "")
	var de *deltastream.Error
	if errors.As(err, &de) {
		fmt.Println(de.State, de.Message, de.StatementID == id)
	}

	_, err = db.QueryContext(deltastream.WithResume(context.Background(), "7b0e1b6e-0000-4000-8000-000000000000"), "")
	fmt.Println(deltastream.IsNotFound(err))
	// Output:
	// 42601 column nope not found true
	// true
}

// Resume a result that lives on the dataplane in several partitions: it
// reads like any other, partitions fetched ahead.
func ExampleWithResume_dataplane() {
	srv := newExampleServer()
	defer srv.Close()
	const query = "SELECT region, total FROM sales_mv;"
	srv.On(query).Columns(dstest.Col("region", "VARCHAR"), dstest.Col("total", "BIGINT")).
		Rows([]any{"emea", "10"}, []any{"amer", "20"}, []any{"apac", "30"}).
		Partitions(1, 1, 1).Dataplane()
	db := openExampleDB(srv)
	defer db.Close()
	res, err := db.ExecContext(deltastream.WithAsync(context.Background()), query)
	if err != nil {
		log.Fatal(err)
	}

	rows, err := db.QueryContext(deltastream.WithResume(context.Background(), deltastream.ResultStatementIDs(res)...), "")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var region string
		var total int64
		if err := rows.Scan(&region, &total); err != nil {
			log.Fatal(err)
		}
		fmt.Println(region, total)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	dataplaneGETs := 0
	for _, r := range srv.Requests() {
		if r.Dataplane {
			dataplaneGETs++
		}
	}
	fmt.Println("partitions from the dataplane:", dataplaneGETs)
	// Output:
	// emea 10
	// amer 20
	// apac 30
	// partitions from the dataplane: 3
}

// Resume a batch: pass all its ids; each statement is a result set.
func ExampleWithResume_batch() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("LIST DATABASES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"analytics"})
	srv.On("LIST STORES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"kafka"}, []any{"kinesis"})
	db := openExampleDB(srv)
	defer db.Close()
	res, err := db.ExecContext(deltastream.WithAsync(context.Background()), "LIST DATABASES; LIST STORES;")
	if err != nil {
		log.Fatal(err)
	}

	rows, err := db.QueryContext(deltastream.WithResume(context.Background(), deltastream.ResultStatementIDs(res)...), "")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for set := 1; ; set++ {
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				log.Fatal(err)
			}
			fmt.Println(set, name)
		}
		if !rows.NextResultSet() {
			break
		}
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 1 analytics
	// 2 kafka
	// 2 kinesis
}

// A client-side timeout stops the wait, not the statement: the error
// carries the id, and the result can be collected later.
func ExampleWithResume_afterTimeout() {
	srv := newExampleServer()
	defer srv.Close()
	const stmt = "CREATE STORE slow WITH ('type' = KAFKA);"
	gate := srv.On(stmt).CommandResult("store", "slow", "CREATE", "created").Hold()
	db := openExampleDB(srv)
	defer db.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := db.ExecContext(ctx, stmt)
	id := deltastream.StatementIDOf(err)
	fmt.Println(errors.Is(err, context.DeadlineExceeded), id != "", strings.Contains(err.Error(), "may still be running"))

	gate.Release() // later, the statement finishes on the service
	if _, err := db.ExecContext(deltastream.WithResume(context.Background(), id), ""); err != nil {
		log.Fatal(err)
	}
	fmt.Println("finished")
	// Output:
	// true true true
	// finished
}
