package delivery

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// MaxExcerpt bounds the response body an attempt records (4 KiB).
const MaxExcerpt = 4 << 10

var excerptBufs = sync.Pool{New: func() any { b := make([]byte, MaxExcerpt+1); return &b }}

// readExcerpt reads the first MaxExcerpt bytes of body; more says there
// was at least one byte after them. Only what was read is allocated.
func readExcerpt(body io.Reader) (excerpt string, more bool) {
	bp := excerptBufs.Get().(*[]byte)
	defer excerptBufs.Put(bp)
	n, _ := io.ReadFull(body, *bp)
	if n == 0 {
		return "", false
	}
	return string((*bp)[:min(n, MaxExcerpt)]), n > MaxExcerpt
}

// redacted is what a secret header's value is recorded as.
const redacted = "[redacted]"

// secretHeaderWords mark a header whose value is not recorded.
var secretHeaderWords = []string{"signature", "authorization", "auth", "token", "secret", "key", "cookie", "password"}

// redactHeaders returns h flattened, every value of a header that may hold
// a credential or a signature replaced by "[redacted]". It runs on the
// attempt log's goroutine, not the worker's.
func redactHeaders(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		name := recordedName(k)
		if name.secret {
			out[name.lower] = redacted
			continue
		}
		out[name.lower] = strings.Join(vs, ", ")
	}
	return out
}

// headerName is how a header name is recorded: lower case, and whether
// its value is a secret.
type headerName struct {
	lower  string
	secret bool
}

// headerNames caches recordedName for the names attempts carry (the same
// few on every attempt), up to maxHeaderNames of them: a transformation
// may invent names without end.
var (
	headerNames     sync.Map // string → headerName
	headerNameCount atomic.Int64
)

const maxHeaderNames = 1024

func recordedName(k string) headerName {
	if v, ok := headerNames.Load(k); ok {
		return v.(headerName)
	}
	lower := strings.ToLower(k)
	n := headerName{lower: lower, secret: secretHeader(lower)}
	if headerNameCount.Load() < maxHeaderNames {
		if _, loaded := headerNames.LoadOrStore(k, n); !loaded {
			headerNameCount.Add(1)
		}
	}
	return n
}

func secretHeader(name string) bool {
	for _, w := range secretHeaderWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}
