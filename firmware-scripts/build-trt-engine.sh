#!/usr/bin/env bash
# Builds a TensorRT plan for an installed imaging model, on the device that will run it.
#
#   build-trt-engine.sh MODEL_DIR [--fp32] [--workspace MIB] [--trtexec PATH] [--dry-run]
#
# MODEL_DIR is an installed model, $MEDEDGE_HOME/models/<name>/<version>/, holding model.onnx and
# model.yaml. The plan is specific to this GPU's compute capability and to this TensorRT version:
# it is written as MODEL_DIR/model.sm<major><minor>.plan (model.sm87.plan on Jetson Orin) with its
# sha256 in model.sm<major><minor>.plan.sha256, which the appliance checks before loading it. The
# input name and shape come from model.yaml (inputs[0]); FP16 unless --fp32. Nothing is replaced
# unless the build succeeds. The compute capability is asked of the CUDA runtime (or nvidia-smi);
# MEDEDGE_GPU_CC=87 overrides it (for dry runs on a machine without a GPU).
# Exit status: 0 built (or dry run), 1 build failed, 2 usage or missing inputs.
set -euo pipefail

usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "build-trt-engine: $1" >&2; exit "${2:-2}"; }

model_dir=""
precision=fp16
workspace=1024
trtexec=""
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --fp32) precision=fp32; shift ;;
    --workspace) [ $# -ge 2 ] || die "--workspace needs MiB"; workspace="$2"; shift 2 ;;
    --trtexec) [ $# -ge 2 ] || die "--trtexec needs a path"; trtexec="$2"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$model_dir" ] || die "only one model directory"; model_dir="$1"; shift ;;
  esac
done
[ -n "$model_dir" ] || { usage >&2; die "give the installed model directory"; }
[ -f "$model_dir/model.onnx" ] || die "$model_dir/model.onnx not found: give an installed model directory (models/<name>/<version>)"
[ -f "$model_dir/model.yaml" ] || die "$model_dir/model.yaml not found"
case "$workspace" in ''|*[!0-9]*) die "--workspace must be a number of MiB" ;; esac

# inputs[0] as the manifest declares it: "- {name: input, dtype: float32, shape: [1, 1, 224, 224], layout: NCHW}"
input_line=$(awk '/^inputs:/ { f = 1; next } f && /^  - / { print; exit } f && /^[^ ]/ { exit }' "$model_dir/model.yaml")
input_name=$(sed -n 's/.*name: *\([^,}]*\).*/\1/p' <<< "$input_line" | tr -d ' "')
input_shape=$(sed -n 's/.*shape: *\[\([^]]*\)\].*/\1/p' <<< "$input_line" | tr -d ' ' | tr ',' 'x')
[ -n "$input_name" ] && [ -n "$input_shape" ] || die "cannot read inputs[0] name and shape from $model_dir/model.yaml"
[[ "$input_shape" =~ ^[0-9]+(x[0-9]+)+$ ]] || die "inputs[0].shape '$input_shape' is not a fixed shape"
# the appliance runs one image at a time on TensorRT: batch 1
item_shape="1x${input_shape#*x}"
dynamic=false
if grep -qE '^maxBatch: *([2-9]|[1-9][0-9]+)' "$model_dir/model.yaml"; then dynamic=true; fi

compute_capability() {
  if [ -n "${MEDEDGE_GPU_CC:-}" ]; then echo "$MEDEDGE_GPU_CC"; return 0; fi
  if command -v python3 >/dev/null 2>&1; then
    local cc
    cc=$(python3 - <<'EOF' 2>/dev/null || true
import ctypes
for name in ("libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"):
    try:
        rt = ctypes.CDLL(name)
        break
    except OSError:
        rt = None
if rt is not None:
    major, minor = ctypes.c_int(), ctypes.c_int()
    # cudaDevAttrComputeCapabilityMajor = 75, Minor = 76
    if rt.cudaDeviceGetAttribute(ctypes.byref(major), 75, 0) == 0 and rt.cudaDeviceGetAttribute(ctypes.byref(minor), 76, 0) == 0:
        print(f"{major.value}{minor.value}")
EOF
)
    if [ -n "$cc" ]; then echo "$cc"; return 0; fi
  fi
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -n 1 | tr -d ' .'
    return 0
  fi
  return 1
}

cc=$(compute_capability) || true
[[ "${cc:-}" =~ ^[0-9]{2,3}$ ]] || die "cannot tell this GPU's compute capability (no CUDA runtime, no nvidia-smi); is this the device?" 2

if [ -z "$trtexec" ]; then
  trtexec=$(command -v trtexec || true)
  [ -n "$trtexec" ] || [ ! -x /usr/src/tensorrt/bin/trtexec ] || trtexec=/usr/src/tensorrt/bin/trtexec
fi
if ! $dry_run; then
  [ -n "$trtexec" ] && [ -x "$trtexec" ] || die "trtexec not found (JetPack: /usr/src/tensorrt/bin/trtexec); give --trtexec PATH"
fi

plan="$model_dir/model.sm${cc}.plan"
tmp="$plan.partial"
args=(--onnx="$model_dir/model.onnx" --saveEngine="$tmp" --memPoolSize=workspace:"$workspace")
if $dynamic; then
  args+=(--minShapes="$input_name:$item_shape" --optShapes="$input_name:$item_shape" --maxShapes="$input_name:$item_shape")
fi
if [ "$precision" = fp16 ]; then args+=(--fp16); fi

echo "building $plan ($precision, $input_name $item_shape, sm_$cc)"
if $dry_run; then
  printf '%q ' "${trtexec:-trtexec}" "${args[@]}"
  echo
  exit 0
fi

log="$model_dir/model.sm${cc}.trtexec.log"
rm -f "$tmp"
if ! "$trtexec" "${args[@]}" > "$log" 2>&1; then
  rm -f "$tmp"
  echo "build-trt-engine: trtexec failed; the last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
fi
[ -s "$tmp" ] || { rm -f "$tmp"; die "trtexec reported success but wrote no plan (see $log)" 1; }
sha=$(sha256sum "$tmp" | cut -d' ' -f1)
mv -f "$tmp" "$plan"
printf '%s  %s\n' "$sha" "$(basename "$plan")" > "$plan.sha256"
echo "built $plan (sha256 $sha); the appliance uses it when mededge.vision.backends lists tensorrt"
