package server

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// TestWireInterop checks the server against the client side of
// internal/wire: the driver's multipart encoder and its streaming decoder,
// in both key orders.
func TestWireInterop(t *testing.T) {
	for _, order := range testOrders(t) {
		t.Run(order.String(), func(t *testing.T) { testWireInterop(t, order) })
	}
}

func testWireInterop(t *testing.T, order KeyOrder) {
	var got *Submission
	values := []string{"plain", "quote \" backslash \\ newline \n tab \t", "é€😀", "\x01", ""}
	var rows [][]*string
	for i := range values {
		rows = append(rows, []*string{&values[i], nil})
	}
	h := newHarness(t, Config{KeyOrder: order, Engine: engineFunc(func(sub *Submission) []*Outcome {
		got = sub
		return []*Outcome{{Partitions: SplitRows(rows, 2)}}
	})})

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	req := &wire.StatementRequest{Statement: `CREATE FUNCTION_SOURCE "udf" WITH ('file' = 'my "udf".jar');`, Role: "r"}
	require.NoError(t, wire.WriteStatement(mw, req, []wire.Attachment{{Name: `my "udf".jar`, R: strings.NewReader("JAR")}}))
	r := h.do(http.MethodPost, h.ts.URL+"/v2/statements", testToken, mw.FormDataContentType(), body.Bytes())
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	require.NotNil(t, got)
	assert.Equal(t, *req, *got.Request)
	assert.Equal(t, []Attachment{{Name: `my "udf".jar`, Data: []byte("JAR")}}, got.Attachments)

	id := r.resultSet(t).StatementID
	var decoded []string
	for p := range 3 {
		g := h.get("/v2/statements/" + id + "?partitionID=" + string(rune('0'+p)))
		require.Equal(t, http.StatusOK, g.status)
		d := wire.NewDecoder(bytes.NewReader(g.body))
		head, err := d.Head()
		require.NoError(t, err)
		var row wire.Row
		for {
			ok, err := d.Next(&row)
			require.NoError(t, err)
			if !ok {
				break
			}
			require.Equal(t, 2, row.Len())
			c, null := row.Cell(0)
			require.False(t, null)
			decoded = append(decoded, string(c))
			_, null = row.Cell(1)
			assert.True(t, null)
		}
		// In the service's order the header follows the rows.
		require.NoError(t, d.Tail(head))
		assert.Equal(t, wire.StateSuccess, head.SQLState)
		require.NotNil(t, head.Metadata)
		assert.Len(t, head.Metadata.PartitionInfo, 3)
	}
	assert.Equal(t, values, decoded)
}
