package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
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
