package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
)

// serving is the protocol server on its listener. Everything that builds
// the server and listens lives in this file.
type serving struct {
	proto *server.Server
	http  *http.Server
	ln    net.Listener
	done  sync.WaitGroup
}

// serve starts the one protocol server with eng as its engine and
// downloader.
func serve(cfg Config, eng *engine) (*serving, error) {
	proto, err := server.New(server.Config{
		Engine:    eng,
		Downloads: eng,
		Clock:     cfg.Clock,
		Token:     cfg.Token,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		proto.Close()
		return nil, fmt.Errorf("emulator: listen on %s: %w", cfg.Addr, err)
	}
	s := &serving{
		proto: proto,
		ln:    ln,
		http: &http.Server{
			Handler:           proto,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          nil,
		},
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("emulator: serve", "err", err)
		}
	}()
	return s, nil
}

// addr is the address clients use: a wildcard listen address (0.0.0.0,
// ::) is reached through 127.0.0.1.
func (s *serving) addr() string {
	a := s.ln.Addr().String()
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // Go's wildcard listeners are dual-stack
	}
	return net.JoinHostPort(host, port)
}

func (s *serving) base() string { return s.proto.Base() }

// close stops accepting, ends WebSockets and held requests, and waits
// for the handlers.
func (s *serving) close() error {
	s.proto.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	s.done.Wait()
	return err
}
