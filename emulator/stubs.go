package emulator

func (x *exec) create(*createStmt) (*result, error)     { return nil, unsupported("CREATE") }
func (x *exec) drop(*dropStmt) (*result, error)         { return nil, unsupported("DROP") }
func (x *exec) use(*useStmt) (*result, error)           { return nil, unsupported("USE") }
func (x *exec) describe(*describeStmt) (*result, error) { return nil, unsupported("DESCRIBE") }
func (x *exec) insert(*insertStmt) (*result, error)     { return nil, unsupported("INSERT") }
func (x *exec) query(*selectStmt) (*result, error)      { return nil, unsupported("SELECT") }
func (e *engine) Download(kind, org, name string) ([]byte, bool) { return nil, false }
