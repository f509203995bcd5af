package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/admin"
)

// adminClient makes the admin API client of an operator command.
type adminClient func(cmd *cobra.Command) (*admin.Client, error)

// newCreateCmd is `subscriptions create FILE|- [--filter EXPR] [--transform-file JS]`:
// the flags set the subscription's filter and transformation over the JSON's.
func newCreateCmd(client adminClient) *cobra.Command {
	var filter, transformFile string
	cmd := &cobra.Command{Use: "create FILE|-", Short: "create a subscription from JSON (prints its signing secret once)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			body, err := readSubscription(cmd, args[0], filter, transformFile)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			s, err := c.Create(cmd.Context(), body)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), s)
		}}
	cmd.Flags().StringVar(&filter, "filter", "", `CEL filter, e.g. 'type == "point.balance.updated" && payload.balance > 1000.0' (overrides the JSON's)`)
	cmd.Flags().StringVar(&transformFile, "transform-file", "", "JavaScript file with function handler(webhook) (overrides the JSON's)")
	return cmd
}

// readSubscription reads the subscription JSON from file and sets filter
// and the transformation read from transformFile when given.
func readSubscription(cmd *cobra.Command, file, filter, transformFile string) ([]byte, error) {
	in, closeIn, err := openInput(cmd, file)
	if err != nil {
		return nil, err
	}
	defer closeIn()
	body, err := io.ReadAll(in)
	if err != nil || (filter == "" && transformFile == "") {
		return body, err
	}
	var sub map[string]any
	if err := json.Unmarshal(body, &sub); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %w", file, err)
	}
	if filter != "" {
		sub["filter"] = filter
	}
	if transformFile != "" {
		script, err := os.ReadFile(transformFile)
		if err != nil {
			return nil, fmt.Errorf("--transform-file: %w", err)
		}
		sub["transform"] = string(script)
	}
	return json.Marshal(sub)
}

// tryFlags are the event flags of test-filter and test-transform.
type tryFlags struct {
	eventType, eventFile string
}

func (f *tryFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.eventType, "event-type", "", "try it on this catalog type's example")
	cmd.Flags().StringVar(&f.eventFile, "event-file", "", "try it on this envelope JSON file instead")
}

// request is the test request: field set to value, plus the event.
func (f *tryFlags) request(field, value string, extra map[string]any) ([]byte, error) {
	req := map[string]any{field: value}
	for k, v := range extra {
		req[k] = v
	}
	switch {
	case f.eventFile != "":
		ev, err := os.ReadFile(f.eventFile)
		if err != nil {
			return nil, fmt.Errorf("--event-file: %w", err)
		}
		req["event"] = json.RawMessage(ev)
	case f.eventType != "":
		req["eventType"] = f.eventType
	default:
		return nil, fmt.Errorf("--event-type or --event-file: one is required")
	}
	return json.Marshal(req)
}

func newTestFilterCmd(client adminClient) *cobra.Command {
	var f tryFlags
	cmd := &cobra.Command{Use: "test-filter EXPR", Short: "evaluate a CEL filter on an event or a catalog example", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := f.request("filter", args[0], nil)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.TestFilter(cmd.Context(), body)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), res)
		}}
	f.add(cmd)
	return cmd
}

func newTestTransformCmd(client adminClient) *cobra.Command {
	var f tryFlags
	var url string
	cmd := &cobra.Command{Use: "test-transform FILE.js", Short: "run a transformation on an event or a catalog example", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			script, err := os.ReadFile(args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			body, err := f.request("transform", string(script), map[string]any{"url": url})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.TestTransform(cmd.Context(), body)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), res)
		}}
	f.add(cmd)
	cmd.Flags().StringVar(&url, "destination-url", "https://receiver.example/webhook", "the destination URL the script gets")
	return cmd
}
