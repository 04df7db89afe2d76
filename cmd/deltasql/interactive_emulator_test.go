//go:build linux

package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInteractiveEmbeddedEmulator drives the shell on a terminal against
// the real embedded emulator: the context prompt from the start,
// completion of relations, entities, stores, schemas and databases
// (refetched after DDL and USE), a continuous query and PRINT ENTITY stopped with Ctrl-C,
// and \queries and \terminate on a real persistent query.
func TestInteractiveEmbeddedEmulator(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	c := startConsole(t, []string{"DELTASTREAM_DSN=", "DELTASTREAM_TOKEN=", "XDG_STATE_HOME=" + t.TempDir()})
	c.expect("db.public/local> ")
	assert.NotContains(t, c.output(), "deltasql> ", "the first prompt shows the context")

	c.send("CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) WITH ('topic'='pageviews', 'value.format'='json');\r")
	c.expect("(1 row)")
	c.send("INSERT INTO pageviews VALUES (1, 'User_1'), (2, 'User_2');\r")
	c.expect("2 row(s) inserted")

	c.send("SELECT * FROM page\t") // the relation created a moment ago
	c.expect("SELECT * FROM pageviews")
	c.send(" WITH ('starting.position'='earliest');\r")
	c.expect(" 2 | User_2") // shown while the query goes on
	c.send("\x03")
	c.expect("Cancelled.")
	c.expect("db.public/local> ")

	c.send("PRINT ENTITY pagev\t") // the topic CREATE STREAM made
	c.expect("PRINT ENTITY pageviews")
	c.send(" IN STORE lo\t")
	c.expect("IN STORE local")
	c.send(" WITH ('from_beginning');\r")
	c.expect(`{"viewtime":2,"userid":"User_2"}`)
	c.send("\x03")
	c.expect("Cancelled.")
	c.expect("db.public/local> ")

	c.send("CREATE STREAM pv2 AS SELECT * FROM pageviews;\r")
	c.expect(" query ")
	c.expect("(2 rows)")
	id := regexp.MustCompile(` query +\| ([0-9a-f-]{36}) `).FindStringSubmatch(c.output())
	require.Len(t, id, 2, c.output())
	c.send("\\queries\r")
	c.expect(id[1][:8]) // the table may wrap the id at 120 columns
	c.expect("running")
	c.send("\\terminate " + id[1] + "\r")
	c.expect("TERMINATE")
	c.expect("(1 row)")
	c.send("\\queries\r")
	c.expect("| terminated ") // the query's state in the table
	c.expect("(1 row)")

	c.send("USE SCHEMA pu\t")
	c.expect("USE SCHEMA public")
	c.send(";\r")
	c.expect("db.public/local> ")
	c.send("CREATE DATABASE db2;\r")
	c.expect("(1 row)")
	c.send("USE DATABASE db\t\t") // db2 is offered: DDL dropped the cached names
	c.expect("db2")
	c.send("2;\r")
	c.expect("db2.public/local> ")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())
}
