package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/ops"
)

// newAttemptsCmd is `attempts ID`: one page of a subscription's attempts.
func newAttemptsCmd() *cobra.Command {
	var q ops.AttemptQuery
	var since, until string
	var asJSON bool
	cmd := &cobra.Command{Use: "attempts ID", Short: "a subscription's delivery attempts, newest first (filters: outcome, event type, contact, time)", Args: cobra.ExactArgs(1)}
	client := clientFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var err error
		q.Subscription = args[0]
		if q.Since, err = flagTime("--since", since); err != nil {
			return err
		}
		if q.Until, err = flagTime("--until", until); err != nil {
			return err
		}
		c, err := client(cmd)
		if err != nil {
			return err
		}
		page, err := c.Attempts(cmd.Context(), q)
		if err != nil || asJSON {
			return printOr(cmd.OutOrStdout(), page, err)
		}
		return printAttempts(cmd.OutOrStdout(), page)
	}
	f := cmd.Flags()
	f.StringVar(&q.Outcome, "outcome", "", "delivered, retry, dead_letter, or failed (all but delivered)")
	f.StringVar(&q.EventType, "event-type", "", "only this event type")
	f.StringVar(&q.ContactID, "contact-id", "", "only this contact's events")
	f.StringVar(&q.EventID, "event-id", "", "only this event")
	f.StringVar(&since, "since", "", "RFC3339 time or a duration back from now (1h)")
	f.StringVar(&until, "until", "", "RFC3339 time or a duration back from now")
	f.IntVar(&q.Limit, "limit", 0, "page size, 1..1000 (default 100)")
	f.StringVar(&q.Cursor, "cursor", "", "continue after a previous page (its next)")
	f.BoolVar(&asJSON, "json", false, "print the API's JSON")
	return cmd
}

func printAttempts(w io.Writer, page ops.AttemptPage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tTYPE\tCONTACT\t#\tOUTCOME\tSTATUS\tLATENCY\tNEXT RETRY\tRESPONSE")
	for _, a := range page.Attempts {
		next := ""
		if a.NextRetryAt != nil {
			next = a.NextRetryAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%d\t%.1fms\t%s\t%s\n", a.At.UTC().Format(time.RFC3339), a.EventID, a.EventType,
			a.ContactID, a.Attempt, a.Outcome, a.Status, a.LatencyMS, next, clip(or(a.ResponseBody, a.Error), 60))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if page.Next != "" {
		fmt.Fprintf(w, "more: --cursor %s\n", page.Next)
	}
	return nil
}

// clip is s on one line, cut to n runes.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// flagTime reads an RFC3339 time or a duration back from now.
func flagTime(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, &exitError{code: 2, err: fmt.Errorf("%s: want an RFC3339 time or a duration, got %q", name, v)}
	}
	return t, nil
}

func printOr(w io.Writer, v any, err error) error {
	if err != nil {
		return err
	}
	return printJSON(w, v)
}

// newDeadLettersCmd is `dead-letters list|redrive ID`.
func newDeadLettersCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dead-letters", Aliases: []string{"dlq"}, Short: "list and redrive a subscription's dead letters"}
	client := clientFlags(cmd)
	var limit int
	var asJSON, all bool
	list := &cobra.Command{Use: "list ID", Short: "dead letters, newest first, with why and whether redriven", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client(cmd)
			if err != nil {
				return err
			}
			page, err := c.DeadLetters(cmd.Context(), args[0], limit)
			if err != nil || asJSON {
				return printOr(cmd.OutOrStdout(), page, err)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "AT\tEVENT\tTYPE\tSTATUS\tATTEMPTS\tREDRIVEN\tERROR")
			for _, d := range page.DeadLetters {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%v\t%s\n", d.At.UTC().Format(time.RFC3339), d.EventID, d.EventType, d.LastStatus, d.Attempts, d.Redriven, clip(d.Error, 60))
			}
			return tw.Flush()
		}}
	list.Flags().IntVar(&limit, "limit", 0, "how many, 1..1000 (default 100)")
	list.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON")
	redrive := &cobra.Command{Use: "redrive ID [EVENT_ID...]", Short: "redeliver the named dead letters, or --all not redriven before", Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 1) {
				return &exitError{code: 2, err: fmt.Errorf("name event ids or give --all (not both)")}
			}
			c, err := client(cmd)
			if err != nil {
				return err
			}
			res, err := c.Redrive(cmd.Context(), args[0], ops.RedriveRequest{EventIDs: args[1:], All: all})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redriven %d\n", res.Redriven)
			return nil
		}}
	redrive.Flags().BoolVar(&all, "all", false, "every dead letter not redriven before")
	cmd.AddCommand(list, redrive)
	return cmd
}
