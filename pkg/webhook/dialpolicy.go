package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// DialTimeout bounds one TCP connect made through a DialPolicy.
const DialTimeout = 10 * time.Second

// ErrAddressNotAllowed reports a connection refused by a DialPolicy. The
// sender treats it as permanent: retrying cannot make the address public.
var ErrAddressNotAllowed = errors.New("webhook: address not allowed")

// AddressError is the error a DialPolicy returns for a refused address.
// It wraps ErrAddressNotAllowed and names the resolved IP and its range.
type AddressError struct {
	Addr   netip.Addr
	Reason string // "loopback", "private", "metadata", ...
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("webhook: dial %s: address not allowed (%s)", e.Addr, e.Reason)
}

func (e *AddressError) Unwrap() error { return ErrAddressNotAllowed }

// DialPolicy decides which IP addresses outbound webhooks may connect to.
// Its zero value refuses every internal range (see Check) and allows the
// public internet. The check runs on the resolved address of each connect,
// after DNS, so a hostname that resolves (or rebinds) to an internal
// address is refused as surely as a literal one.
type DialPolicy struct {
	// Allow lists prefixes that are reachable even if internal, such as a
	// private network of trusted receivers. Default: none.
	Allow []netip.Prefix
}

// Check returns an *AddressError if addr is in a refused range and not in
// an allowed prefix, and nil otherwise. IPv4-mapped IPv6 addresses are
// checked as IPv4, zones are ignored, and the IPv4 addresses inside NAT64,
// 6to4, Teredo and IPv4-compatible addresses are checked too (see
// ranges.go for the tables and their sources).
func (p DialPolicy) Check(addr netip.Addr) error {
	addr = addr.Unmap().WithZone("")
	if reason := p.Refusal(addr); reason != "" {
		return &AddressError{Addr: addr, Reason: reason}
	}
	return nil
}

// Refusal names the rule refusing addr ("loopback", "6to4 wrapping
// private", "special-purpose 198.18.0.0/15"), or returns "" when the policy
// allows it. The admin API uses it to refuse a literal IP in a destination
// URL when the subscription is written, not at its first delivery.
func (p DialPolicy) Refusal(addr netip.Addr) string {
	addr = addr.Unmap().WithZone("")
	for _, allowed := range p.Allow {
		if allowed.Contains(addr) {
			return ""
		}
	}
	return refusedReason(addr)
}

// Control is a net.Dialer Control function enforcing the policy on the
// address about to be connected. It fails closed on an unparsable address.
func (p DialPolicy) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %s: %w", address, ErrAddressNotAllowed)
	}
	return p.Check(ap.Addr())
}

// DialContext dials like net.Dialer.DialContext, refusing addresses the
// policy does not allow. A refusal is returned as the *AddressError itself,
// not wrapped in a *net.OpError, so its message stays readable.
func (p DialPolicy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d := net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second, Control: p.Control}
	conn, err := d.DialContext(ctx, network, address)
	var refused *AddressError
	if errors.As(err, &refused) {
		return nil, refused
	}
	return conn, err
}
