package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// newUpdateCmd is `subscriptions update ID FILE|-`: replace (PUT) a
// subscription with the JSON, or with --patch merge it in.
func newUpdateCmd(client adminClient) *cobra.Command {
	var patch bool
	cmd := &cobra.Command{Use: "update ID FILE|-", Short: "replace a subscription with JSON (--patch: merge the JSON into it)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			body, err := readInput(cmd, args[1])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			update := c.Update
			if patch {
				update = c.Patch
			}
			s, err := update(cmd.Context(), args[0], body)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), s)
		}}
	cmd.Flags().BoolVar(&patch, "patch", false, "apply the JSON as a merge patch instead of replacing")
	return cmd
}

// newEnableCmd is `subscriptions enable ID` (on) or `disable ID`.
func newEnableCmd(client adminClient, on bool) *cobra.Command {
	use, short := "enable ID", "turn a subscription on"
	if !on {
		use, short = "disable ID", "turn a subscription off (it gets no copies until enabled)"
	}
	return &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			s, err := c.SetEnabled(cmd.Context(), args[0], on)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s enabled=%v\n", s.ID, s.Enabled)
			return nil
		}}
}

// newTestEventCmd is `subscriptions test ID`: a signed ping now; exit code
// 1 when the receiver did not take it.
func newTestEventCmd(client adminClient) *cobra.Command {
	return &cobra.Command{Use: "test ID", Short: "send a signed test event and show the receiver's answer", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.Test(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: status %d, %s (%s) in %.1f ms\n", res.EventID, res.Status, res.Outcome, res.Class, res.LatencyMS)
			if res.Outcome != "delivered" {
				return &exitError{code: 1, err: fmt.Errorf("test event not delivered: %s", or(res.Error, res.Class))}
			}
			return nil
		}}
}

// readInput reads FILE, or stdin for "-".
func readInput(cmd *cobra.Command, file string) ([]byte, error) {
	in, closeIn, err := openInput(cmd, file)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	return io.ReadAll(in)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
