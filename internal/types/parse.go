package types

import (
	"strconv"
	"strings"
)

// MaxDepth is how deeply types may nest: ARRAY<INT> has depth 2. Parse
// rejects deeper types, so hostile input cannot exhaust the stack.
const MaxDepth = 64

// Parse parses a DeltaStream column type string such as "BIGINT",
// "DECIMAL(4, 3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE" or
// "STRUCT<k VARCHAR, \"Mixed\" ARRAY<MAP<VARCHAR, INT>>> NOT NULL".
//
// Names are case-insensitive and whitespace is optional between tokens.
// Recognized: TINYINT, SMALLINT, INT/INTEGER, BIGINT, FLOAT/REAL, DOUBLE
// [PRECISION], DECIMAL/DEC/NUMERIC[(p[, s])], BOOLEAN, CHAR/CHARACTER[(n)],
// VARCHAR[(n)], STRING, CHARACTER VARYING[(n)], BINARY[(n)],
// VARBINARY[(n)], BYTES, BINARY VARYING[(n)], DATE, TIME[(p)] [WITHOUT
// TIME ZONE], TIMESTAMP[(p)] [WITHOUT TIME ZONE], TIMESTAMP_LTZ[(p)],
// TIMESTAMP[(p)] WITH LOCAL TIME ZONE, TIMESTAMP_TZ[(p)], TIMESTAMP[(p)]
// WITH TIME ZONE, ARRAY<T>, MULTISET<T>, MAP<K, V>,
// STRUCT<name T, ...>, ROW<name T, ...> and ROW(name T, ...) (field names
// bare, "double-quoted" or `backquoted`, a doubled quote escaping itself;
// each field optionally followed by a 'comment' or COMMENT 'comment'), the
// postfix forms "T ARRAY" and "T MULTISET", and bare ARRAY, MULTISET, MAP,
// STRUCT and ROW. Any level may end in NOT NULL (or NULL), and Flink's
// time-attribute markers *ROWTIME* and *PROCTIME* are ignored.
//
// Any other well-formed type, such as "INTERVAL DAY(2) TO SECOND(3)" or
// "RAW('java.lang.Object', '...')", parses to KindOther: an unknown name
// is never an error. Parse fails only on malformed syntax (unbalanced
// brackets, stray characters, a missing type) and on types nested deeper
// than MaxDepth; callers should then treat the column as KindOther.
func Parse(s string) (*Type, error) {
	p := parser{lex: lexer{src: s}}
	t := p.parseType(1)
	if p.err == nil && p.lex.err == nil {
		if tok := p.lex.peek(0); tok.kind != tEOF {
			p.fail(tok.pos, "unexpected "+tok.describe()+" after the type")
		}
	}
	if p.lex.err != nil {
		return nil, p.lex.err
	}
	if p.err != nil {
		return nil, p.err
	}
	t.raw = s
	return t, nil
}

// parser is a recursive-descent parser over a lexer. After the first error
// every method returns quickly and the first error wins.
type parser struct {
	lex lexer
	err error
}

func (p *parser) failed() bool { return p.err != nil || p.lex.err != nil }

func (p *parser) fail(off int, msg string) {
	if p.err == nil {
		p.err = syntaxErr(p.lex.src, off, msg)
	}
}

func (p *parser) isPunct(i int, c string) bool {
	t := p.lex.peek(i)
	return t.kind == tPunct && t.text == c
}

func (p *parser) isWord(i int, w string) bool {
	t := p.lex.peek(i)
	return t.kind == tWord && equalFoldASCII(t.text, w)
}

func (p *parser) expectPunct(c string) bool {
	t := p.lex.next()
	if t.kind == tPunct && t.text == c {
		return true
	}
	p.fail(t.pos, "expected '"+c+"', found "+t.describe())
	return false
}

// height is the nesting depth of t: 1 for a type without children.
func height(t *Type) int {
	h := 0
	if t.elem != nil {
		h = height(t.elem)
	}
	if t.key != nil {
		h = max(h, height(t.key))
	}
	for _, f := range t.fields {
		h = max(h, height(f.Type))
	}
	return h + 1
}

// parseType parses a type with its suffixes (NOT NULL, NULL, *ROWTIME*,
// postfix ARRAY/MULTISET). depth is the nesting level of the type.
func (p *parser) parseType(depth int) *Type {
	start := p.lex.peek(0).pos
	if depth > MaxDepth {
		p.fail(start, "type nests deeper than "+strconv.Itoa(MaxDepth)+" levels")
		return nil
	}
	t := p.parseBase(depth)
	wraps, inner := 0, 0
	for !p.failed() {
		switch {
		case p.isWord(0, "NOT") && p.isWord(1, "NULL"):
			p.lex.next()
			p.lex.next()
			t.notNull = true
		case p.isWord(0, "NULL"):
			p.lex.next()
		case p.isPunct(0, "*"):
			p.lex.next()
			if w := p.lex.next(); w.kind != tWord {
				p.fail(w.pos, "expected a marker name after '*', found "+w.describe())
				return nil
			}
			p.expectPunct("*")
		case (p.isWord(0, "ARRAY") || p.isWord(0, "MULTISET")) && !p.isPunct(1, "<"):
			w := p.lex.next()
			if wraps == 0 {
				inner = height(t)
			}
			wraps++
			if depth-1+inner+wraps > MaxDepth {
				p.fail(w.pos, "type nests deeper than "+strconv.Itoa(MaxDepth)+" levels")
				return nil
			}
			t.raw = p.lex.src[start:p.lex.last]
			k := KindArray
			if equalFoldASCII(w.text, "MULTISET") {
				k = KindMultiset
			}
			t = &Type{kind: k, name: kindNames[k], base: upperASCII(w.text), elem: t}
		default:
			t.raw = p.lex.src[start:p.lex.last]
			return t
		}
	}
	return nil
}

// parseBase parses a type without suffixes.
func (p *parser) parseBase(depth int) *Type {
	tok := p.lex.next()
	if tok.kind != tWord {
		p.fail(tok.pos, "expected a type name, found "+tok.describe())
		return nil
	}
	switch up := upperASCII(tok.text); up {
	case "ARRAY", "MULTISET":
		k := KindArray
		if up == "MULTISET" {
			k = KindMultiset
		}
		t := &Type{kind: k, name: kindNames[k], base: up}
		if p.isPunct(0, "<") {
			p.lex.next()
			t.elem = p.parseType(depth + 1)
			if p.failed() || !p.expectPunct(">") {
				return nil
			}
		}
		return t
	case "MAP":
		t := &Type{kind: KindMap, name: kindNames[KindMap], base: up}
		if p.isPunct(0, "<") {
			p.lex.next()
			t.key = p.parseType(depth + 1)
			if p.failed() || !p.expectPunct(",") {
				return nil
			}
			t.elem = p.parseType(depth + 1)
			if p.failed() || !p.expectPunct(">") {
				return nil
			}
		}
		return t
	case "STRUCT", "ROW":
		t := &Type{kind: KindStruct, name: kindNames[KindStruct], base: up}
		switch {
		case p.isPunct(0, "<"):
			p.lex.next()
			t.fields = p.parseFields(depth, ">")
		case p.isPunct(0, "("):
			p.lex.next()
			t.fields = p.parseFields(depth, ")")
		}
		if p.failed() {
			return nil
		}
		return t
	}
	return p.parseSimple(tok, depth)
}

// parseFields parses struct fields up to and including the closer.
func (p *parser) parseFields(depth int, closer string) []Field {
	fields := []Field{}
	if p.isPunct(0, closer) {
		p.lex.next()
		return fields
	}
	for !p.failed() {
		name := p.lex.next()
		if name.kind != tWord && name.kind != tQuoted {
			p.fail(name.pos, "expected a field name, found "+name.describe())
			return nil
		}
		f := Field{Name: name.text}
		f.Type = p.parseType(depth + 1)
		if p.failed() {
			return nil
		}
		if p.isWord(0, "COMMENT") && p.lex.peek(1).kind == tString {
			p.lex.next()
		}
		if p.lex.peek(0).kind == tString {
			f.Description = p.lex.next().text
		}
		fields = append(fields, f)
		if p.isPunct(0, ",") {
			p.lex.next()
			continue
		}
		if !p.expectPunct(closer) {
			return nil
		}
		return fields
	}
	return nil
}

// segment is one word of a simple type phrase with its optional
// parenthesized arguments and angle-bracketed type arguments.
type segment struct {
	word     string // upper case
	hasArgs  bool
	args     []string // canonical text of each argument
	nums     []int64  // value of each argument, -1 when it is not a number
	hasTypes bool
	types    []*Type
}

// stopWords end a type phrase: they start a suffix or a field comment.
var stopWords = [...]string{"NOT", "NULL", "COMMENT", "ARRAY", "MULTISET"}

func isStopWord(t token) bool {
	if t.kind != tWord {
		return false
	}
	for _, w := range stopWords {
		if equalFoldASCII(t.text, w) {
			return true
		}
	}
	return false
}

// parseSimple parses a phrase of words such as "TIMESTAMP(3) WITH LOCAL
// TIME ZONE" starting with the already consumed word tok, and classifies it.
func (p *parser) parseSimple(tok token, depth int) *Type {
	var segs []segment
	for {
		seg := segment{word: upperASCII(tok.text)}
		if p.isPunct(0, "(") {
			p.lex.next()
			seg.hasArgs = true
			p.parseArgs(&seg)
		}
		if !p.failed() && p.isPunct(0, "<") {
			p.lex.next()
			seg.hasTypes = true
			for !p.failed() {
				seg.types = append(seg.types, p.parseType(depth+1))
				if p.failed() || !p.isPunct(0, ",") {
					break
				}
				p.lex.next()
			}
			if !p.failed() {
				p.expectPunct(">")
			}
		}
		if p.failed() {
			return nil
		}
		segs = append(segs, seg)
		if next := p.lex.peek(0); next.kind == tWord && !isStopWord(next) {
			tok = p.lex.next()
			continue
		}
		return classify(segs)
	}
}

// parseArgs parses "arg, arg)" after an opening parenthesis. An argument
// is a number, a 'string', a word or a quoted name.
func (p *parser) parseArgs(seg *segment) {
	if p.isPunct(0, ")") {
		p.lex.next()
		return
	}
	for {
		a := p.lex.next()
		var b strings.Builder
		n := int64(-1)
		switch a.kind {
		case tNumber:
			v, err := strconv.ParseInt(a.text, 10, 64)
			if err != nil {
				p.fail(a.pos, "number "+a.text+" is too large")
				return
			}
			n = v
			b.WriteString(strconv.FormatInt(v, 10))
		case tString:
			writeQuoted(&b, a.text, '\'')
		case tQuoted:
			writeQuoted(&b, a.text, '"')
		case tWord:
			b.WriteString(a.text)
		default:
			p.fail(a.pos, "expected a type parameter, found "+a.describe())
			return
		}
		seg.args = append(seg.args, b.String())
		seg.nums = append(seg.nums, n)
		t := p.lex.next()
		if t.kind == tPunct && t.text == ")" {
			return
		}
		if t.kind != tPunct || t.text != "," {
			p.fail(t.pos, "expected ',' or ')', found "+t.describe())
			return
		}
	}
}

// numArgs returns the numeric arguments of seg if there are between lo and
// hi of them and all are numbers.
func (s *segment) numArgs(lo, hi int) ([]int64, bool) {
	if s.hasTypes || len(s.nums) < lo || len(s.nums) > hi || (s.hasArgs && len(s.nums) == 0) {
		return nil, false
	}
	for _, n := range s.nums {
		if n < 0 {
			return nil, false
		}
	}
	return s.nums, true
}

func wordsAre(segs []segment, words ...string) bool {
	if len(segs) != len(words) {
		return false
	}
	for i, w := range words {
		if segs[i].word != w {
			return false
		}
	}
	return true
}

// plain reports whether the segments have neither arguments nor type
// arguments.
func plain(segs []segment) bool {
	for _, s := range segs {
		if s.hasArgs || s.hasTypes {
			return false
		}
	}
	return true
}

// classify turns a phrase into a known type when it matches one of the
// known spellings with fitting parameters, and into KindOther otherwise.
func classify(segs []segment) *Type {
	first := &segs[0]
	kind, known := simpleKinds[first.word]
	var param *segment // the segment whose arguments are the parameters
	switch {
	case !known:
	case len(segs) == 1:
		param = first
	case (kind == KindTimestamp || kind == KindTime) && first.word != "TIMESTAMP_LTZ" &&
		wordsAre(segs[1:], "WITHOUT", "TIME", "ZONE") && plain(segs[1:]):
		param = first
	case kind == KindTimestamp && first.word == "TIMESTAMP" &&
		wordsAre(segs[1:], "WITH", "LOCAL", "TIME", "ZONE") && plain(segs[1:]):
		kind, param = KindTimestampLTZ, first
	case kind == KindTimestamp && first.word == "TIMESTAMP" &&
		wordsAre(segs[1:], "WITH", "TIME", "ZONE") && plain(segs[1:]):
		kind, param = KindTimestampTZ, first
	case first.word == "DOUBLE" && wordsAre(segs[1:], "PRECISION") && plain(segs):
		param = &segs[1]
	case (first.word == "CHAR" || first.word == "CHARACTER") && wordsAre(segs[1:], "VARYING") && plain(segs[:1]):
		kind, param = KindVarchar, &segs[1]
	case first.word == "BINARY" && wordsAre(segs[1:], "VARYING") && plain(segs[:1]):
		kind, param = KindVarbinary, &segs[1]
	}
	if param != nil {
		t := &Type{kind: kind, name: kindNames[kind], base: baseName(segs)}
		switch kind {
		case KindDecimal:
			if nums, ok := param.numArgs(0, 2); ok {
				if len(nums) > 0 {
					t.precision, t.hasPrecision = nums[0], true
				}
				if len(nums) > 1 {
					t.scale = nums[1]
				}
				return t
			}
		case KindChar, KindVarchar, KindBinary, KindVarbinary:
			if nums, ok := param.numArgs(0, 1); ok {
				if len(nums) > 0 {
					t.length, t.hasLength = nums[0], true
				}
				return t
			}
		case KindTime, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
			if nums, ok := param.numArgs(0, 1); ok {
				if len(nums) > 0 {
					t.precision, t.hasPrecision = nums[0], true
				}
				return t
			}
		default:
			if _, ok := param.numArgs(0, 0); ok {
				return t
			}
		}
	}
	return otherType(segs)
}

// baseName is the words of a phrase joined by single spaces, without
// arguments: "TIMESTAMP WITH LOCAL TIME ZONE" for "TIMESTAMP(3) WITH LOCAL
// TIME ZONE".
func baseName(segs []segment) string {
	if len(segs) == 1 {
		return segs[0].word
	}
	var b strings.Builder
	for i, s := range segs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.word)
	}
	return b.String()
}

// otherType builds a KindOther type from its phrase.
func otherType(segs []segment) *Type {
	var name, text strings.Builder
	for i, s := range segs {
		if i > 0 {
			name.WriteByte(' ')
			text.WriteByte(' ')
		}
		name.WriteString(s.word)
		text.WriteString(s.word)
		if s.hasArgs {
			text.WriteByte('(')
			text.WriteString(strings.Join(s.args, ", "))
			text.WriteByte(')')
		}
		if s.hasTypes {
			text.WriteByte('<')
			for j, t := range s.types {
				if j > 0 {
					text.WriteString(", ")
				}
				t.write(&text)
			}
			text.WriteByte('>')
		}
	}
	return &Type{kind: KindOther, name: name.String(), other: text.String()}
}
