package ops

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/transform"
)

// DeadLetterStore lists and redrives a subscription's dead letters;
// *delivery.Admin is one. Errors wrapping delivery.ErrUnknownSubscription
// mean no webhook subscription has the id; any other is Kafka's, retriable.
type DeadLetterStore interface {
	DeadLetters(ctx context.Context, id string, limit int) ([]delivery.DeadLetterView, error)
	Redrive(ctx context.Context, id string, eventIDs []string) (int, error)
}

// Replayer copies a subscription's events since a time onto its delivery
// topic, reporting progress as it goes; *delivery.Admin is one. Cancelling
// ctx stops the copy between batches (what was copied stays copied).
type Replayer interface {
	Replay(ctx context.Context, id string, since time.Time, report func(delivery.ReplayProgress)) (delivery.ReplayProgress, error)
}

// Pinger sends a signed test event to a subscription's endpoint and
// reports the receiver's answer; *delivery.Admin is one.
type Pinger interface {
	Ping(ctx context.Context, id string) (delivery.PingResult, error)
}

// SchemaTexts returns the Avro schema JSON of an event type.
type SchemaTexts interface {
	Text(t event.Type) string
}

// Deps are the Service's collaborators. Store is required; a nil
// collaborator makes the operations that need it answer *Unavailable
// naming the role that serves them.
type Deps struct {
	Store       *subscription.Store
	Attempts    AttemptSource   // the attempt index
	DeadLetters DeadLetterStore // *delivery.Admin
	Replayer    Replayer        // *delivery.Admin
	Pinger      Pinger          // *delivery.Admin
	Publisher   Publisher       // the ingest role's API path
	Schemas     SchemaTexts     // the catalog's Avro schemas
	// TopicPrefix is kafka.topic_prefix ("engage.").
	TopicPrefix string
	// Transform are the senders' transformation limits, for TestTransform.
	Transform transform.Config
	Log       *zap.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Service is the operator service layer. It is safe for concurrent use.
type Service struct {
	d       Deps
	log     *zap.Logger
	now     func() time.Time
	replays *replays
	ctx     context.Context // the jobs' context; Close cancels it
	cancel  context.CancelFunc
	jobs    sync.WaitGroup
}

// New returns the Service over d.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{d: d, log: d.Log, now: d.Now, replays: newReplays(maxReplayJobs), ctx: ctx, cancel: cancel}
}

// Close cancels the running jobs (replays stop between batches) and waits
// for them.
func (s *Service) Close() {
	s.cancel()
	s.jobs.Wait()
}

// go runs fn as a job the Service owns.
func (s *Service) goJob(fn func(ctx context.Context)) {
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		fn(s.ctx)
	}()
}

// missing answers an operation whose collaborator this process lacks.
func missing(what, role string) error {
	return &Unavailable{Code: "not_served", Message: what + " needs the " + role + " role in this process", RetryAfter: time.Minute}
}
