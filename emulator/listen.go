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

// serving is the protocol server on its two listeners: the control plane
// and, as in the service, the dataplane on another origin. Everything that
// builds the server and listens lives in this file.
type serving struct {
	proto  *server.Server
	cp, dp *http.Server
	cpLn   net.Listener
	done   sync.WaitGroup
}

// serve starts the one protocol server with eng as its engine and
// downloader.
func serve(cfg Config, eng *engine) (*serving, error) {
	cpLn, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: listen on %s: %w", cfg.Addr, err)
	}
	dpAddr := cfg.DataplaneAddr
	if dpAddr == "" {
		host, _, _ := net.SplitHostPort(cpLn.Addr().String())
		dpAddr = net.JoinHostPort(host, "0")
	}
	dpLn, err := net.Listen("tcp", dpAddr)
	if err != nil {
		cpLn.Close()
		return nil, fmt.Errorf("emulator: listen for the dataplane on %s: %w", dpAddr, err)
	}
	proto, err := server.New(server.Config{
		Engine:       eng,
		Downloads:    eng,
		Clock:        cfg.Clock,
		Token:        cfg.Token,
		DataplaneURL: "http://" + clientAddr(dpLn) + "/v2",
		// Negative values (keep everything) are zero to the server.
		StatementTTL:  max(cfg.StatementTTL, 0),
		MaxStatements: max(cfg.MaxStatements, 0),
		// A long-running emulator keeps no record of its requests.
		DiscardRequests: true,
	})
	if err != nil {
		cpLn.Close()
		dpLn.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s := &serving{
		proto: proto,
		cpLn:  cpLn,
		cp:    &http.Server{Handler: proto.ControlPlane(), ReadHeaderTimeout: 10 * time.Second},
		dp:    &http.Server{Handler: proto.Dataplane(), ReadHeaderTimeout: 10 * time.Second},
	}
	for _, l := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{s.cp, cpLn}, {s.dp, dpLn}} {
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				cfg.Logger.Error("emulator: serve", "err", err)
			}
		}()
	}
	return s, nil
}

// clientAddr is the address clients use to reach ln: a wildcard listen
// address (0.0.0.0, ::) is reached through 127.0.0.1.
func clientAddr(ln net.Listener) string {
	a := ln.Addr().String()
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // Go's wildcard listeners are dual-stack
	}
	return net.JoinHostPort(host, port)
}

// addr is the control plane's address as clients reach it.
func (s *serving) addr() string { return clientAddr(s.cpLn) }

func (s *serving) base() string { return s.proto.Base() }

// close stops accepting, ends WebSockets and held requests, and waits
// for the handlers.
func (s *serving) close() error {
	s.proto.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range []*http.Server{s.cp, s.dp} {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
	}
	s.done.Wait()
	return errors.Join(errs...)
}
