// Package bench measures the whole engagehub pipeline and its physical limits
// in one run on one machine: `engagehub bench`.
//
// It sits outside the pipeline and uses only engagehub's HTTP surface, so
// what it measures is the real path:
//
//	load ─POST /v1/events─► engagehub (child process: ingest ─► fanout ─► sender) ─signed POST─► Receiver
//	 └── ack time per event id ─────────────── same clock ─────────────── arrival time per event id ──┘
//
// A run starts (or targets) a Kafka broker, measures two baselines on it and
// on the same Receiver (a bare net/http client posting signed requests, and a
// bare pkg/kafka produce/consume), starts engagehub with every role as a
// child process, creates the subscriptions through the admin API, drives
// load through ingest (paced open loop, or closed loop at max rate), waits
// until every acknowledged event reached every healthy endpoint, and reports
// throughput, end-to-end latency (ingest ack → receiver arrival), losses and
// duplicates by event id, the child's CPU seconds and RSS, its sampled
// goroutines, open files and broker connections, and every engagehub figure
// as a ratio to its baseline. A run can also rest instead of loading
// (--idle), restart the child over its subscriptions and time it to
// delivering on every partition (--restart), and make more subscriptions
// halfway through the load (--add-during).
//
// The files: clock.go (the one clock), stats.go (latency histogram),
// timeline.go (per-event times), receiver.go (verifying receiver),
// envelope.go, pacer.go and load.go (the load), baseline_http.go and
// baseline_kafka.go, child.go, procstat.go and procfd.go (the engagehub
// process and the /proc figures), sample.go (sampling them during the run),
// admin.go and subscribe.go (subscriptions, made concurrently),
// profile.go (CPU profile, goroutine count), partition.go (the probes'
// keys), scenario.go (options and presets), run.go (setting up), startup.go
// (the timed restart), measure.go (warm-up, load, drain), adddur.go
// (subscriptions made during the load), analyze.go (accounting per event
// id), targets.go, and report.go and report_table.go (JSON and table).
package bench
