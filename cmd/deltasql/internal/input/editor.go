// Package input reads the shell's lines from a terminal: line editing
// with github.com/peterh/liner, a persisted history that never holds a
// secret, and tab completion of keywords and object names.
package input

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
)

// ErrAborted is returned by Prompt when the user pressed Ctrl-C at the
// prompt: the shell drops the statement being typed.
var ErrAborted = errors.New("input aborted")

// Editor is a line editor on the process's terminal (stdin and stdout).
// Only one may exist at a time, and its methods must be called from one
// goroutine.
type Editor struct {
	l       *liner.State
	path    string          // history file, "" for none
	secrets func() []string // strings that keep an entry out of history (tokens)
	raw     liner.ModeApplier
	cooked  liner.ModeApplier
}

// DefaultHistoryPath is the history file: $XDG_STATE_HOME/deltasql/history,
// else ~/.local/state/deltasql/history, else the user config directory.
func DefaultHistoryPath(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "deltasql", "history")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "deltasql", "history")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "deltasql", "history")
	}
	return ""
}

// Open puts the terminal into line-editing mode and loads the history
// from path ("" keeps none). Entries containing one of the strings secrets
// returns (the tokens in use) never reach the history. complete, when not nil, answers Tab. The caller must
// Close the Editor to restore the terminal.
func Open(path string, secrets func() []string, complete liner.WordCompleter) *Editor {
	cooked, _ := liner.TerminalMode()
	e := &Editor{l: liner.NewLiner(), path: path, secrets: secrets, cooked: cooked}
	e.raw, _ = liner.TerminalMode()
	e.l.SetCtrlCAborts(true)
	e.l.SetMultiLineMode(true)
	e.l.SetTabCompletionStyle(liner.TabPrints)
	if complete != nil {
		e.l.SetWordCompleter(complete)
	}
	if path != "" {
		if f, err := os.Open(path); err == nil {
			_, _ = e.l.ReadHistory(f)
			_ = f.Close()
		}
	}
	return e
}

// Prompt shows prompt and returns the line typed, io.EOF on Ctrl-D at an
// empty line and ErrAborted on Ctrl-C.
func (e *Editor) Prompt(prompt string) (string, error) {
	line, err := e.l.Prompt(prompt)
	switch {
	case errors.Is(err, liner.ErrPromptAborted):
		return "", ErrAborted
	case errors.Is(err, io.EOF):
		return "", io.EOF
	}
	return line, err
}

// Remember adds a finished statement or meta command to the history, on
// one line, unless it may carry a secret; the history file is rewritten
// at once so that another shell started later sees it.
func (e *Editor) Remember(entry string) {
	var secrets []string
	if e.secrets != nil {
		secrets = e.secrets()
	}
	if !Storable(entry, secrets) {
		return
	}
	e.l.AppendHistory(statements.OneLine(entry))
	e.save()
}

// Storable reports whether entry may be written to the history: not a
// statement carrying secrets (see statements.HasSecret), not a \c with its
// DSN, and none of secrets inside.
func Storable(entry string, secrets []string) bool {
	t := strings.TrimSpace(entry)
	if t == "" || t == `\q` || strings.HasPrefix(t, `\c`) || strings.HasPrefix(t, `\connect`) {
		return false
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(entry, s) {
			return false
		}
	}
	return !statements.HasSecret(t)
}

func (e *Editor) save() {
	if e.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(e.path), 0o700); err != nil {
		return
	}
	tmp := e.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return
	}
	_, werr := e.l.WriteHistory(f)
	if cerr := f.Close(); werr == nil && cerr == nil {
		_ = os.Rename(tmp, e.path)
	} else {
		_ = os.Remove(tmp)
	}
}

// Suspend gives the terminal back its normal mode (for a pager); Resume
// returns to line editing.
func (e *Editor) Suspend() {
	if e.cooked != nil {
		_ = e.cooked.ApplyMode()
	}
}

// Resume undoes Suspend.
func (e *Editor) Resume() {
	if e.raw != nil {
		_ = e.raw.ApplyMode()
	}
}

// Close saves the history and restores the terminal.
func (e *Editor) Close() error {
	e.save()
	return e.l.Close()
}
