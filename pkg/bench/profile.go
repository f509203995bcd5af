package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// FetchProfile asks engagehub for a CPU profile of the next secs seconds
// (GET /debug/pprof/profile, behind the bearer token) and writes it to path.
func FetchProfile(ctx context.Context, client *http.Client, base, token string, secs int, path string) error {
	url := base + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("bench: cpu profile: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	// The shared client's timeout may be shorter than the profile.
	c := &http.Client{Transport: client.Transport}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("bench: cpu profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("bench: cpu profile: GET /debug/pprof/profile: %s (is net/http/pprof mounted?): %s", resp.Status, answer)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: cpu profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return fmt.Errorf("bench: cpu profile: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: cpu profile: write %s: %w", path, err)
	}
	return nil
}

// FetchGoroutines reads engagehub's goroutine count from the first line of
// GET /debug/pprof/goroutine?debug=1 ("goroutine profile: total 123"),
// behind the bearer token like the CPU profile.
func FetchGoroutines(ctx context.Context, client *http.Client, base, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/debug/pprof/goroutine?debug=1", nil)
	if err != nil {
		return 0, fmt.Errorf("bench: goroutines: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("bench: goroutines: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("bench: goroutines: GET /debug/pprof/goroutine: %s (is net/http/pprof mounted?)", resp.Status)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	_, _ = io.Copy(io.Discard, resp.Body) // keep the connection reusable
	if err != nil {
		return 0, fmt.Errorf("bench: goroutines: read first line: %w", err)
	}
	return parseGoroutineTotal(line)
}

// parseGoroutineTotal reads "goroutine profile: total N".
func parseGoroutineTotal(line string) (int, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "goroutine profile: total ")
	n, err := strconv.Atoi(rest)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("bench: goroutines: unexpected first line %q", line)
	}
	return n, nil
}
