package bench

import (
	"context"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

func TestHTTPBaselineSignsEveryRequestTheReceiverVerifies(t *testing.T) {
	t.Parallel()
	recv := NewReceiver(ReceiverOptions{Verify: true}, NewClock(nil))
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	res, err := RunHTTPBaseline(context.Background(), recv.BaselineURL(), recv.Baseline, NewEnvelopes("r", 10, 256), 4, 200*time.Millisecond, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.PerSec <= 0 || !res.Signed || res.CPUPerReqUs <= 0 {
		t.Fatalf("baseline = %+v", res)
	}
	if got := recv.Baseline.Delivered(); got != res.Requests || recv.Baseline.Rejected() != 0 {
		t.Fatalf("receiver verified %d (rejected %d) of %d requests", got, recv.Baseline.Rejected(), res.Requests)
	}
}

func TestKafkaBaselineConsumesEverythingItProduced(t *testing.T) {
	t.Parallel()
	c := kafkatest.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := RunKafkaBaseline(ctx, c, NewEnvelopes("r", 10, 256), KafkaBaselineOptions{
		Topic: kafkatest.Topic(t, "bench-baseline"), Partitions: 3, Batch: 20, Concurrency: 2, Duration: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Produced == 0 || res.Consumed != res.Produced || res.ProducePerSec <= 0 || res.ConsumePerSec <= 0 {
		t.Fatalf("baseline = %+v", res)
	}
}
