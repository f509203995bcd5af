package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"testing"
)

func TestParseGoroutineTotal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want int
		ok   bool
	}{
		{"goroutine profile: total 1234\n", 1234, true},
		{"goroutine profile: total 0", 0, true},
		{"goroutine profile: total x\n", 0, false},
		{"<html>404</html>", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := parseGoroutineTotal(tt.line)
			if got != tt.want || (err == nil) != tt.ok {
				t.Fatalf("parseGoroutineTotal(%q) = %d, %v; want %d, ok %v", tt.line, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestFetchGoroutinesReadsTheProfileBehindTheToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		pprof.Index(w, r)
	}))
	defer srv.Close()
	n, err := FetchGoroutines(context.Background(), srv.Client(), srv.URL, "tok")
	if err != nil || n < 2 {
		t.Fatalf("FetchGoroutines = %d, %v; want this test process's goroutines (≥ 2)", n, err)
	}
	if _, err := FetchGoroutines(context.Background(), srv.Client(), srv.URL, "wrong"); err == nil {
		t.Fatal("a 401 read as a goroutine count")
	}
}

// scripted returns its readings in turn, an error for a zero one.
func scripted[T any](vals ...T) func() (T, error) {
	i := 0
	return func() (T, error) {
		v := vals[min(i, len(vals)-1)]
		i++
		var zero T
		if any(v) == any(zero) {
			return zero, errors.New("reading failed")
		}
		return v, nil
	}
}

func TestSamplerKeepsPeakAndEndAndSkipsFailedReadings(t *testing.T) {
	t.Parallel()
	fds := scripted(FDStats{FDs: 10, TCP: 4, Broker: 2}, FDStats{FDs: 30, TCP: 9, Broker: 6}, FDStats{}, FDStats{FDs: 20, TCP: 5, Broker: 3})
	gor := scripted(100, 0, 80)
	s := &sampler{proc: fds, goroutines: func(context.Context) (int, error) { return gor() }}
	ctx := context.Background()
	for _, withGoroutines := range []bool{true, true, false, true} {
		s.sample(ctx, withGoroutines)
	}
	g, err := s.result()
	if err == nil {
		t.Fatal("the failed readings left no error")
	}
	want := ProcessGauges{Goroutines: Gauge{Peak: 100, End: 80}, OpenFDs: Gauge{Peak: 30, End: 20},
		BrokerConns: Gauge{Peak: 6, End: 3}, TCPConns: Gauge{Peak: 9, End: 5}, Samples: 3, GoroutineSamples: 2}
	if g != want {
		t.Fatalf("gauges = %+v, want %+v", g, want)
	}
}

func TestSamplerIgnoresAReadingCutShortByItsEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	s := &sampler{proc: scripted(FDStats{FDs: 1}), goroutines: func(ctx context.Context) (int, error) {
		cancel()
		return 0, ctx.Err()
	}}
	s.sample(ctx, true)
	if _, err := s.result(); err != nil {
		t.Fatalf("a reading cancelled by the end of sampling reported %v", err)
	}
}
