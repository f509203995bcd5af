package event

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseEverySampleIsValidAndKeepsRawBytes(t *testing.T) {
	t.Parallel()
	for _, spec := range Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			t.Parallel()
			env, err := Parse(spec.Example)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if env.Type != spec.Type || env.ID == "" || env.Tenant != "acmeretail" {
				t.Fatalf("envelope = %+v", env)
			}
			if !bytes.Equal(env.Raw, spec.Example) {
				t.Fatal("Raw differs from input")
			}
			ev, err := New(env, SourceEngage, time.Now())
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			for _, name := range spec.Required {
				if _, ok := ev.Payload[name]; !ok {
					t.Errorf("payload lacks required %s", name)
				}
			}
			if ev.ContactID == "" || ev.ContactID != env.ContactID() || !ev.Typed() {
				t.Errorf("ContactID = %q, env %q, typed %v", ev.ContactID, env.ContactID(), ev.Typed())
			}
		})
	}
}

func TestParseReadsEngageShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		id     string
		typ    Type
		field  string
		want   any
		encryp bool
	}{
		{"samples/contact.acceptsSms.changed.json", "6e2d3b9f-8e4c-4d2f-8b7a-1c3e5f7a9b21", ContactAcceptsSmsChanged, "value", false, false},
		{"samples/contact.acceptsSms.changed.json", "6e2d3b9f-8e4c-4d2f-8b7a-1c3e5f7a9b21", ContactAcceptsSmsChanged, "changedAt", time.Date(2024, 5, 14, 9, 2, 45, 0, time.UTC), false},
		{"samples/reward.voucher.created.json", "e6a5bd71-06c4-45a1-ae5c-9e1a3b5c7da9", RewardVoucherCreated, "amount", "100.00", false},
		{"samples/reward.voucher.created.json", "e6a5bd71-06c4-45a1-ae5c-9e1a3b5c7da9", RewardVoucherCreated, "uniqueCode", "RW-7Q4K-92XM", false},
		{"samples/point.balance.updated.json", "d594ac60-f5b3-4490-9d4b-8d0f2a4b6c98", PointBalanceUpdated, "accountId", int64(31415), false},
		{"samples/point.balance.updated.json", "d594ac60-f5b3-4490-9d4b-8d0f2a4b6c98", PointBalanceUpdated, "definitionId", "2", false},
		{"variants/point.balance.updated-numeric.json", "1a2b3c4d-0000-4000-8000-000000000001", PointBalanceUpdated, "definitionId", "2", false},
		{"variants/point.balance.updated-numeric.json", "1a2b3c4d-0000-4000-8000-000000000001", PointBalanceUpdated, "balance", "1250.5", false},
		{"samples/loyalty.addPoints.json", "c4839b5f-e4a2-438f-8c3a-7c9e1f3a5b87", LoyaltyAddPoints, "amount", "150.50", false},
		{"samples/contact.consent.changed.json", "804f5d1b-a06e-4f4b-8d9c-3e5a7b9c1d43", ContactConsentChanged, "date", time.Date(2024, 5, 15, 8, 0, 0, 0, time.UTC), false},
		{"variants/pascal-envelope.json", "1a2b3c4d-0000-4000-8000-000000000004", ContactDeleted, "contactId", "42", false},
		{"variants/unknown-type.json", "1a2b3c4d-0000-4000-8000-000000000002", "order.created", "", nil, false},
		{"variants/encrypted.json", "1a2b3c4d-0000-4000-8000-000000000003", ContactCreated, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file)+"/"+tt.field, func(t *testing.T) {
			t.Parallel()
			env, err := Parse(readFile(t, filepath.Join("testdata", tt.file)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if env.ID != tt.id || env.Type != tt.typ || env.IsEncrypted != tt.encryp {
				t.Fatalf("envelope = %+v", env)
			}
			ev, err := New(env, "svc", time.Now())
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if tt.field == "" {
				if ev.Payload != nil || ev.Typed() {
					t.Fatalf("Payload = %v, want nil", ev.Payload)
				}
				return
			}
			if got := ev.Payload[tt.field]; got != tt.want {
				t.Fatalf("payload.%s = %#v, want %#v", tt.field, got, tt.want)
			}
		})
	}
}

func TestParseAndValidateRejectBadInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		malformed bool
		field     string
	}{
		{"malformed.json", true, ""},
		{"not-object.json", true, ""},
		{"missing-contactid.json", false, "payload.contactId"},
		{"wrong-type-value.json", false, "payload.value"},
		{"wrong-type-decimal.json", false, "payload.balance"},
		{"missing-eventtype.json", false, "eventType"},
		{"wrong-type-eventtype.json", false, "eventType"},
		{"missing-channel-type.json", false, "payload.redemptionChannels[0].type"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			env, err := Parse(readFile(t, filepath.Join("testdata", "bad", tt.file)))
			if err == nil {
				err = Validate(env)
			}
			if got := errors.Is(err, ErrMalformed); got != tt.malformed {
				t.Fatalf("errors.Is(%v, ErrMalformed) = %v", err, got)
			}
			if tt.malformed {
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("err = %v, want FieldError on %s", err, tt.field)
			}
		})
	}
}

func TestContactIDReadsAnyCasing(t *testing.T) {
	t.Parallel()
	env, err := Parse([]byte(`{"eventType":"x","payload":{"CONTACTID":"c9"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := env.ContactID(); got != "c9" {
		t.Fatalf("ContactID = %q", got)
	}
}
