#!/usr/bin/env bash
# Rebuilds MedEdge's demonstration models from nothing but Debian packages:
#   python3-torch (1.13), python3-numpy, libopenblas0-pthread, espeak-ng, sox.
#
#   firmware-scripts/models/train-demo.sh [--only whisper] [--build DIR]
#
# whisper: synthetic clinical dictation corpus (zh + en, espeak-ng + sox) -> small
#   Whisper-architecture model trained from scratch on the general set -> LoRA fine-tune on the
#   medical set, merged -> whisper.cpp ggml file demo/whisper-demo/ggml-model.bin, plus the
#   committed held-out dictations in demo/heldout/ and metrics in BUILD/whisper-metrics.json.
# Deterministic: fixed seeds, one torch thread (DEMO_THREADS, default 1: faster than 2 on a shared 2-core machine) plus one data-worker process.
# About 30 minutes of a quiet 2-core machine for the whisper part. CI never runs this.
# These are demonstration models trained on synthetic speech, not clinical models.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
demo="$here/demo"
build="$demo/build"
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "train-demo: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-/usr/bin/python3}
export PYTHONHASHSEED=0
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "train-demo: $tool is missing (apt-get install espeak-ng sox)" >&2; exit 1; }
done
"$PY" -c 'import torch, numpy' 2>/dev/null || { echo "train-demo: $PY lacks torch/numpy (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 1; }

stamp() { echo "[$(date +%H:%M:%S)] $*"; }

whisper_demo() {
  local data="$build/data" eval="$build/eval" out="$demo/whisper-demo"
  mkdir -p "$build" "$out"
  stamp "whisper: synthesizing the corpus"
  "$PY" "$demo/build_data.py" "$data"
  stamp "whisper: vocabulary, held-out evaluation set, committed held-out dictations"
  "$PY" "$demo/make_eval.py" "$data" "$eval" --commit-dir "$demo/heldout"
  stamp "whisper: base model from scratch on the general set"
  "$PY" "$demo/train.py" base --data "$data" --out "$build/base.pt" --steps 1200 --batch 16 --lr 3e-3 --warmup 150 --ctc 0.3
  stamp "whisper: LoRA fine-tune on the medical set (rank 16, alpha 32), merged"
  "$PY" "$demo/train.py" lora --data "$data" --base "$build/base.pt" --out "$build/merged.pt" \
      --steps 200 --batch 16 --lr 3e-3 --warmup 20 --rank 16 --alpha 32 --replay 0.15 --encoder-blocks 1
  stamp "whisper: held-out evaluation in PyTorch (greedy)"
  "$PY" "$demo/train.py" eval --ckpt "$build/base.pt" --wavs "$eval" --out "$build/eval-base.json"
  "$PY" "$demo/train.py" eval --ckpt "$build/merged.pt" --wavs "$eval" --out "$build/eval-merged.json"
  stamp "whisper: ggml export"
  "$PY" "$demo/ggml_export.py" "$build/merged.pt" "$out/ggml-model.bin"
  "$PY" "$demo/ggml_export.py" "$build/base.pt" "$build/ggml-base.bin"
  "$PY" - "$build" <<'PYEOF'
import json, sys, torch
b = sys.argv[1]
m = {k: json.load(open(f"{b}/eval-{k}.json"))["rates"] for k in ("base", "merged")}
m["train"] = torch.load(f"{b}/merged.pt")["info"]
json.dump(m, open(f"{b}/whisper-metrics.json", "w"), indent=1)
print(json.dumps(m, indent=1))
PYEOF
  stamp "whisper: done; sha256 for the catalog:"
  sha256sum "$out/ggml-model.bin"
}

case "$only" in
  ""|whisper) whisper_demo ;;
  *) echo "train-demo: unknown part '$only'" >&2; exit 2 ;;
esac
