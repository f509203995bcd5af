package ingest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// FuzzIngestEngage drives POST /ingest/engage with arbitrary bodies and
// headers, signed (so the parser is reached) or not, against a sink that
// always succeeds: the answer is never a 5xx, the handler never panics, and
// a 2xx wrote exactly one record (or was a duplicate).
func FuzzIngestEngage(f *testing.F) {
	for _, spec := range event.Catalog() {
		f.Add(spec.Example, "application/json", "msg_"+string(spec.Type), int64(0), true)
	}
	f.Add([]byte(`{"test": 2432232314}`), "application/json", "msg_p5jXN8AQM9LWM0D4loKWxJek", int64(0), true)
	f.Add([]byte(`{"id":"x","eventType":"contact.created","isEncrypted":true,"payload":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`), "application/json; charset=utf-8", "msg_enc", int64(0), true)
	f.Add([]byte(`[1,2,3]`), "text/plain", "msg_x", int64(-400), false)
	f.Add([]byte(`{"eventType":"order.created","payload":{"contactId":{"a":1}}}`), "application/json", "", int64(9999), true)
	sink := &countingSink{}
	fx := newFixture(f, func(c *Config) { c.Engage.DecryptionKey = testKey })
	fx.build(f, fx.in.cfg, sink, Options{})
	f.Fuzz(func(t *testing.T, body []byte, contentType, msgID string, tsOffset int64, sign bool) {
		ts := fx.now.Add(time.Duration(tsOffset%100_000) * time.Second)
		r := httptest.NewRequest(http.MethodPost, "/ingest/engage", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		r.Header.Set(webhook.HeaderID, msgID)
		r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
		if sign {
			r.Header.Set(webhook.HeaderSignature, fx.signer.Sign(msgID, ts, body))
		}
		before := sink.n.Load()
		w := fx.serve(r)
		if w.Code >= 500 {
			t.Fatalf("status %d for body %q: %s", w.Code, body, w.Body)
		}
		after := sink.n.Load()
		if w.Code < 300 && after-before > 1 {
			t.Fatalf("status %d wrote %d times", w.Code, after-before)
		}
		if w.Code >= 300 && after != before {
			t.Fatalf("status %d but wrote a record", w.Code)
		}
	})
}

// countingSink counts writes and keeps nothing, so long fuzz runs stay fast.
type countingSink struct{ n atomic.Int64 }

func (c *countingSink) WriteMessages(context.Context, ...kafka.Message) error {
	c.n.Add(1)
	return nil
}
