package delivery

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/telemetry"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// sent is what a receiver saw of one request.
type sent struct {
	Method, URI, Host, Body string
	Header                  http.Header
}

// recordingReceiver answers every request with status, a Retry-After, a
// webhook-delivery control header and answer, and hands what it saw to
// the returned channel.
func recordingReceiver(t *testing.T, status int, answer string) (*httptest.Server, <-chan sent) {
	t.Helper()
	seen := make(chan sent, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h := r.Header.Clone()
		h.Del("Accept-Encoding") // net/http's transport adds it; the sender does not ask for it
		seen <- sent{r.Method, r.RequestURI, r.Host, string(b), h}
		w.Header().Set("Retry-After", "17")
		w.Header().Set(HeaderDeliveryControl, "pause")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

// sendOnce sends one request to url through client and returns the
// result and what the receiver saw.
func sendOnce(t *testing.T, client *http.Client, srv *httptest.Server, seen <-chan sent, r Request, ep Endpoint) (Result, sent) {
	t.Helper()
	ep.URL, ep.Secrets, ep.Timeout = srv.URL+"/hooks/a%2Fb?tenant=1", []webhook.Secret{testSecret}, 5*time.Second
	s, err := NewSender(client, ep, "engagehub/test", newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	if r.URL == "" {
		r.URL = ep.URL
	}
	res := s.SendRequest(context.Background(), "msg_1", r)
	if res.Err != nil {
		t.Fatalf("send: %v", res.Err)
	}
	return res, <-seen
}

func TestSenderSendsTheSameRequestAndReadsTheSameAnswerOverEitherClient(t *testing.T) {
	t.Parallel()
	answer := strings.Repeat("x", MaxExcerpt+10)
	ep := Endpoint{ID: "sub", Headers: map[string]string{"X-Store": "42"}, SvixHeaders: true,
		Auth: &Auth{BasicUser: "shop", BasicPassword: secret.String("pw")}}
	r := Request{Method: http.MethodPut, Headers: ep.Headers, Body: []byte(`{"type":"contact.created"}`),
		Trace: telemetry.Parent{TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}
	var results []Result
	var requests []sent
	for _, client := range []*http.Client{stdLoopbackClient(), loopbackClient()} {
		srv, seen := recordingReceiver(t, http.StatusServiceUnavailable, answer)
		res, got := sendOnce(t, client, srv, seen, r, ep)
		got.Host = strings.TrimPrefix(got.Host, srv.Listener.Addr().String()) // each run has its own port
		results, requests = append(results, res), append(requests, got)
	}
	if !reflect.DeepEqual(requests[0], requests[1]) {
		t.Errorf("receiver saw\n net/http: %+v\n fast:     %+v", requests[0], requests[1])
	}
	if requests[1].Method != http.MethodPut || requests[1].URI != "/hooks/a%2Fb?tenant=1" || requests[1].Header.Get("Authorization") == "" ||
		requests[1].Header.Get("Traceparent") == "" || requests[1].Header.Get("Svix-Signature") == "" {
		t.Errorf("fast request %+v: want the PUT, its path as written, basic auth, the trace and the svix headers", requests[1])
	}
	for i, res := range results {
		if res.Status != http.StatusServiceUnavailable || res.RetryAfter != "17" || res.Control != "pause" ||
			res.Body != answer[:MaxExcerpt] || !res.Truncated || res.Header.Get("Webhook-Id") != "msg_1" {
			t.Errorf("client %d: result %d %q %q truncated %v, want 503, Retry-After 17, pause, the excerpt, truncated", i, res.Status, res.RetryAfter, res.Control, res.Truncated)
		}
	}
}

func TestSenderOverTheFastClientGivesUpAtTheEndpointTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	ep := Endpoint{ID: "sub", URL: srv.URL, Secrets: []webhook.Secret{testSecret}, Timeout: 100 * time.Millisecond}
	s, err := NewSender(loopbackClient(), ep, "engagehub/test", nil)
	if err != nil {
		t.Fatal(err)
	}
	res := s.Send(context.Background(), "msg_1", []byte(`{}`))
	var ne net.Error
	if !errors.As(res.Err, &ne) || !ne.Timeout() || !strings.Contains(res.Err.Error(), "no answer within 100ms") {
		t.Fatalf("err %v, want a timeout naming the endpoint's 100ms", res.Err)
	}
	if got := ClassifyResult(res, time.Now()); got.Class != "timeout" {
		t.Errorf("classified %+v, want class timeout", got)
	}
}
