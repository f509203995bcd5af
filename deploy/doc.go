// Package deploy holds no code. Its tests check the deployment files without
// a Docker engine or a cluster: that docker-compose.yml, the Kubernetes
// manifests, the Dockerfile and the mounted config files set only real
// engagehub configuration keys, that the manifests carry probes, resources,
// security contexts and disruption budgets, that every alert links to its
// runbook section, that every metric the alert rules use is one a running
// engagehub exports, that docs/metrics.md lists exactly the engagehub_*
// series a running engagehub exports (types and labels included), and that
// the Grafana dashboard (grafana/engagehub.json) queries only those metrics
// and their labels. deploy/check.sh runs them with the docker-compose and
// promtool checks.
package deploy
