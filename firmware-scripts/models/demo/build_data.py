"""Generates the synthetic corpus and synthesizes it: build/data/<split>.npz + <split>.jsonl.

Usage: build_data.py OUT_DIR [--scale F]   (scale multiplies the utterance counts; 1.0 = full)
"""
import argparse
import json
import os
import random
import sys
from multiprocessing import Pool

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import corpus  # noqa: E402

# per language; drill2, drill3, drill4 are fresh measurement drills (other seeds) for LoRA rounds 5, 6, 7;
# contrast is the number-contrast drill (corpus.number_contrast) for round 8
COUNTS = {"general": 3000, "train": 4000, "drill": 2000, "drill2": 3000, "drill3": 3000, "drill4": 3000, "contrast": 3000, "heldout": 150}
SEEDS = {("general", "en"): 11, ("general", "zh"): 12, ("train", "en"): 21, ("train", "zh"): 22,
         ("heldout", "en"): 31, ("heldout", "zh"): 32,
         ("drill", "en"): 41, ("drill", "zh"): 42, ("drill2", "en"): 43, ("drill2", "zh"): 44,
         ("drill3", "en"): 45, ("drill3", "zh"): 46, ("drill4", "en"): 47, ("drill4", "zh"): 48, ("contrast", "en"): 51, ("contrast", "zh"): 52}


def _synth(job):
    text, lang, voice, rate, pitch = job
    return audio.synthesize(text, lang, voice, rate, pitch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--splits", default="heldout,train,drill,drill2,drill3,drill4,contrast,general", help="comma-separated splits to (re)build")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for split in a.splits.split(","):
        utts = []
        for lang in ("en", "zh"):
            n = max(4, int(COUNTS[split] * a.scale))
            utts += corpus.generate(split, lang, n, SEEDS[(split, lang)])
        vr = random.Random(1000 + len(split))
        for u in utts:
            u["voice"], u["rate"], u["pitch"] = audio.voice_for(vr, u["lang"])
        jobs = [(u["tts"], u["lang"], u["voice"], u["rate"], u["pitch"]) for u in utts]
        with Pool(a.workers) as pool:
            pcms = pool.map(_synth, jobs, chunksize=16)
        offsets = np.cumsum([0] + [len(p) for p in pcms]).astype(np.int64)
        np.savez(os.path.join(a.out, f"{split}.npz"), pcm=np.concatenate(pcms), offsets=offsets)
        with open(os.path.join(a.out, f"{split}.jsonl"), "w", encoding="utf-8") as f:
            for u, p in zip(utts, pcms):
                u["seconds"] = round(len(p) / audio.SAMPLE_RATE, 3)
                f.write(json.dumps(u, ensure_ascii=False) + "\n")
        secs = offsets[-1] / audio.SAMPLE_RATE
        print(f"{split}: {len(utts)} utterances, {secs / 3600:.2f} h, longest {max(len(p) for p in pcms) / 16000:.1f} s",
              flush=True)


if __name__ == "__main__":
    main()
