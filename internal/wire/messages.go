// Package wire holds the DeltaStream v2 protocol as data: the JSON shapes of
// requests, responses and WebSocket frames, shared by the driver and by the
// servers in this module (dstest, the emulator) so that neither side can drift
// from the other silently.
package wire

import "encoding/json"

// SQL states with a protocol meaning.
const (
	StateSuccess = "00000" // statement finished; the body is a result set
	StateRunning = "03000" // statement still running; poll again
)

// Dataplane request types.
const (
	RequestResultSet = "result-set" // rows are paged from the dataplane over REST
	RequestStreaming = "streaming"  // rows arrive over a WebSocket
)

// StatementRequest is the JSON of the multipart part named "request" of
// POST /statements. Only Statement is required.
type StatementRequest struct {
	Statement    string      `json:"statement"`
	Organization string      `json:"organization,omitempty"`
	Role         string      `json:"role,omitempty"`
	Database     string      `json:"database,omitempty"`
	Schema       string      `json:"schema,omitempty"`
	Store        string      `json:"store,omitempty"`
	ComputePool  string      `json:"computePool,omitempty"`
	Parameters   *Parameters `json:"parameters,omitempty"`
}

// Parameters are the request parameters of a statement.
type Parameters struct {
	Timezone  string `json:"timezone,omitempty"`
	SessionID string `json:"sessionID,omitempty"`
}

// ResultSet is the body of a 200 (and, without metadata, of a 202) answer to
// POST /statements and GET /statements/{id}. Data holds one partition.
type ResultSet struct {
	SQLState     string      `json:"sqlState"`
	Message      string      `json:"message,omitempty"`
	StatementID  string      `json:"statementID"`
	StatementIDs []string    `json:"statementIDs,omitempty"`
	CreatedOn    int64       `json:"createdOn"`
	Metadata     *Metadata   `json:"metadata,omitempty"`
	Data         [][]*string `json:"data,omitempty"`
}

// Metadata describes a result set.
type Metadata struct {
	Encoding         string            `json:"encoding"`
	PartitionInfo    []PartitionInfo   `json:"partitionInfo"`
	Columns          []Column          `json:"columns"`
	Context          *Context          `json:"context,omitempty"`
	DataplaneRequest *DataplaneRequest `json:"dataplaneRequest,omitempty"`
}

// PartitionInfo describes one partition of a result.
type PartitionInfo struct {
	RowCount int64 `json:"rowCount"`
}

// Column describes one result column. REST results carry name, type,
// nullable and display_hint; the WebSocket metadata frame may add length,
// precision and scale. A missing Nullable means nullable.
type Column struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Nullable    *bool  `json:"nullable,omitempty"`
	DisplayHint string `json:"display_hint,omitempty"`
	Length      *int64 `json:"length,omitempty"`
	Precision   *int64 `json:"precision,omitempty"`
	Scale       *int64 `json:"scale,omitempty"`
}

// IsNullable reports whether the column may hold NULL (true when unsaid).
func (c *Column) IsNullable() bool { return c.Nullable == nil || *c.Nullable }

// Context is the effective session context the service returns with a
// result. An empty field means unchanged.
type Context struct {
	OrganizationID  string `json:"organizationID,omitempty"`
	RoleName        string `json:"roleName,omitempty"`
	DatabaseName    string `json:"databaseName,omitempty"`
	SchemaName      string `json:"schemaName,omitempty"`
	StoreName       string `json:"storeName,omitempty"`
	ComputePoolName string `json:"computePoolName,omitempty"`
}

// DataplaneRequest says that the rows of a result live on the dataplane.
type DataplaneRequest struct {
	Token       string `json:"token"`
	URI         string `json:"uri"`
	StatementID string `json:"statementID"`
	QueryID     string `json:"queryID,omitempty"`
	RequestType string `json:"requestType"`
}

// ErrorResponse is the JSON body of a non-2xx answer. SQLState is present on
// some 400 answers.
type ErrorResponse struct {
	Message  string `json:"message"`
	TraceID  string `json:"traceID,omitempty"`
	SQLState string `json:"sqlState,omitempty"`
}

// Version is the body of GET /version.
type Version struct {
	Major int `json:"major"`
	Minor int `json:"minor"`
	Patch int `json:"patch"`
}

// WebSocket frame types.
const (
	FrameAuth     = "auth"
	FrameMetadata = "metadata"
	FrameData     = "data"
	FrameError    = "error"
)

// AuthFrame is the client's first text frame on a dataplane WebSocket.
type AuthFrame struct {
	Type        string `json:"type"`
	AccessToken string `json:"accessToken"`
	SessionID   string `json:"sessionId"`
}

// Frame is a server frame on a dataplane WebSocket: metadata (Columns), data
// (Data, one row) or error (Message, SQLCode).
type Frame struct {
	Type    string          `json:"type"`
	Headers json.RawMessage `json:"headers,omitempty"`
	Columns []Column        `json:"columns,omitempty"`
	Data    []*string       `json:"data,omitempty"`
	Message string          `json:"message,omitempty"`
	SQLCode string          `json:"sqlCode,omitempty"`
}

// SessionIDHeader is the optional WebSocket handshake header that carries
// the session id.
const SessionIDHeader = "ds-session-id"

// Multipart part names of POST /statements.
const (
	PartRequest     = "request"
	PartAttachments = "attachments"
)
