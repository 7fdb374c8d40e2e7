#!/usr/bin/env bash
# Installs a new MedEdge release beside the running one, switches to it, and rolls back to the
# previous release if the new one does not become ready.
#
#   update.sh --release DIR [--prefix /opt/mededge] [--ready-url URL] [--timeout 300] [--dry-run]
#
# Releases live in $prefix/releases/<version>; $prefix/current is a symlink switched atomically.
# The database and models in $MEDEDGE_HOME are shared: a release that cannot read them fails its
# readiness check and is rolled back.
set -euo pipefail

release=""
prefix=/opt/mededge
ready_url=http://127.0.0.1:8443/health/ready
timeout=300
dry_run=false
service=mededge.service

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "update: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="${2:?--release needs a directory}"; shift 2 ;;
    --prefix) prefix="${2:?}"; shift 2 ;;
    --ready-url) ready_url="${2:?}"; shift 2 ;;
    --timeout) timeout="${2:?}"; shift 2 ;;
    --service) service="${2:?}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

run() { echo "+ $*"; if ! $dry_run; then "$@"; fi; }

[ -n "$release" ] || die "--release DIR is required"
jar_dir="$release"
[ -f "$jar_dir/mededge-appliance.jar" ] || jar_dir="$release/appliance/target"
[ -f "$jar_dir/mededge-appliance.jar" ] || die "no mededge-appliance.jar in $release or $release/appliance/target"
scripts="$release/firmware-scripts"
[ -d "$scripts" ] || scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(unzip -p "$jar_dir/mededge-appliance.jar" META-INF/MANIFEST.MF 2>/dev/null | awk -F': ' '/Implementation-Version/ { gsub(/\r/, "", $2); print $2 }')
version="${version:-$(date -u +%Y%m%d%H%M%S)}"

previous=""
if [ -L "$prefix/current" ]; then previous=$(readlink -f "$prefix/current"); fi
dest="$prefix/releases/$version"
if [ "$previous" = "$dest" ]; then
  version="$version-$(date -u +%H%M%S)"
  dest="$prefix/releases/$version"
fi
echo "update: installing $version beside ${previous:-nothing}"

run install -d -m 0755 "$dest"
run cp -a "$jar_dir/mededge-appliance.jar" "$jar_dir/libs" "$dest/"
run cp -a "$scripts" "$dest/firmware-scripts"

switch_to() { # atomic symlink switch
  run ln -sfn "$1" "$prefix/current.new"
  run mv -T "$prefix/current.new" "$prefix/current"
}

switch_to "$dest"
run systemctl restart "$service"
if $dry_run; then
  echo "+ wait for $ready_url (up to ${timeout}s); on failure switch back to ${previous:-nothing} and restart"
  echo "update: dry run complete; nothing was changed"
  exit 0
fi
if "$scripts/device/wait-ready.sh" "$ready_url" "$timeout"; then
  echo "update: $version is ready; previous release kept at ${previous:-none} for rollback"
  exit 0
fi
echo "update: $version did not become ready" >&2
if [ -n "$previous" ]; then
  switch_to "$previous"
  run systemctl restart "$service"
  if "$scripts/device/wait-ready.sh" "$ready_url" "$timeout"; then
    die "rolled back to $(basename "$previous"), which is ready again; $version is left in $dest for inspection"
  fi
  die "rolled back to $(basename "$previous"), but it is not ready either: check journalctl -u $service"
fi
die "no previous release to roll back to"
