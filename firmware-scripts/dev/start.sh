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

echo "== starting the appliance (Ctrl-C stops it gracefully)"
exec java -Dai.djl.offline=true -DDJL_CACHE_DIR="$DJL_CACHE_DIR" \
  -Dorg.bytedeco.javacpp.cachedir="$MEDEDGE_HOME/cache/javacpp" \
  -jar appliance/target/mededge-appliance.jar
