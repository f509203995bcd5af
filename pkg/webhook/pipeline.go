package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// pipelines sends requests over fasthttp's PipelineClient, one per host:
// requests waiting for a connection go out in one write and their answers
// come back in one read. On a busy sender that is most of what a request
// costs: here a 1 KiB loopback write is ~9 µs of system call, sixteen of
// them in one write ~15 µs (docs/benchmarks.md, "HTTP pipelining").
//
// A host gets up to conns connections; a request takes an idle one, or a
// new one while there are fewer than conns, and queues behind the
// shortest pipeline only when all are busy. Answers come back in request
// order, so a slow answer holds up the requests behind it on its
// connection: pipelining suits receivers that answer quickly.
type pipelines struct {
	conns       int
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	tls         *tls.Config
	idle        time.Duration
	readTimeout time.Duration

	mu    sync.Mutex
	hosts map[string]*pipeHost
}

// pipeBatchDelay is how long a request may wait for others to go out with
// it in one write. Requests reach a connection one by one as answers free
// their senders, so without a wait each would be written alone.
const pipeBatchDelay = time.Millisecond

// pipeDownFor is how long after a failed dial to a host (and no successful
// one since) requests to it fail at once with that error instead of
// queueing for a connection that is not coming (PipelineClient redials
// once a second and would let them wait out their deadlines).
const pipeDownFor = 5 * time.Second

// pipeMaxBody bounds a response body read off a pipelined connection (the
// next response starts after it); a larger one ends the connection and is
// reported as its status with an empty body.
const pipeMaxBody = 1 << 20

func newPipelines(conns int, dial func(context.Context, string, string) (net.Conn, error), tlsConfig *tls.Config,
	idle, readTimeout time.Duration) *pipelines {
	return &pipelines{conns: conns, dial: dial, tls: tlsConfig, idle: idle, readTimeout: readTimeout, hosts: map[string]*pipeHost{}}
}

// pipeHost is one host's pipelines and the outcome of its last dial.
type pipeHost struct {
	client *fasthttp.PipelineClient
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	addr   string
	spare  chan net.Conn // a connection ready dialed the pipelines take first
	probe  sync.Mutex    // one ready dial at a time

	mu     sync.Mutex
	dialed bool  // a dial has been made
	failed error // the last dial's error; nil after a successful one
	at     time.Time
}

func (p *pipelines) host(req *fasthttp.Request) *pipeHost {
	uri := req.URI()
	isTLS := string(uri.Scheme()) == "https"
	addr := fasthttp.AddMissingPort(string(uri.Host()), isTLS)
	key := string(uri.Scheme()) + "://" + addr
	p.mu.Lock()
	defer p.mu.Unlock()
	if h := p.hosts[key]; h != nil {
		return h
	}
	h := &pipeHost{dial: p.dial, addr: addr, spare: make(chan net.Conn, 1)}
	h.client = &fasthttp.PipelineClient{
		Addr: addr, IsTLS: isTLS, TLSConfig: p.tls, Dial: h.dialAddr,
		MaxConns: p.conns, MaxIdleConnDuration: p.idle, ReadTimeout: p.readTimeout,
		MaxResponseBodySize: pipeMaxBody, NoDefaultUserAgentHeader: true, DisablePathNormalizing: true,
		MaxBatchDelay: pipeBatchDelay, Logger: quietLogger{},
	}
	p.hosts[key] = h
	return h
}

// pipeTries bounds the tries of a request whose connection closed before
// answering: the first finds the receiver closed an idle connection, the
// second may still be queued on that connection as it shuts down, the
// third goes out on the new one.
const pipeTries = 3

// doDeadline sends req over its host's pipelines, again when the
// connection it was queued on closed before answering (as the unpipelined
// client does for a stale keep-alive connection).
func (p *pipelines) doDeadline(req *fasthttp.Request, resp *fasthttp.Response, deadline time.Time) error {
	h := p.host(req)
	if err := h.ready(deadline); err != nil {
		return err
	}
	req.KeepBodyBuffer = true // the client copies the body, so another try still has it
	err := h.client.DoDeadline(req, resp, deadline)
	for try := 1; try < pipeTries && staleConnection(err); try++ {
		err = h.client.DoDeadline(req, resp, deadline)
	}
	switch {
	case errors.Is(err, fasthttp.ErrTimeout):
		if derr := h.down(); derr != nil {
			return derr // it waited for a connection that never came
		}
	case errors.Is(err, fasthttp.ErrBodyTooLarge) && resp.StatusCode() != 0:
		resp.ResetBody()
		return nil
	}
	return err
}

// errPipelineStopped is the text of the error fasthttp gives the requests
// still queued on a pipelined connection that closed (its variable is not
// exported).
const errPipelineStopped = "pipeline connection has been stopped"

func staleConnection(err error) bool {
	return err != nil && (errors.Is(err, fasthttp.ErrConnectionClosed) || errors.Is(err, io.EOF) || err.Error() == errPipelineStopped)
}

// ready makes sure a request to h need not wait for a connection that is
// not coming: while the last dial succeeded it does nothing; after a
// failure it returns that error for pipeDownFor; otherwise (the first
// request, or the first after that) it dials itself, before the deadline,
// and leaves the connection for the pipelines to take.
func (h *pipeHost) ready(deadline time.Time) error {
	if known, err := h.last(); known {
		return err
	}
	h.probe.Lock()
	defer h.probe.Unlock()
	if known, err := h.last(); known { // another request's dial decided it meanwhile
		return err
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	conn, err := h.dialRecorded(ctx)
	if err != nil {
		return err
	}
	select {
	case h.spare <- conn:
	default:
		_ = conn.Close()
	}
	return nil
}

// last returns the outcome of the last dial when it still counts: a
// success always, a failure for pipeDownFor.
func (h *pipeHost) last() (known bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case !h.dialed:
		return false, nil
	case h.failed == nil:
		return true, nil
	}
	return time.Since(h.at) <= pipeDownFor, h.failed
}

// down returns the error of a dial that failed in the last pipeDownFor.
func (h *pipeHost) down() error {
	if known, err := h.last(); known {
		return err
	}
	return nil
}

// dialAddr is the pipelines' dialer: the spare connection, else a new one.
func (h *pipeHost) dialAddr(string) (net.Conn, error) {
	select {
	case conn := <-h.spare:
		return conn, nil
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), DialTimeout)
	defer cancel()
	return h.dialRecorded(ctx)
}

func (h *pipeHost) dialRecorded(ctx context.Context) (net.Conn, error) {
	conn, err := h.dial(ctx, "tcp", h.addr)
	if err != nil {
		err = fmt.Errorf("dial %s: %w", h.addr, err)
	}
	h.mu.Lock()
	h.dialed, h.failed, h.at = true, err, time.Now()
	h.mu.Unlock()
	return conn, err
}

// quietLogger drops fasthttp's own log lines: each request's error reaches
// its caller, who reports it.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
