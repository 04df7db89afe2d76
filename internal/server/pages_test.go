package server

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// countingPages produces partitions of size rows numbered from 0 and
// counts how often each was asked for.
type countingPages struct {
	counts []int64
	fail   int // partition that fails; -1 for none
	short  int // partition that comes out one row short; -1 for none
	mu     sync.Mutex
	asked  map[int]int
}

func (p *countingPages) RowCounts() []int64 { return p.counts }

func (p *countingPages) Page(n int) (Partition, error) {
	p.mu.Lock()
	p.asked[n]++
	p.mu.Unlock()
	if n == p.fail {
		return Partition{}, errors.New("the view was dropped")
	}
	rows := int(p.counts[n])
	if n == p.short {
		rows--
	}
	var out [][]*string
	for i := 0; i < rows; i++ {
		out = append(out, []*string{sp(strconv.Itoa(n) + "-" + strconv.Itoa(i))})
	}
	return NewPartition(out), nil
}

func TestPagesProducedOnDemand(t *testing.T) {
	for _, dataplane := range []bool{false, true} {
		t.Run("dataplane="+strconv.FormatBool(dataplane), func(t *testing.T) {
			pages := &countingPages{counts: []int64{2, 2, 1, 3}, fail: 2, short: 3, asked: map[int]int{}}
			h := newHarness(t, Config{Engine: answerAll(Outcome{Pages: pages, Dataplane: dataplane})})
			rs := h.submitSQL("SELECT * FROM big;").resultSet(t)
			get := func(n int) response {
				path := "/v2/statements/" + rs.StatementID + "?partitionID=" + strconv.Itoa(n)
				if dataplane {
					return h.dpGet("/v2/statements/"+rs.StatementID+"?partitionID="+strconv.Itoa(n), rs.Metadata.DataplaneRequest.Token)
				}
				return h.get(path)
			}
			first := rs
			if dataplane {
				first = get(0).resultSet(t)
			}
			require.Len(t, first.Metadata.PartitionInfo, 4)
			require.Equal(t, int64(3), first.Metadata.PartitionInfo[3].RowCount)
			require.Equal(t, [][]string{{"0-0"}, {"0-1"}}, cells(first.Data))
			p1 := get(1)
			require.Equal(t, http.StatusOK, p1.status)
			require.Equal(t, [][]string{{"1-0"}, {"1-1"}}, cells(p1.resultSet(t).Data))
			require.Equal(t, http.StatusOK, get(1).status) // asked again, produced again

			failed := get(2)
			require.Equal(t, http.StatusInternalServerError, failed.status)
			require.Contains(t, failed.errorBody(t).Message, "the view was dropped")
			short := get(3)
			require.Equal(t, http.StatusInternalServerError, short.status)
			require.Contains(t, short.errorBody(t).Message, "not the 3 announced")
			require.Equal(t, http.StatusBadRequest, get(4).status)

			pages.mu.Lock()
			defer pages.mu.Unlock()
			require.Equal(t, 2, pages.asked[1])
		})
	}
}
