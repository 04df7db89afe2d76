package render

// writeDelimited writes CSV (sep ',') or TSV (sep '\t'): a header line with
// the column names, then one line per row.
//
// CSV follows RFC 4180: a field is quoted when it holds the separator, a
// quote, a line break or leading space, and every empty string is quoted,
// so that an empty unquoted field means NULL. TSV escapes backslash, tab,
// CR and LF as \\, \t, \r, \n and writes NULL as \N, like PostgreSQL's
// text format.
func writeDelimited(out *output, rd *reader, o *Options, sep byte) error {
	var line, cell []byte
	for i, c := range rd.cols {
		if i > 0 {
			line = append(line, sep)
		}
		line = appendField(line, []byte(c.name), sep, o.Terminal)
	}
	line = append(line, '\n')
	if _, err := out.Write(line); err != nil {
		return err
	}
	for {
		ok, err := rd.next()
		if !ok {
			return err
		}
		line = line[:0]
		for i, v := range rd.vals {
			if i > 0 {
				line = append(line, sep)
			}
			if v == nil {
				if sep == '\t' {
					line = append(line, `\N`...)
				}
				continue
			}
			cell = appendValue(cell[:0], v, rd.cols[i].kind, true)
			line = appendField(line, cell, sep, o.Terminal)
		}
		line = append(line, '\n')
		if _, err := out.Write(line); err != nil {
			return err
		}
	}
}

// appendField appends one non-NULL field.
func appendField(dst, f []byte, sep byte, terminal bool) []byte {
	if sep == '\t' {
		start := len(dst)
		for _, c := range f {
			switch c {
			case '\\':
				dst = append(dst, `\\`...)
			case '\t':
				dst = append(dst, `\t`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			default:
				dst = append(dst, c)
			}
		}
		if terminal && needsEscape(dst[start:], false) {
			esc := appendEscaped(nil, dst[start:], false)
			dst = append(dst[:start], esc...)
		}
		return dst
	}
	if terminal && needsEscape(f, true) {
		f = appendEscaped(nil, f, true)
	}
	if !csvQuote(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for _, c := range f {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

func csvQuote(f []byte) bool {
	if len(f) == 0 || f[0] == ' ' || f[0] == '\t' {
		return true
	}
	for _, c := range f {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}
