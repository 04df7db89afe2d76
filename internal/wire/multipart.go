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

// AppendStatement appends to dst the multipart body of a submission without
// attachments: the request part alone, delimited by boundary. It reports
// false, leaving dst as it was, when the request's JSON happens to contain
// the boundary; the caller then uses WriteStatement with a fresh one.
func AppendStatement(dst []byte, boundary string, req *StatementRequest) ([]byte, bool, error) {
	js, err := json.Marshal(req)
	if err != nil {
		return dst, false, err
	}
	if strings.Contains(string(js), boundary) {
		return dst, false, nil
	}
	dst = append(dst, "--"...)
	dst = append(dst, boundary...)
	dst = append(dst, "\r\nContent-Disposition: form-data; name=\""+PartRequest+"\"\r\nContent-Type: application/json\r\n\r\n"...)
	dst = append(dst, js...)
	dst = append(dst, "\r\n--"...)
	dst = append(dst, boundary...)
	dst = append(dst, "--\r\n"...)
	return dst, true, nil
}
