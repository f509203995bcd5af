package filter

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

// fieldExpr is an expression that holds exactly when field name of a
// payload has value v (a Go value as event.New builds it).
func fieldExpr(tb testing.TB, name string, kind event.Kind, v any) string {
	tb.Helper()
	sel := "payload." + name
	switch kind {
	case event.KindString, event.KindID:
		return fmt.Sprintf("%s == %s", sel, strconv.Quote(v.(string)))
	case event.KindBool:
		return fmt.Sprintf("%s == %t", sel, v.(bool))
	case event.KindInt:
		return fmt.Sprintf("%s == %d", sel, v.(int64))
	case event.KindDecimal:
		f, err := strconv.ParseFloat(v.(string), 64)
		if err != nil {
			tb.Fatal(err)
		}
		return fmt.Sprintf("%s == %s", sel, strconv.FormatFloat(f, 'f', 1, 64)) // a double literal: == does not mix types
	case event.KindTimestamp:
		return fmt.Sprintf("%s == timestamp(%q)", sel, v.(time.Time).Format(time.RFC3339Nano))
	case event.KindAttributes:
		m := v.(map[string]string)
		k := slices.Sorted(maps.Keys(m))[0]
		return fmt.Sprintf("%s[%q] == %q && size(%s) == %d", sel, k, m[k], sel, len(m))
	case event.KindChannels:
		chs := v.([]map[string]any)
		return fmt.Sprintf("%s[0].type == %q && size(%s) == %d", sel, chs[0]["type"], sel, len(chs))
	}
	tb.Fatalf("no expression for kind %v", kind)
	return ""
}

func TestFiltersReadEveryTypedFieldOfEveryCatalogType(t *testing.T) {
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			t.Parallel()
			ev := exampleEvent(t, spec.Type)
			decoded := avroRoundTrip(t, ev)
			read := 0
			for _, f := range spec.Fields {
				v, ok := ev.Payload[f.Name]
				if !ok {
					absent := mustCompile(t, "!has(payload."+f.Name+")", string(spec.Type))
					if got, err := absent.Match(FromEvent(decoded, nil)); err != nil || !got {
						t.Errorf("!has(payload.%s) = %v, %v on an event without it", f.Name, got, err)
					}
					continue
				}
				read++
				expr := fieldExpr(t, f.Name, f.Kind, v)
				yes := mustCompile(t, expr, string(spec.Type))
				no := mustCompile(t, "!("+expr+")", string(spec.Type))
				for name, e := range map[string]event.Event{"as ingest built it": ev, "decoded from Avro": decoded} {
					if got, err := yes.Match(FromEvent(e, nil)); err != nil || !got {
						t.Errorf("%s (%s) = %v, %v; want true", expr, name, got, err)
					}
					if got, err := no.Match(FromEvent(e, nil)); err != nil || got {
						t.Errorf("!(%s) (%s) = %v, %v; want false", expr, name, got, err)
					}
				}
			}
			if read == 0 {
				t.Fatal("the example has no typed field")
			}
		})
	}
}

func TestFiltersReadUnknownFieldsOfEveryCatalogType(t *testing.T) {
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			t.Parallel()
			raw := withPayloadField(t, spec.Example, "storeId", "S1")
			raw = withPayloadField(t, raw, "tier", 3)
			ev := avroRoundTrip(t, parseEvent(t, raw))
			typ := string(spec.Type)
			cases := []struct {
				expr string
				want bool
			}{
				{`payload.unknown.storeId == "S1" && payload.unknown.tier == 3`, true},
				{`payload.unknown.storeId == "S2"`, false},
				{`has(payload.unknown.tier) && !has(payload.unknown.missing)`, true},
				{`!has(payload.unknown.contactId) && !has(payload.unknown.ContactId)`, true}, // listed fields are typed, not unknown
			}
			for _, c := range cases {
				got, err := mustCompile(t, c.expr, typ).Match(FromEvent(ev, nil))
				if err != nil || got != c.want {
					t.Errorf("%s = %v, %v; want %v", c.expr, got, err, c.want)
				}
			}
		})
	}
}

func TestFilterSeesTheExamplesOwnUnknownFields(t *testing.T) {
	cases := []struct {
		typ  event.Type
		expr string
	}{
		{event.ContactAcceptsPostalChanged, `payload.unknown.storeExternalId == "STO-042"`},
		{event.ContactUpdated, `"zipCode" in payload.unknown.changedAttributes`},
		{event.RewardVoucherCreated, `payload.unknown.RewardType == "Voucher"`},
		{event.PromotionMultichannelAssigned, `payload.redemptionChannels.exists(c, c.type == "ECOM" && c.value == "20")`},
	}
	for _, c := range cases {
		t.Run(string(c.typ), func(t *testing.T) {
			ev := avroRoundTrip(t, exampleEvent(t, c.typ))
			if got, err := mustCompile(t, c.expr, string(c.typ)).Match(FromEvent(ev, nil)); err != nil || !got {
				t.Fatalf("%s = %v, %v; want true", c.expr, got, err)
			}
		})
	}
}
