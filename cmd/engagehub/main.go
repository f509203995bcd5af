// Command engagehub runs the engagehub roles (ingest, fanout, sender, admin)
// and its operator tools. See README.md.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// exitError carries a process exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "engagehub:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "engagehub",
		Short:         "engagehub fans Voyado Engage events out over Kafka to webhooks and teams",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "YAML config file (keys as in README; env ENGAGEHUB_* and flags override it)")
	addKeyFlags(root)
	root.AddCommand(newServeCmd(), newConfigCmd(), newVersionCmd(), newHealthcheckCmd(), newProduceCmd(), newSubscriptionsCmd(), newReceiveCmd(), newBenchCmd(),
		newAttemptsCmd(), newDeadLettersCmd(), newReplayCmd(), newEventsCmd(), newTraceCmd())
	return root
}

// addKeyFlags adds flags named after the configuration keys users set most.
func addKeyFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.String("http.listen", "", "HTTP listen address (default 127.0.0.1:8080)")
	f.String("kafka.brokers", "", "Kafka bootstrap brokers, comma separated (empty: embedded broker)")
	f.String("kafka.embedded.dir", "", "embedded broker data directory (default ./data/kafka)")
	f.String("kafka.embedded.listen", "", "embedded broker address (default 127.0.0.1:9092)")
	f.String("schema_registry.url", "", "external schema registry URL (empty: built-in)")
	f.String("log.level", "", "log level: debug, info, warn, error")
	f.String("log.format", "", "log format: json or console")
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "engagehub", version)
		},
	}
}
