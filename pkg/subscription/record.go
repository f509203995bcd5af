package subscription

import (
	"encoding/json"
	"strings"
	"time"
)

// deletedPrefix keys the deletion markers kept beside the subscriptions: a
// record "~deleted/<id>" says subscription id was deleted at DeletedAt and
// its delivery topic awaits deletion. "~" and "/" never occur in an id.
const deletedPrefix = "~deleted/"

// record is a subscription as stored in the topic: its JSON plus the
// sealed signing secrets.
type record struct {
	Subscription
	Secrets []sealedSecret `json:"secrets,omitempty"`
	// Auth is the sealed authSecrets of Destination.Auth.
	Auth []byte `json:"auth,omitempty"`
}

// deletion is the value of a deletion marker.
type deletion struct {
	DeletedAt time.Time `json:"deletedAt"`
}

func encodeRecord(s Subscription, secrets []sealedSecret, auth []byte) ([]byte, error) {
	return json.Marshal(record{Subscription: s, Secrets: secrets, Auth: auth})
}

func decodeRecord(value []byte) (record, error) {
	var r record
	err := json.Unmarshal(value, &r)
	return r, err
}

// deletionKey returns the marker key of id.
func deletionKey(id string) []byte { return []byte(deletedPrefix + id) }

// deletionID returns the id a marker key names.
func deletionID(key string) (string, bool) { return strings.CutPrefix(key, deletedPrefix) }
