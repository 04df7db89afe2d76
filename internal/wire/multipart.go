package wire

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Attachment is one file sent with a statement. Name is the multipart
// filename, the name the SQL refers to.
type Attachment struct {
	Name string
	R    io.Reader
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")

// WriteStatement writes the multipart body of POST /statements: the request
// part as JSON, then one "attachments" part per attachment, streamed from
// its reader. It closes mw. It does not close the readers.
func WriteStatement(mw *multipart.Writer, req *StatementRequest, atts []Attachment) error {
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="`+PartRequest+`"`)
	h.Set("Content-Type", "application/json")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(req); err != nil {
		return err
	}
	for _, a := range atts {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", `form-data; name="`+PartAttachments+`"; filename="`+quoteEscaper.Replace(a.Name)+`"`)
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, a.R); err != nil {
			return err
		}
	}
	return mw.Close()
}
