"""Scores hypotheses against references: WER for English, CER for Mandarin.

  score.py REFS.jsonl HYPS.jsonl     (each line {"wav": ..., "hyp": ...}; refs {"wav","lang","text"})
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metrics import error_rate  # noqa: E402


def main(refs_path, hyps_path):
    refs = [json.loads(l) for l in open(refs_path, encoding="utf-8")]
    hyps = {}
    for l in open(hyps_path, encoding="utf-8"):
        l = l.strip()
        if l.startswith("{"):
            h = json.loads(l)
            hyps[h["wav"]] = h["hyp"]
    out = {}
    for lang in ("en", "zh"):
        e, n = error_rate((r["text"], hyps.get(r["wav"], ""), lang) for r in refs if r["lang"] == lang)
        out[lang] = {"errors": e, "units": n, "rate": round(100.0 * e / max(1, n), 2),
                     "files": sum(1 for r in refs if r["lang"] == lang)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
