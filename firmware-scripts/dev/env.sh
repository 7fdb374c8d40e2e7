#!/usr/bin/env bash
# Sourced by the dev commands: finds a JDK >= 21 (the default java here is 17), and sets the
# offline hygiene every run needs. Nothing here downloads anything.

java_major() { # prints the major version of the java binary $1, or 0
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2; exit }')
  printf '%s\n' "${v:-0}"
}

find_jdk21() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/*; do
    if [ -z "$candidate" ] || [ ! -x "$candidate/bin/java" ] || [ ! -x "$candidate/bin/javac" ]; then continue; fi
    if [ "$(java_major "$candidate/bin/java")" -ge 21 ] 2>/dev/null; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if ! JAVA_HOME=$(find_jdk21); then
  echo "MedEdge needs a JDK 21 or newer (Helidon 4); none found in JAVA_HOME or /usr/lib/jvm." >&2
  echo "Install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# offline hygiene: no telemetry, no downloads at run time
export ORT_DISABLE_TELEMETRY=1
export OPT_OUT_TRACKING=true
