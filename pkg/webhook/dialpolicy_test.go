package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestCheckRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, reason string }{
		{"127.0.0.1", "loopback"},
		{"127.255.0.9", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "metadata"},
		{"::ffff:169.254.169.254", "metadata"},
		{"fd00:ec2::254", "metadata"},
		{"169.254.1.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"100.64.0.1", "cgnat"},
		{"100.127.255.254", "cgnat"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::7f00:1", "NAT64 wrapping loopback"},
		{"64:ff9b::a9fe:a9fe", "NAT64 wrapping metadata"},
		// IANA special-purpose registries.
		{"192.0.0.192", "special-purpose 192.0.0.0/24"},
		{"192.0.0.8", "special-purpose 192.0.0.0/24"},
		{"198.18.0.1", "special-purpose 198.18.0.0/15"},
		{"198.19.255.254", "special-purpose 198.18.0.0/15"},
		{"192.0.2.1", "special-purpose 192.0.2.0/24"},
		{"192.88.99.1", "special-purpose 192.88.99.0/24"},
		{"2001:db8::1", "special-purpose 2001:db8::/32"},
		{"3fff::1", "special-purpose 3fff::/20"},
		{"100::1", "not global unicast"},
		// IPv4 inside IPv6.
		{"2002:7f00:1::", "6to4 wrapping loopback"},
		{"2002:a9fe:a9fe::1", "6to4 wrapping metadata"},
		{"2002:c000:c0::", "6to4 wrapping special-purpose 192.0.0.0/24"},
		{"2002:808:808::1", "6to4"},
		{"64:ff9b:1::a9fe:a9fe", "local-use NAT64 wrapping metadata"},
		{"64:ff9b:1::a00:1", "local-use NAT64 wrapping private"},
		{"64:ff9b:1::808:808", "local-use NAT64"},
		{"64:ff9b::c612:1", "NAT64 wrapping special-purpose 198.18.0.0/15"},
		{"::7f00:1", "IPv4-compatible wrapping loopback"},
		{"::a9fe:a9fe", "IPv4-compatible wrapping metadata"},
		{"::808:808", "IPv4-compatible"},
		{"2001:0:808:808::80ff:fffe", "Teredo wrapping loopback"}, // client 127.0.0.1, inverted
		{"2001:0:7f00:1::f7f7:f7f7", "Teredo wrapping loopback"},  // server 127.0.0.1
		{"2001:0:808:808::f7f7:f7f7", "Teredo"},                   // both public (8.8.8.8)
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			err := webhook.DialPolicy{}.Check(netip.MustParseAddr(tt.addr))
			var refused *webhook.AddressError
			if !errors.As(err, &refused) || !errors.Is(err, webhook.ErrAddressNotAllowed) {
				t.Fatalf("Check = %v, want an AddressError", err)
			}
			if refused.Reason != tt.reason {
				t.Fatalf("reason = %q, want %q", refused.Reason, tt.reason)
			}
		})
	}
}

func TestCheckAllowsPublicAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
		"2606:4700:4700::1111", "64:ff9b::808:808"} {
		if err := (webhook.DialPolicy{}).Check(netip.MustParseAddr(addr)); err != nil {
			t.Errorf("Check(%s) = %v, want nil", addr, err)
		}
	}
}

func TestCheckAllowsOnlyAllowListedInternalAddresses(t *testing.T) {
	t.Parallel()
	p := webhook.DialPolicy{Allow: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.169.254/32"),
	}}
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"127.0.0.1", true},
		{"::ffff:127.0.0.2", true},
		{"169.254.169.254", true},
		{"169.254.169.253", false},
		{"10.0.0.1", false},
		{"::1", false},
	}
	for _, tt := range tests {
		if err := p.Check(netip.MustParseAddr(tt.addr)); (err == nil) != tt.allowed {
			t.Errorf("Check(%s) = %v, allowed want %v", tt.addr, err, tt.allowed)
		}
	}
}

func TestAddressErrorNamesIPAndRange(t *testing.T) {
	t.Parallel()
	err := webhook.DialPolicy{}.Check(netip.MustParseAddr("127.0.0.1"))
	if want := "webhook: dial 127.0.0.1: address not allowed (loopback)"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestControlFailsClosedOnUnparsableAddress(t *testing.T) {
	t.Parallel()
	if err := (webhook.DialPolicy{}).Control("unix", "/run/docker.sock", nil); !errors.Is(err, webhook.ErrAddressNotAllowed) {
		t.Fatalf("Control = %v, want ErrAddressNotAllowed", err)
	}
}

// TestDialContextRefusesResolvedInternalAddresses dials addresses the policy
// refuses before connecting, so none of them needs a listener, and
// "localhost" proves the check sees the resolved address, not the name.
func TestDialContextRefusesResolvedInternalAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct{ address, ip string }{
		{"127.0.0.1:80", "127.0.0.1"},
		{"10.0.0.1:80", "10.0.0.1"},
		{"169.254.169.254:80", "169.254.169.254"},
		{"[::1]:80", "::1"},
		{"localhost:80", ""},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := webhook.DialPolicy{}.DialContext(ctx, "tcp", tt.address)
			if conn != nil {
				conn.Close()
			}
			var refused *webhook.AddressError
			if !errors.As(err, &refused) {
				t.Fatalf("DialContext = %v, want an AddressError", err)
			}
			if refused.Reason != "loopback" && tt.ip == "" {
				t.Fatalf("localhost refused as %q, want loopback", refused.Reason)
			}
			if tt.ip != "" && refused.Addr.String() != tt.ip {
				t.Fatalf("refused %s, want %s", refused.Addr, tt.ip)
			}
		})
	}
}

func TestHTTPClientRefusesLoopbackReceiverWithoutSendingRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	client := webhook.NewHTTPClient(webhook.DialPolicy{}, 5*time.Second, 4)
	for _, target := range []string{srv.URL, "http://localhost:" + u.Port()} {
		resp, err := client.Post(target, "application/json", nil)
		if resp != nil {
			resp.Body.Close()
		}
		if !errors.Is(err, webhook.ErrAddressNotAllowed) {
			t.Fatalf("POST %s: err = %v, want ErrAddressNotAllowed", target, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("receiver got %d requests, want 0", n)
	}
}

func TestHTTPClientReachesAllowListedLoopbackReceiver(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	allow, err := webhook.ParseNetworks([]string{"127.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	client := webhook.NewHTTPClient(webhook.DialPolicy{Allow: allow}, 5*time.Second, 4)
	u, _ := url.Parse(srv.URL)
	for _, target := range []string{srv.URL, "http://localhost:" + u.Port()} {
		resp, err := client.Post(target, "application/json", nil)
		if err != nil {
			t.Fatalf("POST %s: %v", target, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST %s: status %d, want 204", target, resp.StatusCode)
		}
	}
}
