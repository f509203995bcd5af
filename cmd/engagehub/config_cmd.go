package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/config"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "inspect configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "validate",
		Short: "print the effective config (secrets redacted); exit 2 naming every bad key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if out, yerr := cfg.YAML(); yerr == nil {
				fmt.Fprint(cmd.OutOrStdout(), string(out))
			}
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("invalid configuration:\n%w", err)}
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "configuration is valid")
			return nil
		},
	})
	return cmd
}

// loadConfig loads the config named by --config, with env and flags applied.
func loadConfig(cmd *cobra.Command) (config.Config, error) {
	path, _ := cmd.Flags().GetString("config")
	return config.Load(path, cmd.Flags())
}
