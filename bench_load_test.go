package deltastream

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// loadWorkers is how many goroutines share one sql.DB in BenchmarkLoad16.
const loadWorkers = 16

const loadSQL = "SELECT n FROM one_row;"

// lastDriverQPS carries the driver's throughput from the "driver" sub-
// benchmark to the "raw" one, which reports the ratio of the two.
var lastDriverQPS float64

// BenchmarkLoad16 runs small queries (one row) from 16 goroutines through
// one sql.DB against dstest and reports throughput (queries/s), the 99th
// percentile latency (p99-ms) and how many TCP connections were opened
// (new-conns). Sub-benchmarks:
//
//   - default-transport: the driver with its own transport; connections are
//     counted by a TCP forwarder in front of dstest (it adds a hop, so its
//     latency is not comparable with the others).
//   - driver: the driver with Config.HTTPClient holding the driver's default
//     transport (newTransport) whose dialer counts dials.
//   - raw: a hand-written, tuned net/http client posting the same statement
//     (multipart) and decoding the JSON answer; it reports driver/raw, the
//     driver's throughput as a share of this one's.
//
// Run:
//
//	go test -run '^$' -bench Load16 -benchtime 3s .
func BenchmarkLoad16(b *testing.B) {
	b.Run("default-transport", func(b *testing.B) {
		srv := loadServer(b)
		fwd := startForwarder(b, serverHost(b, srv))
		dsn := "http://:" + srv.Token() + "@" + fwd.addr() + "/v2"
		db := openLoadDB(b, dsn, nil)
		qps, p99 := runLoad(b, func(ctx context.Context) error { return driverQuery(ctx, db) })
		reportLoad(b, qps, p99, fwd.accepted.Load())
	})
	b.Run("driver", func(b *testing.B) {
		srv := loadServer(b)
		cfg := NewConfig()
		tr, dials := countingTransport(newTransport(cfg))
		db := openLoadDB(b, srv.DSN(), &http.Client{Transport: tr})
		defer tr.CloseIdleConnections()
		qps, p99 := runLoad(b, func(ctx context.Context) error { return driverQuery(ctx, db) })
		lastDriverQPS = qps
		reportLoad(b, qps, p99, dials.Load())
	})
	b.Run("raw", func(b *testing.B) {
		srv := loadServer(b)
		tr, dials := countingTransport(&http.Transport{
			MaxIdleConns:        4 * loadWorkers,
			MaxIdleConnsPerHost: 4 * loadWorkers,
			IdleConnTimeout:     90 * time.Second,
		})
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		qps, p99 := runLoad(b, func(ctx context.Context) error { return rawQuery(ctx, hc, srv.URL(), srv.Token()) })
		reportLoad(b, qps, p99, dials.Load())
		if lastDriverQPS > 0 {
			b.ReportMetric(lastDriverQPS/qps, "driver/raw")
		}
	})
}

func loadServer(b *testing.B) *dstest.Server {
	srv := dstest.NewServer(b)
	srv.On(loadSQL).Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1})
	return srv
}

func serverHost(b *testing.B, srv *dstest.Server) string {
	u, err := url.Parse(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	return u.Host
}

func openLoadDB(b *testing.B, dsn string, hc *http.Client) *sql.DB {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		b.Fatal(err)
	}
	cfg.HTTPClient = hc
	connector, err := NewConnector(cfg)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxIdleConns(loadWorkers)
	b.Cleanup(func() { db.Close() })
	return db
}

func driverQuery(ctx context.Context, db *sql.DB) error {
	var n int64
	if err := db.QueryRowContext(ctx, loadSQL).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("got %d, want 1", n)
	}
	return nil
}

// rawQuery posts loadSQL the way a hand-written client would and checks
// the one-row answer.
func rawQuery(ctx context.Context, hc *http.Client, base, token string) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="request"`)
	h.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(pw).Encode(wire.StatementRequest{Statement: loadSQL, Parameters: &wire.Parameters{Timezone: "UTC"}}); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/statements", &body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var rs wire.ResultSet
	if err := json.NewDecoder(resp.Body).Decode(&rs); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK || rs.SQLState != wire.StateSuccess || len(rs.Data) != 1 || rs.Data[0][0] == nil || *rs.Data[0][0] != "1" {
		return fmt.Errorf("unexpected answer: HTTP %d %+v", resp.StatusCode, rs)
	}
	return nil
}

// runLoad runs b.N calls of query from loadWorkers goroutines and returns
// the throughput and the 99th percentile latency.
func runLoad(b *testing.B, query func(ctx context.Context) error) (qps float64, p99 time.Duration) {
	b.ReportAllocs()
	ctx := context.Background()
	var next atomic.Int64
	lat := make([][]time.Duration, loadWorkers)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := query(ctx); err != nil {
					b.Error(err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return 0, 0
	}
	slices.Sort(all)
	return float64(len(all)) / elapsed.Seconds(), all[(len(all)-1)*99/100]
}

func reportLoad(b *testing.B, qps float64, p99 time.Duration, conns int64) {
	b.ReportMetric(qps, "queries/s")
	b.ReportMetric(float64(p99)/float64(time.Millisecond), "p99-ms")
	b.ReportMetric(float64(conns), "new-conns")
}

// countingTransport returns tr with a dialer that counts the connections
// it opens.
func countingTransport(tr *http.Transport) (*http.Transport, *atomic.Int64) {
	var dials atomic.Int64
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	return tr, &dials
}

// forwarder is a TCP forwarder that counts the connections it accepts.
type forwarder struct {
	ln       net.Listener
	target   string
	accepted atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
	closed   bool
}

func startForwarder(b *testing.B, target string) *forwarder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	f := &forwarder{ln: ln, target: target}
	f.wg.Add(1)
	go f.accept()
	b.Cleanup(f.close)
	return f
}

func (f *forwarder) addr() string { return f.ln.Addr().String() }

func (f *forwarder) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.accepted.Add(1)
		u, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			c.Close()
			u.Close()
			return
		}
		f.conns = append(f.conns, c, u)
		f.mu.Unlock()
		f.wg.Add(2)
		go f.pipe(u, c)
		go f.pipe(c, u)
	}
}

func (f *forwarder) pipe(dst, src net.Conn) {
	defer f.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// close stops accepting, cuts every forwarded connection and waits for the
// forwarder's goroutines.
func (f *forwarder) close() {
	f.ln.Close()
	f.mu.Lock()
	f.closed = true
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}
