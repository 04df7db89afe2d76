package dstest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

// BenchmarkPartitionedResult pulls 200,000 rows of 12 columns over 20
// partitions through the server per iteration: one POST (partition 0) and
// 19 partition GETs, bodies read and discarded. It measures what the
// server adds to a client's bulk read, in each key order.
func BenchmarkPartitionedResult(b *testing.B) {
	for _, order := range []dstest.KeyOrder{dstest.ServiceOrder, dstest.LegacyOrder} {
		b.Run(order.String(), func(b *testing.B) { benchmarkPartitionedResult(b, order) })
	}
}

func benchmarkPartitionedResult(b *testing.B, order dstest.KeyOrder) {
	const nRows, nCols, nParts = 200_000, 12, 20
	srv := dstest.NewServer(b, dstest.WithKeyOrder(order))
	cols := make([]dstest.Column, nCols)
	for i := range cols {
		cols[i] = dstest.Col("c"+strconv.Itoa(i), "VARCHAR")
	}
	rows := make([][]any, nRows)
	for r := range rows {
		row := make([]any, nCols)
		for c := range row {
			switch c % 3 {
			case 0:
				row[c] = strconv.Itoa(r*nCols + c)
			case 1:
				row[c] = "value \"quoted\" " + strconv.Itoa(r)
			default:
				row[c] = nil
			}
		}
		rows[r] = row
	}
	const sql = "SELECT * FROM big;"
	srv.On(sql).Columns(cols...).Rows(rows...).PartitionSize(nRows / nParts)
	httpc := srv.Client()

	read := func(req *http.Request) int64 {
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := httpc.Do(req)
		require.NoError(b, err)
		defer resp.Body.Close()
		require.Equal(b, http.StatusOK, resp.StatusCode)
		n, err := io.Copy(io.Discard, resp.Body)
		require.NoError(b, err)
		return n
	}
	pull := func() (id string, total int64) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/statements", strings.NewReader(`{"statement":"`+sql+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := httpc.Do(req)
		require.NoError(b, err)
		body, err := io.ReadAll(resp.Body) // the statement id comes first or last
		resp.Body.Close()
		require.NoError(b, err)
		total = int64(len(body))
		i := bytes.LastIndex(body, []byte(`"statementID":"`))
		require.GreaterOrEqual(b, i, 0)
		id = string(body[i+15 : i+15+36])
		for p := 1; p < nParts; p++ {
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/statements/%s?partitionID=%d", srv.URL(), id, p), nil)
			total += read(req)
		}
		return id, total
	}
	_, total := pull() // encodes the partitions once
	srv.ResetRequests()
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pull()
	}
	b.StopTimer()
	b.ReportMetric(float64(nRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
