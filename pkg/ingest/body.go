package ingest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sync"
)

// bufferPool recycles request-body buffers; a buffer that grew past
// maxPooled is dropped so one large body does not pin memory.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 64 << 10

func getBuffer() *bytes.Buffer {
	b := bufferPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		bufferPool.Put(b)
	}
}

// readBody reads r's body into buf, up to max bytes: a longer body is 413
// (refused from Content-Length before reading when it is declared).
func readBody(r *http.Request, buf *bytes.Buffer, max int64) ([]byte, *failure) {
	tooLarge := &failure{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
		message: fmt.Sprintf("body: larger than ingest.max_body_bytes (%d)", max), outcome: outcomeTooLarge}
	if r.ContentLength > max {
		return nil, tooLarge
	}
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, &failure{status: http.StatusBadRequest, code: "malformed", message: "body: " + err.Error(), outcome: outcomeMalformed}
	}
	if n > max {
		return nil, tooLarge
	}
	return buf.Bytes(), nil
}

// checkContentType requires application/json (parameters such as charset
// are allowed): anything else is 415.
func checkContentType(r *http.Request) *failure {
	ct := r.Header.Get("Content-Type")
	if ct == "application/json" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return nil
	}
	return &failure{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
		message: fmt.Sprintf("Content-Type: must be application/json, got %q", ct), outcome: outcomeMediaType}
}
