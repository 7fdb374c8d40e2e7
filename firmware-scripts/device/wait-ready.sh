#!/usr/bin/env bash
# Waits until the appliance's readiness URL answers 200; prints the last answer on failure.
#   wait-ready.sh URL SECONDS
set -euo pipefail
url="${1:?usage: wait-ready.sh URL SECONDS}"
limit="${2:?usage: wait-ready.sh URL SECONDS}"
deadline=$(( $(date +%s) + limit ))
body=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  if body=$(curl --silent --show-error --insecure --max-time 5 --fail "$url" 2>&1); then
    echo "ready: $body"
    exit 0
  fi
  sleep 2
done
echo "not ready after ${limit}s: ${body:-no answer}" >&2
exit 1
