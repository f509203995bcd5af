// Package kafkatest gives every Kafka-backed test in engagehub the same
// broker: real Apache Kafka when ENGAGEHUB_TEST_KAFKA_BROKERS is set (as
// `make test-integration` does), otherwise a fresh embedded broker per test.
//
//	func TestSomething(t *testing.T) {
//		c := kafkatest.Client(t)              // partitions 3, replication 1
//		topic := kafkatest.Topic(t, "orders") // unique across tests and runs
//		...
//	}
//
// Tests on a shared real broker see each other's topics and groups, so a
// test names every topic and consumer group with Topic (never a fixed name)
// and never lists or deletes topics it did not create. Tests that must stop
// and restart the broker themselves use Embedded, which is always in-process.
//
// The package sits beside pkg/kafka and is imported only by tests.
package kafkatest
