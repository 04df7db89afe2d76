package emulator

import (
	"fmt"
	"strconv"
)

// SQL states the emulator answers, as listed in WIRE.md.
const (
	stateUnsupported      = "0A000"
	stateDependent        = "2BP01"
	stateSyntax           = "42601"
	stateNameTooLong      = "42622"
	stateDataException    = "22000"
	stateOutOfRange       = "22003"
	stateInvalidText      = "22P02"
	stateNotNull          = "23502"
	stateInternal         = "XX000"
	stateRoleNotFound     = "3D001"
	stateDatabaseNotFound = "3D002"
	stateSchemaNotFound   = "3D003"
	stateStoreNotFound    = "3D006"
	stateTopicNotFound    = "3D007"
	stateInvalidParameter = "3D008"
	stateRegistryNotFound = "3D009"
	stateDescSrcNotFound  = "3D011"
	stateSecretNotFound   = "3D016"
	stateFunctionNotFound = "3D017"
	stateFuncSrcNotFound  = "3D018"
	stateQueryNotFound    = "3D019"
	stateRelNotFound      = "3D020"
	stateMissingParameter = "3D021"
	statePoolNotFound     = "3D023"
	stateObjectExists     = "42710"
	stateDatabaseExists   = "42P04"
	stateStoreExists      = "42P05"
	stateSchemaExists     = "42P06"
	stateTopicExists      = "42P08"
	stateSecretExists     = "42P014"
	stateFunctionExists   = "42P015"
	stateFuncSrcExists    = "42P016"
	stateRelationExists   = "42P017"
	stateRegistryExists   = "42P018"
	statePoolExists       = "42P019"
)

// sqlError is a statement that failed with a SQL state. It never holds
// the API token.
type sqlError struct {
	state string
	msg   string
}

func (e *sqlError) Error() string { return e.state + ": " + e.msg }

// errorf returns a sqlError with a formatted message.
func errorf(state, format string, args ...any) *sqlError {
	return &sqlError{state: state, msg: fmt.Sprintf(format, args...)}
}

// syntaxAt is a 42601 error at a byte offset of the statement.
func syntaxAt(sql string, pos int, msg string) *sqlError {
	line, col := lineCol(sql, pos)
	return errorf(stateSyntax, "syntax error at line %d, column %d: %s", line, col, msg)
}

// unsupported is a 0A000 error naming what the emulator does not run.
func unsupported(what string) *sqlError {
	return errorf(stateUnsupported, "%s is not supported by the local emulator; run it on DeltaStream itself", what)
}

// quoteText quotes s for a message: double quotes, with Go escapes for
// control characters so that server text never spoofs a terminal.
func quoteText(s string) string { return strconv.Quote(s) }
