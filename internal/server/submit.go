package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// decodeSubmission decodes the body of POST /statements: multipart/form-data
// with a `request` part and `attachments` parts, or a JSON request.
func decodeSubmission(contentType string, body []byte) (*wire.StatementRequest, []Attachment, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		mt, err = "application/json", nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("bad Content-Type %q: %v", contentType, err)
	}
	switch mt {
	case "application/json":
		req, err := decodeRequest(bytes.NewReader(body))
		return req, nil, err
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, nil, errors.New("multipart Content-Type without a boundary")
		}
		return decodeMultipart(multipart.NewReader(bytes.NewReader(body), params["boundary"]))
	default:
		return nil, nil, fmt.Errorf("unsupported Content-Type %q: use multipart/form-data or application/json", mt)
	}
}

// decodeMultipart reads the parts of a multipart submission.
func decodeMultipart(mr *multipart.Reader) (*wire.StatementRequest, []Attachment, error) {
	var req *wire.StatementRequest
	var atts []Attachment
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("bad multipart body: %v", err)
		}
		switch p.FormName() {
		case wire.PartRequest:
			if req != nil {
				return nil, nil, errors.New("more than one \"request\" part")
			}
			if req, err = decodeRequest(p); err != nil {
				return nil, nil, err
			}
		case wire.PartAttachments:
			name := p.FileName()
			if name == "" {
				return nil, nil, errors.New("an \"attachments\" part has no filename")
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, nil, fmt.Errorf("reading attachment %q: %v", name, err)
			}
			atts = append(atts, Attachment{Name: name, Data: data})
		default:
			// Unknown parts are ignored: be liberal in what we accept.
		}
	}
	if req == nil {
		return nil, nil, errors.New("multipart body has no \"request\" part")
	}
	return req, atts, nil
}

// decodeRequest decodes a statement request and checks that it holds a
// statement.
func decodeRequest(r io.Reader) (*wire.StatementRequest, error) {
	var req wire.StatementRequest
	if err := json.NewDecoder(r).Decode(&req); err != nil {
		return nil, fmt.Errorf("bad statement request JSON: %v", err)
	}
	if req.Statement == "" {
		return nil, errors.New("the request has no statement")
	}
	return &req, nil
}
