package webhook

import (
	"net/netip"

	"code.dny.dev/ssrf"
)

// Where the refused ranges come from, checked in this order:
//
//  1. namedRanges: the internal ranges an operator recognises, with the
//     name a refusal gives ("loopback", "metadata"); the most specific first.
//  2. embeddings: IPv6 forms that carry an IPv4 address (IPv4-compatible,
//     NAT64, 6to4, Teredo); the IPv4 inside is checked as IPv4, and every
//     form but the well-known NAT64 prefix is refused whole as well.
//  3. the IANA special-purpose address registries, as the generated tables
//     of code.dny.dev/ssrf (ssrf.IPv4DeniedPrefixes, ssrf.IPv6DeniedPrefixes,
//     from iana-ipv4-special-registry and iana-ipv6-special-registry), and
//     every IPv6 address outside global unicast (2000::/3).

// namedRange is an internal address range refused under a familiar name.
type namedRange struct {
	prefix netip.Prefix
	reason string
}

// namedRanges: 169.254.169.254 is "metadata", not "link-local".
var namedRanges = []namedRange{
	{netip.MustParsePrefix("169.254.169.254/32"), "metadata"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "metadata"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("100.64.0.0/10"), "cgnat"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"}, // includes broadcast
}

// embedding is an IPv6 form carrying IPv4 addresses.
type embedding struct {
	prefix netip.Prefix
	form   string
	// allowed: the form itself is not refused, only internal IPv4 inside it.
	allowed bool
	ipv4    func(b [16]byte) []netip.Addr
}

func last32(b [16]byte) []netip.Addr { return []netip.Addr{netip.AddrFrom4([4]byte(b[12:]))} }

var embeddings = []embedding{
	// RFC 6052 well-known prefix: the translator reaches the public IPv4 internet.
	{prefix: netip.MustParsePrefix("64:ff9b::/96"), form: "NAT64", allowed: true, ipv4: last32},
	// RFC 8215 local-use prefix, decoded as a /96 (other lengths place the
	// IPv4 elsewhere, which is why the whole range is refused).
	{prefix: netip.MustParsePrefix("64:ff9b:1::/48"), form: "local-use NAT64", ipv4: last32},
	// RFC 4291 §2.5.5.1, deprecated: ::a.b.c.d.
	{prefix: netip.MustParsePrefix("::/96"), form: "IPv4-compatible", ipv4: last32},
	// RFC 3056: 2002:AABB:CCDD::/48 wraps AA.BB.CC.DD.
	{prefix: netip.MustParsePrefix("2002::/16"), form: "6to4", ipv4: func(b [16]byte) []netip.Addr {
		return []netip.Addr{netip.AddrFrom4([4]byte(b[2:6]))}
	}},
	// RFC 4380: the server's IPv4 in bits 32-63, the client's inverted in the last 32.
	{prefix: netip.MustParsePrefix("2001::/32"), form: "Teredo", ipv4: func(b [16]byte) []netip.Addr {
		client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
		return []netip.Addr{netip.AddrFrom4([4]byte(b[4:8])), netip.AddrFrom4(client)}
	}},
}

// refusedReason names the rule refusing addr (unmapped, without zone), or
// returns "" when addr may be dialed.
func refusedReason(addr netip.Addr) string {
	if !addr.IsValid() {
		return "invalid"
	}
	for _, r := range namedRanges {
		if r.prefix.Contains(addr) {
			return r.reason
		}
	}
	if addr.Is6() {
		for _, e := range embeddings {
			if e.prefix.Contains(addr) {
				return e.refusal(addr)
			}
		}
	}
	return specialPurpose(addr)
}

// refusal is the reason an address of e's form is refused, or "".
func (e embedding) refusal(addr netip.Addr) string {
	for _, v4 := range e.ipv4(addr.As16()) {
		if reason := refusedReason(v4); reason != "" {
			return e.form + " wrapping " + reason
		}
	}
	if e.allowed {
		return ""
	}
	return e.form
}

// specialPurpose checks the IANA special-purpose registries.
func specialPurpose(addr netip.Addr) string {
	denied := ssrf.IPv4DeniedPrefixes
	if addr.Is6() {
		if !ssrf.IPv6GlobalUnicast.Contains(addr) {
			return "not global unicast"
		}
		denied = ssrf.IPv6DeniedPrefixes
	}
	for _, p := range denied {
		if p.Contains(addr) {
			return "special-purpose " + p.String()
		}
	}
	return ""
}
