package delivery

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// replayIdle ends reading a partition when no record arrives for this long
// (the seek landed at its end).
const replayIdle = time.Second

type replayRequest struct {
	Since string `json:"since"`
}

// replay copies, from every event topic the subscription matches, the records
// since a time onto its delivery topic (up to the end present at the call).
func (a *Admin) replay(w http.ResponseWriter, r *http.Request, ep Endpoint) {
	var req replayRequest
	if !decodeBody(w, r, &req) {
		return
	}
	since, err := time.Parse(time.RFC3339, req.Since)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_since", "since: must be an RFC3339 time, got "+req.Since)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Minute)
	defer cancel()
	topics, err := a.matchingTopics(ctx, ep)
	if a.failed(w, err) {
		return
	}
	counts, total := map[string]int{}, 0
	for _, topic := range topics {
		n, err := a.replayTopic(ctx, ep.ID, topic, since)
		if a.failed(w, err) {
			return
		}
		counts[topic] = n
		total += n
	}
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]any{"since": since, "copied": total, "topics": counts})
}

func (a *Admin) matchingTopics(ctx context.Context, ep Endpoint) ([]string, error) {
	all, err := a.client.Topics(ctx, a.eventPrefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, topic := range all {
		t := event.Type(strings.TrimPrefix(topic, a.eventPrefix))
		for _, p := range ep.EventTypes {
			if event.Match(p, t) {
				out = append(out, topic)
				break
			}
		}
	}
	return out, nil
}

func (a *Admin) replayTopic(ctx context.Context, id, topic string, since time.Time) (int, error) {
	ends, err := a.client.Ends(ctx, topic)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ends {
		if e.Next <= e.First {
			continue
		}
		msgs, err := a.readSince(ctx, topic, e, since)
		if err != nil {
			return n, err
		}
		for i := range msgs {
			msgs[i] = kafka.Message{Topic: a.cfg.Topics.DeliverPrefix + id, Key: msgs[i].Key, Value: msgs[i].Value,
				Headers: withHeaders(dropHeader(msgs[i].Headers, HeaderSubscription), HeaderSubscription, id)}
		}
		if err := a.writeBatches(ctx, msgs); err != nil {
			return n, err
		}
		n += len(msgs)
	}
	return n, nil
}

// readSince reads one partition from since up to its end at the call.
// TODO(bounded memory): a very large replay is held per partition; stream it in batches.
func (a *Admin) readSince(ctx context.Context, topic string, e kafka.PartitionEnds, since time.Time) ([]kafka.Message, error) {
	rd, err := a.client.NewPartitionReader(topic, e.Partition, kafka.First, kafka.ReaderOptions{MaxWait: 100 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	defer func() { _ = rd.Close() }()
	if err := rd.SeekTime(ctx, since); err != nil {
		return nil, err
	}
	var out []kafka.Message
	for {
		fctx, cancel := context.WithTimeout(ctx, replayIdle)
		m, err := rd.Fetch(fctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if m.Offset >= e.Next {
			return out, nil
		}
		out = append(out, m)
		if m.Offset >= e.Next-1 {
			return out, nil
		}
	}
}

func dropHeader(hs []kafka.Header, name string) []kafka.Header {
	out := make([]kafka.Header, 0, len(hs))
	for _, h := range hs {
		if h.Key != name {
			out = append(out, h)
		}
	}
	return out
}
