package emulator_test

import (
	"database/sql"
	"fmt"
	"log"

	_ "github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/emulator"
)

// Start an in-memory emulator, create a changelog, insert rows and query
// them through database/sql and the deltastream driver.
func Example() {
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

	for _, stmt := range []string{
		`CREATE CHANGELOG users (userid VARCHAR, regionid VARCHAR, balance DECIMAL(10, 2), PRIMARY KEY(userid));`,
		`INSERT INTO users VALUES ('u1', 'west', 10.5), ('u2', 'east', 3), ('u3', 'west', 7.25);`,
		`INSERT INTO users VALUES ('u2', 'west', 4);`, // upserts u2
	} {
		if _, err := db.Exec(stmt); err != nil {
			log.Fatal(err)
		}
	}

	rows, err := db.Query(`SELECT regionid, COUNT(*) AS n, SUM(balance) AS total FROM users GROUP BY regionid ORDER BY regionid;`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var region, total string
		var n int
		if err := rows.Scan(&region, &n, &total); err != nil {
			log.Fatal(err)
		}
		fmt.Println(region, n, total)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// west 3 21.75
}
