package statements

import "strings"

// Keywords returns the first n words of stmt in upper case, skipping
// comments; a quoted identifier or a literal ends the list.
func Keywords(stmt string, n int) []string {
	s := StripComments(stmt)
	var out []string
	for len(out) < n {
		s = strings.TrimLeft(s, " \t\r\n(")
		if s == "" || s[0] == '\'' || s[0] == '"' {
			break
		}
		end := strings.IndexFunc(s, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})
		if end == 0 {
			break
		}
		if end < 0 {
			end = len(s)
		}
		out = append(out, strings.ToUpper(s[:end]))
		s = s[end:]
	}
	return out
}

// secretObjects are the objects whose CREATE, ALTER or UPDATE statements
// may carry credentials in their WITH clause.
var secretObjects = map[string]bool{
	"SECRET":               true,
	"STORE":                true,
	"SCHEMA_REGISTRY":      true,
	"API_TOKEN":            true,
	"USER":                 true,
	"PG_USER":              true,
	"SECURITY_INTEGRATION": true,
	"METRICS_INTEGRATION":  true,
}

// secretWords are words that, anywhere in a statement, mark it as carrying
// something that must not be written down.
var secretWords = []string{"password", "secret", "token", "credential", "sasl", "private", "access_key", "key_pass"}

// HasSecret reports whether stmt may carry a secret and must be kept out of
// the history file: CREATE/ALTER/UPDATE of secrets, stores, schema
// registries, API tokens, users and integrations, and any statement that
// mentions a password, secret, token or key.
func HasSecret(stmt string) bool {
	kw := Keywords(stmt, 3)
	if len(kw) >= 2 {
		switch kw[0] {
		case "CREATE", "ALTER", "UPDATE":
			obj := kw[1]
			if obj == "OR" && len(kw) == 3 { // CREATE OR REPLACE ...
				obj = kw[2]
			}
			if secretObjects[obj] {
				return true
			}
		}
	}
	lower := strings.ToLower(stmt)
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// ChangesCatalog reports whether stmt may create, drop or rename objects
// or change the session context, so that cached object names are stale
// after it.
func ChangesCatalog(stmt string) bool {
	kw := Keywords(stmt, 1)
	if len(kw) == 0 {
		return false
	}
	switch kw[0] {
	case "CREATE", "DROP", "ALTER", "UPDATE", "USE", "RENAME":
		return true
	}
	return false
}
