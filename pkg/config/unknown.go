package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/viper"

	"github.com/engagehub/engagehub/pkg/suggest"
)

// EnvPrefix starts every environment variable engagehub reads.
const EnvPrefix = "ENGAGEHUB_"

// otherEnv are the ENGAGEHUB_* variables that are not configuration keys.
var otherEnv = []string{
	"ENGAGEHUB_TOKEN",              // the CLI's bearer token
	"ENGAGEHUB_RECEIVE_SECRET",     // engagehub receive's signing secret(s)
	"ENGAGEHUB_RECEIVE_PUBLIC_KEY", // engagehub receive's Ed25519 public key(s)
	"ENGAGEHUB_TEST_KAFKA_BROKERS", // tests and bench: an Apache Kafka to run against
}

// OtherEnv returns the ENGAGEHUB_* variables engagehub reads that are not
// configuration keys.
func OtherEnv() []string { return slices.Clone(otherEnv) }

// EnvName is the environment variable of key: kafka.topic_prefix is
// ENGAGEHUB_KAFKA_TOPIC_PREFIX.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// unknownKeys names every key of the file at path (already readable) that is
// not a configuration key, with the nearest one that is.
func unknownKeys(path string, known []string) error {
	fv := viper.New()
	fv.SetConfigFile(path)
	if err := fv.ReadInConfig(); err != nil {
		return fmt.Errorf("config: read %s: %w", path, err)
	}
	var errs []error
	for _, k := range fv.AllKeys() {
		if !slices.Contains(known, k) && !isSection(k, known) {
			errs = append(errs, fmt.Errorf("%s: unknown key in %s (the nearest key is %s)", k, path, nearest(k, known)))
		}
	}
	return errors.Join(errs...)
}

// unknownEnv names every ENGAGEHUB_* variable of environ ("NAME=value")
// that is neither a key's variable nor one of otherEnv, with the nearest
// variable that is.
func unknownEnv(environ []string, known []string) error {
	names := make([]string, 0, len(known)+len(otherEnv))
	for _, k := range known {
		names = append(names, EnvName(k))
	}
	names = append(names, otherEnv...)
	var errs []error
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) && !slices.Contains(names, name) {
			errs = append(errs, fmt.Errorf("%s: unknown environment variable (the nearest is %s)", name, nearestEnv(name, names)))
		}
	}
	return errors.Join(errs...)
}

// isSection reports whether k is a section holding known keys (a YAML
// section left empty reads as a key of its own).
func isSection(k string, known []string) bool {
	for _, key := range known {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// nearest returns the candidate key closest to k, comparing k with each
// candidate and with the candidate's trailing segments, so that a key typed
// without its section ("retry_schedul") finds it ("sender.retry_schedule").
func nearest(k string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := suggest.Distance(k, c)
		for i := strings.IndexByte(c, '.'); i >= 0; i = nextDot(c, i) {
			d = min(d, suggest.Distance(k, c[i+1:]))
		}
		if bestD < 0 || d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	return best
}

func nextDot(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// nearestEnv returns the candidate variable closest to name.
func nearestEnv(name string, candidates []string) string {
	keys := make([]string, len(candidates))
	for i, c := range candidates {
		keys[i] = strings.ReplaceAll(strings.TrimPrefix(c, EnvPrefix), "_", ".")
	}
	k := strings.ReplaceAll(strings.TrimPrefix(name, EnvPrefix), "_", ".")
	return candidates[slices.Index(keys, nearest(k, keys))]
}
