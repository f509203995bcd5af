package kafka

import (
	"sync"
	"sync/atomic"
)

// FetchStats counts one consumer group's fetch requests from this process:
// what its members cost the brokers. A full fetch costs the broker a read
// of every partition asked for, with records or not.
type FetchStats struct {
	Requests    int64 // fetch requests sent
	Partitions  int64 // partitions asked for, summed over the requests
	WithRecords int64 // of those, partitions answered with records
}

type fetchCounters struct {
	requests, partitions, withRecords atomic.Int64
}

// fetchStatsByGroup holds a Client's counters, one set per group.
type fetchStatsByGroup struct {
	mu     sync.Mutex
	groups map[string]*fetchCounters
}

func (s *fetchStatsByGroup) counters(group string) *fetchCounters {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups == nil {
		s.groups = map[string]*fetchCounters{}
	}
	c := s.groups[group]
	if c == nil {
		c = &fetchCounters{}
		s.groups[group] = c
	}
	return c
}

// FetchStats returns the fetch counts of every group consumed through c.
func (c *Client) FetchStats() map[string]FetchStats {
	c.fetchStats.mu.Lock()
	defer c.fetchStats.mu.Unlock()
	out := make(map[string]FetchStats, len(c.fetchStats.groups))
	for g, n := range c.fetchStats.groups {
		out[g] = FetchStats{Requests: n.requests.Load(), Partitions: n.partitions.Load(), WithRecords: n.withRecords.Load()}
	}
	return out
}
