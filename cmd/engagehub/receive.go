package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// receiveSecretEnv holds engagehub receive's signing secret(s), comma
// separated; an argument would show in the process list.
const receiveSecretEnv = "ENGAGEHUB_RECEIVE_SECRET"

// receivePublicKeyEnv holds the whpk_ public key(s) v1a (Ed25519)
// signatures are verified with, comma separated; --public-key does the same.
const receivePublicKeyEnv = "ENGAGEHUB_RECEIVE_PUBLIC_KEY"

// newReceiveCmd runs a verifying webhook receiver for demos.
func newReceiveCmd() *cobra.Command {
	var (
		listen, path string
		secrets      []string
		publicKeys   []string
		status       int
	)
	cmd := &cobra.Command{
		Use:   "receive",
		Short: "a verifying webhook receiver for demos: checks signatures, prints what arrives",
		Long: "receive verifies Standard Webhooks signatures with the whsec_ secret(s) in " + receiveSecretEnv +
			" (comma separated during a rotation) and Ed25519 (v1a) signatures with the whpk_ public key(s) in " +
			receivePublicKeyEnv + " or --public-key; without either it accepts unsigned requests.",
		Example: `  ` + receiveSecretEnv + `=whsec_... engagehub receive --listen 127.0.0.1:9000
  # then subscribe http://127.0.0.1:9000/hook`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := verifier(receiveSecrets(secrets, cmd.ErrOrStderr()), receivePublicKeys(publicKeys))
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			rcv := receiver.New(receiver.Options{
				Verifier: v, Out: cmd.OutOrStdout(), Keep: 1000,
				Script: func(receiver.Arrival) (int, http.Header) { return status, nil },
			})
			mux := http.NewServeMux()
			mux.Handle(path, rcv)
			fmt.Fprintf(cmd.ErrOrStderr(), "receiving on http://%s%s (signatures %s)\n", listen, path, verdict(v))
			return serveUntilSignal(cmd.Context(), &http.Server{Addr: listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:9000", "address to listen on")
	f.StringVar(&path, "path", "/", "path to receive on")
	f.StringSliceVar(&secrets, "secret", nil, "deprecated, shows in ps: set "+receiveSecretEnv+" instead")
	f.StringSliceVar(&publicKeys, "public-key", nil, "whpk_ Ed25519 public key(s) to verify v1a signatures with (default "+receivePublicKeyEnv+")")
	f.IntVar(&status, "status", http.StatusNoContent, "status to answer verified requests with (e.g. 503 to watch retries)")
	return cmd
}

// receiveSecrets returns the --secret values, with a warning on warn, or
// else those of ENGAGEHUB_RECEIVE_SECRET.
func receiveSecrets(flag []string, warn io.Writer) []string {
	if len(flag) > 0 {
		fmt.Fprintf(warn, "engagehub receive: warning: --secret shows in the process list (ps); set %s instead\n", receiveSecretEnv)
		return flag
	}
	return envList(receiveSecretEnv)
}

// receivePublicKeys returns the --public-key values, or else those of
// ENGAGEHUB_RECEIVE_PUBLIC_KEY.
func receivePublicKeys(flag []string) []string {
	if len(flag) > 0 {
		return flag
	}
	return envList(receivePublicKeyEnv)
}

func envList(name string) []string {
	var out []string
	for _, s := range strings.Split(os.Getenv(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func serveUntilSignal(ctx context.Context, srv *http.Server) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func verifier(secrets, publicKeys []string) (*webhook.Verifier, error) {
	if len(secrets) == 0 && len(publicKeys) == 0 {
		return nil, nil
	}
	parsed := make([]webhook.Secret, 0, len(secrets))
	for i, s := range secrets {
		sec, err := webhook.ParseSecret(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", receiveSecretEnv, i, err)
		}
		parsed = append(parsed, sec)
	}
	keys := make([]webhook.PublicKey, 0, len(publicKeys))
	for i, s := range publicKeys {
		k, err := webhook.ParsePublicKey(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", receivePublicKeyEnv, i, err)
		}
		keys = append(keys, k)
	}
	return webhook.NewKeyVerifier(parsed, keys, 0, nil)
}

func verdict(v *webhook.Verifier) string {
	if v == nil {
		return "not checked: no " + receiveSecretEnv + " nor " + receivePublicKeyEnv
	}
	return "verified"
}
