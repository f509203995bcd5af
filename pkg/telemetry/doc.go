// Package telemetry is engagehub's tracing: the OpenTelemetry tracer
// provider built from the `telemetry` config section (OTLP over gRPC or
// HTTP when telemetry.otlp.endpoint is set, nothing at all when not), and
// the W3C trace context (`traceparent`, `tracestate`) as it travels from
// an ingest request through every Kafka record (event, fan-out copy,
// retry, dead letter) to every webhook request.
//
// It sits beside the pipeline, not in it: cmd/engagehub builds one
// Tracing and hands each role its *Tracer; ingest, fanout and delivery
// start their spans through it. A nil *Tracer is tracing off: no spans,
// no allocations, and a traceparent that arrived is still passed on
// unchanged, so downstream consumers and receivers keep the caller's trace.
package telemetry
