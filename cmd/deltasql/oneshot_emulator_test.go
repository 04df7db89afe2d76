package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Statements that give the embedded emulator a stream with two rows and a
// changelog with a row of every type and a row of NULLs.
const (
	emuStream = "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR) WITH ('topic'='pageviews', 'value.format'='json');" +
		"INSERT INTO pageviews VALUES (1, 'User_1'), (2, 'User_2');"
	emuTypes = "CREATE CHANGELOG t (k INTEGER, ti TINYINT, bi BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(10, 3), b BOOLEAN, " +
		"s VARCHAR, dt DATE, tm TIME, ts TIMESTAMP(3), ltz TIMESTAMP_LTZ(3), vb VARBINARY, arr ARRAY<INTEGER>, " +
		"m MAP<VARCHAR, VARCHAR>, st STRUCT<a VARCHAR, b BIGINT>, PRIMARY KEY (k)) " +
		"WITH ('topic'='t', 'value.format'='json', 'key.format'='json', 'key.type'='STRUCT<k INTEGER>');" +
		"INSERT INTO t VALUES (1, -128, 9223372036854775807, 3.5, 0.1, 1.5, true, 'é \"q\",x', '2007-04-30', '13:10:02', " +
		"'2007-04-30 13:10:02.047', '2023-12-30 03:37:45.123Z', 'binary', ARRAY[1, 2], MAP['k', 'v'], ROW('x', 5));" +
		"INSERT INTO t (k) VALUES (2);"
)

// TestEmbeddedEmulatorEndToEnd runs one-shot statements against the real
// embedded emulator: continuous queries stopped by --limit, the machine
// formats of every type it returns, and an error block.
func TestEmbeddedEmulatorEndToEnd(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdoutTail string // what the last statement printed
		stderr     *regexp.Regexp
	}{
		{
			name:       "continuous SELECT stops at --limit",
			args:       []string{"--format", "csv", "--limit", "2", "-e", emuStream + "SELECT * FROM pageviews WITH ('starting.position'='earliest');"},
			stdoutTail: "viewtime,userid\n1,User_1\n2,User_2\n",
		},
		{
			name:       "continuous SELECT in a table",
			args:       []string{"--limit", "2", "-e", emuStream + "SELECT userid FROM pageviews WITH ('starting.position'='earliest');"},
			stdoutTail: " userid\n--------\n User_1\n User_2\n(2 rows)\n",
		},
		{
			name:       "PRINT ENTITY stops at --limit",
			args:       []string{"--format", "jsonl", "--limit", "1", "-e", emuStream + "PRINT ENTITY pageviews WITH ('from_beginning');"},
			stdoutTail: `{"value":"{\"viewtime\":1,\"userid\":\"User_1\"}"}` + "\n",
		},
		{
			name: "json: numbers, DECIMAL text, RFC 3339, base64, nested JSON, NULL",
			args: []string{"--format", "json", "-e", emuTypes + "SELECT * FROM t ORDER BY k;"},
			stdoutTail: `[{"k":1,"ti":-128,"bi":9223372036854775807,"f":3.5,"d":0.1,"dec":1.500,"b":true,"s":"é \"q\",x",` +
				`"dt":"2007-04-30","tm":"13:10:02","ts":"2007-04-30T13:10:02.047Z","ltz":"2023-12-30T03:37:45.123Z",` +
				`"vb":"YmluYXJ5","arr":[1,2],"m":{"k": "v"},"st":{"a": "x", "b": 5}}` + "\n" +
				`,{"k":2,"ti":null,"bi":null,"f":null,"d":null,"dec":null,"b":null,"s":null,"dt":null,"tm":null,"ts":null,` +
				`"ltz":null,"vb":null,"arr":null,"m":null,"st":null}` + "\n]\n",
		},
		{
			name: "csv: the same values, NULL as empty",
			args: []string{"--format", "csv", "-e", emuTypes + "SELECT * FROM t ORDER BY k;"},
			stdoutTail: "k,ti,bi,f,d,dec,b,s,dt,tm,ts,ltz,vb,arr,m,st\n" +
				`1,-128,9223372036854775807,3.5,0.1,1.500,true,"é ""q"",x",2007-04-30,13:10:02,2007-04-30T13:10:02.047Z,` +
				`2023-12-30T03:37:45.123Z,YmluYXJ5,"[1,2]","{""k"": ""v""}","{""a"": ""x"", ""b"": 5}"` + "\n" +
				"2,,,,,,,,,,,,,,,\n",
		},
		{
			name:   "error: SQL state, message, statement id",
			args:   []string{"-e", "SELECT * FROM missing;", "-e", "LIST DATABASES;"},
			code:   exitFailed,
			stderr: regexp.MustCompile(`\nERROR 3D020: [^\n]*missing[^\n]*\n  statement id: [0-9a-f-]{36}\n$`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runShell(t, map[string]string{}, "", tt.args...)
			require.Equal(t, tt.code, r.code, r.stderr)
			assert.True(t, strings.HasSuffix(r.stdout, tt.stdoutTail), "stdout ends with\n%s\ngot\n%s", tt.stdoutTail, r.stdout)
			if tt.stderr != nil {
				assert.Regexp(t, tt.stderr, r.stderr)
				assert.Empty(t, r.stdout, "--on-error stop: nothing runs after the failure")
			}
		})
	}
}
