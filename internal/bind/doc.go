// Package bind renders query arguments into SQL text on the client.
//
// DeltaStream has no server-side bind parameters: the REST API accepts a
// statement as plain text and nothing else. To support database/sql
// arguments the driver therefore substitutes them into the text itself. This
// package does that, with one invariant above all others: no argument value
// can ever change the structure of the statement. Every value becomes exactly
// one literal (NULL, TRUE, a number, a string, X'..' or TIMESTAMP '..'),
// surrounded by single spaces so that it cannot fuse with a neighbouring
// token, and values that cannot be rendered safely are rejected with an error
// instead of being approximated.
//
// # Placeholders
//
// A statement uses one of three styles, never a mix:
//
//   - ? is positional: the n-th ? takes the argument with Ordinal n.
//   - $1 .. $N are numbered and reusable: $2 used twice binds the same
//     argument twice. Every number from 1 to N must be used, and N is the
//     number of arguments. $0 and numbers with leading zeros are errors. A $
//     preceded by an identifier character (a$1) or followed by one ($1a) is
//     part of an identifier, since $ is an identifier character in
//     DeltaStream SQL; the end of a placeholder does not count as an
//     identifier character.
//   - @name takes the argument passed as sql.Named("name", v). Names begin
//     with a letter, continue with letters, digits and _, and match
//     case-sensitively. @@x and an @ preceded by an identifier character
//     (user@example) are plain text.
//
// Placeholders are plain text inside string literals ('...'), quoted
// identifiers ("..." and `...`; in all three a doubled quote character
// escapes it), -- line comments and /* */ block comments.
//
// # Ambiguous text
//
// A few constructs are lexed differently by different SQL dialects; if the
// driver guessed differently from the service, a rendered string could end up
// outside the literal the driver put it in. Parse therefore rejects a
// statement that has placeholders and also contains any of: an unterminated
// string, quoted identifier or block comment; a block comment that contains
// "/*" (nested comments); a "//" outside literals and comments (a line comment
// in some dialects); or a string literal directly preceded by E or e that
// contains a backslash (an E'..' string with C-style escapes in some
// dialects). A statement without placeholders is never
// rejected: it is sent exactly as written.
//
// # Values
//
// See Value for the literal each Go type becomes.
package bind
