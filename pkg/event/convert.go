package event

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// toID accepts a JSON string, or an integer whose decimal text is the id.
func toID(v json.RawMessage) (string, bool) {
	if s, ok := text(v); ok {
		return s, true
	}
	if !isNumber(v) {
		return "", false
	}
	if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
		return "", false
	}
	return string(v), true
}

// toBool accepts true/false, as JSON or as strings.
func toBool(v json.RawMessage) (bool, bool) {
	s := string(v)
	if t, ok := text(v); ok {
		s = strings.ToLower(strings.TrimSpace(t))
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// toInt accepts an integer as a JSON number or a string.
func toInt(v json.RawMessage) (int64, bool) {
	s := string(v)
	if t, ok := text(v); ok {
		s = strings.TrimSpace(t)
	} else if !isNumber(v) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// toDecimal accepts a number as a JSON number or a string and returns its
// plain decimal text, keeping the digits it arrived with ("12.50" stays
// "12.50"); exponent forms ("1.5e2") are expanded ("150").
func toDecimal(v json.RawMessage) (string, bool) {
	s := string(v)
	if t, ok := text(v); ok {
		s = strings.TrimSpace(t)
	} else if !isNumber(v) {
		return "", false
	}
	if plainDecimal(s) {
		return strings.TrimPrefix(s, "+"), true
	}
	return expandDecimal(s)
}

// plainDecimal reports whether s is [+-]digits[.digits].
func plainDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	return digits(whole) && (!hasDot || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxScale bounds the fractional digits of an expanded exponent form.
const maxScale = 30

func expandDecimal(s string) (string, bool) {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return "", false
	}
	// Bound the exponent: big.Rat would otherwise build huge numbers.
	if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp > maxScale || exp < -maxScale {
		return "", false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", false
	}
	for scale := 0; scale <= maxScale; scale++ {
		out := r.FloatString(scale)
		if back, _ := new(big.Rat).SetString(out); back.Cmp(r) == 0 {
			return out, true
		}
	}
	return "", false
}

// timeLayouts are the timestamp forms accepted. Layouts without a zone are
// read as UTC. The zoneless form comes first: a zoned one is tried before
// the list (see zoned).
var timeLayouts = [...]string{
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// toTimestamp accepts a timestamp string and returns it in UTC, truncated
// to the millisecond that Avro's timestamp-millis keeps.
func toTimestamp(v json.RawMessage) (time.Time, bool) {
	s, ok := text(v)
	if !ok {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	if zoned(s) { // the common case, without a failed attempt first
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), true
		}
	}
	return time.Time{}, false
}

// zoned reports whether s ends like an RFC 3339 zone: Z or ±hh:mm.
func zoned(s string) bool {
	n := len(s)
	return n > 0 && (s[n-1] == 'Z' || s[n-1] == 'z') || n > 6 && (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':'
}

// toAttributes turns a JSON object into text values: strings verbatim,
// other values as compact JSON, nulls left out.
func toAttributes(v json.RawMessage) (map[string]string, bool) {
	var buf [32]member
	ms, ok := members(v, buf[:0])
	if len(v) == 0 || v[0] != '{' || !ok {
		return nil, false
	}
	out := make(map[string]string, len(ms))
	for _, m := range ms {
		k := string(m.key)
		if isNull(m.val) {
			delete(out, k) // a later duplicate key wins, as in a map
			continue
		}
		if m.val[0] == '"' {
			out[k] = unquote(m.val)
			continue
		}
		out[k] = compact(m.val)
	}
	return out, true
}

// compact returns v without insignificant whitespace, as json.Compact does.
func compact(v json.RawMessage) string {
	if !hasSpace(v) {
		return string(v)
	}
	var b bytes.Buffer
	b.Grow(len(v))
	if err := json.Compact(&b, v); err != nil {
		return string(v)
	}
	return b.String()
}

// hasSpace reports whether valid JSON v has whitespace outside strings.
func hasSpace(v []byte) bool {
	inString, escaped := false, false
	for _, c := range v {
		switch {
		case escaped:
			escaped = false
		case inString:
			escaped, inString = c == '\\', c != '"'
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return true
		}
	}
	return false
}
