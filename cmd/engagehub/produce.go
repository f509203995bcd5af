package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/config"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/producer"
)

func newProduceCmd() *cobra.Command {
	var (
		typ, file, source string
		count, batch      int
	)
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "publish events straight to Kafka, as ingest does (from --file, stdin, or --count samples)",
		Long: `produce publishes Engage envelopes to engage.<eventType> through the Go producer
package: same topics, keys, headers and Avro as the HTTP ingest. It connects to
kafka.brokers (or, when empty, to the embedded broker of a running engagehub at
kafka.embedded.listen) and to schema_registry.url (or the running engagehub's
built-in registry at http.listen/registry, writing with $ENGAGEHUB_TOKEN).

  engagehub produce --type point.balance.updated --file envelope.json
  cat batch.json | engagehub produce
  engagehub produce --count 10000          # sample events of every type`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			opts := producer.ProduceOptions{Type: event.Type(typ), Count: count, Source: source, BatchSize: batch, Progress: cmd.ErrOrStderr()}
			if count <= 0 {
				in, closeIn, err := openInput(cmd, file)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer closeIn()
				opts.Input = in
			}
			p, err := producer.Dial(cmd.Context(), producerConfig(cfg), zap.NewNop())
			if err != nil {
				return err
			}
			defer p.Close()
			n, err := producer.Produce(cmd.Context(), p, opts)
			fmt.Fprintf(cmd.OutOrStdout(), "%d events acknowledged\n", n)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "event type (checked against each envelope; picks the sample with --count; empty: every type)")
	f.StringVar(&file, "file", "", "envelope JSON file (one object or an array); empty or - reads stdin")
	f.IntVar(&count, "count", 0, "generate this many sample events instead of reading input")
	f.StringVar(&source, "source", "cli", "the events' source header")
	f.IntVar(&batch, "batch", 500, "events per Kafka write")
	return cmd
}

func openInput(cmd *cobra.Command, file string) (io.Reader, func(), error) {
	if file == "" || file == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, fmt.Errorf("--file: %w", err)
	}
	return f, func() { _ = f.Close() }, nil
}

// producerConfig points the producer at the configured cluster, or at the
// embedded broker and built-in registry of a running engagehub.
func producerConfig(cfg config.Config) producer.Config {
	kc := cfg.Kafka
	if kc.IsEmbedded() {
		kc.Brokers = []string{kc.Embedded.Listen}
	}
	pc := producer.Config{Kafka: kc, RegistryURL: cfg.SchemaRegistry.URL,
		RegistryUsername: cfg.SchemaRegistry.Username, RegistryPassword: cfg.SchemaRegistry.Password.Reveal()}
	if pc.RegistryURL == "" {
		pc.RegistryURL = "http://" + cfg.HTTP.Listen + "/registry"
		pc.RegistryToken = cliToken(cfg, "")
	}
	return pc
}
