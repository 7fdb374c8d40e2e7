"""Builds the dev dictations: clips like the committed end-to-end ones, many more of them, not committed.

  make_dev.py DATA_DIR OUT_DIR [--per-language 50]

Fresh utterances of the held-out split (its sentence frames and value grids, other seeds than the
295-clip evaluation set, none of its texts), each stating vitals or labs; two to a clip with a
0.5-1.0 s pause, the default voices (en-us, cmn, rate 175), like demo/heldout/. OUT_DIR gets the WAVs
and expected.json in heldout/'s format, so the appliance's DictationDevEvaluation runs them through
POST /v1/dictations (VAD windows, whisper.cpp, fusion) exactly as the end-to-end test runs the 8.
Models are chosen on these and on the 295-clip set, never on the 8 the test uses.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import corpus  # noqa: E402
from make_eval import dictation, expected_entry, write_expected, write_wav  # noqa: E402

SEEDS = {"en": 131, "zh": 132}
MAX_UTTERANCE_SECONDS = 6.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--per-language", type=int, default=50)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    evaluated = {json.loads(l)["text"] for l in open(os.path.join(a.data, "heldout.jsonl"), encoding="utf-8")}
    r = np.random.default_rng(991)
    expected = []
    for lang in ("en", "zh"):
        utts, seen = [], set()
        for u in corpus.generate("heldout", lang, 800, SEEDS[lang]):
            if (u["vitals"] or u["labs"]) and u["text"] not in evaluated and u["text"] not in seen:
                seen.add(u["text"])
                utts.append(u)
        k = i = 0
        while k < a.per_language:
            pair = utts[i:i + 2]
            i += 2
            if len(pair) < 2:
                sys.exit(f"make_dev: only {k} {lang} dictations could be built")
            pcs = [audio.synthesize(u["tts"], lang, "en-us" if lang == "en" else "cmn", 175, 50) for u in pair]
            if any(len(p) / audio.SAMPLE_RATE > MAX_UTTERANCE_SECONDS for p in pcs):
                continue
            x = dictation(pcs, r.uniform(0.5, 1.0))
            k += 1
            name = f"dev-{lang}-{k}.wav"
            write_wav(os.path.join(a.out, name), x)
            expected.append(expected_entry(name, lang, x, pair))
    write_expected(a.out, expected)
    print(f"wrote {len(expected)} dev dictations to {a.out}")


if __name__ == "__main__":
    main()
