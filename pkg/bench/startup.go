package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Startup is how long engagehub took to start again over the run's
// subscriptions (--restart), measured from outside.
type Startup struct {
	Subscriptions int `json:"subscriptions"`
	// StopSeconds is SIGTERM to exit of the process that made them.
	StopSeconds float64 `json:"stopSeconds"`
	// ReadySeconds is exec to the first 200 from GET /readyz (polled
	// every 25 ms).
	ReadySeconds float64 `json:"readySeconds"`
	// DeliveringSeconds is exec to the arrival of the last of the
	// start-up probes at the last healthy endpoint: one event per delivery
	// partition, posted once /readyz answered, so it is delivered to every
	// subscription only once the sender owns and reads every delivery
	// partition of every subscription (an upper bound on that moment: it
	// includes fan-out and one POST).
	DeliveringSeconds float64 `json:"deliveringSeconds"`
	// Partitions is the partition count of a delivery topic (the first
	// subscription's, from the broker): the number of probes.
	Partitions int `json:"partitions"`
	// Covered says that topic's every partition grew during the probe, so
	// the probes' keys did land on every partition.
	Covered bool `json:"partitionsCovered"`
}

// restart stops engagehub once the subscriptions are made and warmed up,
// starts it again, and times how long it takes to be ready and then to
// deliver on every delivery partition.
func (r *runner) restart(ctx context.Context) error {
	if !r.o.Restart {
		return nil
	}
	topic := deliveryTopic(r.id, r.subs[0])
	before, err := r.kc.Ends(ctx, topic)
	if err != nil {
		return fmt.Errorf("bench: restart: read delivery topic %s: %w", topic, err)
	}
	st := &Startup{Subscriptions: r.o.Subscriptions, Partitions: len(before)}
	stopped := time.Now()
	if err := r.stopChild(); err != nil {
		r.warn = append(r.warn, "restart: "+err.Error())
	}
	st.StopSeconds = time.Since(stopped).Seconds()
	r.client.CloseIdleConnections() // they were the old process's
	begin := r.clock.Nanos()
	if err := r.launchChild(ctx); err != nil {
		return err
	}
	st.ReadySeconds = r.clock.Since(begin).Seconds()
	r.progressf("bench: restart: stopped in %.1fs, ready after %.1fs; probing %d partitions", st.StopSeconds, st.ReadySeconds, st.Partitions)
	last, err := r.probePartitions(ctx, st.Partitions)
	if err != nil {
		return err
	}
	st.DeliveringSeconds = seconds(last - begin)
	after, err := r.kc.Ends(ctx, topic)
	st.Covered = err == nil && grewEach(before, after)
	r.startup = st
	return nil
}

// probePartitions posts one start-up probe keyed to each of n delivery
// partitions and waits until every healthy endpoint got all of them; it
// returns the last arrival (Clock nanos).
func (r *runner) probePartitions(ctx context.Context, n int) (int64, error) {
	body := []byte{'['}
	for p, contact := range probeContacts(n) {
		if p > 0 {
			body = append(body, ',')
		}
		body = r.env.AppendFor(body, kindReady, p, contact)
	}
	body = append(body, ']')
	if err := postJSON(ctx, r.client, r.child.BaseURL()+"/v1/events", r.token, body); err != nil {
		return 0, fmt.Errorf("bench: restart: start-up probes: %w", err)
	}
	if !r.pollUntil(ctx, r.warmUpTimeout(), func() bool { return r.probed(int64(n)) }) {
		return 0, fmt.Errorf("bench: restart: start-up probes not delivered everywhere within %s; engagehub log:\n%s", r.warmUpTimeout(), r.child.LogTail(30))
	}
	var last int64
	for _, ep := range r.healthy() {
		_, at := ep.ReadyProbes()
		last = max(last, at)
	}
	return last, nil
}

// probed reports whether every healthy endpoint got n start-up probes.
func (r *runner) probed(n int64) bool {
	for _, ep := range r.healthy() {
		if got, _ := ep.ReadyProbes(); got < n {
			return false
		}
	}
	return true
}

// grewEach reports whether every partition's end moved between two readings.
func grewEach(before, after []kafka.PartitionEnds) bool {
	if len(before) != len(after) {
		return false
	}
	for i := range before {
		if after[i].Next <= before[i].Next {
			return false
		}
	}
	return true
}

// warmUpTimeout bounds waiting for a probe to reach every endpoint: two
// minutes, more with many subscriptions (delivery topics being created).
func (r *runner) warmUpTimeout() time.Duration {
	return max(120*time.Second, time.Duration(r.o.Subscriptions)*150*time.Millisecond)
}
