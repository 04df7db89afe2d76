// Package pager shows long output through the user's pager, as psql does.
package pager

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Command returns the pager command line: $PAGER when set (an empty
// PAGER disables paging: ""), else "less" when it is installed, else
// "more". lookupEnv is os.LookupEnv or a test's stand-in.
func Command(lookupEnv func(string) (string, bool)) string {
	if p, ok := lookupEnv("PAGER"); ok {
		return strings.TrimSpace(p)
	}
	if _, err := exec.LookPath("less"); err == nil {
		return "less"
	}
	return "more"
}

// Needed reports whether text is taller than a screen of height lines (one
// line is kept for the prompt) or wider than width columns (0: unknown).
func Needed(text []byte, height, width int) bool {
	if height <= 0 {
		return false
	}
	lines := bytes.Count(text, []byte{'\n'})
	if lines >= height-1 {
		return true
	}
	if width > 0 {
		for line := range bytes.SplitSeq(text, []byte{'\n'}) {
			if len(line) > width && runewidth.StringWidth(string(line)) > width {
				return true
			}
		}
	}
	return false
}

// Run pipes text through the pager command line (run by sh -c), which
// writes to stdout and stderr. LESS defaults to FRX: quit if one screen,
// keep colors, leave the text on screen.
func Run(ctx context.Context, command string, text []byte, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdin = bytes.NewReader(text)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = os.Environ()
	if os.Getenv("LESS") == "" {
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	return cmd.Run()
}
