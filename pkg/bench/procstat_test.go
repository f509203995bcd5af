package bench

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPUCountsFromTheLastParenthesis(t *testing.T) {
	t.Parallel()
	// A command name with spaces and ") (" must not shift the fields.
	stat := []byte("4242 (engage (hub) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 12 0 100 0 0")
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * time.Second; got != want { // (250 + 50) ticks at USER_HZ 100
		t.Fatalf("cpu = %v, want %v", got, want)
	}
	if _, err := parseStatCPU([]byte("4242 (x) S 1 2")); err == nil {
		t.Fatal("a truncated stat line parsed without error")
	}
}

func TestParseStatusKB(t *testing.T) {
	t.Parallel()
	status := []byte("Name:\tengagehub\nVmPeak:\t  900000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   70000 kB\n")
	got, err := parseStatusKB(status, "VmHWM:")
	if err != nil || got != 81234 {
		t.Fatalf("VmHWM = %d, %v; want 81234", got, err)
	}
	if _, err := parseStatusKB(status, "VmSwap:"); err == nil {
		t.Fatal("a missing line parsed without error")
	}
}

func TestReadProcStatsOfThisProcess(t *testing.T) {
	t.Parallel()
	s, err := ReadProcStats(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.PeakRSS < 1<<20 || s.CPU < 0 {
		t.Fatalf("stats = %+v; want a peak RSS of at least 1 MiB", s)
	}
}

func TestParseSystemCPUSeparatesBusyFromIdle(t *testing.T) {
	t.Parallel()
	stat := []byte("cpu  300 10 50 500 40 5 3 2 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n")
	got, err := parseSystemCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	// busy = 300+10+50+5+3+2 = 370 ticks; total adds idle 500 and iowait 40.
	if got.Busy != 3700*time.Millisecond || got.Total != 9100*time.Millisecond {
		t.Fatalf("got %+v; want busy 3.7s of 9.1s", got)
	}
	if _, err := parseSystemCPU([]byte("intr 1 2 3")); err == nil {
		t.Fatal("a file without the cpu line parsed")
	}
}

func TestOtherCPUsIsTheMachinesBusyTimeMinusOurs(t *testing.T) {
	t.Parallel()
	before := SystemCPU{Busy: 10 * time.Second}
	after := SystemCPU{Busy: 30 * time.Second}
	// 20 s busy over 10 s wall; ours used 12 s: others used 8 s = 0.8 CPUs.
	if got := otherCPUs(before, after, 12*time.Second, 10*time.Second); got < 0.799 || got > 0.801 {
		t.Fatalf("otherCPUs = %v, want 0.8", got)
	}
	if got := otherCPUs(before, after, 25*time.Second, 10*time.Second); got != 0 {
		t.Fatalf("ours above the machine's busy time: otherCPUs = %v, want 0", got)
	}
}
