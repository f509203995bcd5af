// A typical transformation: the receiver wants its own JSON shape, not
// Engage's envelope, and a header naming the event type. engagehub signs
// what this returns. Try it before saving (engagehub serve running):
//   ./bin/engagehub subscriptions test-transform docs/examples/transform/reshape.js --event-type contact.updated
// Measure what it costs end to end:
//   ./bin/engagehub bench --transform-file docs/examples/transform/reshape.js
function handler(webhook) {
  const e = webhook.payload;
  webhook.payload = {
    id: e.id || e.eventId,
    type: e.eventType,
    contact: e.payload.contactId,
    data: e.payload,
  };
  webhook.headers["x-engage-type"] = webhook.eventType;
  return webhook;
}
