package main

import (
	"context"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the shell itself when a test starts this binary on a
// pseudo-terminal (DELTASQL_TEST_MAIN=1), and checks for leaked goroutines
// otherwise.
func TestMain(m *testing.M) {
	if os.Getenv("DELTASQL_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
	}
	goleak.VerifyTestMain(m)
}
