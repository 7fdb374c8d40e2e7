#!/usr/bin/env bash
# Provisions a Jetson (JetPack 6.x, CUDA, TensorRT) as a MedEdge appliance:
# checks the platform, sets the power mode and clocks, creates the service user, installs the JDK,
# the release and the models, builds the TensorRT plans for this GPU, seeds an admin token, and
# enables the hardened systemd service; then waits for readiness.
#
#   provision-jetson.sh --release DIR --jdk DIR [--models-mirror DIR] [--power-mode N]
#                       [--prefix /opt/mededge] [--home /var/lib/mededge] [--dry-run]
#
# --release DIR: a built release (mededge-appliance.jar, libs/, firmware-scripts/), e.g. the
#                repository after `mvn package` (appliance/target is found automatically).
# --dry-run:     checks and prints every step without changing the machine (CI runs this).
set -euo pipefail

release=""
jdk=""
mirror=""
power_mode=0
prefix=/opt/mededge
home=/var/lib/mededge
etc=/etc/mededge
dry_run=false

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "provision: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --release) release="${2:?--release needs a directory}"; shift 2 ;;
    --jdk) jdk="${2:?--jdk needs a directory}"; shift 2 ;;
    --models-mirror) mirror="${2:?--models-mirror needs a directory}"; shift 2 ;;
    --power-mode) power_mode="${2:?--power-mode needs a number}"; shift 2 ;;
    --prefix) prefix="${2:?}"; shift 2 ;;
    --home) home="${2:?}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

run() { # prints the command; runs it unless --dry-run
  echo "+ $*"
  if ! $dry_run; then "$@"; fi
}

step() { echo; echo "== $*"; }
warn_or_die() { if $dry_run; then echo "   WOULD STOP: $*"; else die "$*"; fi; }

[ -n "$release" ] || die "--release DIR is required"
[ -d "$release" ] || die "release directory not found: $release"
jar_dir="$release"
[ -f "$jar_dir/mededge-appliance.jar" ] || jar_dir="$release/appliance/target"
[ -f "$jar_dir/mededge-appliance.jar" ] || die "no mededge-appliance.jar in $release or $release/appliance/target (run mvn package first)"
[ -d "$jar_dir/libs" ] || die "no libs/ beside mededge-appliance.jar in $jar_dir"
scripts="$release/firmware-scripts"
[ -d "$scripts" ] || scripts="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(unzip -p "$jar_dir/mededge-appliance.jar" META-INF/MANIFEST.MF 2>/dev/null | awk -F': ' '/Implementation-Version/ { gsub(/\r/, "", $2); print $2 }')
version="${version:-$(date -u +%Y%m%d%H%M%S)}"

step "platform"
if [ -f /etc/nv_tegra_release ]; then
  echo "   L4T: $(head -n 1 /etc/nv_tegra_release)"
else
  warn_or_die "not a Jetson (/etc/nv_tegra_release missing): this script provisions JetPack devices"
fi
if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W -f='${Version}' nvidia-jetpack >/dev/null 2>&1; then
  echo "   JetPack: $(dpkg-query -W -f='${Version}' nvidia-jetpack)"
else
  warn_or_die "JetPack (nvidia-jetpack) is not installed"
fi
nvcc=/usr/local/cuda/bin/nvcc
if [ -x "$nvcc" ]; then
  echo "   CUDA: $("$nvcc" --version | awk '/release/ { print $5 $6 }')"
else
  warn_or_die "CUDA not found at /usr/local/cuda (install JetPack's CUDA)"
fi
trtexec=""
for t in /usr/src/tensorrt/bin/trtexec /usr/bin/trtexec; do [ -x "$t" ] && trtexec="$t" && break; done
if [ -n "$trtexec" ]; then echo "   TensorRT: $trtexec"; else warn_or_die "TensorRT trtexec not found (install tensorrt from JetPack)"; fi
[ -n "$jdk" ] || warn_or_die "--jdk DIR (a JDK 21+ for aarch64) is required"
if [ -n "$jdk" ]; then
  [ -x "$jdk/bin/java" ] || warn_or_die "no java in $jdk/bin"
fi
echo "   release: $jar_dir (version $version)"

step "power mode and clocks"
if command -v nvpmodel >/dev/null 2>&1; then
  run nvpmodel -m "$power_mode"
else
  warn_or_die "nvpmodel not found"
fi
if command -v jetson_clocks >/dev/null 2>&1; then run jetson_clocks; else warn_or_die "jetson_clocks not found"; fi

step "service user and directories"
if id mededge >/dev/null 2>&1; then
  echo "   user mededge exists"
else
  run useradd --system --home-dir "$home" --shell /usr/sbin/nologin --groups video mededge
fi
run install -d -m 0755 "$prefix" "$prefix/releases"
run install -d -m 0750 -o mededge -g mededge "$home" "$home/tmp" "$home/cache"
run install -d -m 0750 -o root -g mededge "$etc"

step "data at rest"
# Clinical data is encrypted by the device's disk encryption (LUKS2 / dm-crypt, as JetPack's
# disk-encryption flashing sets up), not inside SQLite: no encrypted SQLite build resolves from the
# registries this project builds from, and a volume key held by the device protects the database,
# its WAL, the audit chain and the model cache alike. The service refuses to start when the data
# folder is not on a dm-crypt volume (MEDEDGE_STORE_REQUIRE_ENCRYPTED_VOLUME in the unit).
at="$home"; while [ ! -e "$at" ] && [ "$at" != / ]; do at=$(dirname "$at"); done  # dry run: not made yet
src=$(df --output=source "$at" 2>/dev/null | tail -1 || true)
if [ -n "$src" ] && lsblk -ns -o TYPE "$src" 2>/dev/null | grep -qx crypt; then
  echo "   $home is on the encrypted volume $src"
else
  warn_or_die "$home is on ${src:-an unknown device}, which is not a dm-crypt volume: flash the device with disk encryption (JetPack: l4t_initrd_flash with --generic-passphrase or a per-device key) or put $home on a LUKS2 volume, then run this again"
fi

step "JDK and release"
if [ -n "$jdk" ]; then run ln -sfn "$jdk" "$prefix/jdk"; fi
dest="$prefix/releases/$version"
run install -d -m 0755 "$dest"
run cp -a "$jar_dir/mededge-appliance.jar" "$jar_dir/libs" "$dest/"
run cp -a "$scripts" "$dest/firmware-scripts"
run ln -sfn "$dest" "$prefix/current"

step "models"
install_args=()
[ -n "$mirror" ] && install_args+=(--mirror "$mirror")
run env MEDEDGE_HOME="$home" "$scripts/install-models.sh" "${install_args[@]}"
run chown -R mededge:mededge "$home/models"

step "TensorRT plans for this GPU"
if [ -x "$scripts/build-trt-engine.sh" ]; then
  run env MEDEDGE_HOME="$home" "$scripts/build-trt-engine.sh" --all
else
  echo "   (no build-trt-engine.sh in this release: imaging runs on ONNX Runtime)"
fi

step "tokens"
if [ -f "$etc/tokens" ]; then
  echo "   $etc/tokens exists: kept"
else
  token="mde_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  if $dry_run; then
    echo "+ write $etc/tokens (admin token, mode 0640 root:mededge)"
  else
    umask 027
    printf 'admin %s\n' "$token" > "$etc/tokens"
    chown root:mededge "$etc/tokens"
    echo "   admin token written to $etc/tokens: create per-user tokens with"
    echo "   java -jar $prefix/current/mededge-appliance.jar tokens create --role clinician"
  fi
fi

step "systemd service"
unit_src="$scripts/device/mededge.service"
[ -f "$unit_src" ] || die "missing $unit_src"
run install -m 0644 "$unit_src" /etc/systemd/system/mededge.service
run systemctl daemon-reload
run systemctl enable --now mededge.service

step "readiness"
if $dry_run; then
  echo "+ wait for http://127.0.0.1:8443/health/ready to answer UP (up to 300 s)"
else
  "$scripts/device/wait-ready.sh" "${MEDEDGE_READY_URL:-http://127.0.0.1:8443/health/ready}" 300
fi
echo
if $dry_run; then echo "provision: dry run complete; nothing was changed"; else echo "provision: done"; fi
