package delivery

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// Retry-After is honoured within these bounds.
const (
	minRetryAfter = time.Second
	maxRetryAfter = time.Hour
)

// Classify turns one attempt's result into an Outcome: the HTTP status (0 when
// err is set), the Retry-After header value, and the transport error. It is the
// only place that decides what a status code means.
func Classify(status int, retryAfter string, err error, now time.Time) Outcome {
	if err != nil {
		return classifyError(err)
	}
	switch {
	case status >= 200 && status < 300:
		return Outcome{Kind: Delivered, Class: "2xx"}
	case status == http.StatusGone:
		return Outcome{Kind: Disable, Class: "gone"}
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return Outcome{Kind: Retry, After: parseRetryAfter(retryAfter, now), Class: statusClass(status)}
	case status >= 300 && status < 400:
		return Outcome{Kind: DeadLetter, Class: "3xx"}
	default:
		return Outcome{Kind: DeadLetter, Class: "4xx"}
	}
}

func classifyError(err error) Outcome {
	if errors.Is(err, ErrTransform) {
		return Outcome{Kind: DeadLetter, Class: "transform"}
	}
	if errors.Is(err, webhook.ErrAddressNotAllowed) {
		return Outcome{Kind: DeadLetter, Class: "ssrf"}
	}
	if errors.Is(err, ErrBadDestination) {
		return Outcome{Kind: DeadLetter, Class: "destination"}
	}
	if errors.Is(err, ErrAuth) {
		return Outcome{Kind: Retry, Class: "auth"}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return Outcome{Kind: Retry, Class: "timeout"}
	}
	return Outcome{Kind: Retry, Class: "connection"}
}

func statusClass(status int) string {
	switch {
	case status >= 500:
		return "5xx"
	case status == http.StatusTooManyRequests:
		return "429"
	default:
		return strconv.Itoa(status)
	}
}

// parseRetryAfter reads delay-seconds or an HTTP date, clamped to [1s, 1h];
// 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	return min(max(d, minRetryAfter), maxRetryAfter)
}
