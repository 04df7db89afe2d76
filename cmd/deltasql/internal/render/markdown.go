package render

import "strings"

// writeMarkdown writes a GitHub-flavoured Markdown table, streaming: pipes
// are escaped, line breaks become <br>, numeric columns are right-aligned.
func writeMarkdown(out *output, rd *reader, o *Options) error {
	var line, scratch []byte
	line = append(line, '|')
	for _, c := range rd.cols {
		line = append(line, ' ')
		line = append(line, mdEscape(Escape(c.name))...)
		line = append(line, " |"...)
	}
	line = append(line, "\n|"...)
	for _, c := range rd.cols {
		if c.kind.numeric() {
			line = append(line, "---:|"...)
		} else {
			line = append(line, "---|"...)
		}
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
		line = append(line[:0], '|')
		for i, v := range rd.vals {
			var s string
			s, scratch = humanText(scratch, v, rd.cols[i].kind, o, true)
			line = append(line, ' ')
			line = append(line, mdEscape(s)...)
			line = append(line, " |"...)
		}
		line = append(line, '\n')
		if _, err := out.Write(line); err != nil {
			return err
		}
	}
}

var mdReplacer = strings.NewReplacer("|", `\|`, "\r\n", "<br>", "\n", "<br>")

func mdEscape(s string) string { return mdReplacer.Replace(s) }
