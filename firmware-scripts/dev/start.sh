#!/usr/bin/env bash
# Builds MedEdge, installs the models available offline, and starts the appliance.
#   firmware-scripts/dev/start.sh            (MEDEDGE_PORT, MEDEDGE_HOST, MEDEDGE_HOME override)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
# shellcheck source=firmware-scripts/dev/env.sh
. firmware-scripts/dev/env.sh
export MEDEDGE_HOME="${MEDEDGE_HOME:-$repo/var}"
export DJL_CACHE_DIR="$MEDEDGE_HOME/cache/djl"

echo "== building (JDK: $JAVA_HOME)"
mvn -B -q -DskipTests package

echo "== installing models into $MEDEDGE_HOME/models"
mirror_args=()
if [ -d "$repo/../shared/models" ]; then mirror_args=(--mirror "$repo/../shared/models"); fi
firmware-scripts/install-models.sh "${mirror_args[@]}" || echo "(some models could not be installed: the appliance will say which in /health/ready)"

# API tokens for trying it out: one per role, made once, kept in $MEDEDGE_HOME/tokens.txt (mode 600)
if [ -z "${MEDEDGE_TOKENS_FILE:-}" ]; then
  export MEDEDGE_TOKENS_FILE="$MEDEDGE_HOME/tokens.txt"
  if [ ! -f "$MEDEDGE_TOKENS_FILE" ]; then
    mkdir -p "$MEDEDGE_HOME"
    ( umask 077
      for role in clinician radiology ops admin; do
        printf '%s mde_%s\n' "$role" "$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
      done > "$MEDEDGE_TOKENS_FILE" )
  fi
  echo "== API tokens (role token) in $MEDEDGE_TOKENS_FILE:"
  sed 's/^/   /' "$MEDEDGE_TOKENS_FILE"
fi

echo "== starting the appliance (Ctrl-C stops it gracefully)"
exec java -Dai.djl.offline=true -DDJL_CACHE_DIR="$DJL_CACHE_DIR" \
  -Dorg.bytedeco.javacpp.cachedir="$MEDEDGE_HOME/cache/javacpp" \
  -jar appliance/target/mededge-appliance.jar
