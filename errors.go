package deltastream

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// SQL states the service reports (see the "SQL states" section of the
// protocol notes). Unknown states are kept verbatim in Error.State.
const (
	StateSuccess                      = "00000"  // success
	StateRunning                      = "03000"  // statement still running
	StateNoData                       = "02000"  // no data
	StateNotSupported                 = "0A000"  // feature not supported
	StateDependentObjects             = "2BP01"  // dependent objects still exist
	StateInsufficientPrivilege        = "42501"  // insufficient privilege
	StateSyntaxError                  = "42601"  // syntax error
	StateNameTooLong                  = "42622"  // name too long
	StateUserNotFound                 = "3D000"  // user not found
	StateRoleNotFound                 = "3D001"  // role not found
	StateDatabaseNotFound             = "3D002"  // database not found
	StateSchemaNotFound               = "3D003"  // schema not found
	StateOrganizationNotFound         = "3D004"  // organization not found
	StateRegionNotFound               = "3D005"  // region not found
	StateStoreNotFound                = "3D006"  // store not found
	StateTopicNotFound                = "3D007"  // topic not found
	StateInvalidParameter             = "3D008"  // invalid parameter
	StateSchemaRegistryNotFound       = "3D009"  // schema registry not found
	StateDescriptorNotFound           = "3D010"  // descriptor not found
	StateDescriptorSourceNotFound     = "3D011"  // descriptor source not found
	StateAPITokenNotFound             = "3D012"  // API token not found
	StateSecretNotFound               = "3D016"  // secret not found
	StateFunctionNotFound             = "3D017"  // function not found
	StateFunctionSourceNotFound       = "3D018"  // function source not found
	StateQueryNotFound                = "3D019"  // query not found
	StateRelationNotFound             = "3D020"  // relation not found
	StateMissingParameter             = "3D021"  // missing parameter
	StateComputePoolNotFound          = "3D023"  // compute pool not found
	StateStoreNotReady                = "3E001"  // store not ready
	StateSchemaRegistryNotReady       = "3E002"  // schema registry not ready
	StateRelationNotReady             = "3E003"  // relation not ready
	StateComputePoolNotReady          = "3E004"  // compute pool not ready
	StateDuplicateObject              = "42710"  // object already exists
	StateDuplicateDatabase            = "42P04"  // database already exists
	StateDuplicateStore               = "42P05"  // store already exists
	StateDuplicateSchema              = "42P06"  // schema already exists
	StateDuplicateUser                = "42P07"  // user already exists
	StateDuplicateDescriptor          = "42P08"  // topic descriptor already exists
	StateDuplicateAPIToken            = "42P09"  // API token already exists
	StateDuplicateSecurityIntegration = "42P010" // security integration already exists
	StateDuplicateRole                = "42P011" // role already exists
	StateDuplicateMetricsIntegration  = "42P012" // metrics integration already exists
	StateDuplicateSandbox             = "42P013" // sandbox already exists
	StateDuplicateSecret              = "42P014" // secret already exists
	StateDuplicateFunction            = "42P015" // function already exists
	StateDuplicateFunctionSource      = "42P016" // function source already exists
	StateDuplicateRelation            = "42P017" // relation already exists
	StateDuplicateSchemaRegistry      = "42P018" // schema registry already exists
	StateDuplicateComputePool         = "42P019" // compute pool already exists
	StateDuplicatePGUser              = "42P020" // PG user already exists
	StateAmbiguousOrganization        = "42P001" // ambiguous organization
	StateAmbiguousStore               = "42P002" // ambiguous store
	StateConfigLimitExceeded          = "53000"  // configuration limit exceeded
	StateCancelled                    = "57000"  // cancelled
	StateTimeout                      = "57014"  // statement timed out
	StateRemoteUnavailable            = "57015"  // remote unavailable
	StateInternalError                = "XX000"  // internal error
	StateUndefined                    = "XX001"  // undefined
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
	// ErrRedirected: the server answered with a redirect, which the driver
	// never follows (the token would go along); the error names the target.
	ErrRedirected = errors.New("deltastream: redirect refused")
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
	// The fields are clean when the driver built the error; an *Error
	// built elsewhere is cleaned here.
	return cleanServerText(b.String(), 2*maxErrorMessage)
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
	case ErrRedirected:
		return isRedirect(e.HTTPStatus)
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
	// The cause may be one of ours: say "deltastream:" once. The id and the
	// cause may hold what the server sent: escape it.
	cause := strings.TrimPrefix(e.err.Error(), "deltastream: ")
	id := cleanServerText(e.id, maxErrorField)
	if e.op != "" {
		return cleanServerText(fmt.Sprintf("deltastream: statement %s: %s: %s", id, e.op, cause), maxErrorMessage)
	}
	return cleanServerText(fmt.Sprintf("deltastream: statement %s: %s", id, cause), maxErrorMessage)
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

// Caps on what the server sent that an error keeps: a message (a 200 SQL
// error's or a non-2xx body's) and the short fields (SQL state, statement
// id, trace id).
const (
	maxErrorMessage = 16 << 10
	maxErrorField   = 256
)

// minMaskedSecret is the shortest secret masked inside a longer text: a
// shorter one would garble every message that happens to contain it (real
// API and dataplane tokens are far longer). A field equal to a shorter
// secret is still masked.
const minMaskedSecret = 8

// masked replaces a secret in a text.
const masked = "xxxxx"

// sentSecrets holds the tokens the driver has sent lately (API tokens and
// dataplane tokens, of every connector in the process), so that an error
// can mask them wherever it is formatted, far from the request that
// carried them. It keeps the last maxSentSecrets distinct ones.
var sentSecrets secretSet

const maxSentSecrets = 32

// secretSet is a small, bounded, concurrency-safe set of secrets.
type secretSet struct {
	mu   sync.RWMutex
	last string
	all  []string
	next int // where the next one goes once all is full
}

// add remembers a secret the driver is about to send. The common case, the
// same token as last time, costs one comparison under a read lock.
func (s *secretSet) add(secret string) {
	if len(secret) < minMaskedSecret {
		return
	}
	s.mu.RLock()
	known := secret == s.last || slices.Contains(s.all, secret)
	s.mu.RUnlock()
	if known {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = secret
	if slices.Contains(s.all, secret) {
		return
	}
	if len(s.all) < maxSentSecrets {
		s.all = append(s.all, secret)
		return
	}
	s.all[s.next] = secret
	s.next = (s.next + 1) % maxSentSecrets
}

// mask replaces every secret of the set in text.
func (s *secretSet) mask(text string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sec := range s.all {
		if strings.Contains(text, sec) {
			text = strings.ReplaceAll(text, sec, masked)
		}
	}
	return text
}

// serverError builds an *Error from what the server sent. It is the one
// place where server text enters an *Error: every field goes through
// cleanServerText, so the token (and any other secret the request or the
// answer carried) never shows and control characters cannot forge log
// lines or drive a terminal.
func serverError(status int, state, message, stmtID, traceID string, secrets ...string) *Error {
	return &Error{
		HTTPStatus:  status,
		State:       cleanServerText(state, maxErrorField, secrets...),
		Message:     cleanServerText(message, maxErrorMessage, secrets...),
		StatementID: cleanServerText(stmtID, maxErrorField, secrets...),
		TraceID:     cleanServerText(traceID, maxErrorField, secrets...),
	}
}

// cleanServerText makes s, a text the server sent (already decoded from
// JSON), safe to put in an error, a log line or a terminal:
//
//   - every occurrence of each secret, and of every token the driver has
//     sent lately (sentSecrets), is replaced by xxxxx;
//   - control characters (C0, DEL, C1), line and paragraph separators and
//     bidirectional overrides are escaped Go-style (\n, \x1b, \u202e), and
//     so are bytes that are not UTF-8;
//   - at most about limit bytes are kept; the rest is replaced by a note
//     saying how long the text was.
func cleanServerText(s string, limit int, secrets ...string) string {
	s = sentSecrets.mask(s)
	for _, sec := range secrets {
		switch {
		case sec == "":
		case s == sec:
			s = masked
		case len(sec) >= minMaskedSecret:
			s = strings.ReplaceAll(s, sec, masked)
		}
	}
	if len(s) <= limit && isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), limit) + 16)
	for i := 0; i < len(s); {
		if b.Len() >= limit {
			fmt.Fprintf(&b, "… (%d bytes in all)", len(s))
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isPlain reports whether s needs no escaping: printable ASCII only, or
// UTF-8 without any rune cleanServerText escapes.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		} else if c >= 0x80 {
			for _, r := range s[i:] {
				if r == utf8.RuneError || r < 0x20 || r == 0x7f || unsafeRune(r) {
					return false
				}
			}
			return utf8.ValidString(s[i:])
		}
	}
	return true
}

// unsafeRune reports the non-ASCII runes that can disguise text on a
// terminal or in a log: C1 controls, line and paragraph separators, and
// the bidirectional marks, embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
