package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/engagehub/engagehub/pkg/admin"
	"github.com/engagehub/engagehub/pkg/ops"
)

// newReplayCmd is `replay ID --since T`: start a replay and draw its
// progress until it finished.
func newReplayCmd() *cobra.Command {
	var since string
	var every time.Duration
	cmd := &cobra.Command{Use: "replay ID --since TIME", Short: "redeliver a subscription's events since a time, with a progress bar until done", Args: cobra.ExactArgs(1)}
	client := clientFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		t, err := flagTime("--since", since)
		if err != nil {
			return err
		}
		if t.IsZero() {
			return &exitError{code: 2, err: fmt.Errorf("--since: required (RFC3339 time or a duration back from now)")}
		}
		c, err := client(cmd)
		if err != nil {
			return err
		}
		job, err := c.Replay(cmd.Context(), args[0], t, false)
		if err != nil {
			return err
		}
		job, err = followReplay(cmd.Context(), c, job, every, cmd.OutOrStdout())
		if err != nil {
			return err
		}
		if job.Error != "" {
			return fmt.Errorf("replay %s failed after copying %d: %s", job.ID, job.Copied, job.Error)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "replayed %d events of %d scanned since %s\n", job.Copied, job.Done, job.Since.Format(time.RFC3339))
		return nil
	}
	cmd.Flags().StringVar(&since, "since", "", "RFC3339 time or a duration back from now (24h)")
	cmd.Flags().DurationVar(&every, "poll", 250*time.Millisecond, "how often to ask for progress")
	return cmd
}

// followReplay polls job's progress every interval, drawing the bar, until
// it finished or ctx ended.
func followReplay(ctx context.Context, c *admin.Client, job ops.ReplayJob, every time.Duration, w io.Writer) (ops.ReplayJob, error) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		fmt.Fprint(w, "\r"+progressBar(job, 30))
		if job.Finished {
			fmt.Fprintln(w)
			return job, nil
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return job, ctx.Err()
		case <-tick.C:
		}
		next, err := c.ReplayStatus(ctx, job.Subscription, job.ID)
		if err != nil {
			fmt.Fprintln(w)
			return job, err
		}
		job = next
	}
}

// progressBar draws "[#######.......]  47%  470/1000 scanned, 12 copied".
func progressBar(job ops.ReplayJob, width int) string {
	frac := 1.0
	if job.Total > 0 {
		frac = min(1, float64(job.Done)/float64(job.Total))
	}
	if !job.Finished {
		frac = min(frac, 0.99)
	}
	n := int(frac * float64(width))
	return fmt.Sprintf("[%s%s] %3d%%  %d/%d scanned, %d copied", strings.Repeat("#", n), strings.Repeat(".", width-n), int(frac*100), job.Done, job.Total, job.Copied)
}
