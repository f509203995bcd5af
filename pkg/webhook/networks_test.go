package webhook_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestParseNetworksAcceptsPrefixesAndAddresses(t *testing.T) {
	t.Parallel()
	in := []string{"10.0.0.0/8", "10.1.2.3", "::1", "10.1.2.3/8", " 192.168.0.0/16 ", "::ffff:10.0.0.1", "fd00::/8"}
	want := []string{"10.0.0.0/8", "10.1.2.3/32", "::1/128", "10.0.0.0/8", "192.168.0.0/16", "10.0.0.1/32", "fd00::/8"}
	got, err := webhook.ParseNetworks(in)
	if err != nil {
		t.Fatal(err)
	}
	gotText := make([]string, len(got))
	for i, p := range got {
		gotText[i] = p.String()
	}
	if !slices.Equal(gotText, want) {
		t.Fatalf("got %v, want %v", gotText, want)
	}
}

func TestParseNetworksNamesEveryBadEntry(t *testing.T) {
	t.Parallel()
	_, err := webhook.ParseNetworks([]string{"10.0.0.0/8", "nope", "10.0.0.0/33", "", "fe80::1%eth0"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`[1] "nope"`, `[2] "10.0.0.0/33"`, `[3] ""`, `[4] "fe80::1%eth0"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "[0]") {
		t.Errorf("error %q names a good entry", err)
	}
}

func TestParseNetworksEmpty(t *testing.T) {
	t.Parallel()
	got, err := webhook.ParseNetworks(nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want empty, nil", got, err)
	}
}
