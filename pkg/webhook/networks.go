package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ParseNetworks parses allow-list entries, each a CIDR prefix ("10.1.0.0/16")
// or a single address ("10.1.2.3", meaning /32 or /128). Prefixes are
// masked, so "10.1.2.3/8" means 10.0.0.0/8. It reports every bad entry,
// each by position and text.
func ParseNetworks(entries []string) ([]netip.Prefix, error) {
	prefixes := make([]netip.Prefix, 0, len(entries))
	var errs []error
	for i, entry := range entries {
		p, err := parseNetwork(strings.TrimSpace(entry))
		if err != nil {
			errs = append(errs, fmt.Errorf("webhook: parse network [%d] %q: %w", i, entry, err))
			continue
		}
		prefixes = append(prefixes, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return prefixes, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if addr.Zone() != "" {
		return netip.Prefix{}, errors.New("zones are not allowed")
	}
	addr = addr.Unmap()
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}
