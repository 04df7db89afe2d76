package server

import (
	"slices"
	"strconv"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// KeyOrder is the order of the keys of every JSON object the server writes:
// result sets, their metadata, columns, context and dataplane request,
// error bodies, version answers and WebSocket frames. Both orders carry the
// same keys and values; only the order differs.
type KeyOrder int

const (
	// ServiceOrder, the default, writes the keys of every object in
	// alphabetical (byte) order at every level, as DeltaStream's service
	// does: {"createdOn","data","message","metadata":{"columns","context",
	// "dataplaneRequest","encoding","partitionInfo"},"sqlState",
	// "statementID","statementIDs"}, a column {"display_hint","name",
	// "nullable","type"}, a frame {"columns"|"data","headers","type"}. So
	// `data` comes before `metadata` and `sqlState`.
	ServiceOrder KeyOrder = iota
	// LegacyOrder writes sqlState, message, statementID, statementIDs,
	// createdOn, metadata and data last; nested objects and frames follow
	// the field order of the types in internal/wire ("type" first in a
	// frame). It is the order of the hand-written fixtures in the official
	// clients' repositories, kept so that tests can cover both.
	LegacyOrder
)

// String returns the name of the order.
func (o KeyOrder) String() string {
	switch o {
	case ServiceOrder:
		return "ServiceOrder"
	case LegacyOrder:
		return "LegacyOrder"
	}
	return "KeyOrder(" + strconv.Itoa(int(o)) + ")"
}

// valid reports whether o is a known order.
func (o KeyOrder) valid() bool { return o == ServiceOrder || o == LegacyOrder }

// keys lists the keys of one kind of JSON object, with the order in which
// each KeyOrder writes them. Encoders switch on the key's index, so that
// each object is written in one pass without sorting at run time.
type keys struct {
	names []string
	order [2][]int // by KeyOrder: indexes into names
}

// newKeys declares an object's keys in legacy order; the service order is
// derived by sorting them, so it cannot be got wrong by hand.
func newKeys(names ...string) *keys {
	legacy := make([]int, len(names))
	for i := range legacy {
		legacy[i] = i
	}
	service := slices.Clone(legacy)
	slices.SortStableFunc(service, func(a, b int) int {
		switch {
		case names[a] < names[b]:
			return -1
		case names[a] > names[b]:
			return 1
		}
		return 0
	})
	k := &keys{names: names}
	k.order[ServiceOrder], k.order[LegacyOrder] = service, legacy
	return k
}

// Key indexes, in the legacy order of each object.
const (
	rsSQLState = iota
	rsMessage
	rsStatementID
	rsStatementIDs
	rsCreatedOn
	rsMetadata
	rsData
)

const (
	mdEncoding = iota
	mdPartitionInfo
	mdColumns
	mdContext
	mdDataplaneRequest
)

const (
	colName = iota
	colType
	colNullable
	colDisplayHint
	colLength
	colPrecision
	colScale
)

const (
	ctxOrganizationID = iota
	ctxRoleName
	ctxDatabaseName
	ctxSchemaName
	ctxStoreName
	ctxComputePoolName
)

const (
	dpToken = iota
	dpURI
	dpStatementID
	dpQueryID
	dpRequestType
)

const (
	errMessage = iota
	errTraceID
	errSQLState
)

const (
	frType = iota
	frHeaders
	frColumns
	frData
	frMessage
	frSQLCode
)

var (
	resultSetKeys = newKeys("sqlState", "message", "statementID", "statementIDs", "createdOn", "metadata", "data")
	metadataKeys  = newKeys("encoding", "partitionInfo", "columns", "context", "dataplaneRequest")
	columnKeys    = newKeys("name", "type", "nullable", "display_hint", "length", "precision", "scale")
	contextKeys   = newKeys("organizationID", "roleName", "databaseName", "schemaName", "storeName", "computePoolName")
	dataplaneKeys = newKeys("token", "uri", "statementID", "queryID", "requestType")
	errorKeys     = newKeys("message", "traceID", "sqlState")
	frameKeys     = newKeys("type", "headers", "columns", "data", "message", "sqlCode")
)

// object appends the members of one JSON object to b.
type object struct {
	b []byte
	n int // members written so far
}

// key starts the member named name.
func (o *object) key(name string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

// str writes a string member.
func (o *object) str(name, v string) {
	o.key(name)
	o.b = appendString(o.b, v)
}

// strOpt writes a string member unless v is empty.
func (o *object) strOpt(name, v string) {
	if v != "" {
		o.str(name, v)
	}
}

// intOpt writes an integer member unless p is nil.
func (o *object) intOpt(name string, p *int64) {
	if p != nil {
		o.key(name)
		o.b = strconv.AppendInt(o.b, *p, 10)
	}
}

// dataMode says how a result-set answer carries `data`.
type dataMode int

const (
	noData    dataMode = iota // no data key (SQL errors, 202 answers)
	emptyData                 // "data":[] (dataplane answers on the control plane)
	splitData                 // the partition goes here: the answer is split around it
)

// resultHead is a result-set answer without its rows.
type resultHead struct {
	sqlState     string
	message      string
	statementID  string
	statementIDs []string
	createdOn    int64
	meta         *wire.Metadata // nil: no metadata key
	data         dataMode
}

// encodeResult encodes h in order ko. With splitData, pre ends just after
// `"data":` and the partition's JSON array goes between pre and post;
// otherwise pre is the whole answer and post is nil.
func encodeResult(ko KeyOrder, h *resultHead) (pre, post []byte) {
	o := object{b: make([]byte, 0, 256)}
	o.b = append(o.b, '{')
	split := -1
	for _, k := range resultSetKeys.order[ko] {
		name := resultSetKeys.names[k]
		switch k {
		case rsSQLState:
			o.str(name, h.sqlState)
		case rsMessage:
			o.strOpt(name, h.message)
		case rsStatementID:
			o.str(name, h.statementID)
		case rsStatementIDs:
			if len(h.statementIDs) > 0 {
				o.key(name)
				o.b = appendStrings(o.b, h.statementIDs)
			}
		case rsCreatedOn:
			o.key(name)
			o.b = strconv.AppendInt(o.b, h.createdOn, 10)
		case rsMetadata:
			if h.meta != nil {
				o.key(name)
				o.b = appendMetadata(o.b, ko, h.meta)
			}
		case rsData:
			switch h.data {
			case emptyData:
				o.key(name)
				o.b = append(o.b, emptyArray...)
			case splitData:
				o.key(name)
				split = len(o.b)
			}
		}
	}
	o.b = append(o.b, '}')
	if split < 0 {
		return o.b, nil
	}
	return o.b[:split:split], o.b[split:]
}

// appendMetadata appends md. A nil Context is written as {}: the service
// always sends one.
func appendMetadata(b []byte, ko KeyOrder, md *wire.Metadata) []byte {
	o := object{b: append(b, '{')}
	for _, k := range metadataKeys.order[ko] {
		name := metadataKeys.names[k]
		switch k {
		case mdEncoding:
			o.str(name, md.Encoding)
		case mdPartitionInfo:
			o.key(name)
			if md.PartitionInfo == nil {
				o.b = append(o.b, "null"...)
				continue
			}
			o.b = append(o.b, '[')
			for i, p := range md.PartitionInfo {
				if i > 0 {
					o.b = append(o.b, ',')
				}
				o.b = append(o.b, `{"rowCount":`...)
				o.b = strconv.AppendInt(o.b, p.RowCount, 10)
				o.b = append(o.b, '}')
			}
			o.b = append(o.b, ']')
		case mdColumns:
			o.key(name)
			o.b = appendColumns(o.b, ko, md.Columns)
		case mdContext:
			o.key(name)
			o.b = appendContext(o.b, ko, md.Context)
		case mdDataplaneRequest:
			if md.DataplaneRequest != nil {
				o.key(name)
				o.b = appendDataplaneRequest(o.b, ko, md.DataplaneRequest)
			}
		}
	}
	return append(o.b, '}')
}

// appendColumns appends cols as a JSON array; nil is null.
func appendColumns(b []byte, ko KeyOrder, cols []wire.Column) []byte {
	if cols == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendColumn(b, ko, &cols[i])
	}
	return append(b, ']')
}

// appendColumn appends one column; unset optional members are left out.
func appendColumn(b []byte, ko KeyOrder, c *wire.Column) []byte {
	o := object{b: append(b, '{')}
	for _, k := range columnKeys.order[ko] {
		name := columnKeys.names[k]
		switch k {
		case colName:
			o.str(name, c.Name)
		case colType:
			o.str(name, c.Type)
		case colNullable:
			if c.Nullable != nil {
				o.key(name)
				o.b = strconv.AppendBool(o.b, *c.Nullable)
			}
		case colDisplayHint:
			o.strOpt(name, c.DisplayHint)
		case colLength:
			o.intOpt(name, c.Length)
		case colPrecision:
			o.intOpt(name, c.Precision)
		case colScale:
			o.intOpt(name, c.Scale)
		}
	}
	return append(o.b, '}')
}

// appendContext appends c, leaving out empty fields; nil is {}.
func appendContext(b []byte, ko KeyOrder, c *wire.Context) []byte {
	if c == nil {
		return append(b, '{', '}')
	}
	o := object{b: append(b, '{')}
	for _, k := range contextKeys.order[ko] {
		name := contextKeys.names[k]
		switch k {
		case ctxOrganizationID:
			o.strOpt(name, c.OrganizationID)
		case ctxRoleName:
			o.strOpt(name, c.RoleName)
		case ctxDatabaseName:
			o.strOpt(name, c.DatabaseName)
		case ctxSchemaName:
			o.strOpt(name, c.SchemaName)
		case ctxStoreName:
			o.strOpt(name, c.StoreName)
		case ctxComputePoolName:
			o.strOpt(name, c.ComputePoolName)
		}
	}
	return append(o.b, '}')
}

// appendDataplaneRequest appends d; an empty QueryID is left out.
func appendDataplaneRequest(b []byte, ko KeyOrder, d *wire.DataplaneRequest) []byte {
	o := object{b: append(b, '{')}
	for _, k := range dataplaneKeys.order[ko] {
		name := dataplaneKeys.names[k]
		switch k {
		case dpToken:
			o.str(name, d.Token)
		case dpURI:
			o.str(name, d.URI)
		case dpStatementID:
			o.str(name, d.StatementID)
		case dpQueryID:
			o.strOpt(name, d.QueryID)
		case dpRequestType:
			o.str(name, d.RequestType)
		}
	}
	return append(o.b, '}')
}

// encodeError encodes a non-2xx JSON error body.
func encodeError(ko KeyOrder, e *wire.ErrorResponse) []byte {
	o := object{b: make([]byte, 0, 64+len(e.Message))}
	o.b = append(o.b, '{')
	for _, k := range errorKeys.order[ko] {
		name := errorKeys.names[k]
		switch k {
		case errMessage:
			o.str(name, e.Message)
		case errTraceID:
			o.strOpt(name, e.TraceID)
		case errSQLState:
			o.strOpt(name, e.SQLState)
		}
	}
	return append(o.b, '}')
}

// appendFrame appends a server WebSocket frame: metadata (Columns, even
// empty), data (Data, even empty) or error (Message, SQLCode). Headers is
// always {}.
func appendFrame(b []byte, ko KeyOrder, f *wire.Frame) []byte {
	o := object{b: append(b, '{')}
	for _, k := range frameKeys.order[ko] {
		name := frameKeys.names[k]
		switch k {
		case frType:
			o.str(name, f.Type)
		case frHeaders:
			o.key(name)
			o.b = append(o.b, '{', '}')
		case frColumns:
			if f.Type == wire.FrameMetadata {
				o.key(name)
				if f.Columns == nil {
					o.b = append(o.b, emptyArray...)
				} else {
					o.b = appendColumns(o.b, ko, f.Columns)
				}
			}
		case frData:
			if f.Type == wire.FrameData {
				o.key(name)
				o.b = appendRow(o.b, f.Data)
			}
		case frMessage:
			if f.Type == wire.FrameError {
				o.str(name, f.Message)
			}
		case frSQLCode:
			if f.Type == wire.FrameError {
				o.str(name, f.SQLCode)
			}
		}
	}
	return append(o.b, '}')
}

// appendStrings appends ss as a JSON array of strings.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}
