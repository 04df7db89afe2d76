package emulator

// objKind is a kind of catalog object as DeltaStream SQL names it.
type objKind string

// The object kinds of CREATE, DROP, USE, LIST and DESCRIBE.
const (
	kindDatabase         objKind = "database"
	kindSchema           objKind = "schema"
	kindStore            objKind = "store"
	kindEntity           objKind = "entity"
	kindStream           objKind = "stream"
	kindChangelog        objKind = "changelog"
	kindMaterializedView objKind = "materialized_view"
	kindRelation         objKind = "relation"
	kindSecret           objKind = "secret"
	kindSchemaRegistry   objKind = "schema_registry"
	kindComputePool      objKind = "compute_pool"
	kindFunctionSource   objKind = "function_source"
	kindDescriptorSource objKind = "descriptor_source"
	kindFunction         objKind = "function"
	kindRole             objKind = "role"
	kindQuery            objKind = "query"
)

// qname is a possibly qualified name, each part already case-folded
// (unquoted parts lower-cased, quoted parts as written).
type qname struct {
	parts []string
	pos   int // byte offset of the first part
}

func (q qname) last() string {
	if len(q.parts) == 0 {
		return ""
	}
	return q.parts[len(q.parts)-1]
}

// prop is one WITH property. A bare key (WITH ('from_beginning')) has an
// empty value.
type prop struct {
	key, value string
}

// colDef is one column of CREATE STREAM/CHANGELOG.
type colDef struct {
	name    string
	typ     string // canonical type string
	notNull bool
}

// createStmt is CREATE <kind> name ....
type createStmt struct {
	kind        objKind
	name        qname
	ifNotExists bool
	in          qname // IN DATABASE d (schema), IN STORE s (entity)
	columns     []colDef
	primaryKey  []string
	props       []prop
	asSelect    *selectStmt // CREATE ... AS SELECT
	selectText  string
}

// dropStmt is DROP <kind> name.
type dropStmt struct {
	kind     objKind
	name     qname
	ifExists bool
	in       qname // IN STORE s (entity)
}

// useStmt is USE <kind> name.
type useStmt struct {
	kind objKind
	name qname
}

// listStmt is LIST <things> [IN ...].
type listStmt struct {
	what objKind
	in   qname // IN DATABASE d / IN SCHEMA d.s / IN STORE s
}

// describeStmt is DESCRIBE <kind> [COLUMNS] name.
type describeStmt struct {
	kind    objKind
	columns bool
	name    qname
	in      qname
}

// insertStmt is INSERT INTO rel [(cols)] VALUES (...), ....
type insertStmt struct {
	rel     qname
	columns []string
	rows    [][]expr
}
