// Package emulator is a local DeltaStream: the DeltaStream v2 REST API
// served from one process, with a real catalog and real SQL evaluated by
// embedded SQLite (modernc.org/sqlite, pure Go). It is to DeltaStream what
// the Cloud Spanner emulator or DynamoDB Local are to their services: a
// target for development and tests that needs no account and no network.
// Production workloads run on DeltaStream itself (Apache Flink
// underneath).
//
// # Starting it
//
// From Go code, typically in TestMain:
//
//	emu, err := emulator.Start(emulator.Config{}) // in memory, free loopback port
//	if err != nil { ... }
//	defer emu.Close()
//	db, err := sql.Open("deltastream", emu.DSN())
//
// Or as a process: go run github.com/deltastream-go/deltastream/cmd/deltastream-local
// --data local.db prints the DSN to use.
//
// Config.DataFile keeps the catalog and the rows in a SQLite file that
// survives restarts; the default keeps everything in memory.
//
// # What a fresh emulator holds
//
// One organization ("local"; its UUID is reported in every answer's
// context), the roles sysadmin, orgadmin, useradmin, securityadmin and
// public, a database db with schema public, and a store local whose
// topics (entities) the emulator keeps itself. Statements that name no
// context run there, as for a new account.
//
// # SQL it runs
//
//   - CREATE/DROP DATABASE (with a default public schema), SCHEMA, STORE
//     (properties kept; secret-looking values masked in LIST and DESCRIBE),
//     ENTITY, STREAM, CHANGELOG (PRIMARY KEY required), SECRET,
//     SCHEMA_REGISTRY, COMPUTE_POOL, FUNCTION, FUNCTION_SOURCE and
//     DESCRIPTOR_SOURCE (their 'file' attachment is stored and served by
//     the download route). A relation's topic is created in its store when
//     missing.
//   - USE DATABASE/SCHEMA/STORE/ROLE/COMPUTE_POOL, answering the new
//     context (also inside a batch).
//   - LIST DATABASES/SCHEMAS/STORES/ENTITIES/RELATIONS/STREAMS/CHANGELOGS/
//     MATERIALIZED VIEWS/SECRETS/SCHEMA_REGISTRIES/COMPUTE_POOLS/FUNCTIONS/
//     FUNCTION_SOURCES/DESCRIPTOR_SOURCES/ROLES/QUERIES, DESCRIBE RELATION
//     [COLUMNS], DESCRIBE STORE, DESCRIBE ENTITY, DESCRIBE of other objects.
//   - INSERT INTO relation [(columns)] VALUES (...), (...): appended to the
//     relation's log; a changelog's current state is upserted by key. Every
//     value is checked against its column type; one bad value rejects the
//     whole statement.
//   - SELECT over a changelog (its current state), a materialized view or a
//     deltastream.sys table: projections, arithmetic, ||, CASE, CAST
//     between numbers, comparisons, AND/OR/NOT, IS [NOT] NULL, BETWEEN, IN,
//     LIKE, UPPER, LOWER, CHAR_LENGTH, SUBSTRING, CONCAT, ABS, COALESCE,
//     WHERE, GROUP BY, HAVING, COUNT/SUM/MIN/MAX/AVG (also DISTINCT), ORDER
//     BY (NULLs sort as the largest value, as in Flink), LIMIT. Results
//     larger than Config.PartitionSize rows are paged. A SELECT over a
//     materialized view answers on the dataplane result-set route, as the
//     service does.
//   - CREATE MATERIALIZED VIEW v AS SELECT ...: in this version the SELECT
//     is evaluated once, when the view is created (a snapshot); keeping
//     views up to date comes with persistent queries.
//   - deltastream.sys."databases", "schemas", "stores", "entities",
//     "relations", "queries", "secrets", "schema_registries",
//     "compute_pools", "functions", "function_sources" and
//     "descriptor_sources", with the columns infrastructure tools such as
//     DeltaStream's Terraform provider read.
//
// Anything else is answered with SQL state 0A000 and a message that names
// what is not supported; it is never a wrong answer. Errors carry the
// service's states: 3D0xx not found, 42P0x and 42710 already exists, 42601
// syntax errors with line and column, 2BP01 when dropping something still
// in use, 22001/22003/22007/42804/23502 for values that do not fit.
//
// # Testing polling
//
// Config.RunTimes makes statements of a kind answer 202 ("still running")
// for a while before they complete; with Config.Clock the wait is driven by
// the test's own clock.
//
// # Values
//
// Cells are rendered as the service renders them (see the driver's
// README): DECIMAL with its declared scale, TIMESTAMP_LTZ in the request's
// timezone, base64 for binary types, JSON text for ARRAY, MAP and STRUCT
// (written in VALUES as ARRAY[...], MAP[k, v, ...] and ROW(...)).
//
// # Large results
//
// A result of up to four partitions is encoded in memory. A larger one is
// kept as a snapshot in SQLite's temporary storage (a SELECT over a
// materialized view reads the view itself) and each partition is produced
// when a client asks for it, so memory stays bounded by a partition. Only
// the last 8 large results stay readable; reading an older one fails with
// a message that says to run the query again.
//
// # Concurrency and durability
//
// The emulator serves any number of clients; statements run one at a
// time, each in its own SQLite transaction, so a statement is all or
// nothing and a crash never leaves half of it in the data file.
//
// An Emulator's methods are safe for concurrent use.
package emulator
