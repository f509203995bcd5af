package secret_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
	"go.yaml.in/yaml/v3"

	"github.com/engagehub/engagehub/pkg/secret"
)

type section struct {
	Token  secret.String   `json:"token" yaml:"token"`
	Tokens []secret.String `json:"tokens" yaml:"tokens"`
	Empty  secret.String   `json:"empty" yaml:"empty"`
}

func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	const value = "hunter2-hunter2-hunter2"
	s := section{Token: value, Tokens: []secret.String{value, "other-" + value}}
	jsonOut, _ := json.Marshal(s)
	yamlOut, _ := yaml.Marshal(s)
	core, logs := observer.New(zap.InfoLevel)
	zap.New(core).Info("config", zap.Any("section", s), zap.Stringer("token", s.Token))
	var logged strings.Builder
	for _, e := range logs.All() {
		logged.WriteString(fmt.Sprint(e.ContextMap()))
	}
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s), "%#v": fmt.Sprintf("%#v", s),
		"%s": fmt.Sprintf("%s", s.Token), "%q": fmt.Sprintf("%q", s.Token),
		"json": string(jsonOut), "yaml": string(yamlOut), "zap": logged.String(),
	} {
		if strings.Contains(out, value) || !strings.Contains(out, secret.Redacted) {
			t.Errorf("%s shows the secret or no %s: %s", name, secret.Redacted, out)
		}
	}
	if !strings.Contains(string(yamlOut), `empty: ""`) {
		t.Errorf("an empty secret should print empty, to show it is unset:\n%s", yamlOut)
	}
	if s.Token.Reveal() != value || secret.Reveal(s.Tokens)[1] != "other-"+value {
		t.Errorf("Reveal lost the value")
	}
}
