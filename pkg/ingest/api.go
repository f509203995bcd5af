package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	json "github.com/segmentio/encoding/json"

	"github.com/engagehub/engagehub/pkg/event"
)

// HeaderSource names the producing service on POST /v1/events (an HTTP
// header; the record header is event.HeaderSource).
const HeaderSource = "X-Engagehub-Source"

// defaultSource is the source of API events without a HeaderSource.
const defaultSource = "api"

// serveAPI handles POST /v1/events: read → content type → split → parse and
// validate every element → encode → one write for all.
func (in *Ingest) serveAPI(w http.ResponseWriter, r *http.Request) {
	buf, l := getBuffer(), in.budget.lease()
	defer l.release()
	defer putBuffer(buf)
	tr, w, r := in.startTrace(w, r, "/v1/events")
	if f := in.api(w, r, buf, l, &tr); f != nil {
		in.reject(w, doorAPI, f)
	}
	tr.end()
}

func (in *Ingest) api(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer, l *lease, tr *traced) *failure {
	if !in.ready.Load() {
		return unavailable("starting", "ingest is rebuilding its dedup window", 1)
	}
	body, f := readBody(r, buf, in.cfg.MaxBodyBytes, l)
	if f != nil {
		return f
	}
	in.metrics.bytes.WithLabelValues(doorAPI).Add(float64(len(body)))
	if f := checkContentType(r); f != nil {
		return f
	}
	key, f := idempotencyKey(r)
	if f != nil {
		return f
	}
	if key != "" {
		return in.idempotentAPI(w, r, key, body, tr)
	}
	return in.publishAPI(w, r, body, tr)
}

// publishAPI is the rest of api: source → parse → encode → write → accept.
func (in *Ingest) publishAPI(w http.ResponseWriter, r *http.Request, body []byte, tr *traced) *failure {
	source, f := sourceOf(r)
	if f != nil {
		return f
	}
	events, f := in.parseBatch(body, source)
	if f != nil {
		return f
	}
	msgs, f := in.records(r.Context(), events, tr)
	if f != nil {
		return f
	}
	if f := in.write(r.Context(), doorAPI, msgs); f != nil {
		return f
	}
	in.accept(w, doorAPI, http.StatusAccepted, events, msgs)
	return nil
}

// sourceOf returns the X-Engagehub-Source header, or "api".
func sourceOf(r *http.Request) (string, *failure) {
	s := strings.TrimSpace(r.Header.Get(HeaderSource))
	switch {
	case s == "":
		return defaultSource, nil
	case len(s) > 128:
		return "", invalid(HeaderSource + ": longer than 128 characters")
	}
	return s, nil
}

// parseBatch reads one envelope or a JSON array of them; every element is
// validated before anything is written. Errors name the element: "[3].payload.contactId".
func (in *Ingest) parseBatch(body []byte, source string) ([]event.Event, *failure) {
	raws, batch, f := in.split(body)
	if f != nil {
		return nil, f
	}
	events := make([]event.Event, len(raws))
	now := in.now()
	for i, raw := range raws {
		prefix, elem := "", ""
		if batch {
			elem = "[" + strconv.Itoa(i) + "]"
			prefix = elem + "."
		}
		env, err := event.Parse(raw)
		if err != nil {
			return nil, parseFailure(elemPrefix(elem, err), err)
		}
		if f := unknownType(prefix, env); f != nil {
			return nil, f
		}
		if events[i], err = event.New(env, source, now); err != nil {
			f := parseFailure(prefix, err)
			f.eventType = env.Type
			return nil, f
		}
	}
	return events, nil
}

// unknownType refuses a type outside the catalog (422 naming it and the
// nearest catalog type) unless the element opts in with
// "allowUnrecognized": true: an internal producer's typo must not land
// silently in the unrecognized topic. The Engage door accepts any type.
func unknownType(prefix string, env event.Envelope) *failure {
	if env.Type == "" || env.Type.Known() || env.AllowUnrecognized {
		return nil
	}
	f := invalid(fmt.Sprintf(`%seventType: %q is not an event type of the catalog (nearest: %q; GET /v1/event-types lists them); `+
		`set "allowUnrecognized": true to publish it raw to the unrecognized topic`, prefix, env.Type, env.Type.Nearest()))
	f.eventType = env.Type
	return f
}

// split returns the body as one envelope or, for a JSON array, the exact
// bytes of each element.
func (in *Ingest) split(body []byte) ([][]byte, bool, *failure) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return [][]byte{body}, false, nil
	}
	var elems []json.RawMessage // copies: body is a pooled buffer
	if err := json.Unmarshal(trimmed, &elems); err != nil {
		return nil, true, malformed("", fmt.Errorf("%w: %w", event.ErrMalformed, err))
	}
	switch {
	case len(elems) == 0:
		return nil, true, invalid("body: empty batch")
	case len(elems) > in.cfg.MaxBatch:
		return nil, true, &failure{status: http.StatusRequestEntityTooLarge, code: "batch_too_large",
			message: fmt.Sprintf("body: %d events, more than ingest.max_batch (%d)", len(elems), in.cfg.MaxBatch), outcome: outcomeTooLarge}
	}
	raws := make([][]byte, len(elems))
	for i, e := range elems {
		raws[i] = e
	}
	return raws, true, nil
}

// elemPrefix prefixes a Parse error with the element: "[3]." for a field
// error, "[3]: " for malformed JSON.
func elemPrefix(elem string, err error) string {
	var fe *event.FieldError
	switch {
	case elem == "":
		return ""
	case errors.As(err, &fe):
		return elem + "."
	default:
		return elem + ": "
	}
}
