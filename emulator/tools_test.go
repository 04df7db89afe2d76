package emulator_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/emulator"
)

// TestSystemTablesAsTerraformPolls runs the statements DeltaStream's
// Terraform provider runs (WIRE.md) and polls deltastream.sys as it does.
func TestSystemTablesAsTerraformPolls(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	mustExec(t, db,
		`CREATE DATABASE "analytics";`,
		`CREATE SCHEMA "raw" IN DATABASE "analytics";`,
		`CREATE STORE "kafka_1" WITH ('type' = KAFKA, 'uris' = 'localhost:9092');`,
		`CREATE SECRET "s1" WITH ('type' = generic_string, 'description' = 'demo', 'generic_string.value' = 'x');`,
		`CREATE SCHEMA_REGISTRY "sr1" WITH ('type' = CONFLUENT, 'uris' = 'http://sr');`,
		`CREATE STREAM "analytics"."raw"."pageviews" (viewtime BIGINT, userid VARCHAR) WITH ('topic' = 'pv', 'store' = 'kafka_1');`,
	)
	tests := []struct {
		name string
		sql  string
		want []string // the first row, timestamps left out
	}{
		{"databases", `SELECT name, "owner", created_at FROM deltastream.sys."databases" WHERE name = 'analytics';`, []string{"analytics", "sysadmin"}},
		{"schemas", `SELECT name, "owner", created_at FROM deltastream.sys."schemas" WHERE database_name = 'analytics' AND name = 'raw';`, []string{"raw", "sysadmin"}},
		{"stores", `SELECT name, type, status, "owner", created_at, updated_at FROM deltastream.sys."stores" WHERE name = 'kafka_1';`, []string{"kafka_1", "KAFKA", "ready", "sysadmin"}},
		{"secrets", `SELECT name, type, description, status, "owner", created_at, updated_at FROM deltastream.sys."secrets" WHERE name = 's1';`, []string{"s1", "generic_string", "demo", "ready", "sysadmin"}},
		{"schema registries", `SELECT name, type, status, "owner", created_at, updated_at FROM deltastream.sys."schema_registries" WHERE name = 'sr1';`, []string{"sr1", "CONFLUENT", "ready", "sysadmin"}},
		{"relations", `SELECT name, relation_type, "owner", "state", created_at, updated_at FROM deltastream.sys."relations" WHERE fqn = '"analytics"."raw"."pageviews"';`, []string{"pageviews", "stream", "sysadmin", "created"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows := queryAll(t, db, tt.sql)
			require.Len(t, rows, 1)
			require.Equal(t, tt.want, rows[0][:len(tt.want)])
			var created time.Time
			require.NoError(t, db.QueryRowContext(ctx, tt.sql).Scan(append(make([]any, 0), scanTargets(len(rows[0]), len(tt.want), &created)...)...))
			require.WithinDuration(t, time.Now(), created, time.Minute)
		})
	}
	// A lookup of something missing is empty, and drops of missing objects
	// fail with the states tools treat as done.
	_, rows := queryAll(t, db, `SELECT name FROM deltastream.sys."queries" WHERE id = '00000000-0000-0000-0000-000000000000';`)
	require.Empty(t, rows)
	for sql, state := range map[string]string{
		`DROP DATABASE "nope";`: "3D002", `DROP SCHEMA "analytics"."nope";`: "3D003", `DROP STORE "nope";`: "3D006",
		`DROP SCHEMA_REGISTRY "nope";`: "3D009", `DROP SECRET "nope";`: "3D016", `DROP RELATION "analytics"."raw"."nope";`: "3D020",
	} {
		_, err := db.ExecContext(ctx, sql)
		require.Equal(t, state, stateOf(err), sql)
	}
	_, err := db.ExecContext(ctx, `SELECT * FROM deltastream.sys."nope";`)
	require.Equal(t, "3D020", stateOf(err))
	_, err = db.ExecContext(ctx, `INSERT INTO deltastream.sys."databases" VALUES ('x', 'y', '2024-01-01 00:00:00', '2024-01-01 00:00:00');`)
	require.Equal(t, "42501", stateOf(err))
}

// scanTargets discards every column but the one at index n (a
// timestamp), which goes to ts.
func scanTargets(cols, n int, ts *time.Time) []any {
	out := make([]any, cols)
	for i := range out {
		out[i] = new(any)
	}
	out[n] = ts
	return out
}

func TestAttachmentsAndDownloads(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	jar := "PK\x03\x04 not really a jar \x00\xff"
	actx := deltastream.WithAttachment(ctx, "udf.jar", strings.NewReader(jar))
	_, err := db.ExecContext(actx, `CREATE FUNCTION_SOURCE "udfs" WITH ('file' = 'udf.jar', 'description' = 'mine');`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE DESCRIPTOR_SOURCE "protos" WITH ('file' = 'missing.desc');`)
	require.Equal(t, "3D021", stateOf(err))

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `LIST FUNCTION_SOURCES;`) // learns the organization id
	require.NoError(t, err)
	rc, err := deltastream.DownloadFunctionSource(ctx, conn, "udfs")
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.Equal(t, jar, string(got))
	_, err = deltastream.DownloadFunctionSource(ctx, conn, "nope")
	require.Error(t, err)

	_, err = conn.ExecContext(ctx, `DROP FUNCTION_SOURCE "udfs";`)
	require.NoError(t, err)
	_, err = deltastream.DownloadFunctionSource(ctx, conn, "udfs")
	require.Error(t, err)
}
