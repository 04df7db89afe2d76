package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaults(t *testing.T) {
	parts := []Partition{NewPartition(rowsOf([]string{"hello"}))}
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		wantErr    bool   // transport or body error
		wantBody   string // exact body, if set
		shortBody  bool   // body shorter than a full answer, no error
		wantHeader string // Retry-After value
		processed  bool   // the statement was created
	}{
		{"status", Fault{Status: 503, Body: "busy", Header: http.Header{"Retry-After": {"1"}}}, 503, false, "busy", false, "1", false},
		{"header only", Fault{Header: http.Header{"Retry-After": {"2"}}}, 200, false, "", false, "2", true},
		{"replace", Fault{Replace: "<html>"}, 200, false, "<html>", false, "", true},
		{"delay", Fault{Delay: time.Millisecond}, 200, false, "", false, "", true},
		{"reset before", Fault{ResetAfter: -1}, 0, true, "", false, "", false},
		{"reset after", Fault{ResetAfter: 10}, 200, true, "", false, "", true},
		{"truncate", Fault{Truncate: 10}, 200, false, "", true, "", true},
		{"truncate to nothing", Fault{Truncate: -1}, 200, false, "", true, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var executed atomic.Int32
			h := newHarness(t, Config{Engine: engineFunc(func(sub *Submission) []*Outcome {
				executed.Add(1)
				return []*Outcome{{Partitions: parts}}
			})})
			var seen atomic.Int32
			h.srv.SetFault(func(r *Request, n int) *Fault {
				seen.Store(int32(n))
				assert.Equal(t, "SELECT 1;", r.Statement.Statement)
				f := tt.fault
				return &f
			})
			body, ct := multipartBody(t, wireReq("SELECT 1;"))
			req, err := http.NewRequest(http.MethodPost, h.ts.URL+"/v2/statements", bytesReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("Content-Type", ct)
			resp, err := h.ts.Client().Do(req)
			if err == nil {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					assert.Equal(t, tt.wantStatus, resp.StatusCode)
					assert.Equal(t, tt.wantHeader, resp.Header.Get("Retry-After"))
					if tt.wantBody != "" {
						assert.Equal(t, tt.wantBody, string(b))
					}
					if tt.shortBody {
						assert.Less(t, len(b), 11)
					}
				}
			}
			assert.Equal(t, tt.wantErr, err != nil, "err: %v", err)
			assert.Equal(t, tt.processed, executed.Load() == 1)
			assert.Equal(t, int32(1), seen.Load())
		})
	}
}

func TestFaultHangAndDelayEndWithClient(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
	}{
		{"hang", Fault{Hang: true}},
		{"long delay", Fault{Delay: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Engine: answerAll(Outcome{})})
			arrived := make(chan struct{}, 1)
			h.srv.SetFault(func(*Request, int) *Fault {
				arrived <- struct{}{}
				f := tt.fault
				return &f
			})
			ctx, cancel := context.WithCancel(context.Background())
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.ts.URL+"/v2/version", nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+testToken)
			done := make(chan error, 1)
			go func() {
				resp, err := h.ts.Client().Do(req)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			<-arrived
			cancel()
			assert.True(t, errors.Is(<-done, context.Canceled))
		})
	}
}

func TestFaultHangEndsOnClose(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	arrived := make(chan struct{}, 1)
	h.srv.SetFault(func(*Request, int) *Fault {
		arrived <- struct{}{}
		return &Fault{Hang: true}
	})
	done := make(chan error, 1)
	go func() {
		resp, err := h.ts.Client().Get(h.ts.URL + "/v2/version")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-arrived
	h.close()
	assert.Error(t, <-done)
}

func TestFaultNumbering(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	h.srv.SetFault(func(r *Request, n int) *Fault {
		if n%2 == 1 {
			return &Fault{Status: http.StatusTooManyRequests}
		}
		return nil
	})
	var got []int
	for range 4 {
		got = append(got, h.get("/v2/version").status)
	}
	assert.Equal(t, []int{429, 200, 429, 200}, got)
	h.srv.SetFault(nil)
	assert.Equal(t, 200, h.get("/v2/version").status)
}
