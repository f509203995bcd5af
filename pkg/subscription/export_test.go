package subscription

import "testing"

// Test fixtures shared with the external store tests.
var (
	WebhookSubForTest = webhookSub
	KafkaSubForTest   = kafkaSub
)

func CipherForTest(t *testing.T) *Cipher { return testCipher(t) }
