package producer

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

func TestSamplesHaveFreshIDsAndVariedContacts(t *testing.T) {
	t.Parallel()
	for _, typ := range []event.Type{"", event.RewardVoucherCreated, event.LoyaltyAddPoints} {
		t.Run(string(typ), func(t *testing.T) {
			envs, err := Samples(typ, 30)
			if err != nil {
				t.Fatal(err)
			}
			ids, contacts := map[string]bool{}, map[string]bool{}
			for _, raw := range envs {
				ev, err := FromJSON(raw, "cli", fixedNow)
				if err != nil {
					t.Fatalf("sample %s does not validate: %v", raw, err)
				}
				if typ != "" && ev.Type != typ {
					t.Fatalf("type %s, want %s", ev.Type, typ)
				}
				ids[ev.ID], contacts[ev.ContactID] = true, true
			}
			if len(ids) != 30 || len(contacts) != 30 {
				t.Errorf("distinct ids=%d contacts=%d, want 30 each", len(ids), len(contacts))
			}
		})
	}
	if _, err := Samples("no.such.type", 1); err == nil {
		t.Error("Samples of an unknown type succeeded")
	}
}

func TestProduce(t *testing.T) {
	t.Parallel()
	one := string(sample(t, event.ContactDeleted))
	noType := `{"id":"x1","payload":{"contactId":"c1"}}`
	cases := []struct {
		name      string
		opts      ProduceOptions
		wantN     int
		wantCalls int
		wantErr   string
	}{
		{name: "count in batches", opts: ProduceOptions{Count: 25, BatchSize: 10}, wantN: 25, wantCalls: 3},
		{name: "single object", opts: ProduceOptions{Input: strings.NewReader(one)}, wantN: 1, wantCalls: 1},
		{name: "array", opts: ProduceOptions{Input: strings.NewReader("[" + one + "," + one + "]")}, wantN: 2, wantCalls: 1},
		{name: "type fills missing eventType", opts: ProduceOptions{Type: event.ContactDeleted, Input: strings.NewReader(noType)}, wantN: 1, wantCalls: 1},
		{name: "type mismatch", opts: ProduceOptions{Type: event.ContactCreated, Input: strings.NewReader(one)}, wantErr: "differs from --type"},
		{name: "invalid envelope writes nothing", opts: ProduceOptions{Input: strings.NewReader("[" + one + "," + noType + "]")}, wantErr: "eventType"},
		{name: "nothing to do", opts: ProduceOptions{}, wantErr: "no input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := &kafkatest.RecordingSink{}
			var progress bytes.Buffer
			tc.opts.Progress = &progress
			n, err := Produce(context.Background(), New(newSerde(t), sink), tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if calls, _ := sink.Snapshot(); calls != 0 {
					t.Errorf("sink called %d times after an error", calls)
				}
				return
			}
			calls, msgs := sink.Snapshot()
			if err != nil || n != tc.wantN || calls != tc.wantCalls || len(msgs) != tc.wantN {
				t.Fatalf("n=%d err=%v calls=%d msgs=%d", n, err, calls, len(msgs))
			}
			if got, _ := header(msgs[0], event.HeaderSource); got != "cli" {
				t.Errorf("source = %q", got)
			}
			if strings.Count(progress.String(), "\n") != tc.wantCalls {
				t.Errorf("progress = %q", progress.String())
			}
		})
	}
}

func TestDialProducesToKafkaThroughRegistry(t *testing.T) {
	client := kafkatest.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	prefix := kafkatest.Topic(t, "engage") + "."
	topic := prefix + "contact.deleted"
	if err := client.EnsureTopics(ctx, kafka.TopicSpec{Name: topic, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	reg := registry.New(&registry.MemoryLog{})
	srv := httptest.NewServer(registry.NewHandler(reg, registry.WithAuthorizer(func(*http.Request) bool { return true })))
	defer srv.Close()

	p, err := Dial(ctx, Config{Kafka: kafka.Config{Brokers: client.Brokers(), TopicPrefix: prefix}, RegistryURL: srv.URL}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := Produce(ctx, p, ProduceOptions{Type: event.ContactDeleted, Count: 3, Source: "crm"}); err != nil {
		t.Fatal(err)
	}
	r, err := client.NewPartitionReader(topic, 0, kafka.First, kafka.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := range 3 {
		m, err := r.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Value[0] != 0 || !strings.HasPrefix(string(m.Key), "sample-contact-") {
			t.Fatalf("record %d: key=%s value[0]=%d", i, m.Key, m.Value[0])
		}
		if got, _ := header(m, event.HeaderSource); got != "crm" {
			t.Errorf("source header = %q", got)
		}
	}
	if subs := reg.Subjects(); len(subs) != 12 {
		t.Errorf("registered subjects = %d, want 12", len(subs))
	}
}

func TestDialNamesMissingSettings(t *testing.T) {
	t.Parallel()
	_, err := Dial(context.Background(), Config{}, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "brokers") || !strings.Contains(err.Error(), "registry url") {
		t.Fatalf("err = %v", err)
	}
}
