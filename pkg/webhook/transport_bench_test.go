package webhook_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// BenchmarkTransports compares the sender's webhook clients posting a
// signed-size request to a local receiver from 64 goroutines. The receiver
// runs in the benchmark process, so ns/op is the whole exchange, both
// ends; allocs/op are the client's and the server's together.
func BenchmarkTransports(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/hook"
	for _, tc := range []struct {
		name string
		rt   func() http.RoundTripper
	}{
		{"net-http", func() http.RoundTripper { return webhook.NewTransport(loopback, 0) }},
		{"fasthttp", func() http.RoundTripper { return webhook.NewFastTransport(webhook.NewTransport(loopback, 0)) }},
		{"fasthttp-pipelined-8", func() http.RoundTripper {
			return webhook.NewPipeliningTransport(webhook.NewTransport(loopback, 0), 8, time.Minute)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{Transport: tc.rt()}
			b.SetParallelism(32) // 64 goroutines on two CPUs: the sender's default per host
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(benchBody))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Webhook-Id", "msg_2Qx7c1mJ0bQ8zZ3nKp")
					req.Header.Set("Webhook-Timestamp", "1764547200")
					req.Header.Set("Webhook-Signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=")
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
		})
	}
}
