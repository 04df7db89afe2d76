package server

import "fmt"

// PageSource produces the partitions of a result on demand, so that a
// result too large to keep encoded in memory can still be paged out (see
// Outcome.Pages). The server asks for a partition each time a request
// needs it and keeps nothing but the row counts.
//
// Implementations must be safe for concurrent use.
type PageSource interface {
	// RowCounts returns the number of rows of every partition. The server
	// calls it once, when it creates the statement; the partitions later
	// returned by Page must hold exactly these numbers of rows.
	RowCounts() []int64
	// Page encodes partition n, 0 <= n < len(RowCounts()). It may be
	// called any number of times for the same n. An error answers that
	// request with 500 and the error's text.
	Page(n int) (Partition, error)
}

// rowCounts returns the partition row counts of o: from o.Pages when it
// is set, else from o.Partitions.
func rowCounts(o *Outcome) []int64 {
	if o.Pages != nil {
		return o.Pages.RowCounts()
	}
	counts := make([]int64, len(o.Partitions))
	for i, p := range o.Partitions {
		counts[i] = p.RowCount()
	}
	return counts
}

// partitionJSON returns the `data` array of partition n (which must be in
// range) of a finished statement.
func (st *statement) partitionJSON(n int) ([]byte, error) {
	if st.out.Pages == nil {
		return st.out.Partitions[n].JSON(), nil
	}
	p, err := st.out.Pages.Page(n)
	if err != nil {
		return nil, err
	}
	if p.RowCount() != st.rowCounts[n] {
		return nil, fmt.Errorf("partition %d has %d rows, not the %d announced", n, p.RowCount(), st.rowCounts[n])
	}
	return p.JSON(), nil
}
