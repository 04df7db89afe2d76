package emulator

import (
	"context"
	"database/sql"
	"fmt"
)

// dataVersion is the format of the data file this build writes, kept in
// SQLite's PRAGMA user_version. Version 2 added the insertion time (_ts)
// to every relation's log table; files from older builds (user_version
// 0) are migrated when opened.
const dataVersion = 2

// storeVersion reports whether db already held an emulator catalog and
// the data version it was written with; call it before schemaSQL.
func storeVersion(ctx context.Context, db *sql.DB) (existed bool, version int, err error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ds_relations'`).Scan(&n); err != nil {
		return false, 0, err
	}
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return false, 0, err
	}
	return n > 0, version, nil
}

// upgradeStore brings a data file written with version to dataVersion:
// a new file is stamped, an older one migrated in one transaction, and
// one from a newer build refused with what to do.
func upgradeStore(ctx context.Context, db *sql.DB, file string, existed bool, version int) error {
	switch {
	case version > dataVersion:
		return fmt.Errorf("emulator: %s was written by a newer emulator (data format %d; this build reads formats up to %d): upgrade the emulator, or start it with another --data file", file, version, dataVersion)
	case version == dataVersion:
		return nil
	case !existed:
		_, err := db.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, dataVersion))
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM ds_relations`)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, id := range ids {
		var tables, hasTS int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, logTable(id)).Scan(&tables); err != nil {
			return err
		}
		if tables == 0 {
			continue
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = '_ts'`, logTable(id)).Scan(&hasTS); err != nil {
			return err
		}
		if hasTS > 0 {
			continue
		}
		// Rows written before have no insertion time: they fall in no
		// insertion-time window.
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+logTable(id)+` ADD COLUMN _ts INTEGER`); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, dataVersion)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("emulator: migrate %s from data format %d to %d (restore it from a backup, or start with another --data file): %w", file, version, dataVersion, err)
	}
	return nil
}
