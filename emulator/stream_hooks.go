package emulator

// appended records that this statement appended rows to relation id.
func (x *exec) appended(id int64) {
	if x.touched == nil {
		x.touched = map[int64]bool{}
	}
	x.touched[id] = true
}

// dispatchStreaming runs the statements of the streaming part of the
// emulator; ok=false for statements it does not know.
func (x *exec) dispatchStreaming(st any) (*result, bool, error) {
	return nil, false, nil
}

// runQueries runs the persistent queries over what this statement
// appended, inside its transaction.
func (x *exec) runQueries() error { return nil }

// planSource is the FROM of a plan over r.
func (x *exec) planSource(r *relation) string {
	if !x.streaming || r.system {
		return r.source
	}
	return "(SELECT * FROM " + logTable(r.id) + " WHERE _seq > ?1 AND _seq <= ?2)"
}
