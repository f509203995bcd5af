package subscription

import (
	"errors"
	"strings"
	"testing"
)

func webhookSub() Subscription {
	return Subscription{
		ID: "pos-sync", EventTypes: []string{"point.balance.updated", "contact.*"},
		Destination: Destination{Type: DestinationWebhook, URL: "https://pos.example.com/hooks", Headers: map[string]string{"x-team": "pos"}},
		Enabled:     true,
	}.withDefaults()
}

func kafkaSub() Subscription {
	return Subscription{ID: "bi", EventTypes: []string{"*"}, Destination: Destination{Type: DestinationKafka, Topic: "bi.engage"}, Enabled: true}.withDefaults()
}

func TestValidateNamesEveryBadField(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Subscription)
		fields []string
	}{
		{"valid webhook", func(*Subscription) {}, nil},
		{"bad id", func(s *Subscription) { s.ID = "Bad_ID" }, []string{"id"}},
		{"id too long", func(s *Subscription) { s.ID = strings.Repeat("a", 64) }, []string{"id"}},
		{"no event types", func(s *Subscription) { s.EventTypes = nil }, []string{"eventTypes"}},
		{"unknown exact type", func(s *Subscription) { s.EventTypes = []string{"contact.*", "contact.exploded"} }, []string{"eventTypes[1]"}},
		{"bad pattern", func(s *Subscription) { s.EventTypes = []string{"con*tact"} }, []string{"eventTypes[0]"}},
		{"relative url", func(s *Subscription) { s.Destination.URL = "/hooks" }, []string{"destination.url"}},
		{"ftp url", func(s *Subscription) { s.Destination.URL = "ftp://x/y" }, []string{"destination.url"}},
		{"bad header name", func(s *Subscription) { s.Destination.Headers = map[string]string{"x team": "a"} }, []string{"destination.headers.x team"}},
		{"reserved header", func(s *Subscription) { s.Destination.Headers = map[string]string{"Webhook-Signature": "a"} }, []string{"destination.headers.Webhook-Signature"}},
		{"header value newline", func(s *Subscription) { s.Destination.Headers = map[string]string{"x-a": "a\r\nb: c"} }, []string{"destination.headers.x-a"}},
		{"timeout too long", func(s *Subscription) { s.Destination.Timeout = Duration(61e9) }, []string{"destination.timeout"}},
		{"timeout too short", func(s *Subscription) { s.Destination.Timeout = Duration(5e8) }, []string{"destination.timeout"}},
		{"pipelining", func(s *Subscription) { s.Destination.Pipelining = 4 }, nil},
		{"negative pipelining", func(s *Subscription) { s.Destination.Pipelining = -1 }, []string{"destination.pipelining"}},
		{"pipelining too wide", func(s *Subscription) { s.Destination.Pipelining = MaxPipelining + 1 }, []string{"destination.pipelining"}},
		{"topic on webhook", func(s *Subscription) { s.Destination.Topic = "x" }, []string{"destination.topic"}},
		{"bad ordering", func(s *Subscription) { s.Ordering = "fifo" }, []string{"ordering"}},
		{"negative rate", func(s *Subscription) { s.RateLimit = -1 }, []string{"rateLimit"}},
		{"several at once", func(s *Subscription) { s.ID = ""; s.Destination.URL = ""; s.MaxInFlight = -2 }, []string{"id", "destination.url", "maxInFlight"}},
		{"unknown destination type", func(s *Subscription) { s.Destination.Type = "sqs" }, []string{"destination.type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := webhookSub()
			tc.edit(&s)
			assertFields(t, Validate(s), tc.fields)
		})
	}
}

func TestValidateKafkaDestination(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Subscription)
		fields []string
	}{
		{"valid", func(*Subscription) {}, nil},
		{"json format", func(s *Subscription) { s.Destination.Format = FormatJSON }, nil},
		{"bad format", func(s *Subscription) { s.Destination.Format = "xml" }, []string{"destination.format"}},
		{"illegal topic", func(s *Subscription) { s.Destination.Topic = "a topic" }, []string{"destination.topic"}},
		{"internal topic", func(s *Subscription) { s.Destination.Topic = "__consumer_offsets" }, []string{"destination.topic"}},
		{"reserved prefix", func(s *Subscription) { s.Destination.Topic = "engage.contact.created" }, []string{"destination.topic"}},
		{"url on kafka", func(s *Subscription) { s.Destination.URL = "https://x" }, []string{"destination.url"}},
		{"pipelining on kafka", func(s *Subscription) { s.Destination.Pipelining = 2 }, []string{"destination.pipelining"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := kafkaSub()
			tc.edit(&s)
			assertFields(t, Validate(s, "engagehub.", "engage."), tc.fields)
		})
	}
}

func assertFields(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("Validate = %v, want nil", err)
		}
		return
	}
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("Validate = %v, want *ValidationError", err)
	}
	got := map[string]bool{}
	for _, p := range v.Problems {
		got[p.Field] = true
	}
	for _, f := range want {
		if !got[f] {
			t.Errorf("problems %v do not name %q", v.Problems, f)
		}
	}
	if len(v.Problems) != len(want) {
		t.Errorf("problems = %v, want exactly %v", v.Problems, want)
	}
}

func TestDecodeAppliesDefaultsAndNamesBadFields(t *testing.T) {
	s, err := Decode([]byte(`{"id":"a","eventTypes":["*"],"destination":{"type":"webhook","url":"https://x.example"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Enabled || s.Ordering != OrderingKey || s.Destination.Timeout != 0 || s.Signature != SignatureHMAC {
		t.Fatalf("defaults not applied: %+v", s)
	}
	tests := []struct{ name, body, field string }{
		{"unknown field", `{"id":"a","colour":"red"}`, "colour"},
		{"wrong type", `{"id":"a","rateLimit":"fast"}`, "rateLimit"},
		{"nested wrong type", `{"destination":{"url":5}}`, "destination.url"},
		{"bad duration", `{"destination":{"timeout":"soon"}}`, "destination.timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.body))
			assertFields(t, err, []string{tc.field})
		})
	}
	for _, body := range []string{`{"id":`, `[1]x`, `{} {}`} {
		if _, err := Decode([]byte(body)); !errors.Is(err, ErrMalformed) && !IsValidation(err) {
			t.Errorf("Decode(%s) = %v, want ErrMalformed", body, err)
		}
	}
	if _, err := Decode([]byte(`{"id":`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated JSON: %v, want ErrMalformed", err)
	}
}
