package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// ChildOptions configure the engagehub process under test.
type ChildOptions struct {
	// Binary is the engagehub executable; it runs `serve`.
	Binary string
	// Brokers is the Kafka bootstrap list it uses (never its own embedded broker).
	Brokers string
	// Listen is its HTTP address; Token its bearer token; SecretKey its
	// auth.secret_key (32 bytes, base64).
	Listen, Token, SecretKey string
	// Run names this run's topics and groups, so runs on a shared broker
	// do not see each other's records.
	Run string
	// LogPath receives the child's stdout and stderr.
	LogPath string
	// Env holds extra KEY=value settings, applied last.
	Env []string
	// Roles is serve's --roles; empty runs every role.
	Roles string
}

// Child is a running engagehub process.
type Child struct {
	cmd    *exec.Cmd
	base   string
	log    *os.File
	logP   string
	exited chan struct{}
	err    error // the process's exit error, set before exited closes
}

// StartChild starts engagehub serve with opts; Stop ends it. The log is
// appended to, so a restarted child's follows the first one's.
func StartChild(opts ChildOptions) (*Child, error) {
	log, err := os.OpenFile(opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bench: child log: %w", err)
	}
	args := []string{"serve"}
	if opts.Roles != "" {
		args = append(args, "--roles", opts.Roles)
	}
	cmd := exec.Command(opts.Binary, args...)
	cmd.Env = childEnv(os.Environ(), opts)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("bench: start %s serve: %w", opts.Binary, err)
	}
	c := &Child{cmd: cmd, base: "http://" + opts.Listen, log: log, logP: opts.LogPath, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// childEnv is the parent's environment without any ENGAGEHUB_* setting
// (so a developer's shell cannot change what is measured) plus the run's.
func childEnv(parent []string, o ChildOptions) []string {
	var env []string
	for _, kv := range parent {
		if !strings.HasPrefix(kv, "ENGAGEHUB_") {
			env = append(env, kv)
		}
	}
	prefix := topicPrefix(o.Run)
	env = append(env,
		"ENGAGEHUB_KAFKA_BROKERS="+o.Brokers,
		"ENGAGEHUB_KAFKA_REPLICATION_FACTOR=1",
		"ENGAGEHUB_KAFKA_TOPIC_PREFIX="+prefix,
		"ENGAGEHUB_KAFKA_CLIENT_ID=engagehub-bench",
		"ENGAGEHUB_HTTP_LISTEN="+o.Listen,
		"ENGAGEHUB_AUTH_TOKENS="+o.Token,
		"ENGAGEHUB_AUTH_SECRET_KEY="+o.SecretKey,
		"ENGAGEHUB_SENDER_ALLOW_NETWORKS=127.0.0.0/8",
		"ENGAGEHUB_LOG_LEVEL=warn",
		"ENGAGEHUB_LOG_FORMAT=json",
		"ENGAGEHUB_SUBSCRIPTIONS_TOPIC="+prefix+"subscriptions",
		"ENGAGEHUB_SUBSCRIPTIONS_DELIVERY_PREFIX="+deliveryTopic(o.Run, ""),
		"ENGAGEHUB_SENDER_TOPICS_RETRY_PREFIX="+prefix+"retry.",
		"ENGAGEHUB_SENDER_TOPICS_DLQ_PREFIX="+prefix+"dlq.",
		"ENGAGEHUB_SENDER_TOPICS_ATTEMPTS="+prefix+"attempts",
		"ENGAGEHUB_SENDER_TOPICS_OPERATIONAL="+prefix+"operational",
		"ENGAGEHUB_SENDER_TOPICS_GROUP=bench-"+o.Run+"-sender",
		"ENGAGEHUB_INGEST_DEDUP_TOPIC="+prefix+"ingest.dedup",
		"ENGAGEHUB_FANOUT_GROUP=bench-"+o.Run+"-fanout",
	)
	return append(env, o.Env...)
}

// topicPrefix starts the names of every topic of run.
func topicPrefix(run string) string { return "bench." + run + "." }

// deliveryTopic is subscription sub's delivery topic in run.
func deliveryTopic(run, sub string) string { return topicPrefix(run) + "deliver." + sub }

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// BaseURL is the child's HTTP root, e.g. "http://127.0.0.1:40123".
func (c *Child) BaseURL() string { return c.base }

// WaitReady polls GET /readyz every 25 ms until it answers 200, the child
// exits, or ctx is done.
func (c *Child) WaitReady(ctx context.Context, client *http.Client) error {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if c.ready(ctx, client) {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("bench: engagehub exited before ready (%v); its log:\n%s", c.err, c.LogTail(40))
		case <-ctx.Done():
			return fmt.Errorf("bench: engagehub not ready: %w; its log:\n%s", ctx.Err(), c.LogTail(40))
		case <-tick.C:
		}
	}
}

func (c *Child) ready(ctx context.Context, client *http.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Stats reads the child's CPU time and peak RSS while it runs.
func (c *Child) Stats() (ProcStats, error) { return ReadProcStats(c.Pid()) }

// Exited is closed when the child has exited.
func (c *Child) Exited() <-chan struct{} { return c.exited }

// Stop sends SIGTERM, waits up to grace for a clean exit, then kills.
// It returns the exit error of an unclean exit.
func (c *Child) Stop(grace time.Duration) error {
	defer c.log.Close()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-c.exited:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.exited
		return fmt.Errorf("bench: engagehub did not stop within %s after SIGTERM; killed", grace)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return fmt.Errorf("bench: engagehub exited: %w; its log:\n%s", c.err, c.LogTail(20))
	}
	return c.err
}

// LogTail returns the last n lines of the child's log.
func (c *Child) LogTail(n int) string {
	b, err := os.ReadFile(c.logP)
	if err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// configEnv turns key=value settings into the ENGAGEHUB_* variables that
// set them (sender.http_client=net/http: ENGAGEHUB_SENDER_HTTP_CLIENT).
func configEnv(settings []string) []string {
	out := make([]string, 0, len(settings))
	for _, kv := range settings {
		key, value, _ := strings.Cut(kv, "=")
		out = append(out, "ENGAGEHUB_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))+"="+value)
	}
	return out
}
