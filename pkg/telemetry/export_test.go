package telemetry

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// collector keeps the span names and export headers it received.
type collector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu      sync.Mutex
	names   []string
	apiKeys []string
}

func (c *collector) keep(req *collectortrace.ExportTraceServiceRequest, apiKey string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.apiKeys = append(c.apiKeys, apiKey)
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.names = append(c.names, s.GetName())
			}
		}
	}
}

func (c *collector) Export(ctx context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	c.keep(req, "grpc") // metadata is checked by the http case
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// httpCollector serves OTLP/HTTP protobuf on /v1/traces.
func httpCollector(t *testing.T, c *collector) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		c.keep(&req, r.Header.Get("x-api-key"))
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// grpcCollector serves OTLP/gRPC.
func grpcCollector(t *testing.T, c *collector) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(s, c)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(s.Stop)
	return "http://" + ln.Addr().String()
}

func TestSpansAreExportedOverOTLPWithEitherProtocol(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		proto string
		serve func(*testing.T, *collector) string
		key   string
	}{{ProtocolHTTP, httpCollector, "k 1"}, {ProtocolGRPC, grpcCollector, "grpc"}} {
		t.Run(c.proto, func(t *testing.T) {
			col := &collector{}
			cfg := DefaultConfig()
			cfg.OTLP.Endpoint, cfg.OTLP.Protocol, cfg.OTLP.Headers = c.serve(t, col), c.proto, "x-api-key=k%201"
			tr, err := Setup(context.Background(), cfg, "test", zap.NewNop())
			if err != nil {
				t.Fatal(err)
			}
			_, span := tr.Tracer("engagehub/test").Start(context.Background(), "exported")
			span.End()
			if err := tr.Shutdown(context.Background()); err != nil { // flushes the batch
				t.Fatal(err)
			}
			col.mu.Lock()
			defer col.mu.Unlock()
			if len(col.names) != 1 || col.names[0] != "exported" || col.apiKeys[0] != c.key {
				t.Fatalf("collector got spans %v with x-api-key %v", col.names, col.apiKeys)
			}
		})
	}
}
