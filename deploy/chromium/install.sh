#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (make
# test-browser), only when no chromium is on PATH. Needs root and the Debian
# package repository; prints the browser's path.
set -euo pipefail
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null; then command -v "$b"; exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not installed; run as root on Debian: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
