package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestCompileRejectsBadExpressionsNamingPositionAndProblem(t *testing.T) {
	cases := []struct {
		name, expr   string
		types        []string
		line, column int
		problem      string
	}{
		{"syntax error", `type == "point.balance.updated" &&`, []string{"*"}, 1, 35, "mismatched input"},
		{"unclosed string", `type == "point.balance.updated`, []string{"*"}, 1, 9, "token recognition error"},
		{"undeclared variable", `paylod.balance > 1000.0`, []string{"point.balance.updated"}, 1, 1, "undeclared reference to 'paylod'"},
		{"unknown field", `payload.balanse > 1000.0`, []string{"point.balance.updated"}, 1, 8, "undefined field 'balanse'"},
		{"field of another type", `payload.balance > 1.0`, []string{"contact.*"}, 1, 8, "undefined field 'balance'"},
		{"type error", `payload.balance == "1000"`, []string{"point.balance.updated"}, 1, 17, "no matching overload for '_==_' applied to '(double, string)'"},
		{"wrong argument type", `payload.contactType.startsWith(1)`, []string{"contact.created"}, 1, 31, "no matching overload"},
		{"not a bool", `payload.balance + 1.0`, []string{"point.balance.updated"}, 1, 1, "the expression is a double, want a bool"},
		{"too costly", `payload.attributes.all(a, payload.attributes.all(b, payload.attributes.all(c, a != b || b != c)))`, []string{"contact.created"}, 1, 1, "may cost up to"},
		{"error on the second line", "type == \"contact.created\" &&\n  payload.atributes.email != \"\"", []string{"contact.created"}, 2, 10, "undefined field 'atributes'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(c.expr, c.types)
			var ce *CompileError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("Compile(%q) = %v, want a *CompileError", c.expr, err)
			}
			p := ce.Problems[0]
			if p.Line != c.line || p.Column != c.column || !strings.Contains(p.Message, c.problem) {
				t.Fatalf("problem = %d:%d %q, want %d:%d containing %q", p.Line, p.Column, p.Message, c.line, c.column, c.problem)
			}
			if !strings.HasPrefix(err.Error(), p.Error()) {
				t.Fatalf("Error() = %q, want it to start with %q", err, p.Error())
			}
		})
	}
}

func TestCompileRejectsAnOverlongExpression(t *testing.T) {
	expr := "type == \"" + strings.Repeat("x", MaxLength) + "\""
	if _, err := Compile(expr, []string{"*"}); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("Compile = %v, want longer than %d bytes", err, MaxLength)
	}
}

func TestFilterVariablesFromTheRecord(t *testing.T) {
	ev := exampleEvent(t, event.PointBalanceUpdated)
	cases := []struct {
		expr string
		want bool
	}{
		{`type == "point.balance.updated"`, true},
		{`type.startsWith("contact.")`, false},
		{`contactId == "8c9d0e1f-2a3b-4c5d-6e7f-8091a2b3c4d5"`, true},
		{`source == "engage"`, true},
		{`receivedAt == timestamp("2025-03-04T05:06:07.891Z")`, true},
		{`receivedAt > timestamp("2026-01-01T00:00:00Z")`, false},
		{`headers["traceparent"] == "00-abc-def-01"`, true},
		{`"x-missing" in headers`, false},
		{`payload.balance > 1000`, true}, // ordering mixes int and double
		{`payload.balance > 1000.0 && payload.accountId == 31415`, true},
		{`payload.?balanceExpires.orValue(timestamp("1970-01-01T00:00:00Z")) < timestamp("2026-01-01T00:00:00Z")`, true},
		{`payload.definitionId in ["1", "2"]`, true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			got, err := mustCompile(t, c.expr, "*").Match(eventOf(ev, &countingLoader{ev: ev}))
			if err != nil || got != c.want {
				t.Fatalf("= %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestFilterMultiTypeSubscriptionGuardsByType(t *testing.T) {
	p := mustCompile(t, `type == "point.balance.updated" && payload.balance > 1000.0 || type == "contact.created" && payload.contactType == "Member"`, "*")
	for _, typ := range []event.Type{event.PointBalanceUpdated, event.ContactCreated} {
		if got, err := p.Match(FromEvent(exampleEvent(t, typ), nil)); err != nil || !got {
			t.Errorf("%s: %v, %v; want true", typ, got, err)
		}
	}
	if got, err := p.Match(FromEvent(exampleEvent(t, event.ContactDeleted), nil)); err != nil || got {
		t.Errorf("contact.deleted: %v, %v; want false without error", got, err)
	}
}

func TestFilterRuntimeErrorIsNoMatch(t *testing.T) {
	cases := map[string]string{
		"absent field read without has()": `payload.balanceExpires < timestamp("2030-01-01T00:00:00Z")`,
		"field of another type":           `payload.contactType == "Member"`,
	}
	raw := []byte(`{"id":"e1","eventType":"point.balance.updated","payload":{"balance":"5","contactId":"c1","accountId":1,"definitionId":"2"}}`)
	ev := parseEvent(t, raw)
	for name, expr := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := mustCompile(t, expr, "point.balance.updated", "contact.created").Match(FromEvent(ev, nil))
			if got || err == nil || !strings.Contains(err.Error(), "no such key") {
				t.Fatalf("= %v, %v; want false and a no such key error", got, err)
			}
		})
	}
}

func TestFilterUndecodablePayloadIsNoMatchWithTheDecodeError(t *testing.T) {
	ev := exampleEvent(t, event.PointBalanceUpdated)
	l := &countingLoader{ev: ev, err: errors.New("schema id 99 not found")}
	got, err := mustCompile(t, `payload.balance > 1.0`, "point.balance.updated").Match(eventOf(ev, l))
	if got || err == nil || !strings.Contains(err.Error(), "schema id 99 not found") {
		t.Fatalf("= %v, %v; want false and the decode error", got, err)
	}
}

func TestEventLoadsPayloadOnlyWhenReadAndOnce(t *testing.T) {
	ev := exampleEvent(t, event.PointBalanceUpdated)
	l := &countingLoader{ev: ev}
	e := eventOf(ev, l)
	headerOnly := mustCompile(t, `type == "point.balance.updated" && contactId != ""`, "*")
	if ok, err := headerOnly.Match(e); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if l.payloads != 0 || l.headers != 0 {
		t.Fatalf("loaded payload %d and headers %d times for an expression reading neither", l.payloads, l.headers)
	}
	a := mustCompile(t, `payload.balance > 1000.0`, "*")
	b := mustCompile(t, `payload.accountId == 31415 && headers["event-id"] != ""`, "*")
	for _, p := range []*Program{a, b, a} {
		if ok, err := p.Match(e); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if l.payloads != 1 || l.headers != 1 {
		t.Fatalf("loaded payload %d and headers %d times for three evaluations, want 1 each", l.payloads, l.headers)
	}
}

func TestCompiledProgramIsSafeForConcurrentUse(t *testing.T) {
	p := mustCompile(t, `payload.balance > 1000.0`, "point.balance.updated")
	ev := exampleEvent(t, event.PointBalanceUpdated)
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for range 200 {
				if ok, err := p.Match(FromEvent(ev, nil)); !ok || err != nil {
					done <- errors.Join(err, errors.New("no match"))
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
