package admin

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestCreateWithRefusedLiteralIPIs422NamingTheRule(t *testing.T) {
	c, err := subscription.NewCipher(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	store, err := subscription.Open(context.Background(), subscriptiontest.NewTopic().Opener(), subscription.DefaultConfig(), c,
		subscription.Options{Addresses: webhook.DialPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	router := httpapi.NewRouter(httpapi.NewAuth([]string{token}))
	router.Handle(NewSubscriptions(ops.New(ops.Deps{Store: store}), nil).Routes()...)
	srv := httptest.NewServer(router)
	defer srv.Close()
	body := strings.Replace(validBody, "https://pos.example.com/hooks/engage", "http://192.0.0.192/latest/meta-data", 1)
	status, resp := call(t, srv, "POST", "/v1/subscriptions", "application/json", body)
	if status != 422 || !strings.Contains(resp, "invalid_subscription") || !strings.Contains(resp, "destination.url") ||
		!strings.Contains(resp, "special-purpose 192.0.0.0/24") {
		t.Fatalf("create = %d %s, want 422 naming destination.url and the rule", status, resp)
	}
}
