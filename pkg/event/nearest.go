package event

import (
	"strings"

	"github.com/engagehub/engagehub/pkg/suggest"
)

// Nearest returns the catalog type closest to t (edit distance, ignoring
// case), to suggest in place of a type outside the catalog.
func (t Type) Nearest() Type {
	want := strings.ToLower(string(t))
	var best Type
	bestD := -1
	for _, s := range catalog {
		d := suggest.Distance(want, strings.ToLower(string(s.Type)))
		if bestD < 0 || d < bestD {
			best, bestD = s.Type, d
		}
	}
	return best
}
