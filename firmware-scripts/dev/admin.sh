#!/usr/bin/env bash
# Administration from the box's shell, with a JDK >= 21 found the way start.sh finds it
# (the default java may be 17, which cannot run the appliance's jar):
#   firmware-scripts/dev/admin.sh tokens create --role clinician [--label "Dr Li, ward 3"]
#   firmware-scripts/dev/admin.sh tokens list
#   firmware-scripts/dev/admin.sh tokens revoke tok_1a2b3c4d
#   firmware-scripts/dev/admin.sh audit verify
# Works on the same data as a running appliance (MEDEDGE_HOME, default ./var as for start.sh);
# a created or revoked token takes effect in the running appliance within a second.
# The admin routes (GET/POST /v1/tokens, DELETE /v1/tokens/{id}, admin role) do the same over HTTP.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=firmware-scripts/dev/env.sh
. "$repo/firmware-scripts/dev/env.sh"
export MEDEDGE_HOME="${MEDEDGE_HOME:-$repo/var}"
jar="$repo/appliance/target/mededge-appliance.jar"
if [ ! -f "$jar" ]; then
  echo "no $jar yet: build it first (firmware-scripts/dev/start.sh does, or: mvn -B -q -DskipTests package)" >&2
  exit 1
fi
exec java -jar "$jar" "$@"
