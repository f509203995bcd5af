package fanout

import (
	"context"
	"errors"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
)

func TestRecordFilterKeepsWhatFanoutWouldCopy(t *testing.T) {
	serde := newSerde(t, "engage.")
	recs := records(t, serde, balanceEvent(t, "low", "c1", 500, "S1"), balanceEvent(t, "high", "c1", 1500, "S2"))
	recs = append(recs, kafka.Message{Topic: "engage.point.balance.updated", Value: []byte("not avro")})
	rf, err := NewRecordFilter(filtered(webhookSub("rich", "*"), `payload.balance > 1000.0 && payload.unknown.storeId == "S2"`), &serdeDecoder{serde: serde}, "engage.")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, want := range []bool{false, true} {
		if got, err := rf.Keep(ctx, recs[i]); got != want || err != nil {
			t.Errorf("record %d: Keep = %v, %v; want %v", i, got, err, want)
		}
	}
	if got, err := rf.Keep(ctx, recs[2]); got || !errors.Is(err, ErrUndecodable) {
		t.Errorf("undecodable record: Keep = %v, %v; want false and ErrUndecodable", got, err)
	}
	if none, err := NewRecordFilter(webhookSub("plain", "*"), nil, "engage."); none != nil || err != nil {
		t.Errorf("a subscription without a filter: %v, %v; want nil, nil", none, err)
	}
}
