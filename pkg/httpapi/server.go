package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Server is the HTTP listener.
type Server struct {
	cfg     Config
	handler http.Handler
	log     *zap.Logger
	ln      net.Listener
}

// Listen binds cfg.Listen now, so a port conflict fails start-up before any
// role starts, and returns the server that Run will serve on.
func Listen(cfg Config, handler http.Handler, log *zap.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("http: listen on %s (http.listen): %w", cfg.Listen, err)
	}
	return &Server{cfg: cfg, handler: handler, log: log, ln: ln}, nil
}

// Addr is the bound address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx is done, then lets in-flight requests finish for up
// to ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: orDefault(s.cfg.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       orDefault(s.cfg.ReadTimeout, 30*time.Second),
		IdleTimeout:       orDefault(s.cfg.IdleTimeout, 120*time.Second),
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes, // 0: net/http's 1 MiB
		ErrorLog:          zap.NewStdLog(s.log),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	s.log.Info("http listening", zap.String("addr", s.Addr()))
	select {
	case err := <-errc:
		return fmt.Errorf("http: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), orDefault(s.cfg.ShutdownTimeout, 15*time.Second))
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("http: serve: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("http: shutdown: %w", err)
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
