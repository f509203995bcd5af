package subscription

import "context"

// Log is the durable changelog under a Store: the compacted topic
// engagehub.subscriptions in production (package subscription/kafkatable),
// an in-memory fake in tests.
type Log interface {
	// Put writes key=value (a nil value deletes key) durably and returns
	// only once the apply function given to the Opener has seen the record
	// on this instance. An error means the write may or may not have
	// happened; retrying is safe because records are whole values.
	Put(ctx context.Context, key, value []byte) error
	// Run follows the log, applying records written by any instance, until
	// ctx is done; it returns nil on cancellation.
	Run(ctx context.Context) error
	// Close releases the log's connections.
	Close() error
}

// Opener opens a Log, replays every record it holds into apply (in order,
// from one goroutine, the same one Run later uses) and returns once caught
// up. A nil value passed to apply is a tombstone.
type Opener func(ctx context.Context, apply func(key, value []byte)) (Log, error)
