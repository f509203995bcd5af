#!/usr/bin/env bash
# deploy/check.sh — checks the deployment files without a Docker engine or a
# cluster (make deploy-check; .ci/run). Needs the Debian packages
# docker-compose and prometheus (for promtool); kubectl is used when present.
#
#   1. docker-compose.yml parses and interpolates (docker-compose config -q,
#      or the `docker compose` plugin when that is what is installed)
#   2. the alert rules parse and their unit tests pass (promtool check rules,
#      promtool test rules), and the compose Prometheus config is valid
#      (promtool check config, with the rules beside it as in the container)
#   3. the Kubernetes kustomization renders (kubectl kustomize), if kubectl
#      is installed; the Go tests parse the manifests either way
#   4. go test ./deploy/...: env vars and config files use real config keys,
#      manifests are production-shaped, every alert has a runbook section,
#      every metric the alerts use is exported by a running engagehub, and a
#      wrong Kafka SASL password fails start-up
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
step() { echo "== deploy-check: $*"; }
need() {
  command -v "$1" >/dev/null && return 0
  echo "deploy-check: $1 not found (install the Debian package $2)" >&2
  return 1
}

step "docker-compose config"
if command -v docker-compose >/dev/null; then
  docker-compose -f docker-compose.yml config -q || fail=1
elif docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q || fail=1
else
  need docker-compose docker-compose || fail=1
fi

step "promtool check rules / test rules / check config"
if need promtool prometheus; then
  promtool check rules deploy/prometheus/alerts.yml || fail=1
  promtool test rules deploy/prometheus/alerts_test.yml || fail=1
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp deploy/compose/prometheus.yml deploy/prometheus/alerts.yml "$tmp"/
  promtool check config "$tmp/prometheus.yml" || fail=1
else
  fail=1
fi

step "kubectl kustomize deploy/kubernetes"
if command -v kubectl >/dev/null; then
  kubectl kustomize deploy/kubernetes >/dev/null || fail=1
else
  echo "deploy-check: kubectl not installed; skipping the render (the Go tests still parse every manifest)"
fi

step "go test ./deploy/..."
go test -count=1 "$@" ./deploy/... || fail=1

if [ "$fail" -ne 0 ]; then
  echo "deploy-check: FAILED" >&2
  exit 1
fi
echo "deploy-check: ok"
