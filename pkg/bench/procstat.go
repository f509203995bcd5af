package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 for every userspace ABI.
const userHZ = 100

// ProcStats are one process's resource figures from /proc.
type ProcStats struct {
	// CPU is user plus system time consumed so far.
	CPU time.Duration
	// PeakRSS is the high-water mark of resident memory (VmHWM), in bytes.
	PeakRSS int64
	// RSS is resident memory now (VmRSS), in bytes.
	RSS int64
}

// ReadProcStats reads pid's CPU time and resident memory from /proc.
func ReadProcStats(pid int) (ProcStats, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcStats{}, fmt.Errorf("bench: read proc stat: %w", err)
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return ProcStats{}, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcStats{}, fmt.Errorf("bench: read proc status: %w", err)
	}
	hwm, err := parseStatusKB(status, "VmHWM:")
	if err != nil {
		return ProcStats{}, err
	}
	rss, err := parseStatusKB(status, "VmRSS:")
	if err != nil {
		return ProcStats{}, err
	}
	return ProcStats{CPU: cpu, PeakRSS: hwm * 1024, RSS: rss * 1024}, nil
}

// parseStatCPU returns utime+stime from the text of /proc/<pid>/stat. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("bench: proc stat: no command field")
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("bench: proc stat: %d fields after the command, want ≥ 13", len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bench: proc stat: cpu field %q: %w", f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// parseStatusKB returns the value of a "Name:   123 kB" line of
// /proc/<pid>/status.
func parseStatusKB(status []byte, name string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), name)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			break
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("bench: proc status: no %s line", name)
}

// SystemCPU is the machine's CPU time so far, from the first line of
// /proc/stat: Busy is user, nice, system, irq, softirq and steal; Total
// adds idle and iowait.
type SystemCPU struct {
	Busy, Total time.Duration
}

// ReadSystemCPU reads the machine's CPU time from /proc/stat.
func ReadSystemCPU() (SystemCPU, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return SystemCPU{}, fmt.Errorf("bench: read /proc/stat: %w", err)
	}
	return parseSystemCPU(b)
}

func parseSystemCPU(stat []byte) (SystemCPU, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return SystemCPU{}, fmt.Errorf("bench: /proc/stat: unexpected first line %q", line)
	}
	var ticks [8]int64 // user nice system idle iowait irq softirq steal
	for i := range ticks {
		n, err := strconv.ParseInt(f[i+1], 10, 64)
		if err != nil {
			return SystemCPU{}, fmt.Errorf("bench: /proc/stat: field %d: %w", i+1, err)
		}
		ticks[i] = n
	}
	busy := ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
	tick := time.Second / userHZ
	return SystemCPU{Busy: time.Duration(busy) * tick, Total: time.Duration(busy+ticks[3]+ticks[4]) * tick}, nil
}
