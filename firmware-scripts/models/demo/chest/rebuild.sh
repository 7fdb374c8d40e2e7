#!/usr/bin/env bash
# Rebuilds MedEdge's demonstration chest radiograph model (chest-demo) from nothing but Debian packages:
#   python3-torch (1.13), python3-numpy, libopenblas0-pthread, python3-onnx, python3-pil; dcmtk for the
#   real JPEG DICOM sample and for checking the DICOMs written.
#
#   firmware-scripts/models/demo/chest/rebuild.sh [--build DIR] [--samples DIR] [--scale F]
#
# Steps (deterministic: fixed seeds, one torch / BLAS thread per process, two processes render data):
#   phantoms   train / val / held-out synthetic phantoms + generated non-chest images (phantoms.py)
#   train      a small CNN from scratch (train_chest.py): 8 labels, the cardiothoracic ratio, a chest gate
#   export     demo/chest-demo/model.onnx (opset 13) and model.pt (TorchScript)
#   eval       held-out AUROC, laterality, CTR error, pointing, gate, real-sample observations -> metrics.json, README.md
#   samples    demo/chest-demo/samples/: held-out phantom DICOM/PNG test inputs + samples.json (make_samples.py)
# Prints the sha256 of model.onnx and model.pt. A DEMONSTRATION model trained on synthetic phantoms,
# not a clinical model. --samples names the folder with the real radiographs and non-chest images that
# are only observed (default: the shared samples beside the repository); --scale shrinks the data for
# a quick check (the artefacts are then not the shipped ones: use --build and write elsewhere).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo=$(cd "$here/.." && pwd)
build="$demo/build/chest"
out="$demo/chest-demo"
samples="$(cd "$here/../../../.." && pwd)/../shared/samples"
scale=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "rebuild: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-/usr/bin/python3}
export PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
"$PY" -c 'import torch, numpy, onnx, PIL' 2>/dev/null || {
  echo "rebuild: $PY lacks torch/numpy/onnx/PIL (apt-get install python3-torch python3-numpy libopenblas0-pthread python3-onnx python3-pil)" >&2
  exit 1; }
command -v dcmj2pnm >/dev/null || echo "rebuild: dcmtk is missing (apt-get install dcmtk): the SIIM DICOM sample will not be observed" >&2

start=$(date +%s)
stamp() { echo "[$(date +%H:%M:%S)] $*"; }
mkdir -p "$build" "$out"
stamp "chest-demo: phantoms, training, export, evaluation (build $build)"
"$PY" "$here/train_chest.py" all --build "$build" --out "$out" --samples "$samples" --scale "$scale"
stamp "chest-demo: held-out samples"
rm -rf "$out/samples"
"$PY" "$here/make_samples.py" --build "$build" --out "$out/samples" --metrics "$out/metrics.json"
stamp "chest-demo: int8 weights (model-int8.onnx) and their held-out evaluation"
"$PY" "$here/quantize_int8.py" --build "$build" --out "$out"
"$PY" "$here/train_chest.py" readme --build "$build" --out "$out"
if command -v dcmdump >/dev/null; then
  for f in "$out"/samples/*.dcm; do dcmdump -q "$f" >/dev/null || { echo "rebuild: dcmdump rejects $f" >&2; exit 1; }; done
fi
elapsed=$(( $(date +%s) - start ))
stamp "chest-demo: done in $((elapsed / 60)) min $((elapsed % 60)) s"
(cd "$out" && sha256sum model.onnx model.pt model-int8.onnx && du -b model.onnx model.pt model-int8.onnx samples | sed 's/^/bytes: /')
