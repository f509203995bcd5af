package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/producer"
)

// newEventsCmd is `events send FILE|-` (or --sample TYPE) and `events types`.
func newEventsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "events", Short: "publish events through the API and list the catalog"}
	client := clientFlags(cmd)
	var sample, source string
	send := &cobra.Command{Use: "send [FILE|-]", Short: "publish an envelope (or a JSON array of them) like POST /v1/events; --sample sends a catalog example", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := eventsBody(cmd, args, sample)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.Publish(cmd.Context(), body, source)
			if err != nil {
				return err
			}
			for _, e := range res.Events {
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s -> %s\n", e.EventID, e.EventType, e.Topic)
			}
			return nil
		}}
	send.Flags().StringVar(&sample, "sample", "", "send this catalog type's example with a fresh id instead of a file")
	send.Flags().StringVar(&source, "source", "cli", "the producing service (X-Engagehub-Source)")
	types := &cobra.Command{Use: "types", Short: "the event catalog: types and their topics", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			list, err := c.EventTypes(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TYPE\tTOPIC\tDESCRIPTION")
			for _, t := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Type, t.Topic, t.Description)
			}
			return tw.Flush()
		}}
	cmd.AddCommand(send, types)
	return cmd
}

func eventsBody(cmd *cobra.Command, args []string, sample string) ([]byte, error) {
	switch {
	case sample != "" && len(args) > 0:
		return nil, fmt.Errorf("give a file or --sample, not both")
	case sample != "":
		out, err := producer.Samples(event.Type(sample), 1)
		if err != nil {
			return nil, fmt.Errorf("--sample: %w", err)
		}
		return out[0], nil
	case len(args) == 0:
		return nil, fmt.Errorf("give a file (- for stdin) or --sample TYPE")
	}
	return readInput(cmd, args[0])
}

// newTraceCmd is `trace --event-id ID | --contact-id ID`.
func newTraceCmd() *cobra.Command {
	var eventID, contactID string
	var asJSON bool
	cmd := &cobra.Command{Use: "trace", Short: "where an event (or a contact's events) went: topic, copies, attempts per subscription", Args: cobra.NoArgs}
	client := clientFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if (eventID == "") == (contactID == "") {
			return &exitError{code: 2, err: fmt.Errorf("give --event-id or --contact-id")}
		}
		c, err := client(cmd)
		if err != nil {
			return err
		}
		tr, err := c.Trace(cmd.Context(), eventID, contactID)
		if err != nil || asJSON {
			return printOr(cmd.OutOrStdout(), tr, err)
		}
		w := cmd.OutOrStdout()
		for _, ev := range tr.Events {
			fmt.Fprintf(w, "%s %s contact %s (%s)\n", ev.EventID, ev.EventType, ev.ContactID, ev.Topic)
			for _, cp := range ev.Copies {
				fmt.Fprintf(w, "  %s: %s@%d/%d, %d attempts, %s\n", cp.Subscription, cp.Topic, cp.Partition, cp.Offset, len(cp.Attempts), cp.Outcome)
			}
		}
		return nil
	}
	cmd.Flags().StringVar(&eventID, "event-id", "", "the event to follow")
	cmd.Flags().StringVar(&contactID, "contact-id", "", "follow this contact's events")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	return cmd
}
