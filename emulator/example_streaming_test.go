package emulator_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"strings"

	_ "github.com/deltastream-go/deltastream" // registers the "deltastream" driver

	"github.com/deltastream-go/deltastream/emulator"
)

// printRows prints every row of a query, cells separated by " | ".
func printRows(db *sql.DB, query string) {
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	printN(rows, -1)
}

// printN prints n rows (every row when n < 0) of rows.
func printN(rows *sql.Rows, n int) {
	cols, err := rows.Columns()
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i != n && rows.Next(); i++ {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		if err := rows.Scan(ptrs...); err != nil {
			log.Fatal(err)
		}
		cells := make([]string, len(cols))
		for j, v := range vals {
			cells[j] = "NULL"
			if v.Valid {
				cells[j] = v.String
			}
		}
		fmt.Println(strings.Join(cells, " | "))
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
}

// DeltaStream's pageviews/users tutorial, end to end, on the emulator:
// a stream and a changelog, an interactive query that reads a few rows
// and closes, a persistent query joining pageviews to users, a
// materialized view counting views per user in tumbling windows, a
// SELECT on the view, and the queries' life cycle.
func Example_streamingTutorial() {
	emu, err := emulator.Start(emulator.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	db, err := sql.Open("deltastream", emu.DSN())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	exec := func(stmt string) sql.Result {
		res, err := db.ExecContext(ctx, stmt)
		if err != nil {
			log.Fatal(err)
		}
		return res
	}
	queryID := func(stmt string) string {
		rows, err := db.QueryContext(ctx, stmt)
		if err != nil {
			log.Fatal(err)
		}
		defer rows.Close()
		var typ, name, command, summary string
		var path sql.NullString
		for rows.Next() {
			if err := rows.Scan(&typ, &name, &command, &summary, &path); err != nil {
				log.Fatal(err)
			}
			if typ == "query" {
				return name
			}
		}
		log.Fatalf("%s started no query", stmt)
		return ""
	}

	// 1. A stream of page views (event time from viewtime, in ms) and a
	// changelog of users keyed by userid.
	exec(`CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR)
		WITH ('topic' = 'pageviews', 'value.format' = 'json', 'timestamp' = 'viewtime')`)
	exec(`CREATE CHANGELOG users (registertime BIGINT, userid VARCHAR, regionid VARCHAR, gender VARCHAR, PRIMARY KEY (userid))
		WITH ('topic' = 'users', 'value.format' = 'json')`)

	// 2. Some data.
	exec(`INSERT INTO users VALUES (1, 'User_1', 'Region_1', 'FEMALE'), (2, 'User_2', 'Region_2', 'MALE')`)
	exec(`INSERT INTO pageviews VALUES (1000, 'User_1', 'Page_10'), (2000, 'User_2', 'Page_20'), (3000, 'User_1', 'Page_11')`)

	// 3. An interactive query never ends: read two rows and close it.
	rows, err := db.QueryContext(ctx, `SELECT userid, pageid FROM pageviews WITH ('starting.position' = 'earliest') WHERE userid = 'User_1'`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("-- interactive")
	printN(rows, 2)
	rows.Close()

	// 4. A persistent query enriching page views with the user's region.
	enrich := queryID(`CREATE STREAM csas_enriched_pv AS
		SELECT p.viewtime AS viewtime, p.userid AS userid, p.pageid AS pageid, u.regionid AS regionid, u.gender AS gender
		FROM pageviews p WITH ('starting.position' = 'earliest') JOIN users u ON u.userid = p.userid`)

	// 5. A materialized view counting views per user in 30-second windows.
	count := queryID(`CREATE MATERIALIZED VIEW user_view_count AS
		SELECT window_start, window_end, userid, COUNT(*) AS view_count
		FROM TUMBLE(pageviews, SIZE 30 SECONDS) WITH ('starting.position' = 'earliest')
		GROUP BY window_start, window_end, userid`)

	// New page views flow through both queries as they are inserted.
	exec(`INSERT INTO pageviews VALUES (31000, 'User_1', 'Page_12'), (32000, 'User_1', 'Page_10')`)

	fmt.Println("-- enriched")
	printRows(db, `SELECT pageid, regionid, gender FROM csas_enriched_pv WITH ('starting.position' = 'earliest') LIMIT 5`)

	// 6. A SELECT on the view shows the current counts.
	fmt.Println("-- view")
	printRows(db, `SELECT window_start, userid, view_count FROM user_view_count ORDER BY window_start, userid`)

	// 7. The queries, and cleaning up.
	fmt.Println("-- queries")
	printRows(db, `SELECT current_state, COUNT(*) AS n FROM deltastream.sys."queries" GROUP BY current_state`)
	if _, err := db.ExecContext(ctx, `DROP STREAM pageviews`); err != nil {
		fmt.Println("DROP STREAM pageviews:", strings.Contains(err.Error(), "2BP01"))
	}
	exec(`TERMINATE QUERY ` + enrich)
	exec(`TERMINATE QUERY ` + count)
	printRows(db, `SELECT current_state, COUNT(*) AS n FROM deltastream.sys."queries" GROUP BY current_state`)
	exec(`DROP MATERIALIZED VIEW user_view_count`)
	exec(`DROP STREAM csas_enriched_pv`)
	exec(`DROP STREAM pageviews`)
	exec(`DROP CHANGELOG users`)
	fmt.Println("-- dropped")

	// Output:
	// -- interactive
	// User_1 | Page_10
	// User_1 | Page_11
	// -- enriched
	// Page_10 | Region_1 | FEMALE
	// Page_20 | Region_2 | MALE
	// Page_11 | Region_1 | FEMALE
	// Page_12 | Region_1 | FEMALE
	// Page_10 | Region_1 | FEMALE
	// -- view
	// 1970-01-01T00:00:00Z | User_1 | 2
	// 1970-01-01T00:00:00Z | User_2 | 1
	// 1970-01-01T00:00:30Z | User_1 | 2
	// -- queries
	// running | 2
	// DROP STREAM pageviews: true
	// terminated | 2
	// -- dropped
}
