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
	v, err := verifier(secrets, nil)
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

func TestReceiveVerifiesV1aWithThePublicKeyFromTheEnvironment(t *testing.T) {
	text, _ := webhook.NewSigningKey()
	key, _ := webhook.ParseSigningKey(text)
	t.Setenv(receivePublicKeyEnv, key.Public().String())
	t.Setenv(receiveSecretEnv, "")
	v, err := verifier(receiveSecrets(nil, &bytes.Buffer{}), receivePublicKeys(nil))
	if err != nil || v == nil {
		t.Fatalf("verifier from %s = %v, %v", receivePublicKeyEnv, v, err)
	}
	now, body := time.Now(), []byte(`{"eventType":"contact.deleted"}`)
	h := webhook.Headers("msg_1", now, webhook.SignEd25519(key, "msg_1", now, body), false)
	if _, err := v.Verify(h, body); err != nil {
		t.Fatalf("a v1a request does not verify: %v", err)
	}
	other, _ := webhook.NewSigningKey()
	okey, _ := webhook.ParseSigningKey(other)
	h = webhook.Headers("msg_1", now, webhook.SignEd25519(okey, "msg_1", now, body), false)
	if _, err := v.Verify(h, body); err == nil {
		t.Fatal("a v1a request under another key verified")
	}
	if _, err := verifier(nil, []string{"whpk_bad"}); err == nil || !strings.Contains(err.Error(), receivePublicKeyEnv) {
		t.Fatalf("a bad public key = %v, want an error naming %s", err, receivePublicKeyEnv)
	}
}
