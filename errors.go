package deltastream

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// SQL states the service reports (see the "SQL states" section of the
// protocol notes). Unknown states are kept verbatim in Error.State.
const (
	StateSuccess                = "00000"  // success
	StateRunning                = "03000"  // statement still running
	StateNoData                 = "02000"  // no data
	StateNotSupported           = "0A000"  // feature not supported
	StateDependentObjects       = "2BP01"  // dependent objects still exist
	StateInsufficientPrivilege  = "42501"  // insufficient privilege
	StateSyntaxError            = "42601"  // syntax error
	StateNameTooLong            = "42622"  // name too long
	StateUserNotFound           = "3D000"  // user not found
	StateRoleNotFound           = "3D001"  // role not found
	StateDatabaseNotFound       = "3D002"  // database not found
	StateSchemaNotFound         = "3D003"  // schema not found
	StateOrganizationNotFound   = "3D004"  // organization not found
	StateRegionNotFound         = "3D005"  // region not found
	StateStoreNotFound          = "3D006"  // store not found
	StateTopicNotFound          = "3D007"  // topic not found
	StateInvalidParameter       = "3D008"  // invalid parameter
	StateSchemaRegistryNotFound = "3D009"  // schema registry not found
	StateDescriptorNotFound     = "3D010"  // descriptor not found
	StateDescriptorSourceNF     = "3D011"  // descriptor source not found
	StateAPITokenNotFound       = "3D012"  // API token not found
	StateSecretNotFound         = "3D016"  // secret not found
	StateFunctionNotFound       = "3D017"  // function not found
	StateFunctionSourceNotFound = "3D018"  // function source not found
	StateQueryNotFound          = "3D019"  // query not found
	StateRelationNotFound       = "3D020"  // relation not found
	StateMissingParameter       = "3D021"  // missing parameter
	StateComputePoolNotFound    = "3D023"  // compute pool not found
	StateStoreNotReady          = "3E001"  // store not ready
	StateSchemaRegistryNotReady = "3E002"  // schema registry not ready
	StateRelationNotReady       = "3E003"  // relation not ready
	StateComputePoolNotReady    = "3E004"  // compute pool not ready
	StateDuplicateObject        = "42710"  // object already exists
	StateDuplicateDatabase      = "42P04"  // database already exists
	StateDuplicateStore         = "42P05"  // store already exists
	StateDuplicateSchema        = "42P06"  // schema already exists
	StateDuplicateUser          = "42P07"  // user already exists
	StateDuplicateDescriptor    = "42P08"  // topic descriptor already exists
	StateDuplicateAPIToken      = "42P09"  // API token already exists
	StateDuplicateSecurityInteg = "42P010" // security integration already exists
	StateDuplicateRole          = "42P011" // role already exists
	StateDuplicateMetricsInteg  = "42P012" // metrics integration already exists
	StateDuplicateSandbox       = "42P013" // sandbox already exists
	StateDuplicateSecret        = "42P014" // secret already exists
	StateDuplicateFunction      = "42P015" // function already exists
	StateDuplicateFunctionSrc   = "42P016" // function source already exists
	StateDuplicateRelation      = "42P017" // relation already exists
	StateDuplicateSchemaReg     = "42P018" // schema registry already exists
	StateDuplicateComputePool   = "42P019" // compute pool already exists
	StateDuplicatePGUser        = "42P020" // PG user already exists
	StateAmbiguousOrganization  = "42P001" // ambiguous organization
	StateAmbiguousStore         = "42P002" // ambiguous store
	StateConfigLimitExceeded    = "53000"  // configuration limit exceeded
	StateCancelled              = "57000"  // cancelled
	StateTimeout                = "57014"  // statement timed out
	StateRemoteUnavailable      = "57015"  // remote unavailable
	StateInternalError          = "XX000"  // internal error
	StateUndefined              = "XX001"  // undefined
)

// Sentinel errors for errors.Is. An *Error matches the sentinel of its class
// (by SQL state or HTTP status); the driver also wraps some of them directly.
var (
	// ErrUnauthorized: the token was rejected (HTTP 401 or 403).
	ErrUnauthorized = errors.New("deltastream: unauthorized")
	// ErrNotFound: an object does not exist (SQL state class 3D).
	ErrNotFound = errors.New("deltastream: not found")
	// ErrAlreadyExists: an object exists already (42710, 42P04..42P09, 42P010..42P020).
	ErrAlreadyExists = errors.New("deltastream: already exists")
	// ErrNotReady: an object exists but is not ready yet (SQL state class 3E).
	ErrNotReady = errors.New("deltastream: not ready")
	// ErrTimeout: the service gave up on the statement (HTTP 408, SQL state 57014).
	ErrTimeout = errors.New("deltastream: timeout")
	// ErrUnavailable: the service is unavailable (HTTP 503, SQL state 57015).
	ErrUnavailable = errors.New("deltastream: service unavailable")
	// ErrTransactionsNotSupported is returned by Begin: DeltaStream has no transactions.
	ErrTransactionsNotSupported = errors.New("deltastream: transactions are not supported by DeltaStream; run statements without BEGIN/COMMIT")
	// ErrNotReported is returned by Result.RowsAffected and Result.LastInsertId.
	ErrNotReported = errors.New("deltastream: not reported by DeltaStream")
)

// Error is a failure reported by DeltaStream: a SQL error (a result whose
// sqlState is not 00000), or an HTTP error answer. It is always used as a
// pointer, *Error; errors.As finds it whether the target is **Error or *Error.
type Error struct {
	// State is the SQL state, verbatim ("" for HTTP errors without one).
	State string
	// Message is the service's message.
	Message string
	// StatementID identifies the statement, when known.
	StatementID string
	// TraceID is the service's trace id, when it sent one.
	TraceID string
	// HTTPStatus is the HTTP status of the answer (200 for SQL errors).
	HTTPStatus int
	// Position is the 1-based position of the failing statement in a batch,
	// or 0 for a single statement.
	Position int
	// Attempts is how many attempts were made when retries were exhausted, or 0.
	Attempts int

	// unknownStatement: the service answered 404 to a GET of a statement
	// by id, i.e. it does not know the id (see WithResume).
	unknownStatement bool
}

// SQLState returns the SQL state of the error.
func (e *Error) SQLState() string { return e.State }

// Error implements error (on the value too, so that errors.As can target
// an Error as well as an *Error). It names the statement id and the trace id so that
// a log line is enough to ask DeltaStream support about it.
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString("deltastream: ")
	if e.Position > 0 {
		fmt.Fprintf(&b, "statement %d of batch: ", e.Position)
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.HTTPStatus)
		if msg == "" {
			msg = "request failed"
		}
	}
	b.WriteString(msg)
	if hint := e.hint(); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteString(")")
	}
	var tags []string
	if e.State != "" {
		tags = append(tags, "sqlState "+e.State)
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		tags = append(tags, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Attempts > 1 {
		tags = append(tags, fmt.Sprintf("%d attempts", e.Attempts))
	}
	if e.StatementID != "" {
		tags = append(tags, "statement "+e.StatementID)
	}
	if e.TraceID != "" {
		tags = append(tags, "trace "+e.TraceID)
	}
	if len(tags) > 0 {
		b.WriteString(" [")
		b.WriteString(strings.Join(tags, ", "))
		b.WriteString("]")
	}
	return b.String()
}

// hint tells the user what to do next for the common classes.
func (e *Error) hint() string {
	switch {
	case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden:
		return "check the API token in the DSN or the token provider; it may have expired"
	case e.HTTPStatus == http.StatusTooManyRequests:
		return "rate limited; retry later or lower the request rate"
	case e.unknownStatement:
		return "the service knows no statement with this id; check the id and that the DSN points at the endpoint it was submitted to"
	case e.is(ErrUnavailable):
		return "the service is unavailable; retry later"
	}
	return ""
}

// Is reports whether the error belongs to the class of a sentinel.
func (e *Error) Is(target error) bool { return e.is(target) }

func (e *Error) is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	case ErrNotFound:
		return strings.HasPrefix(e.State, "3D") || e.unknownStatement
	case ErrAlreadyExists:
		return isAlreadyExistsState(e.State)
	case ErrNotReady:
		return strings.HasPrefix(e.State, "3E")
	case ErrTimeout:
		return e.HTTPStatus == http.StatusRequestTimeout || e.State == StateTimeout
	case ErrUnavailable:
		return e.HTTPStatus == http.StatusServiceUnavailable || e.State == StateRemoteUnavailable
	}
	return false
}

// As lets errors.As fill a value target (*Error) as well as the usual
// pointer target (**Error).
func (e *Error) As(target any) bool {
	if t, ok := target.(*Error); ok {
		*t = *e
		return true
	}
	return false
}

func isAlreadyExistsState(s string) bool {
	if s == StateDuplicateObject {
		return true
	}
	// 42P04..42P09 and the six-character 42P010..42P020. 42P001/42P002 are
	// ambiguity errors, not duplicates.
	if !strings.HasPrefix(s, "42P") {
		return false
	}
	switch rest := s[3:]; len(rest) {
	case 2:
		return rest >= "04" && rest <= "09"
	case 3:
		return rest >= "010" && rest <= "020"
	}
	return false
}

// IsNotFound reports whether err says that an object does not exist. Drop
// statements can treat it as success to be idempotent.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsAlreadyExists reports whether err says that an object exists already.
// Create statements can treat it as success to be idempotent.
func IsAlreadyExists(err error) bool { return errors.Is(err, ErrAlreadyExists) }

// IsNotReady reports whether err says that an object is not ready yet; the
// caller may wait and try again.
func IsNotReady(err error) bool { return errors.Is(err, ErrNotReady) }

// statementError wraps an error that is not an *Error (a ctx error, a
// decoding error, a network failure) with the statement id it concerns.
type statementError struct {
	id  string
	op  string
	err error
}

func (e *statementError) Error() string {
	// The cause may be one of ours: say "deltastream:" once.
	cause := strings.TrimPrefix(e.err.Error(), "deltastream: ")
	if e.op != "" {
		return fmt.Sprintf("deltastream: statement %s: %s: %s", e.id, e.op, cause)
	}
	return fmt.Sprintf("deltastream: statement %s: %s", e.id, cause)
}

func (e *statementError) Unwrap() error { return e.err }

// StatementIDOf returns the id of the statement an error concerns, or "".
func StatementIDOf(err error) string {
	var de *Error
	if errors.As(err, &de) && de.StatementID != "" {
		return de.StatementID
	}
	var se *statementError
	if errors.As(err, &se) {
		return se.id
	}
	return ""
}

func withStatement(id, op string, err error) error {
	if err == nil || id == "" {
		return err
	}
	var de *Error
	if errors.As(err, &de) {
		if de.StatementID == "" {
			de.StatementID = id
		}
		return err
	}
	var se *statementError
	if errors.As(err, &se) && se.id == id {
		return err
	}
	return &statementError{id: id, op: op, err: err}
}
