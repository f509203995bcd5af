package subscription

import (
	"encoding/json"
	"errors"
	"time"
)

// Duration is a time.Duration written in JSON as a Go duration string ("15s").
type Duration time.Duration

// errDurationSyntax is reported, as a field error, for a timeout that is not a duration string.
var errDurationSyntax = errors.New(`must be a duration string such as "15s"`)

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errDurationSyntax
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return errDurationSyntax
	}
	*d = Duration(v)
	return nil
}

// RetryDelay is one wait of a retry schedule, written like Duration; a
// separate type so that a malformed one is reported as retrySchedule.
type RetryDelay time.Duration

// errRetryDelaySyntax is reported, as a field error, for a retry delay that is not a duration string.
var errRetryDelaySyntax = errors.New(`every entry must be a duration string such as "5m"`)

// MarshalJSON writes d as a duration string.
func (d RetryDelay) MarshalJSON() ([]byte, error) { return Duration(d).MarshalJSON() }

// UnmarshalJSON reads a duration string.
func (d *RetryDelay) UnmarshalJSON(b []byte) error {
	var v Duration
	if err := v.UnmarshalJSON(b); err != nil {
		return errRetryDelaySyntax
	}
	*d = RetryDelay(v)
	return nil
}

// Std returns d as a time.Duration.
func (d RetryDelay) Std() time.Duration { return time.Duration(d) }

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
