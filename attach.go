package deltastream

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
)

// attachment is one file for the next statement.
type attachment struct {
	name string
	r    io.Reader
}

// attachmentList is an immutable linked list, newest first, so that a child
// context never changes its parent's attachments.
type attachmentList struct {
	a    attachment
	next *attachmentList
}

type attachmentsKey struct{}

// WithAttachment returns a context that attaches the contents of r, under
// name, to the statement run with it. name is the multipart filename, the
// name the SQL refers to, as in
//
//	CREATE FUNCTION_SOURCE "udf" WITH ('file' = 'udf.jar');
//
// with an attachment named "udf.jar". Several calls add several files; a
// child context never changes its parent's attachments. The body is
// streamed: the file is never held in memory. A reader that is an io.Closer
// is closed once the statement was sent (or failed to be). A statement with
// attachments is sent once and never retried, since its readers cannot be
// read twice; use the context for one statement only.
func WithAttachment(ctx context.Context, name string, r io.Reader) context.Context {
	parent, _ := ctx.Value(attachmentsKey{}).(*attachmentList)
	return context.WithValue(ctx, attachmentsKey{}, &attachmentList{a: attachment{name: name, r: r}, next: parent})
}

// attachmentsFrom returns the attachments of ctx in the order they were added.
func attachmentsFrom(ctx context.Context) []attachment {
	l, _ := ctx.Value(attachmentsKey{}).(*attachmentList)
	var out []attachment
	for ; l != nil; l = l.next {
		out = append(out, l.a)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// discardAttachments closes the attachments of a statement that fails
// before it is sent, as WithAttachment promises.
func discardAttachments(ctx context.Context) { closeAttachments(attachmentsFrom(ctx)) }

func closeAttachments(atts []attachment) {
	for _, a := range atts {
		if c, ok := a.r.(io.Closer); ok {
			_ = c.Close()
		}
	}
}

// Kinds of downloadable sources.
const (
	sourceFunction   = "function_source"
	sourceDescriptor = "descriptor_source"
)

// DownloadFunctionSource streams the file of the function source name (a
// UDF jar) from the organization of the connection's current context. The
// caller must close the returned reader.
func DownloadFunctionSource(ctx context.Context, conn *sql.Conn, name string) (io.ReadCloser, error) {
	return download(ctx, conn, sourceFunction, name)
}

// DownloadDescriptorSource streams the file of the descriptor source name
// (a protobuf descriptor set) from the organization of the connection's
// current context. The caller must close the returned reader.
func DownloadDescriptorSource(ctx context.Context, conn *sql.Conn, name string) (io.ReadCloser, error) {
	return download(ctx, conn, sourceDescriptor, name)
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func download(ctx context.Context, conn *sql.Conn, kind, name string) (io.ReadCloser, error) {
	var rc io.ReadCloser
	err := withConn(conn, func(c *Conn) error {
		org := c.session.Organization
		if !uuidRE.MatchString(org) {
			return fmt.Errorf("deltastream: download %s %q: the organization id is not known yet (organization %q is not a UUID); run any statement on this connection first, or put the organization's UUID in the DSN", kind, name, org)
		}
		var err error
		rc, err = c.client.download(ctx, kind, org, name)
		return err
	})
	return rc, err
}

// withConn runs f with the driver connection behind conn.
func withConn(conn *sql.Conn, f func(c *Conn) error) error {
	if conn == nil {
		return errors.New("deltastream: nil *sql.Conn")
	}
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*Conn)
		if !ok {
			return fmt.Errorf("deltastream: %T is not a DeltaStream connection", dc)
		}
		return f(c)
	})
}
