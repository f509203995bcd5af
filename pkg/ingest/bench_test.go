package ingest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/producer"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// benchConcurrency is the number of concurrent HTTP clients.
const benchConcurrency = 64

// benchBatchSize is the writer's BatchSize: the recommended one for ingest.
const benchBatchSize = 128

// BenchmarkIngestHTTP posts one event per request from benchConcurrency
// concurrent clients over real HTTP to an Ingest writing, with acks=all,
// to the embedded broker; events/s is the figure to watch.
func BenchmarkIngestHTTP(b *testing.B) {
	e, client := startEmbedded(b, b.TempDir(), freeAddr(b))
	defer e.Close()
	defer client.Close()
	ensureTopics(b, client)
	// kafka-go preallocates BatchSize messages per partition batch; with
	// many partitions and 2 ms batches, 1000 costs ~150 KB per batch.
	w := client.NewWriter(kafka.WriterOptions{BatchSize: benchBatchSize})
	defer w.Close()
	fx := &fixture{now: time.Now()}
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	fx.build(b, cfg, w, Options{})
	srv := httptest.NewServer(fx.handler)
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency, MaxConnsPerHost: benchConcurrency}}
	bodies, err := producer.Samples("", 1000)
	if err != nil {
		b.Fatal(err)
	}
	for _, door := range []string{doorAPI, doorEngage} {
		b.Run(door, func(b *testing.B) {
			var seq atomic.Int64
			b.SetParallelism(max(1, benchConcurrency/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := seq.Add(1)
					post(b, hc, srv.URL, door, fx.signer, fmt.Sprintf("msg_%s_%d", door, i), bodies[i%int64(len(bodies))])
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func post(b *testing.B, hc *http.Client, base, door string, signer *webhook.Signer, msgID string, body []byte) {
	path := "/v1/events"
	if door == doorEngage {
		path = "/ingest/engage"
	}
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if door == doorEngage {
		now := time.Now()
		req.Header.Set(webhook.HeaderID, msgID)
		req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		req.Header.Set(webhook.HeaderSignature, signer.Sign(msgID, now, body))
	} else {
		req.Header.Set("Authorization", "Bearer tok")
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Errorf("status %d", resp.StatusCode)
	}
}
