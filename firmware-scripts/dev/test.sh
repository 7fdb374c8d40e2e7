#!/usr/bin/env bash
# Runs the whole MedEdge test suite offline (models are installed from ../shared/models by the tests).
#   firmware-scripts/dev/test.sh [extra maven arguments]
# The browser test needs Debian's Chromium and the playwright-core npm package, the resampler
# comparison Debian's sox: installed here when missing (apt as root; npm from the registry), else
# those tests skip and say why.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
# shellcheck source=firmware-scripts/dev/env.sh
. firmware-scripts/dev/env.sh

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian chromium and a CJK font for the browser test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; } >/dev/null 2>&1 \
    || echo "(could not install chromium: the browser test will skip)"
fi
if ! command -v sox >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing Debian sox (the resampler is compared with it)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sox; } >/dev/null 2>&1 \
    || echo "(could not install sox: the resampler comparison will skip)"
fi
if [ ! -d appliance/src/test/browser/node_modules/playwright-core ] && command -v npm >/dev/null 2>&1; then
  echo "== installing playwright-core for the browser test"
  npm ci --prefix appliance/src/test/browser --no-audit --no-fund >/dev/null 2>&1 \
    || echo "(could not install playwright-core: the browser test will skip)"
fi

echo "== testing with $JAVA_HOME"
exec mvn -B verify "$@"
