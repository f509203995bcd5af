package producer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/engagehub/engagehub/pkg/event"
)

// ProduceOptions is what `engagehub produce` asks for.
type ProduceOptions struct {
	// Type is the event type. With Input it is checked against each
	// envelope's eventType (and fills it in when absent); with Count it picks
	// the sample ("" cycles through the catalog).
	Type event.Type
	// Input holds envelope JSON: one object or an array. Ignored when Count > 0.
	Input io.Reader
	// Count > 0 generates that many sample events instead of reading Input.
	Count int
	// Source is the events' source header. Default "cli".
	Source string
	// BatchSize is how many events go into one Publish. Default 500.
	BatchSize int
	// Progress, when set, gets one line per batch published.
	Progress io.Writer
}

// Produce reads or generates envelopes, validates all of them, then
// publishes them in batches, reporting progress. It returns how many events
// were acknowledged; on error, batches before the failing one were written.
func Produce(ctx context.Context, p *Producer, o ProduceOptions) (int, error) {
	envs, err := envelopes(o)
	if err != nil {
		return 0, err
	}
	if o.Source == "" {
		o.Source = "cli"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	events := make([]event.Event, len(envs))
	for i, raw := range envs {
		if events[i], err = FromJSON(raw, o.Source, p.now()); err != nil {
			return 0, fmt.Errorf("producer: envelope %d: %w", i, err)
		}
	}
	return publishBatches(ctx, p, events, o)
}

func publishBatches(ctx context.Context, p *Producer, events []event.Event, o ProduceOptions) (int, error) {
	done := 0
	for done < len(events) {
		end := min(done+o.BatchSize, len(events))
		if err := p.Publish(ctx, events[done:end]...); err != nil {
			return done, err
		}
		done = end
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "published %d/%d\n", done, len(events))
		}
	}
	return done, nil
}

func envelopes(o ProduceOptions) ([][]byte, error) {
	if o.Count > 0 {
		return Samples(o.Type, o.Count)
	}
	if o.Input == nil {
		return nil, errors.New("producer: no input and no count")
	}
	data, err := io.ReadAll(o.Input)
	if err != nil {
		return nil, fmt.Errorf("producer: read input: %w", err)
	}
	envs, err := SplitJSON(data)
	if err != nil {
		return nil, err
	}
	for i := range envs {
		if envs[i], err = withType(envs[i], o.Type); err != nil {
			return nil, fmt.Errorf("producer: envelope %d: %w", i, err)
		}
	}
	return envs, nil
}

// SplitJSON returns the envelopes of data: data itself when it is one JSON
// value, or each element's bytes, exactly, when it is an array.
func SplitJSON(data []byte) ([][]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return [][]byte{trimmed}, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(trimmed, &elems); err != nil {
		return nil, fmt.Errorf("producer: %w: %w", event.ErrMalformed, err)
	}
	out := make([][]byte, len(elems))
	for i, e := range elems {
		out[i] = e
	}
	return out, nil
}

// withType checks raw's eventType against t, filling it in when absent.
func withType(raw []byte, t event.Type) ([]byte, error) {
	if t == "" {
		return raw, nil
	}
	env, err := event.Parse(raw)
	if err != nil {
		return nil, err
	}
	switch env.Type {
	case t:
		return raw, nil
	case "":
		var top map[string]json.RawMessage
		if err := json.Unmarshal(raw, &top); err != nil {
			return nil, err
		}
		setKey(top, "eventType", string(t))
		return json.Marshal(top)
	default:
		return nil, fmt.Errorf("eventType %q differs from --type %q", env.Type, t)
	}
}
