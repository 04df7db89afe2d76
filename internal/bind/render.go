package bind

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// maxSmallArgs is the number of arguments up to which Render matches
// arguments to placeholders without allocating.
const maxSmallArgs = 16

// Render returns the statement with every placeholder replaced by the SQL
// literal of its argument (see Value), surrounded by single spaces so that it
// cannot fuse with the text around it: "1-?" bound to -1 renders "1- -1 ".
//
// args are what database/sql passes to a driver: with ? and $N placeholders
// each argument is matched by its 1-based Ordinal and must not be named; with
// @name placeholders each argument must be named (sql.Named) and is matched by
// Name. There must be exactly one argument per ordinal up to NumInput, or one
// per distinct name: a missing, extra, duplicate or wrongly named argument is
// an error. A statement without placeholders renders to itself when args is
// empty.
//
// Render does not modify args and is safe for concurrent use.
func (t *Template) Render(args []driver.NamedValue) (string, error) {
	var small [maxSmallArgs]int
	var argAt []int // argAt[key] = index into args of the value for placeholder key
	if t.numInput <= len(small) {
		argAt = small[:t.numInput]
	} else {
		argAt = make([]int, t.numInput)
	}
	var err error
	if t.style == styleNamed {
		err = t.matchNamed(args, argAt)
	} else {
		err = t.matchOrdinal(args, argAt)
	}
	if err != nil {
		return "", err
	}
	if len(t.ph) == 0 {
		return t.query, nil
	}

	var b strings.Builder
	b.Grow(t.sizeHint(args, argAt))
	last := 0
	for _, p := range t.ph {
		b.WriteString(t.query[last:p.start])
		last = p.end
		arg := &args[argAt[p.key]]
		b.WriteByte(' ')
		v, err := normalize(arg.Value, 0)
		if err == nil {
			err = appendLiteral(&b, v)
		}
		if err != nil {
			return "", fmt.Errorf("deltastream: %s: %w", t.describe(arg), err)
		}
		b.WriteByte(' ')
	}
	b.WriteString(t.query[last:])
	return b.String(), nil
}

// matchOrdinal fills argAt for ? and $N placeholders, which take unnamed
// arguments by Ordinal.
func (t *Template) matchOrdinal(args []driver.NamedValue, argAt []int) error {
	for i := range args {
		if args[i].Name != "" {
			if t.style == styleNone {
				break // reported as a count mismatch below
			}
			return fmt.Errorf("deltastream: argument %d is named (@%s) but the statement uses %s placeholders; pass it without sql.Named",
				args[i].Ordinal, args[i].Name, t.style)
		}
	}
	if len(args) != t.numInput {
		return t.countError(len(args))
	}
	for i := range argAt {
		argAt[i] = -1
	}
	for i := range args {
		o := args[i].Ordinal
		if o < 1 || o > len(argAt) {
			return fmt.Errorf("deltastream: argument %d has ordinal %d, outside 1..%d", i+1, o, len(argAt))
		}
		if argAt[o-1] >= 0 {
			return fmt.Errorf("deltastream: two arguments have ordinal %d", o)
		}
		argAt[o-1] = i
	}
	return nil
}

// matchNamed fills argAt for @name placeholders, which take named arguments
// by Name.
func (t *Template) matchNamed(args []driver.NamedValue, argAt []int) error {
	for i := range argAt {
		argAt[i] = -1
	}
	for i := range args {
		name := args[i].Name
		if name == "" {
			return fmt.Errorf("deltastream: argument %d is not named but the statement uses @name placeholders; pass it as sql.Named(name, value)",
				args[i].Ordinal)
		}
		k := t.lookupName(name)
		if k < 0 {
			return fmt.Errorf("deltastream: argument %d (@%s) matches no placeholder in the statement", args[i].Ordinal, name)
		}
		if argAt[k] >= 0 {
			return fmt.Errorf("deltastream: argument @%s is given twice", name)
		}
		argAt[k] = i
	}
	for k, at := range argAt {
		if at < 0 {
			return fmt.Errorf("deltastream: no argument for @%s; pass sql.Named(%q, value)", t.names[k], t.names[k])
		}
	}
	return nil
}

// countError reports a wrong number of arguments for ? or $N placeholders.
func (t *Template) countError(got int) error {
	if t.style == styleNone {
		return fmt.Errorf("deltastream: statement has no placeholders but %d %s given", got, plural(got, "argument was", "arguments were"))
	}
	what := fmt.Sprintf("%d ? %s", t.numInput, plural(t.numInput, "placeholder", "placeholders"))
	if t.style == styleNumbered {
		what = fmt.Sprintf("placeholders $1 to $%d", t.numInput)
	}
	return fmt.Errorf("deltastream: statement has %s but %d %s given", what, got, plural(got, "argument was", "arguments were"))
}

// describe names an argument in error messages, e.g. "argument 2 ($2)".
func (t *Template) describe(arg *driver.NamedValue) string {
	switch t.style {
	case styleNumbered:
		return fmt.Sprintf("argument %d ($%d)", arg.Ordinal, arg.Ordinal)
	case styleNamed:
		return fmt.Sprintf("argument %d (@%s)", arg.Ordinal, arg.Name)
	default:
		return fmt.Sprintf("argument %d", arg.Ordinal)
	}
}

// sizeHint estimates the length of the rendered statement so that Render
// usually allocates its result once.
func (t *Template) sizeHint(args []driver.NamedValue, argAt []int) int {
	n := len(t.query)
	for _, p := range t.ph {
		n += 2 - (p.end - p.start)
		switch v := args[argAt[p.key]].Value.(type) {
		case string:
			n += len(v) + 2 + strings.Count(v, "'")
		case []byte:
			n += 2*len(v) + 3
		default:
			n += 40 // enough for any number, TIMESTAMP '...' and NULL
		}
	}
	return n
}

// plural returns one if n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
