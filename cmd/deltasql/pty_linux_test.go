//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair through /dev/ptmx, 40x120.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(m.Fd())
	require.NoError(t, unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	require.NoError(t, err)
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	require.NoError(t, err)
	require.NoError(t, unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}))
	return m, s
}

// console is the shell running in this test binary on a pseudo-terminal.
type console struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd

	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{} // closed and replaced on every read
	done    chan struct{} // the reader ended
	seen    int           // output before this offset was matched already
}

// startConsole starts the shell with env on a new terminal.
func startConsole(t *testing.T, env []string, args ...string) *console {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "DELTASQL_TEST_MAIN=1", "TERM=xterm", "PAGER="), env...) // later entries win
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	require.NoError(t, cmd.Start())
	_ = slave.Close()
	c := &console{t: t, master: master, cmd: cmd, changed: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = master.Close()
		<-c.done
	})
	return c
}

func (c *console) read() {
	defer close(c.done)
	buf := make([]byte, 4096)
	for {
		n, err := c.master.Read(buf)
		c.mu.Lock()
		c.out.Write(buf[:n])
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// expect waits until the output after the last match contains s.
func (c *console) expect(s string) {
	c.t.Helper()
	deadline := time.NewTimer(15 * time.Second) // a failure bound, not a wait
	defer deadline.Stop()
	for {
		c.mu.Lock()
		text := c.out.String()
		changed := c.changed
		c.mu.Unlock()
		if i := strings.Index(text[c.seen:], s); i >= 0 {
			c.seen += i + len(s)
			return
		}
		select {
		case <-changed:
		case <-c.done:
			c.mu.Lock()
			defer c.mu.Unlock()
			if !strings.Contains(c.out.String()[c.seen:], s) {
				c.t.Fatalf("shell ended without printing %q; output:\n%s", s, c.out.String())
			}
			return
		case <-deadline.C:
			c.t.Fatalf("no %q in the output:\n%s", s, text)
		}
	}
}

// send types text.
func (c *console) send(text string) {
	c.t.Helper()
	_, err := c.master.Write([]byte(text))
	require.NoError(c.t, err)
}

// wait waits for the shell to exit and returns its status.
func (c *console) wait() int {
	c.t.Helper()
	err := c.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	require.NoError(c.t, err)
	return 0
}

// output is everything the shell printed.
func (c *console) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}
