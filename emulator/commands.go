package emulator

import (
	"strings"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// commandColumns are the five columns of a command result.
var commandColumns = []wire.Column{
	col("Type", "VARCHAR", false),
	col("Name", "VARCHAR", false),
	col("Command", "VARCHAR", false),
	col("Summary", "VARCHAR", false),
	col("Path", "VARCHAR", true),
}

// commandResult is the one-row answer of a DDL statement or command:
// Type, Name (the dot-joined path), Command, Summary, Path (JSON text).
func commandResult(kind objKind, command, summary string, path ...string) *result {
	return &result{
		cols: commandColumns,
		rows: [][]*string{{str(typeWord(kind)), str(strings.Join(path, ".")), str(command), str(summary), str(pathJSON(path...))}},
	}
}

// typeWord is the Type column of a command result for kind.
func typeWord(kind objKind) string {
	if kind == kindMaterializedView {
		return "materialized view"
	}
	return string(kind)
}

// created is the Summary of a successful CREATE.
func created(kind objKind, path ...string) string {
	return typeWord(kind) + " " + fqn(path...) + " was successfully created"
}

// dropped is the Summary of a successful DROP.
func dropped(kind objKind, path ...string) string {
	return typeWord(kind) + " " + fqn(path...) + " was successfully dropped"
}
