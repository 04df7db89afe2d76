package emulator_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

func TestCatalogDDL(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()

	_, rows := queryAll(t, db, `CREATE DATABASE demodb;`)
	require.Equal(t, [][]string{{"database", "demodb", "CREATE", `database "demodb" was successfully created`, `["demodb"]`}}, rows)
	_, rows = queryAll(t, db, `CREATE SCHEMA newschema IN DATABASE demodb;`)
	require.Equal(t, [][]string{{"schema", "demodb.newschema", "CREATE", `schema "demodb"."newschema" was successfully created`, `["demodb","newschema"]`}}, rows)
	_, rows = queryAll(t, db, `LIST SCHEMAS IN DATABASE demodb;`)
	require.Len(t, rows, 2)
	require.Equal(t, "newschema", rows[0][0])
	require.Equal(t, "public", rows[1][0])

	tests := []struct {
		name, sql, state string
	}{
		{"duplicate database", `CREATE DATABASE demodb;`, "42P04"},
		{"duplicate schema", `CREATE SCHEMA demodb.newschema;`, "42P06"},
		{"schema in missing database", `CREATE SCHEMA s IN DATABASE nope;`, "3D002"},
		{"drop missing database", `DROP DATABASE nope;`, "3D002"},
		{"drop missing schema", `DROP SCHEMA demodb.nope;`, "3D003"},
		{"drop missing store", `DROP STORE nope;`, "3D006"},
		{"drop missing secret", `DROP SECRET nope;`, "3D016"},
		{"drop missing relation", `DROP RELATION nope;`, "3D020"},
		{"use missing database", `USE DATABASE nope;`, "3D002"},
		{"use missing role", `USE ROLE nope;`, "3D001"},
		{"syntax", `CREATE DATABASE;`, "42601"},
		{"unsupported statement", `GRANT ALL ON x;`, "0A000"},
		{"unknown store for relation", `CREATE STREAM s (a INT) WITH ('store' = 'nope');`, "3D006"},
		{"changelog without key", `CREATE CHANGELOG c (a INT);`, "3D021"},
		{"duplicate store", `CREATE STORE local;`, "42P05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.ExecContext(ctx, tt.sql)
			require.Error(t, err)
			require.Equal(t, tt.state, stateOf(err), err.Error())
		})
	}

	mustExec(t, db,
		`CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic'='pageviews', 'value.format'='json');`,
		`CREATE CHANGELOG users (registertime BIGINT, userid VARCHAR, regionid VARCHAR, PRIMARY KEY(userid)) WITH ('topic'='users');`,
	)
	_, err := db.ExecContext(ctx, `CREATE STREAM pageviews (a INT);`)
	require.Equal(t, "42P017", stateOf(err))
	_, rows = queryAll(t, db, `LIST RELATIONS;`)
	require.Len(t, rows, 2)
	require.Equal(t, []string{"pageviews", "stream", "created"}, rows[0][:3])
	require.Equal(t, `["db","public","users"]`, rows[1][6])
	_, rows = queryAll(t, db, `LIST ENTITIES IN STORE local;`)
	require.Equal(t, [][]string{{"pageviews", "true"}, {"users", "true"}}, rows)
	cols, rows := queryAll(t, db, `DESCRIBE RELATION COLUMNS users;`)
	require.Equal(t, []string{"Name", "Type", "Nullable", "Properties"}, cols)
	require.Equal(t, []string{"userid", "VARCHAR", "false", `{"primary.key":"true"}`}, rows[1])

	// Dropping what relations still use fails with 2BP01.
	_, err = db.ExecContext(ctx, `DROP ENTITY users IN STORE local;`)
	require.Equal(t, "2BP01", stateOf(err))
	_, err = db.ExecContext(ctx, `DROP DATABASE db;`)
	require.Equal(t, "2BP01", stateOf(err))
	_, err = db.ExecContext(ctx, `DROP STREAM users;`)
	require.Equal(t, "3D020", stateOf(err))
	mustExec(t, db, `DROP CHANGELOG users;`, `DROP RELATION pageviews;`, `DROP SCHEMA demodb.newschema;`, `DROP DATABASE demodb;`)
	_, rows = queryAll(t, db, `LIST DATABASES;`)
	require.Len(t, rows, 1)
}

func TestStoreSecretsMasked(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, `CREATE STORE kafka1 WITH ('type' = KAFKA, 'uris' = 'broker:9092', 'kafka.sasl.password' = 'hunter2', 'kafka.sasl.username' = 'me');`)
	_, rows := queryAll(t, db, `DESCRIBE STORE kafka1;`)
	require.Len(t, rows, 1)
	require.Equal(t, "KAFKA", rows[0][0])
	require.Equal(t, "broker:9092", rows[0][1])
	require.NotContains(t, rows[0][2], "hunter2")
	require.Contains(t, rows[0][2], `"kafka.sasl.username":"me"`)
	cols, rows := queryAll(t, db, `LIST STORES;`)
	require.Equal(t, []string{"Name", "Type", "State", "Message", "IsDefault", "Owner", "CreatedAt", "UpdatedAt", "Path"}, cols)
	require.Len(t, rows, 2)
	require.Equal(t, []string{"kafka1", "KAFKA", "ready", "NULL", "false"}, rows[0][:5])
}

func TestCommandShapes(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, `CREATE CHANGELOG c (k INT, v VARCHAR, PRIMARY KEY(k)) WITH ('value.format' = 'JSON');`)
	tests := []struct {
		sql  string
		cols []string
	}{
		{`LIST SCHEMAS;`, []string{"Name", "IsDefault", "Owner", "CreatedAt"}},
		{`LIST QUERIES;`, []string{"ID", "Name", "Version", "IntendedState", "ActualState", "Query", "Owner", "CreatedAt", "UpdatedAt"}},
		{`LIST ENTITIES;`, []string{"Name", "IsLeaf"}},
		{`DESCRIBE RELATION c;`, []string{"Name", "Type", "State", "Properties", "Owner", "CreatedAt", "UpdatedAt", "Path"}},
		{`DESCRIBE STORE local;`, []string{"Type", "Uris", "Properties", "IsDefault", "TlsVerifyServerHostname", "SchemaRegistryName", "Path"}},
		{`INSERT INTO c VALUES (1, 'x');`, []string{"Type", "Name", "Command", "Summary", "Path"}},
		{`USE STORE local;`, []string{"Type", "Name", "Command", "Summary", "Path"}},
		{`CREATE SECRET s WITH ('type' = generic_string);`, []string{"Type", "Name", "Command", "Summary", "Path"}},
		{`LIST SECRETS;`, []string{"Name", "Type", "Properties", "Owner", "CreatedAt", "UpdatedAt"}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			cols, _ := queryAll(t, db, tt.sql)
			require.Equal(t, tt.cols, cols)
		})
	}
	_, rows := queryAll(t, db, `DESCRIBE RELATION c;`)
	require.Equal(t, `{"primary.key":"k","store":"local","topic":"c","value.format":"json"}`, rows[0][3])
	_, rows = queryAll(t, db, `INSERT INTO c VALUES (2, 'y'), (3, 'z');`)
	require.Equal(t, []string{"changelog", "db.public.c", "INSERT", `2 row(s) inserted into changelog "db"."public"."c"`, `["db","public","c"]`}, rows[0])
}

func TestOrganizationAndRole(t *testing.T) {
	emu, _ := start(t, emulator.Config{})
	for _, org := range []string{"local", emu.OrganizationID()} {
		db, err := sql.Open("deltastream", emu.DSN()+"?organization="+org+"&role=sysadmin")
		require.NoError(t, err)
		_, err = db.Exec(`LIST DATABASES;`)
		require.NoError(t, err, org)
		require.NoError(t, db.Close())
	}
	db, err := sql.Open("deltastream", emu.DSN()+"?organization=acme")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`LIST DATABASES;`)
	require.Equal(t, "3D004", stateOf(err))
}

func TestEntitiesFunctionsAndRecordedObjects(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db,
		`CREATE ENTITY "Orders" WITH ('topic.partitions' = 3);`,
		`CREATE ENTITY clicks IN STORE local;`,
		`CREATE FUNCTION toUpper(s VARCHAR) RETURNS VARCHAR LANGUAGE JAVA WITH ('source.name' = 'udfs', 'class.name' = 'a.B');`,
		`CREATE COMPUTE_POOL pool1 WITH ('compute_pool.size' = 'small');`,
		`USE COMPUTE_POOL pool1;`,
	)
	_, rows := queryAll(t, db, `LIST ENTITIES;`)
	require.Equal(t, [][]string{{"Orders", "true"}, {"clicks", "true"}}, rows)
	_, rows = queryAll(t, db, `DESCRIBE ENTITY "Orders" IN STORE local;`)
	require.Equal(t, `{"topic.partitions":"3"}`, rows[0][2])
	_, err := db.Exec(`CREATE ENTITY clicks;`)
	require.Equal(t, "42P08", stateOf(err))
	_, err = db.Exec(`DESCRIBE ENTITY nope;`)
	require.Equal(t, "3D007", stateOf(err))
	_, rows = queryAll(t, db, `LIST FUNCTIONS;`)
	require.Equal(t, "toupper", rows[0][0])
	_, rows = queryAll(t, db, `SELECT name, status FROM deltastream.sys."compute_pools";`)
	require.Equal(t, [][]string{{"pool1", "running"}}, rows)
	mustExec(t, db, `DROP ENTITY clicks;`, `DROP FUNCTION toUpper(VARCHAR);`, `DROP COMPUTE_POOL pool1;`)
	_, err = db.Exec(`PRINT ENTITY nope;`) // PRINT itself: continuous_test.go
	require.Equal(t, "3D007", stateOf(err))
}
