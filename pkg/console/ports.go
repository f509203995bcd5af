package console

import (
	"context"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Ops are the operator operations the console's pages call: the same
// methods the admin API's handlers call (*ops.Service is one). Errors are
// ops' typed errors (*ops.NotFound, *ops.Invalid, *ops.Unavailable …),
// which the pages show with the status the API would answer.
type Ops interface {
	SubscriptionOps
	DeliveryOps
	CatalogOps
	// Trace follows an event id or a contact id to every attempt.
	Trace(ctx context.Context, q ops.TraceQuery) (ops.Trace, error)
}

// SubscriptionOps read and change subscriptions. A secret in a
// WithSecret is shown once and never kept.
type SubscriptionOps interface {
	Subscriptions(ctx context.Context) ([]subscription.Subscription, error)
	Subscription(ctx context.Context, id string) (subscription.Subscription, error)
	CreateSubscription(ctx context.Context, sub subscription.Subscription) (ops.WithSecret, error)
	UpdateSubscription(ctx context.Context, id string, sub subscription.Subscription) (ops.WithSecret, error)
	EnableSubscription(ctx context.Context, id string) (subscription.Subscription, error)
	DisableSubscription(ctx context.Context, id, reason string) (subscription.Subscription, error)
	DeleteSubscription(ctx context.Context, id string) error
	RotateSecret(ctx context.Context, id string) (ops.WithSecret, error)
}

// DeliveryOps are a subscription's deliveries: attempts, dead letters,
// redrive, replay and test events. Replay returns at once; the job copies
// in the background and ReplayStatus reports its progress.
type DeliveryOps interface {
	Attempts(ctx context.Context, q ops.AttemptQuery) (ops.AttemptPage, error)
	DeadLetters(ctx context.Context, q ops.DeadLetterQuery) (ops.DeadLetterPage, error)
	Redrive(ctx context.Context, id string, r ops.RedriveRequest) (ops.RedriveResult, error)
	Replay(ctx context.Context, id string, since time.Time) (ops.ReplayJob, error)
	ReplayStatus(ctx context.Context, jobID string) (ops.ReplayJob, error)
	TestEvent(ctx context.Context, id string) (ops.PingResult, error)
}

// CatalogOps are the event catalog and publishing.
type CatalogOps interface {
	EventTypes(ctx context.Context) []ops.EventType
	EventType(ctx context.Context, t string) (ops.EventType, error)
	PublishSample(ctx context.Context, t event.Type, source string) (ops.PublishResult, error)
}
