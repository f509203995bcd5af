package webhook_test

import (
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestHeadersSetStandardNamesAndOptionallySvixNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		svixNames bool
		wantKeys  int
	}{
		{"standard only", false, 3},
		{"with svix names", true, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := webhook.Headers(vectorMsgID, vectorTime, vectorSignature, tt.svixNames)
			if len(h) != tt.wantKeys {
				t.Fatalf("%d header keys, want %d: %v", len(h), tt.wantKeys, h)
			}
			want := map[string]string{
				webhook.HeaderID: vectorMsgID, webhook.HeaderTimestamp: "1614265330",
				webhook.HeaderSignature: vectorSignature,
			}
			if tt.svixNames {
				want[webhook.SvixHeaderID] = vectorMsgID
				want[webhook.SvixHeaderTimestamp] = "1614265330"
				want[webhook.SvixHeaderSignature] = vectorSignature
			}
			for k, v := range want {
				if got := h.Values(k); len(got) != 1 || got[0] != v {
					t.Errorf("%s = %q, want [%q]", k, got, v)
				}
			}
		})
	}
}

func TestSetHeadersReplacesAndKeepsValuesIndependent(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("webhook-signature", "v1,stale")
	h.Set("user-agent", "engagehub/test")
	webhook.SetHeaders(h, vectorMsgID, vectorTime, vectorSignature, true)
	if got := h.Values("webhook-signature"); len(got) != 1 || got[0] != vectorSignature {
		t.Fatalf("webhook-signature = %q, want only the new value", got)
	}
	if h.Get("user-agent") != "engagehub/test" {
		t.Fatal("unrelated header lost")
	}
	h.Add("webhook-id", "extra")
	h.Values("svix-signature")[0] = "changed"
	if got := h.Values("svix-id"); len(got) != 1 {
		t.Fatalf("svix-id shares storage with webhook-id: %q", got)
	}
	if h.Get("webhook-signature") != vectorSignature {
		t.Fatal("webhook-signature shares storage with svix-signature")
	}
}

func TestSignedHeadersVerifyUnderEitherNames(t *testing.T) {
	t.Parallel()
	secret := mustSecret(t, vectorSecret)
	s, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	v, err := webhook.NewVerifier([]webhook.Secret{secret}, 0, fixedClock(vectorTime))
	if err != nil {
		t.Fatal(err)
	}
	h := webhook.Headers(vectorMsgID, vectorTime, s.Sign(vectorMsgID, vectorTime, []byte(vectorBody)), true)
	for _, k := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		svixOnly := h.Clone()
		svixOnly.Del(k)
		if _, err := v.Verify(svixOnly, []byte(vectorBody)); err != nil {
			t.Errorf("without %s: %v", k, err)
		}
	}
}
