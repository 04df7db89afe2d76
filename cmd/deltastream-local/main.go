// Command deltastream-local runs the local DeltaStream emulator: the
// DeltaStream v2 REST API on one machine, with a real catalog and SQL on
// embedded SQLite, for development and tests.
//
// Usage:
//
//	deltastream-local [--addr 127.0.0.1:7777] [--data FILE] [--token TOKEN]
//	                  [--statement-ttl 1h] [--max-statements 10000]
//
// It prints the DSN to give the deltastream driver (or the deltasql
// shell) and serves until SIGINT or SIGTERM. With --data the catalog and
// the data persist in FILE across restarts; without it everything is
// kept in memory. Without --token a random token is generated. Finished
// statements are forgotten (GET answers 404) once idle for
// --statement-ttl, and beyond --max-statements the least recently used
// first, so that a long-running emulator does not grow; 0 disables
// either bound.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/deltastream-go/deltastream/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "deltastream-local:", err)
		}
		os.Exit(2)
	}
}

// run starts the emulator, prints how to connect, and serves until ctx
// ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("deltastream-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:7777", "listen address (host:port; port 0 picks a free one)")
	dpAddr := fs.String("dataplane-addr", "", "dataplane listen address, another origin as in the service (default: a free port on the --addr host)")
	data := fs.String("data", "", "SQLite file that keeps the catalog and data across restarts (default: in memory)")
	token := fs.String("token", "", "API token clients must send (default: a random one)")
	ttl := fs.Duration("statement-ttl", emulator.DefaultStatementTTL, "forget a finished statement idle this long (0: never)")
	maxStmts := fs.Int("max-statements", emulator.DefaultMaxStatements, "statements remembered at most; the least recently used finished ones are forgotten first (0: no cap)")
	verbose := fs.Bool("v", false, "log every statement to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see --help", fs.Arg(0))
	}
	if *ttl < 0 || *maxStmts < 0 {
		return errors.New("--statement-ttl and --max-statements must not be negative; 0 disables the bound")
	}
	if *ttl == 0 {
		*ttl = -1 // the emulator keeps statements forever when negative
	}
	if *maxStmts == 0 {
		*maxStmts = -1
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	emu, err := emulator.Start(emulator.Config{
		Addr:          *addr,
		DataplaneAddr: *dpAddr,
		DataFile:      *data,
		Token:         *token,
		StatementTTL:  *ttl,
		MaxStatements: *maxStmts,
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		return err
	}
	storage := "in memory (gone when it stops)"
	if *data != "" {
		storage = "in " + *data
	}
	fmt.Fprintf(stdout, "DeltaStream local emulator serving %s, data %s\n", emu.URL(), storage)
	fmt.Fprintf(stdout, "DSN: %s\n", emu.DSN())
	fmt.Fprintln(stdout, "This emulator is for development and tests. Production workloads run on DeltaStream itself (Apache Flink underneath), where you go when you outgrow one machine.")
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return emu.Close()
}
