package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

const receiveTestSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestReceiveReadsItsSecretFromTheEnvironment(t *testing.T) {
	t.Setenv(receiveSecretEnv, " "+receiveTestSecret+" ,")
	var warn bytes.Buffer
	secrets := receiveSecrets(nil, &warn)
	v, err := verifier(secrets)
	if err != nil || v == nil {
		t.Fatalf("verifier from %s = %v, %v", receiveSecretEnv, v, err)
	}
	if warn.Len() != 0 {
		t.Fatalf("warned without --secret: %s", warn.String())
	}
	sec, _ := webhook.ParseSecret(receiveTestSecret)
	signer, _ := webhook.NewSigner(sec)
	now, body := time.Now(), []byte(`{"eventType":"contact.deleted"}`)
	h := http.Header{}
	h.Set(webhook.HeaderID, "msg_1")
	h.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	h.Set(webhook.HeaderSignature, signer.Sign("msg_1", now, body))
	if _, err := v.Verify(h, body); err != nil {
		t.Fatalf("a request signed with the environment's secret does not verify: %v", err)
	}
}

func TestReceiveSecretFlagWarnsThatItShowsInPs(t *testing.T) {
	t.Setenv(receiveSecretEnv, "")
	var warn bytes.Buffer
	if got := receiveSecrets([]string{receiveTestSecret}, &warn); len(got) != 1 {
		t.Fatalf("secrets = %q", got)
	}
	if !strings.Contains(warn.String(), "warning") || !strings.Contains(warn.String(), receiveSecretEnv) {
		t.Fatalf("--secret gave no warning naming %s: %q", receiveSecretEnv, warn.String())
	}
}
