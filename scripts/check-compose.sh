#!/usr/bin/env bash
# Validates docker-compose.yml with `docker-compose config` (no Docker engine needed). Installs
# Debian's docker-compose when missing; if it cannot be installed, says so and does not fail.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null 2>&1; then
  (timeout 120 apt-get install -y -qq docker-compose >/dev/null 2>&1 || { timeout 180 apt-get update -qq >/dev/null 2>&1 && timeout 180 apt-get install -y -qq docker-compose >/dev/null 2>&1; }) || true
fi
if ! command -v docker-compose >/dev/null 2>&1; then
  echo "compose: NOT validated (docker-compose could not be installed here)"
  exit 0
fi
if docker-compose -f docker-compose.yml config -q; then
  echo "compose: docker-compose.yml is valid ($(docker-compose version --short 2>/dev/null))"
else
  echo "compose: docker-compose.yml is INVALID"
  exit 1
fi
