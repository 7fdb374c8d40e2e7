"""Builds the vocabulary and the held-out evaluation sets from the synthesized corpus.

  make_eval.py DATA_DIR EVAL_DIR [--commit-dir firmware-scripts/models/demo/heldout]

- DATA_DIR/vocab.json: the token list (see tokens.py)
- EVAL_DIR: one 16-bit 16 kHz WAV per held-out utterance (at most 9.4 s: one ASR window),
  with the same gain/noise augmentation as training under a fixed seed; refs.jsonl.
- --commit-dir: a handful of clean held-out dictations (two or three utterances each, with
  pauses the ASR engine's VAD can cut at) and their reference transcripts, windows and
  expected vitals/labs (expected.json), small enough to commit, so CI needs no espeak.
"""
import argparse
import json
import os
import sys
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
from tokens import Tokenizer  # noqa: E402


def load(data, split):
    z = np.load(os.path.join(data, f"{split}.npz"))
    meta = [json.loads(l) for l in open(os.path.join(data, f"{split}.jsonl"), encoding="utf-8")]
    pcm, off = z["pcm"], z["offsets"]  # read each array once
    return meta, [pcm[off[i]:off[i + 1]] for i in range(len(meta))]


def write_wav(path, x):
    pcm = np.clip(np.round(np.asarray(x) * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(audio.SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def dictation(pcs, gap_seconds):
    """Two utterances (int16) as one clean dictation: 0.3 s lead-in, the pause, 0.3 s tail, at 0.8 of full scale."""
    gap = np.zeros(int(gap_seconds * audio.SAMPLE_RATE), dtype=np.float32)
    lead = np.zeros(int(0.3 * audio.SAMPLE_RATE), dtype=np.float32)
    return np.concatenate([lead, pcs[0] / 32768.0, gap, pcs[1] / 32768.0, lead]).astype(np.float32) * 0.8


def expected_entry(name, lang, x, utts):
    """What the end-to-end checks expect of a dictation: transcript, per-window text, vitals and labs."""
    return {
        "wav": name, "language": lang, "seconds": round(len(x) / audio.SAMPLE_RATE, 2),
        "transcript": (" " if lang == "en" else "").join(u["text"] for u in utts),
        "windows": [u["text"] for u in utts],
        "vitals": [v for u in utts for v in u["vitals"]],
        "labs": [v for u in utts for v in u["labs"]],
    }


def write_expected(directory, expected):
    with open(os.path.join(directory, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("eval")
    ap.add_argument("--commit-dir")
    a = ap.parse_args()
    metas = {s: load(a.data, s) for s in ("general", "train", "heldout")}
    tok = Tokenizer.build([m for s in metas.values() for m in s[0]])
    tok.save(os.path.join(a.data, "vocab.json"))
    print(f"vocabulary: {len(tok.text_tokens)} text tokens")

    os.makedirs(a.eval, exist_ok=True)
    meta, clips = metas["heldout"]
    rng = np.random.default_rng(4242)
    with open(os.path.join(a.eval, "refs.jsonl"), "w", encoding="utf-8") as f:
        for m, c in zip(meta, clips):
            if len(c) / audio.SAMPLE_RATE > 9.4:
                continue
            x = audio.augment(rng, [c], int(10 * audio.SAMPLE_RATE) - 400)
            name = m["id"] + ".wav"
            write_wav(os.path.join(a.eval, name), x)
            f.write(json.dumps({"wav": name, "lang": m["lang"], "text": m["text"]}, ensure_ascii=False) + "\n")

    if a.commit_dir:
        os.makedirs(a.commit_dir, exist_ok=True)
        # hand-picked structure: dictations rich in vitals and labs, clean, the default voices
        r = np.random.default_rng(77)
        expected = []
        for lang, n in (("en", 4), ("zh", 4)):
            def distinct(m):
                c = [v["code"] for v in m["vitals"] + m["labs"]]
                return c and len(c) == len(set(c))
            cands = [i for i, m in enumerate(meta) if m["lang"] == lang and distinct(m)
                     and len(clips[i]) / audio.SAMPLE_RATE <= 6.5]
            order = [int(i) for i in r.permutation(cands)]
            pairs, used = [], set()
            codes = lambda i: {v["code"] for v in meta[i]["vitals"] + meta[i]["labs"]}
            for i in order:  # pair utterances that state different vitals/labs: one value per code
                if i in used or len(pairs) == n:
                    continue
                j = next((j for j in order if j not in used and j != i and not codes(i) & codes(j)), None)
                if j is not None:
                    pairs.append([i, j])
                    used.update((i, j))
            for k, ids in enumerate(pairs):
                # re-synthesize with the default voice and rate, as a newcomer's espeak-ng would
                pcs = [audio.synthesize(meta[i]["tts"], lang, "en-us" if lang == "en" else "cmn", 175, 50) for i in ids]
                x = dictation(pcs, 0.8)
                name = f"heldout-{lang}-{k + 1}.wav"
                write_wav(os.path.join(a.commit_dir, name), x)
                expected.append(expected_entry(name, lang, x, [meta[i] for i in ids]))
        write_expected(a.commit_dir, expected)
        print(f"wrote {len(expected)} committed held-out dictations to {a.commit_dir}")


if __name__ == "__main__":
    main()
