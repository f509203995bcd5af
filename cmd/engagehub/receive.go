package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// newReceiveCmd runs a verifying webhook receiver for demos.
func newReceiveCmd() *cobra.Command {
	var (
		listen, path string
		secrets      []string
		status       int
	)
	cmd := &cobra.Command{
		Use:   "receive",
		Short: "a verifying webhook receiver for demos: checks signatures, prints what arrives",
		Example: `  engagehub receive --listen 127.0.0.1:9000 --secret whsec_...
  # then subscribe http://127.0.0.1:9000/hook`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := verifier(secrets)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			rcv := receiver.New(receiver.Options{
				Verifier: v, Out: cmd.OutOrStdout(), Keep: 1000,
				Script: func(receiver.Arrival) (int, http.Header) { return status, nil },
			})
			mux := http.NewServeMux()
			mux.Handle(path, rcv)
			srv := &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			fmt.Fprintf(cmd.ErrOrStderr(), "receiving on http://%s%s (signatures %s)\n", listen, path, verdict(v))
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:9000", "address to listen on")
	f.StringVar(&path, "path", "/", "path to receive on")
	f.StringSliceVar(&secrets, "secret", nil, "whsec_ signing secret(s) to verify with (repeat during a rotation); none accepts unsigned requests")
	f.IntVar(&status, "status", http.StatusNoContent, "status to answer verified requests with (e.g. 503 to watch retries)")
	return cmd
}

func verifier(secrets []string) (*webhook.Verifier, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	parsed := make([]webhook.Secret, 0, len(secrets))
	for i, s := range secrets {
		sec, err := webhook.ParseSecret(s)
		if err != nil {
			return nil, fmt.Errorf("--secret[%d]: %w", i, err)
		}
		parsed = append(parsed, sec)
	}
	return webhook.NewVerifier(parsed, 0, nil)
}

func verdict(v *webhook.Verifier) string {
	if v == nil {
		return "not checked: no --secret"
	}
	return "verified"
}
