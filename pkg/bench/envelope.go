package bench

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// Event id kinds: the letter before an event id's sequence number says what
// the event is for, so the receiver can keep them apart.
const (
	kindLoad     = 'e' // measured load
	kindWarmup   = 'w' // warm-up probes, not measured
	kindBaseline = 'b' // the bare-HTTP baseline
	kindReady    = 'r' // start-up probes, one per delivery partition
)

// contactPrefix starts every contact id (the Kafka key) Envelopes writes.
const contactPrefix = "bench-contact-"

// Envelopes writes contact.updated envelopes as Engage sends them, with
// event ids "<run>-<kind><seq>", contact ids spread over a fixed number of
// contacts, and an attribute padded so each envelope is about size bytes.
type Envelopes struct {
	run      string
	contacts int
	pad      string
}

// NewEnvelopes returns a writer of envelopes for run (a short unique token).
// contacts < 1 means 1; a size below the unpadded envelope means no padding.
func NewEnvelopes(run string, contacts, size int) *Envelopes {
	e := &Envelopes{run: run, contacts: max(contacts, 1)}
	base := len(e.Append(nil, kindLoad, 0))
	e.pad = strings.Repeat("x", max(size-base, 0))
	return e
}

// Append appends the envelope of event seq of the given kind to buf.
func (e *Envelopes) Append(buf []byte, kind byte, seq int) []byte {
	return e.AppendFor(buf, kind, seq, seq%e.contacts)
}

// AppendFor appends the envelope of event seq of the given kind, about
// contact number contact, to buf.
func (e *Envelopes) AppendFor(buf []byte, kind byte, seq, contact int) []byte {
	buf = append(buf, `{"eventId":"`...)
	buf = e.AppendID(buf, kind, seq)
	buf = append(buf, `","eventType":"contact.updated","tenant":"bench","isEncrypted":false,"payload":{"contactId":"`+contactPrefix...)
	buf = strconv.AppendInt(buf, int64(contact), 10)
	buf = append(buf, `","attributes":{"note":"`...)
	buf = append(buf, e.pad...)
	return append(buf, `"}}}`...)
}

// AppendID appends the event id of event seq of the given kind to buf.
func (e *Envelopes) AppendID(buf []byte, kind byte, seq int) []byte {
	buf = append(buf, e.run...)
	buf = append(buf, '-', kind)
	return strconv.AppendInt(buf, int64(seq), 10)
}

// Batch appends events first..first+n-1 to buf: a JSON array, or a single
// envelope when n is 1 (the one-event-per-request mode).
func (e *Envelopes) Batch(buf []byte, kind byte, first, n int) []byte {
	if n == 1 {
		return e.Append(buf, kind, first)
	}
	buf = append(buf, '[')
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = e.Append(buf, kind, first+i)
	}
	return append(buf, ']')
}

var idField = []byte(`"eventId"`)

// parseEventID finds the event id of a request — in its webhook-id header
// ("msg_" and the event id, as engagehub sends it), else in the envelope
// written by Envelopes — and splits it into kind and sequence number. The
// header comes first so a transformation may reshape the body; the body
// is scanned instead of decoded (the receiver sees the envelope byte for
// byte as it was sent), tolerating whitespace around the colon.
func parseEventID(h http.Header, body []byte) (kind byte, seq int, ok bool) {
	if id, isMsg := strings.CutPrefix(h.Get("webhook-id"), "msg_"); isMsg {
		if kind, seq, ok = splitEventID([]byte(id)); ok {
			return kind, seq, true
		}
	}
	id, ok := idValue(body)
	if !ok {
		return 0, 0, false
	}
	return splitEventID(id)
}

// splitEventID splits "<run>-<kind><seq>".
func splitEventID(id []byte) (kind byte, seq int, ok bool) {
	dash := bytes.LastIndexByte(id, '-')
	if dash < 0 || dash+2 > len(id) {
		return 0, 0, false
	}
	n, err := strconv.Atoi(string(id[dash+2:]))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	return id[dash+1], n, true
}

// idValue returns the string value of the first "eventId" key in body.
func idValue(body []byte) ([]byte, bool) {
	i := bytes.Index(body, idField)
	if i < 0 {
		return nil, false
	}
	rest := bytes.TrimLeft(body[i+len(idField):], " \t\r\n")
	rest, ok := bytes.CutPrefix(rest, []byte(":"))
	if !ok {
		return nil, false
	}
	rest, ok = bytes.CutPrefix(bytes.TrimLeft(rest, " \t\r\n"), []byte(`"`))
	end := bytes.IndexByte(rest, '"')
	if !ok || end < 0 {
		return nil, false
	}
	return rest[:end], true
}
