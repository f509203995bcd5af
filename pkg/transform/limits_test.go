package transform

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestLimitBreachesFailTheCallAndTheScriptRunsAgain(t *testing.T) {
	memOnly := DefaultConfig()
	memOnly.CPULimit = 10 * time.Second // so only the memory check can stop it
	memOnly.MemoryLimitMiB = 32
	smallOutput := DefaultConfig()
	smallOutput.MaxOutputBytes = 4096
	cases := []struct {
		name, body string
		cfg        Config
		limit      error  // errors.Is, when set
		message    string // otherwise contained in the message
	}{
		{"infinite loop", `let i = 0; for (;;) { i++ }`, DefaultConfig(), ErrTimeLimit, ""},
		{"infinite recursion", `function f() { return f() + 1 } f()`, DefaultConfig(), nil, "call stack"},
		{"growing allocation", `const kb = "x".repeat(1024), a = []; for (;;) { a.push(kb.repeat(1024) + a.length) }`, memOnly, ErrMemoryLimit, ""},
		{"huge repeat", `"x".repeat(1 << 30)`, DefaultConfig(), nil, "RangeError: repeat would make a string of 1073741824 characters"},
		{"huge padStart", `"x".padStart(2e9)`, DefaultConfig(), nil, "RangeError: padStart"},
		{"huge array fill", `new Array(2e9).fill(0)`, DefaultConfig(), nil, "RangeError: fill of an array of length 2000000000"},
		{"huge array join", `const a = []; a[4e9] = 1; a.join(",")`, DefaultConfig(), nil, "RangeError: join"},
		{"huge Array.from", `Array.from({length: 1e9})`, DefaultConfig(), nil, "RangeError: Array.from"},
		{"huge apply", `Math.max.apply(null, {length: 1e9})`, DefaultConfig(), nil, "RangeError: apply"},
		{"huge body", `webhook.payload = "x".repeat(8192)`, smallOutput, ErrOutputLimit, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "function handler(webhook) {\n  if (webhook.eventType === 'contact.deleted') {\n    " + c.body + "\n  }\n  return webhook\n}"
			s := compile(t, src, c.cfg)
			_, err := run(t, s, example(t, event.ContactDeleted))
			var e *Error
			switch {
			case !errors.As(err, &e):
				t.Fatalf("err = %v, want an *Error", err)
			case c.limit != nil && !errors.Is(err, c.limit):
				t.Fatalf("err = %v, want %v", err, c.limit)
			case c.limit == nil && !strings.Contains(e.Message, c.message):
				t.Fatalf("err = %v, want %q in it", err, c.message)
			}
			if c.limit != ErrOutputLimit && e.Line != 3 {
				t.Errorf("failure at line %d, want 3 (the failing statement): %v", e.Line, err)
			}
			if _, err := run(t, s, example(t, event.ContactCreated)); err != nil {
				t.Fatalf("the next call failed: %v", err)
			}
		})
	}
}

func TestCanceledContextInterruptsTheCall(t *testing.T) {
	cfg := DefaultConfig()
	cfg.CPULimit = 10 * time.Second
	s := compile(t, `function handler(w) { for (;;) {} }`, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go cancel()
	_, err := s.Run(ctx, example(t, event.ContactDeleted))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestTopLevelCodeIsBoundedToo(t *testing.T) {
	_, err := Compile(`for (;;) {}
function handler(w) { return w }`, DefaultConfig())
	if !errors.Is(err, ErrTimeLimit) {
		t.Fatalf("Compile = %v, want the time limit", err)
	}
}

func TestCheckRunsTheScriptOnEverySubscribedTypesExample(t *testing.T) {
	src := `function handler(webhook) {
  webhook.payload = {balance: webhook.payload.payload.balance.toString()};
  return webhook;
}`
	if err := Check(src, DefaultConfig(), "https://x.example/", nil, []event.Type{event.PointBalanceUpdated}); err != nil {
		t.Fatalf("Check on point.balance.updated: %v", err)
	}
	err := Check(src, DefaultConfig(), "https://x.example/", nil, []event.Type{event.PointBalanceUpdated, event.ContactCreated})
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || !strings.Contains(e.Message, "TypeError") || !strings.Contains(e.Message, "on the contact.created example") {
		t.Fatalf("Check = %v, want a TypeError at line 2 on the contact.created example", err)
	}
}
