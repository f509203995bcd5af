// Package kafka is engagehub's only door to Kafka: it alone imports
// github.com/segmentio/kafka-go and github.com/twmb/franz-go/pkg/kfake.
//
// It sits under every role. Ingest and fan-out write through [Client.NewWriter];
// fan-out and the senders consume through [Client.NewGroupReader]; the
// subscription store and the built-in schema registry keep their state in
// compacted topics read by [Table]. With no brokers configured, [StartEmbedded]
// runs a disk-persisted, single-node Kafka-protocol broker in-process, so the
// whole pipeline runs on a laptop with one command.
//
// While Kafka does not answer, nothing here gives up: [Table] followers and
// the roles' loops wait with a capped exponential [Backoff]
// (kafka.retry_backoff_max) through an [Outage], which logs the failure once
// and its end once and reports it to /readyz meanwhile.
//
// Other packages never see kafka-go's configuration: they get a [Message]
// (kafka-go's, re-exported) and small types that already carry the settings
// engagehub relies on (acks=all, murmur2 partitioning like the Java client,
// commits only when asked).
package kafka
