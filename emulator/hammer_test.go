package emulator_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// hammer runs clients goroutines that mix DDL, inserts, queries and bad
// statements, then checks that no row was lost or duplicated.
func hammer(t testing.TB, db *sql.DB, clients, rounds, rowsPerInsert int) {
	ctx := context.Background()
	mustExec(t, db, `CREATE CHANGELOG shared (client INT, seq INT, PRIMARY KEY(client, seq));`)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- hammerClient(ctx, db, c, rounds, rowsPerInsert)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var n, distinct int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT client * 1000000 + seq) FROM shared;`).Scan(&n, &distinct))
	require.Equal(t, clients*rounds*rowsPerInsert, n)
	require.Equal(t, n, distinct)
	var rels int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deltastream.sys."relations";`).Scan(&rels))
	require.Equal(t, 1+clients, rels)
}

func hammerClient(ctx context.Context, db *sql.DB, c, rounds, rowsPerInsert int) error {
	own := fmt.Sprintf("own_%d", c)
	if _, err := db.ExecContext(ctx, `CREATE CHANGELOG `+own+` (k INT, v VARCHAR, PRIMARY KEY(k));`); err != nil {
		return err
	}
	for r := 0; r < rounds; r++ {
		var b strings.Builder
		for i := 0; i < rowsPerInsert; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d)", c, r*rowsPerInsert+i)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO shared VALUES `+b.String()+`;`); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s VALUES (%d, 'x');`, own, r)); err != nil {
			return err
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+own+`;`).Scan(&n); err != nil {
			return err
		}
		if n != r+1 {
			return fmt.Errorf("client %d: %s has %d rows after %d inserts", c, own, n, r+1)
		}
		// DDL and bad input in between.
		tmp := fmt.Sprintf("tmp_%d_%d", c, r)
		for _, s := range []string{`CREATE DATABASE ` + tmp + `;`, `DROP DATABASE ` + tmp + `;`} {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if _, err := db.ExecContext(ctx, `SELEC nonsense ' unterminated`); err == nil {
			return fmt.Errorf("client %d: bad SQL succeeded", c)
		}
	}
	return nil
}

func TestHammer32Clients(t *testing.T) {
	_, db := start(t, emulator.Config{})
	db.SetMaxOpenConns(32)
	hammer(t, db, 32, 1, 10)
}
