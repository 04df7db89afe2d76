package deltastream_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeRule is what TestReadmeCodeBlocks enforces, told to whoever breaks it.
const readmeRule = "every ```go block of README.md must be a copy of code in a .go file of this module " +
	"(whitespace-insensitive, e.g. of an Example function in example_*_test.go), so that it compiles and runs; " +
	"a block that is deliberately an excerpt with placeholders must be fenced ```go fragment " +
	"and still parse as Go statements or declarations (with ... as placeholders)"

// readmeBlock is one fenced code block of README.md.
type readmeBlock struct {
	line int    // 1-based line of the opening fence
	info string // the fence's info string: "go", "go fragment", "sh", ...
	body []string
}

// readmeBlocks returns the fenced code blocks of a Markdown text.
func readmeBlocks(text string) []readmeBlock {
	var blocks []readmeBlock
	var cur *readmeBlock
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "```") {
			if cur != nil {
				cur.body = append(cur.body, line)
			}
			continue
		}
		if cur != nil {
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		cur = &readmeBlock{line: i + 1, info: strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))}
	}
	return blocks
}

// normalized returns the non-blank lines of text with their surrounding
// whitespace removed.
func normalized(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func containsRun(hay, needle []string) bool {
	if len(needle) == 0 {
		return true
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		if hay[i] == needle[0] && equalLines(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// placeholder matches a ... that stands for elided code (not a variadic
// argument, which follows an identifier).
var placeholder = regexp.MustCompile(`(^|[\s{(])\.\.\.([\s})]|$)`)

// parsesAsGo reports whether src, with its placeholders removed, parses as
// statements (inside a function) or as declarations.
func parsesAsGo(src string) error {
	src = placeholder.ReplaceAllString(placeholder.ReplaceAllString(src, "$1$2"), "$1$2")
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+src+"\n}", 0); err == nil {
		return nil
	}
	_, err := parser.ParseFile(fset, "", "package p\n"+src, 0)
	return err
}

// TestReadmeCodeBlocks keeps the README's Go code honest: see readmeRule.
func TestReadmeCodeBlocks(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources [][]string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, normalized(strings.Split(string(b), "\n")))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goBlocks := 0
	for _, b := range readmeBlocks(string(readme)) {
		switch b.info {
		case "go":
			goBlocks++
			want := normalized(b.body)
			found := false
			for _, src := range sources {
				if containsRun(src, want) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("README.md:%d: this ```go block is not a copy of code in any .go file of the module.\nRule: %s", b.line, readmeRule)
			}
		case "go fragment":
			if err := parsesAsGo(strings.Join(b.body, "\n")); err != nil {
				t.Errorf("README.md:%d: this ```go fragment block does not parse as Go: %v\nRule: %s", b.line, err, readmeRule)
			}
		default:
			if strings.HasPrefix(b.info, "go") {
				t.Errorf("README.md:%d: unknown fence %q.\nRule: %s", b.line, b.info, readmeRule)
			}
		}
	}
	if goBlocks == 0 {
		t.Errorf("README.md has no ```go block copied from a runnable example; the quick start should be one.\nRule: %s", readmeRule)
	}
}
