// Command receiver is a minimal webhook receiver for engagehub deliveries: it
// verifies the Standard Webhooks signature (webhook-id, webhook-timestamp,
// webhook-signature; v1 HMAC-SHA256 over "id.timestamp.body"), deduplicates
// on webhook-id (delivery is at-least-once), and prints each event.
//
//	go run ./docs/examples/receiver -secret whsec_... -listen 127.0.0.1:9000
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func main() {
	secret := flag.String("secret", "", "the subscription's signing secret (whsec_...)")
	listen := flag.String("listen", "127.0.0.1:9000", "address to listen on")
	flag.Parse()
	key, err := webhook.ParseSecret(*secret)
	if err != nil {
		log.Fatalf("receiver: -secret: %v", err)
	}
	verifier, err := webhook.NewVerifier([]webhook.Secret{key}, 5*time.Minute, time.Now)
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		id, err := verifier.Verify(r.Header, body)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		dup := seen[id]
		seen[id] = true
		mu.Unlock()
		if !dup {
			fmt.Printf("%s %s\n", id, body) // process the event here
		}
		w.WriteHeader(http.StatusNoContent) // 2xx: delivered; 5xx/429: retried; 410: unsubscribes
	})
	log.Printf("receiver listening on %s", *listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}
