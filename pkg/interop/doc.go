// Package interop proves, for teams downstream of engagehub, that what
// engagehub writes to Kafka is readable without Go: its integration test
// (build tag integration) publishes one event of each catalog type through
// engagehub's producer path, reads every engage.<type> topic back with kcat,
// and decodes the Avro values with Apache Avro's Python implementation
// (testdata/decode.py, Debian python3-avro), fetching each writer schema from
// the schema registry by the id in the Confluent framing.
//
// It sits beside the pipeline and holds no production code:
//
//	producer ─► engage.<type> ─► kcat ─► decode.py (+ registry) ─► compare
//
// Run it with `make test-integration` (real Apache Kafka), or
// `go test -tags integration ./pkg/interop/` (embedded broker). Without kcat
// or python3-avro it skips, except under CI=true where it fails.
package interop
