# engagehub — two commands do all set-up on a fresh machine:
#   make run    the whole pipeline on the embedded broker
#   make test   the test suite (go test -race ./...)
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/engagehub
DATA ?= ./data
KAFKA_LOCAL := deploy/kafka-local/kafka.sh

.PHONY: build run test test-integration test-browser lint bench kafka-up kafka-down image deploy-check clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/engagehub

# run: generate a development token, secret key and Engage webhook secret once (kept in $(DATA)),
# then serve every role on the embedded, disk-persisted broker.
run: build
	@mkdir -p $(DATA)
	@test -s $(DATA)/dev-token || (head -c 24 /dev/urandom | base64 | tr -d '/+=' > $(DATA)/dev-token)
	@test -s $(DATA)/secret-key || (head -c 32 /dev/urandom | base64 > $(DATA)/secret-key)
	@test -s $(DATA)/engage-secret || (echo "whsec_$$(head -c 32 /dev/urandom | base64)" > $(DATA)/engage-secret)
	@echo "engagehub: development token (for curl and the CLI):"
	@echo "  export ENGAGEHUB_TOKEN=$$(cat $(DATA)/dev-token)"
	@ENGAGEHUB_AUTH_TOKENS="$$(cat $(DATA)/dev-token)" \
	ENGAGEHUB_AUTH_SECRET_KEY="$$(cat $(DATA)/secret-key)" \
	ENGAGEHUB_INGEST_ENGAGE_SECRETS="$$(cat $(DATA)/engage-secret)" \
	ENGAGEHUB_KAFKA_EMBEDDED_DIR="$(DATA)/kafka" \
	ENGAGEHUB_SENDER_ALLOW_NETWORKS="127.0.0.0/8,::1/128" \
	ENGAGEHUB_LOG_FORMAT=console \
	./$(BIN) serve

test:
	$(GO) test -race -count=1 ./...

# test-integration: start real Apache Kafka (KRaft, from Maven Central), run
# the Kafka-backed suites against it, stop it again — also on failure.
test-integration:
	@set -euo pipefail; \
	trap '$(KAFKA_LOCAL) down >/dev/null 2>&1 || true' EXIT; \
	eval "$$($(KAFKA_LOCAL) up)"; \
	export ENGAGEHUB_TEST_KAFKA_BROKERS; \
	echo "integration: running against Apache Kafka at $$ENGAGEHUB_TEST_KAFKA_BROKERS"; \
	$(GO) test -race -count=1 -tags integration -timeout 20m ./...

# test-browser: the console's browser suite: headless Debian chromium
# (installed by deploy/chromium/install.sh when missing) driven with chromedp
# through the operator's and the subscriber's paths on the embedded broker.
# Screenshots of every step go to test-artifacts/console/.
test-browser:
	@deploy/chromium/install.sh >/dev/null
	$(GO) test -race -count=1 -tags browser -run Browser -timeout 10m ./cmd/engagehub/

kafka-up:
	@$(KAFKA_LOCAL) up

kafka-down:
	@$(KAFKA_LOCAL) down

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench: build
	./$(BIN) bench

# deploy-check: the deployment files, checked without a Docker engine
# (docker-compose config, promtool, kustomize, and the deploy tests).
deploy-check:
	deploy/check.sh

image:
	docker build -f deploy/Dockerfile --build-arg VERSION=$(VERSION) -t engagehub:$(VERSION) .

clean:
	rm -rf bin $(DATA)
