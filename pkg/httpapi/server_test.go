package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// serve runs h behind a Server with cfg (listening on a free port) until
// the test ends, and returns its base URL.
func serve(t *testing.T, cfg httpapi.Config, h http.Handler) string {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	srv, err := httpapi.Listen(cfg, h, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return "http://" + srv.Addr()
}

// http.read_timeout bounds slow clients, not handlers: net/http lifts the
// deadline once the request is read, which this pins down.
func TestHandlerOutlivesReadTimeoutOnceRequestIsRead(t *testing.T) {
	t.Parallel()
	const readTimeout = 100 * time.Millisecond
	for _, tt := range []struct {
		name, method string
		body         io.Reader
	}{
		{"without a body", http.MethodGet, nil},
		{"after its body", http.MethodPost, strings.NewReader(`{"since":"2025-01-01T00:00:00Z"}`)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			router := httpapi.NewRouter(httpapi.NewAuth(nil))
			router.Handle(httpapi.Route{Method: tt.method, Path: "/slow", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				select { // a handler working past http.read_timeout
				case <-r.Context().Done():
					http.Error(w, "canceled", http.StatusServiceUnavailable)
				case <-time.After(3 * readTimeout):
					w.WriteHeader(http.StatusNoContent)
				}
			})})
			cfg := httpapi.DefaultConfig()
			cfg.ReadTimeout = readTimeout
			req, _ := http.NewRequest(tt.method, serve(t, cfg, router)+"/slow", tt.body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("status = %d: the handler's context was canceled at http.read_timeout", resp.StatusCode)
			}
		})
	}
}

func TestHeadersOverMaxHeaderBytesGet431(t *testing.T) {
	t.Parallel()
	router := httpapi.NewRouter(httpapi.NewAuth(nil))
	router.Handle(httpapi.Route{Method: http.MethodGet, Path: "/x", Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})})
	cfg := httpapi.DefaultConfig()
	cfg.MaxHeaderBytes = 4 << 10
	base := serve(t, cfg, router)
	for _, tt := range []struct {
		size int
		want int
	}{{1 << 10, http.StatusNoContent}, {64 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		req, _ := http.NewRequest(http.MethodGet, base+"/x", nil)
		req.Header.Set("X-Big", strings.Repeat("a", tt.size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Fatalf("a %d-byte header: status %d, want %d", tt.size, resp.StatusCode, tt.want)
		}
	}
}
