package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// HTTPBaseline is what a bare net/http client reaches against the same
// Receiver: the physical limit of the delivery hop on this machine.
type HTTPBaseline struct {
	Concurrency int     `json:"concurrency"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	Seconds     float64 `json:"seconds"`
	PerSec      float64 `json:"reqPerSec"`
	// Signed says whether each request was signed (and verified by the
	// receiver), as engagehub's deliveries are.
	Signed bool `json:"signed"`
	// CPUPerReqUs is the bench process's CPU per request: client and
	// receiver together, what one signed exchange costs on this machine
	// (0: unknown). Set it beside engagehub's CPU per delivery to compare
	// runs on machines of different speeds.
	CPUPerReqUs float64 `json:"cpuMicrosPerRequest,omitempty"`
}

// RunHTTPBaseline POSTs envelopes to ep (at url) from concurrency
// keep-alive clients, back to back, for d. With signed, every request is
// signed with a pkg/webhook Signer and ep verifies it, exactly the work of
// the engagehub run's sender and receiver.
func RunHTTPBaseline(ctx context.Context, url string, ep *Endpoint, env *Envelopes, concurrency int, d time.Duration, signed bool) (HTTPBaseline, error) {
	signer, err := baselineSigner(ep, signed)
	if err != nil {
		return HTTPBaseline{}, err
	}
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency,
		DisableCompression: true, ForceAttemptHTTP2: false,
	}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	var next, ok, failed atomic.Int64
	stop, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	cpu := ownCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			var buf []byte
			for stop.Err() == nil {
				seq := int(next.Add(1) - 1)
				buf = env.Append(buf[:0], kindBaseline, seq)
				if signedPost(ctx, client, url, signer, buf, seq) == nil {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	b := HTTPBaseline{Concurrency: concurrency, Requests: ok.Load(), Errors: failed.Load(),
		Seconds: secs, PerSec: float64(ok.Load()) / secs, Signed: signed}
	if used := ownCPU() - cpu; cpu > 0 && b.Requests > 0 {
		b.CPUPerReqUs = float64(used.Microseconds()) / float64(b.Requests)
	}
	return b, nil
}

// ownCPU is the CPU time this process has used (0 when /proc cannot say).
func ownCPU() time.Duration {
	st, err := ReadProcStats(os.Getpid())
	if err != nil {
		return 0
	}
	return st.CPU
}

func baselineSigner(ep *Endpoint, signed bool) (*webhook.Signer, error) {
	if !signed {
		return nil, nil
	}
	text, err := webhook.NewSecret()
	if err != nil {
		return nil, fmt.Errorf("bench: baseline secret: %w", err)
	}
	secret, err := webhook.ParseSecret(text)
	if err != nil {
		return nil, fmt.Errorf("bench: baseline secret: %w", err)
	}
	if err := ep.SetSecret(secret); err != nil {
		return nil, err
	}
	signer, err := webhook.NewSigner(secret)
	if err != nil {
		return nil, fmt.Errorf("bench: baseline signer: %w", err)
	}
	return signer, nil
}

// signedPost sends one baseline request; an answer other than 2xx is an error.
func signedPost(ctx context.Context, client *http.Client, url string, signer *webhook.Signer, body []byte, seq int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if signer != nil {
		id := fmt.Sprintf("msg_b%d", seq)
		ts := time.Now()
		webhook.SetHeaders(req.Header, id, ts, signer.Sign(id, ts, body), false)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("bench: baseline post: %s", resp.Status)
	}
	return nil
}
