package filter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// interpreted evaluates p with cel-go's interpreter, as Match does for
// an expression the native evaluator does not take.
func interpreted(p *Program, ev *Event) (bool, error) {
	out, _, err := p.prg.Eval(ev)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, errors.New("not a bool")
	}
	return b, nil
}

// atoms are comparisons, has() and in over every scalar and map field of
// spec's example ev, against literals equal to, below and above the
// example's value, in both numeric types.
func atoms(tb testing.TB, spec event.Spec, ev event.Event) []string {
	tb.Helper()
	var out []string
	ops := []string{"==", "!=", "<", "<=", ">", ">="}
	for _, f := range spec.Fields {
		sel := "payload." + f.Name
		out = append(out, "has("+sel+")")
		v, ok := ev.Payload[f.Name]
		if !ok {
			continue
		}
		var lits []string
		switch f.Kind {
		case event.KindString, event.KindID:
			s := v.(string)
			lits = []string{strconv.Quote(s), strconv.Quote(s + "x"), `""`}
			out = append(out, fmt.Sprintf("%s.startsWith(%q)", sel, s[:len(s)/2]), fmt.Sprintf("%s.endsWith(%q)", sel, "zz"),
				fmt.Sprintf("%s in [%q, %q]", sel, "a", s), fmt.Sprintf("%s.contains(type)", sel))
		case event.KindBool:
			out = append(out, sel, "!"+sel, fmt.Sprintf("%s == %t", sel, v.(bool)), fmt.Sprintf("%s != true", sel))
		case event.KindInt:
			i := v.(int64)
			lits = []string{strconv.FormatInt(i, 10), strconv.FormatInt(i-1, 10), strconv.FormatInt(i+1, 10), fmt.Sprintf("%d.5", i), fmt.Sprintf("%d.0", i)}
			out = append(out, fmt.Sprintf("%s in [1, %d, 2.5]", sel, i))
		case event.KindDecimal:
			d, _ := strconv.ParseFloat(v.(string), 64)
			lits = []string{strconv.FormatFloat(d, 'f', -1, 64) + ".0", fmt.Sprint(int64(d)), fmt.Sprint(int64(d) + 1), strconv.FormatFloat(d-0.25, 'f', -1, 64)}
			out = append(out, fmt.Sprintf("%s in [%d, 0.5]", sel, int64(d)))
		case event.KindAttributes:
			m := v.(map[string]string)
			k := slices.Sorted(maps.Keys(m))[0]
			out = append(out, fmt.Sprintf("has(%s.%s)", sel, k), fmt.Sprintf("has(%s.nope)", sel),
				fmt.Sprintf("%s[%q] == %q", sel, k, m[k]), fmt.Sprintf("%s.%s != %q", sel, k, m[k]),
				fmt.Sprintf("%s.nope == %q", sel, "x"), fmt.Sprintf("%s[%q].startsWith(%q)", sel, k, m[k][:1]))
		}
		for _, op := range ops {
			for _, lit := range lits {
				if f.Kind == event.KindString || f.Kind == event.KindID || f.Kind == event.KindInt || f.Kind == event.KindDecimal {
					out = append(out, fmt.Sprintf("%s %s %s", sel, op, lit), fmt.Sprintf("%s %s %s", lit, op, sel))
				}
			}
		}
	}
	return append(out, fmt.Sprintf("type == %q", spec.Type), `contactId != ""`, `source in ["engage", "api"]`, "true", "false")
}

// TestNativeAgreesWithCEL holds the native evaluator to cel-go's
// interpreter: every atom, and every atom joined by &&, || and ! with a
// true, a false and an erroring one, gives the same verdict or error on
// each catalog type's example, the example without the atom's field, and
// an event whose payload cannot be decoded.
func TestNativeAgreesWithCEL(t *testing.T) {
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			t.Parallel()
			ev := avroRoundTrip(t, exampleEvent(t, spec.Type))
			natives, vs := 0, variants(t, ev)
			for _, a := range atoms(t, spec, ev) {
				for _, expr := range []string{a, "!(" + a + ")", a + " && true", "false && " + a, a + " || false", "true || " + a,
					a + " && payload.nope == 1", "payload.nope == 1 || " + a, a + " && has(payload.nope)"} {
					p, err := Compile(expr, []string{string(spec.Type)})
					if err != nil {
						continue // not type-correct for this type: the checker's business
					}
					if p.fast == nil {
						continue
					}
					natives++
					for name, e := range vs {
						want, werr := interpreted(p, e())
						got, gerr := p.fast(e())
						if (werr != nil) != (gerr != nil) || werr == nil && want != got {
							t.Errorf("%s on %s: native %v, %v; cel-go %v, %v", expr, name, got, gerr, want, werr)
						}
						base, isTwin := strings.CutSuffix(name, ", as Fields")
						if name == decodedName {
							base, isTwin = "the example", true
						}
						if isTwin { // the same payload behind a map
							if bwant, berr := interpreted(p, vs[base]()); (berr != nil) != (werr != nil) || berr == nil && bwant != want {
								t.Errorf("%s on %s: %v, %v; behind a map %v, %v", expr, name, want, werr, bwant, berr)
							}
						}
					}
				}
			}
			if natives == 0 {
				t.Fatal("no expression ran natively")
			}
		})
	}
}

const decodedName = "the example, decoded into schema.Fields"

// variants are ev as filters see it, ev without each payload field in
// turn, ev with each number-like field NaN — each behind a map and behind
// Fields —, ev decoded into schema.Fields as fan-out decodes it, and ev
// with a payload that does not decode.
func variants(tb testing.TB, ev event.Event) map[string]func() *Event {
	out := map[string]func() *Event{"the example": func() *Event { return FromEvent(ev, nil) }}
	for name := range ev.Payload {
		without := ev
		without.Payload = maps.Clone(ev.Payload)
		delete(without.Payload, name)
		out["without "+name] = func() *Event { return FromEvent(without, nil) }
		if s, ok := ev.Payload[name].(string); ok {
			if _, err := strconv.ParseFloat(s, 64); err == nil { // a decimal (or a number-like string)
				nan := ev
				nan.Payload = maps.Clone(ev.Payload)
				nan.Payload[name] = "NaN"
				out[name+" NaN"] = func() *Event { return FromEvent(nan, nil) }
			}
		}
	}
	for name, e := range maps.Clone(out) { // each also behind Fields, as fan-out hands payloads over
		out[name+", as Fields"] = func() *Event {
			ev := e()
			p, _ := ev.Load.Payload()
			return eventOf(event.Event{Type: ev.Type, ContactID: ev.ContactID}, fieldsLoader{typ: ev.Type, fields: mapFields(p.typed), raw: p.raw})
		}
	}
	f := decodedFields(tb, ev)
	out[decodedName] = func() *Event {
		return eventOf(ev, fieldsLoader{typ: ev.Type, fields: f, raw: f.Raw()})
	}
	out["an undecodable payload"] = func() *Event {
		return eventOf(ev, &countingLoader{ev: ev, err: errors.New("bad bytes")})
	}
	return out
}

// The filters subscriptions are made of run natively; what the native
// evaluator does not cover still runs, in the interpreter.
func TestTypicalFiltersRunNatively(t *testing.T) {
	for _, c := range []struct {
		expr, types string
		native      bool
	}{
		{`type == "point.balance.updated" && payload.balance > 1000.0`, "point.*", true},
		{`type == "contact.updated" && payload.contactType == "Member" && has(payload.attributes.email)`, "contact.*", true},
		{`payload.accountId in [1, 2] || contactId.startsWith("vip-")`, "point.balance.updated", true},
		{`payload.attributes["zipCode"].startsWith("41")`, "contact.updated", true},
		{`receivedAt > timestamp("2025-01-01T00:00:00Z")`, "contact.updated", false},
		{`headers["traceparent"] != ""`, "contact.updated", false},
		{`payload.unknown.storeCode == "x"`, "contact.updated", false},
		{`size(payload.attributes) > 1`, "contact.updated", false},
	} {
		p := mustCompile(t, c.expr, c.types)
		if (p.fast != nil) != c.native {
			t.Errorf("%s: native %t, want %t", c.expr, p.fast != nil, c.native)
		}
	}
}
