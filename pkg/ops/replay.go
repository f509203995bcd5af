package ops

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery"
)

// ReplayJob is a replay's progress handle: Done of Total records scanned
// (Total is exact once every partition's start is known), Copied of them
// put on the delivery topic; Finished once it ended, with Error when it
// failed.
type ReplayJob struct {
	ID           string         `json:"id"`
	Subscription string         `json:"subscription"`
	Since        time.Time      `json:"since"`
	StartedAt    time.Time      `json:"startedAt"`
	Done         int64          `json:"done"`
	Total        int64          `json:"total"`
	Copied       int            `json:"copied"`
	Topics       map[string]int `json:"topics"`
	Finished     bool           `json:"finished"`
	FinishedAt   *time.Time     `json:"finishedAt,omitempty"`
	Error        string         `json:"error,omitempty"`
}

// maxReplayJobs bounds the replay jobs remembered (finished ones are
// forgotten oldest first).
const maxReplayJobs = 100

// Replay starts redelivering every event subscription id matches since a
// time and returns its handle at once; ReplayStatus and WaitReplay follow
// it. The copy runs in the background (owned by the Service) for at most
// five minutes.
func (s *Service) Replay(ctx context.Context, id string, since time.Time) (ReplayJob, error) {
	if since.IsZero() {
		return ReplayJob{}, &Invalid{Field: "since", Message: "required: an RFC3339 time", Code: "invalid_since"}
	}
	if _, err := s.Subscription(ctx, id); err != nil {
		return ReplayJob{}, err
	}
	if s.d.Replayer == nil {
		return ReplayJob{}, missing("replay", "admin")
	}
	j := s.replays.start(id, since, s.now())
	s.goJob(func(ctx context.Context) { s.runReplay(ctx, j) })
	return j.snapshot(), nil
}

func (s *Service) runReplay(ctx context.Context, j *replayJob) {
	p, err := s.d.Replayer.Replay(ctx, j.job.Subscription, j.job.Since, j.progress)
	j.progress(p)
	if err != nil {
		s.log.Warn("replay failed", zap.String("subscription", j.job.Subscription), zap.Error(err))
	}
	j.finish(s.now(), deliveryError(j.job.Subscription, err))
}

// ReplayStatus returns replay job id's progress (jobs live in the process
// that started them).
func (s *Service) ReplayStatus(_ context.Context, id string) (ReplayJob, error) {
	j, ok := s.replays.get(id)
	if !ok {
		return ReplayJob{}, &NotFound{What: "replay", ID: id}
	}
	return j.snapshot(), nil
}

// WaitReplay waits until replay job id finished, or ctx ended (then it
// returns the progress so far and ctx's error).
func (s *Service) WaitReplay(ctx context.Context, id string) (ReplayJob, error) {
	j, ok := s.replays.get(id)
	if !ok {
		return ReplayJob{}, &NotFound{What: "replay", ID: id}
	}
	select {
	case <-j.done:
		return j.snapshot(), nil
	case <-ctx.Done():
		return j.snapshot(), ctx.Err()
	}
}

// replayJob is a job's mutable state.
type replayJob struct {
	mu   sync.Mutex
	job  ReplayJob
	done chan struct{}
}

func (j *replayJob) progress(p delivery.ReplayProgress) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.job.Done, j.job.Total, j.job.Copied = p.Scanned, max(p.Total, p.Scanned), p.Copied
	if p.Topics != nil {
		j.job.Topics = p.Topics
	}
}

func (j *replayJob) finish(at time.Time, err error) {
	j.mu.Lock()
	j.job.Finished, j.job.FinishedAt = true, &at
	if err != nil {
		j.job.Error = err.Error()
	}
	j.mu.Unlock()
	close(j.done)
}

func (j *replayJob) snapshot() ReplayJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.job
	out.Topics = make(map[string]int, len(j.job.Topics))
	for k, v := range j.job.Topics {
		out.Topics[k] = v
	}
	return out
}

// replays remembers the newest jobs.
type replays struct {
	mu    sync.Mutex
	max   int
	seq   atomic.Int64
	order []string
	jobs  map[string]*replayJob
}

func newReplays(max int) *replays { return &replays{max: max, jobs: map[string]*replayJob{}} }

func (r *replays) start(sub string, since, now time.Time) *replayJob {
	id := "rpl_" + strconv.FormatInt(now.UnixNano(), 36) + strconv.FormatInt(r.seq.Add(1), 36)
	j := &replayJob{job: ReplayJob{ID: id, Subscription: sub, Since: since, StartedAt: now, Topics: map[string]int{}}, done: make(chan struct{})}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs[id] = j
	r.order = append(r.order, id)
	r.forget()
	return j
}

// forget drops the oldest finished jobs beyond max.
func (r *replays) forget() {
	for i := 0; len(r.order) > r.max && i < len(r.order); {
		j := r.jobs[r.order[i]]
		select {
		case <-j.done:
			delete(r.jobs, r.order[i])
			r.order = append(r.order[:i], r.order[i+1:]...)
		default:
			i++
		}
	}
}

func (r *replays) get(id string) (*replayJob, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	return j, ok
}
