package bind

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// style is the placeholder style of a statement.
type style uint8

const (
	styleNone       style = iota // no placeholders
	stylePositional              // ?
	styleNumbered                // $1 .. $N
	styleNamed                   // @name
)

// String names the style the way a user writes it, for error messages.
func (s style) String() string {
	switch s {
	case stylePositional:
		return "?"
	case styleNumbered:
		return "$1"
	case styleNamed:
		return "@name"
	default:
		return "no"
	}
}

// placeholder is one occurrence of a placeholder: query[start:end] is its
// text. key is the ordinal minus one for ? and $N, and the index into
// Template.names for @name.
type placeholder struct {
	start, end int
	key        int
}

// maxLinearNames is the number of distinct @names up to which names are
// looked up by a linear scan instead of a map.
const maxLinearNames = 8

// maxPlaceholderNumber bounds $N so that parsing N cannot overflow.
const maxPlaceholderNumber = 1 << 30

// Template is a statement parsed for placeholders. It is immutable after
// Parse and safe for concurrent use by any number of goroutines.
type Template struct {
	query    string
	style    style
	numInput int
	ph       []placeholder
	names    []string       // distinct @names in order of first use
	nameIdx  map[string]int // name -> index into names; nil while len(names) <= maxLinearNames
	inline   [4]placeholder // backing array of ph for short statements (one allocation per Parse)
}

// Parse scans query for placeholders. It does no I/O and allocates little;
// the result may be cached and shared.
//
// Parse never fails on a statement without placeholders: such a statement is
// always sent exactly as written. With placeholders it fails on a mix of
// styles, on a malformed $N ($0, $01, $N beyond 2^30), on gaps in $1..$N
// (every number up to the highest must be used), and on lexically ambiguous
// text (see the package documentation).
func Parse(query string) (*Template, error) {
	t := &Template{query: query}
	t.ph = t.inline[:0]
	ambiguity := "" // first ambiguous construct seen, reported only if there are placeholders
	noteAmbiguity := func(what string) {
		if ambiguity == "" {
			ambiguity = what
		}
	}
	for i := 0; i < len(query); {
		c := query[i]
		switch c {
		case '\'', '"', '`':
			end, ok := skipQuoted(query, i)
			if !ok {
				noteAmbiguity(fmt.Sprintf("an unterminated %s starting at offset %d", quotedKind(c), i))
				i = len(query)
				continue
			}
			if c == '\'' && hasEPrefix(query, i) && strings.IndexByte(query[i:end], '\\') >= 0 {
				noteAmbiguity(fmt.Sprintf("an E'...' string with a backslash at offset %d (C-style escapes in some SQL dialects)", i-1))
			}
			i = end
		case '-':
			if strings.HasPrefix(query[i:], "--") {
				i = skipLineComment(query, i)
				continue
			}
			i++
		case '/':
			switch {
			case strings.HasPrefix(query[i:], "/*"):
				n := strings.Index(query[i+2:], "*/")
				if n < 0 {
					noteAmbiguity(fmt.Sprintf("an unterminated /* comment starting at offset %d", i))
					i = len(query)
					continue
				}
				if strings.Contains(query[i+2:i+2+n], "/*") {
					noteAmbiguity(fmt.Sprintf("a nested /* comment at offset %d (nesting differs between SQL dialects)", i))
				}
				i += 2 + n + 2
			case strings.HasPrefix(query[i:], "//"):
				noteAmbiguity(fmt.Sprintf("// at offset %d (a line comment in some SQL dialects)", i))
				i += 2
			default:
				i++
			}
		case '?':
			if err := t.add(stylePositional, i, i+1, t.numInput); err != nil {
				return nil, err
			}
			t.numInput++
			i++
		case '$':
			end, err := t.scanNumbered(query, i)
			if err != nil {
				return nil, err
			}
			i = end
		case '@':
			end, err := t.scanNamed(query, i)
			if err != nil {
				return nil, err
			}
			i = end
		default:
			i++
		}
	}
	if len(t.ph) == 0 {
		return t, nil
	}
	if ambiguity != "" {
		return nil, fmt.Errorf("deltastream: statement has %s placeholders and contains %s; "+
			"the driver cannot tell for certain which text is SQL, so it refuses to bind arguments into it", t.style, ambiguity)
	}
	if t.style == styleNumbered {
		if err := t.checkNumbers(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// add records a placeholder of style s at query[start:end].
func (t *Template) add(s style, start, end, key int) error {
	if t.style != styleNone && t.style != s {
		return fmt.Errorf("deltastream: statement mixes %s and %s placeholders (%s at offset %d); use one style",
			t.style, s, t.query[start:end], start)
	}
	t.style = s
	t.ph = append(t.ph, placeholder{start: start, end: end, key: key})
	return nil
}

// scanNumbered handles a '$' at query[i] and returns where scanning resumes.
func (t *Template) scanNumbered(query string, i int) (int, error) {
	if t.attached(query, i) {
		return i + 1, nil // inside an identifier such as a$1
	}
	end := scanIdent(query, i+1)
	digits := query[i+1 : end]
	if digits == "" || !allDigits(digits) {
		return end, nil // a lone $ or an identifier such as $x or $1a
	}
	if digits[0] == '0' {
		return 0, fmt.Errorf("deltastream: invalid placeholder %s at offset %d: numbered placeholders are $1, $2, ... without leading zeros",
			query[i:end], i)
	}
	n := 0
	for _, d := range []byte(digits) {
		n = n*10 + int(d-'0')
		if n > maxPlaceholderNumber {
			return 0, fmt.Errorf("deltastream: invalid placeholder %s at offset %d: number too large", query[i:end], i)
		}
	}
	if err := t.add(styleNumbered, i, end, n-1); err != nil {
		return 0, err
	}
	if n > t.numInput {
		t.numInput = n
	}
	return end, nil
}

// scanNamed handles an '@' at query[i] and returns where scanning resumes.
func (t *Template) scanNamed(query string, i int) (int, error) {
	j := i + 1
	for j < len(query) && query[j] == '@' {
		j++
	}
	if j-i > 1 || t.attached(query, i) {
		return j, nil // @@variable or user@example: plain text
	}
	if r, _ := utf8.DecodeRuneInString(query[j:]); !unicode.IsLetter(r) {
		return j, nil // a lone @: plain text
	}
	end := scanName(query, j)
	name := query[j:end]
	key := t.lookupName(name)
	if key < 0 {
		key = len(t.names)
		if err := t.add(styleNamed, i, end, key); err != nil {
			return 0, err
		}
		t.names = append(t.names, name)
		t.numInput = len(t.names)
		if t.nameIdx != nil {
			t.nameIdx[name] = key
		} else if len(t.names) > maxLinearNames {
			t.nameIdx = make(map[string]int, 2*len(t.names))
			for k, n := range t.names {
				t.nameIdx[n] = k
			}
		}
		return end, nil
	}
	return end, t.add(styleNamed, i, end, key)
}

// attached reports whether query[i] continues a word: it follows an
// identifier character that is not the end of a placeholder. (@a@b is two
// placeholders, since rendering puts a space after the first.)
func (t *Template) attached(query string, i int) bool {
	if n := len(t.ph); n > 0 && t.ph[n-1].end == i {
		return false
	}
	return prevIsIdent(query, i)
}

// lookupName returns the index of name in t.names, or -1.
func (t *Template) lookupName(name string) int {
	if t.nameIdx != nil {
		if k, ok := t.nameIdx[name]; ok {
			return k
		}
		return -1
	}
	for k, n := range t.names {
		if n == name {
			return k
		}
	}
	return -1
}

// checkNumbers reports the first gap in $1..$N.
func (t *Template) checkNumbers() error {
	// At most len(t.ph) distinct numbers are used, so if N is larger there is
	// a gap at or below len(t.ph)+1; only numbers up to there need tracking.
	limit := min(t.numInput, len(t.ph)+1)
	var small [64]bool
	var seen []bool
	if limit < len(small) {
		seen = small[:limit+1]
	} else {
		seen = make([]bool, limit+1)
	}
	for _, p := range t.ph {
		if n := p.key + 1; n <= limit {
			seen[n] = true
		}
	}
	for n := 1; n <= limit; n++ {
		if !seen[n] {
			return fmt.Errorf("deltastream: statement uses $%d but not $%d; numbered placeholders must use every number from $1 to the highest",
				t.numInput, n)
		}
	}
	return nil
}

// NumInput returns the number of arguments Render expects: the number of ?
// placeholders, the highest N of $N, or the number of distinct @names. It is
// 0 for a statement without placeholders and never negative.
func (t *Template) NumInput() int { return t.numInput }

// Query returns the statement exactly as passed to Parse.
func (t *Template) Query() string { return t.query }

// skipQuoted returns the offset just past the quoted text starting at
// query[i], whose quote character is doubled to escape it, and false if the
// closing quote is missing.
func skipQuoted(query string, i int) (int, bool) {
	q := query[i]
	for j := i + 1; j < len(query); {
		k := strings.IndexByte(query[j:], q)
		if k < 0 {
			break
		}
		j += k + 1
		if j < len(query) && query[j] == q {
			j++ // doubled quote: an escaped quote character
			continue
		}
		return j, true
	}
	return len(query), false
}

// skipLineComment returns the offset of the line break ending the --
// comment at query[i], or len(query).
func skipLineComment(query string, i int) int {
	if k := strings.IndexAny(query[i:], "\n\r"); k >= 0 {
		return i + k
	}
	return len(query)
}

// quotedKind names what a quote character opens, for error messages.
func quotedKind(q byte) string {
	switch q {
	case '\'':
		return "string literal"
	case '"':
		return `"quoted identifier"`
	default:
		return "`quoted identifier`"
	}
}

// hasEPrefix reports whether the string literal at query[i] may be an
// E'...' string: directly preceded by E or e. (Whatever comes before the E:
// after a digit, as in 1E'..', some lexers start a string at the E.)
func hasEPrefix(query string, i int) bool {
	return i > 0 && (query[i-1] == 'E' || query[i-1] == 'e')
}

// isIdentRune reports whether r may appear inside an unquoted identifier.
func isIdentRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// prevIsIdent reports whether the rune before query[i] is an identifier rune.
func prevIsIdent(query string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(query[:i])
	return isIdentRune(r)
}

// scanIdent returns the end of the run of identifier runes starting at i.
func scanIdent(query string, i int) int {
	for i < len(query) {
		r, size := utf8.DecodeRuneInString(query[i:])
		if !isIdentRune(r) {
			break
		}
		i += size
	}
	return i
}

// scanName returns the end of the @name whose first letter is at query[i]:
// letters, digits and underscores.
func scanName(query string, i int) int {
	for i < len(query) {
		r, size := utf8.DecodeRuneInString(query[i:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i += size
	}
	return i
}

// allDigits reports whether s consists of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
