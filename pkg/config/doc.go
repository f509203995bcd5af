// Package config composes engagehub's configuration: one Config with a
// section per concern, each section's type owned by the package that uses
// it (kafka.Config, httpapi.Config, ...). Load reads, in rising precedence,
// defaults, an optional YAML file, ENGAGEHUB_* environment variables and
// command-line flags; Validate reports every bad key at once. Only
// cmd/engagehub imports this package.
package config
