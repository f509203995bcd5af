package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sync"
)

// bufferPool recycles request-body buffers; a buffer that grew past
// maxPooled is dropped so one large body does not pin memory.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooled = 64 << 10

// minGrowth is the smallest step a body buffer grows by.
const minGrowth = 4 << 10

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

// errBudget reports that ingest.max_in_flight_bytes is taken.
var errBudget = errors.New("ingest: body budget exhausted")

// readBody reads r's body into buf, up to max bytes: a longer body is 413
// (refused from Content-Length before reading when it is declared). The
// buffer grows as bytes arrive, never ahead of them to the declared length,
// each step covered by l; when the budget is taken the answer is 503 with
// Retry-After, and a body still arriving at http.read_timeout is 408.
func readBody(r *http.Request, buf *bytes.Buffer, max int64, l *lease) ([]byte, *failure) {
	tooLarge := &failure{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
		message: fmt.Sprintf("body: larger than ingest.max_body_bytes (%d)", max), outcome: outcomeTooLarge}
	if r.ContentLength > max {
		return nil, tooLarge
	}
	err := fill(buf, io.LimitReader(r.Body, max+1), max+1, l)
	switch {
	case errors.Is(err, errBudget):
		return nil, unavailable("busy", "ingest is holding ingest.max_in_flight_bytes of request bodies; retry", 1)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, &failure{status: http.StatusRequestTimeout, code: "body_timeout",
			message: "body: not received within http.read_timeout", outcome: outcomeMalformed}
	case err != nil:
		return nil, &failure{status: http.StatusBadRequest, code: "malformed", message: "body: " + err.Error(), outcome: outcomeMalformed}
	case int64(buf.Len()) > max:
		return nil, tooLarge
	}
	return buf.Bytes(), nil
}

// fill reads body to EOF into buf, growing buf (at most to limit bytes)
// only when it is full, and covering its capacity with l first.
func fill(buf *bytes.Buffer, body io.Reader, limit int64, l *lease) error {
	if !l.cover(int64(buf.Cap())) {
		return errBudget
	}
	for int64(buf.Len()) < limit {
		if buf.Available() == 0 {
			if err := grow(buf, limit, l); err != nil {
				return err
			}
		}
		free := buf.AvailableBuffer()[:buf.Available()]
		n, err := body.Read(free)
		buf.Write(free[:n]) // in place: free is buf's own spare capacity
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
	return nil
}

// grow doubles buf's capacity (at least minGrowth, at most limit, which is
// more than buf.Len()), covered by l before and after (the allocator may
// round the capacity up).
func grow(buf *bytes.Buffer, limit int64, l *lease) error {
	target := min(max(2*int64(buf.Cap()), minGrowth), limit)
	if !l.cover(target) {
		return errBudget
	}
	buf.Grow(int(target) - buf.Len())
	if !l.cover(int64(buf.Cap())) {
		return errBudget
	}
	return nil
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
