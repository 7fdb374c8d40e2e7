#!/usr/bin/env bash
# Runs the whole MedEdge test suite offline (models are installed from ../shared/models by the tests).
#   firmware-scripts/dev/test.sh [extra maven arguments]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
# shellcheck source=firmware-scripts/dev/env.sh
. firmware-scripts/dev/env.sh
echo "== testing with $JAVA_HOME"
exec mvn -B verify "$@"
