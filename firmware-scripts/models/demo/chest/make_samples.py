#!/usr/bin/python3
"""Writes a handful of held-out test inputs for the chest demo model, with their ground truth.

    /usr/bin/python3 firmware-scripts/models/demo/chest/make_samples.py [--build DIR] [--out DIR]

Each sample is a held-out phantom (phantoms.SPLITS['heldout']: patient size, exposure, tone curve and
rotation from ranges the training never saw) with findings set here, sized from the held-out ranges,
written as the appliance receives files:
  heldout-pneumothorax-left-effusion-right.dcm  DX, MONOCHROME2, 16 bits, 384 x 384
  heldout-cardiomegaly.dcm                      CR, MONOCHROME1, 12 bits stored (16 allocated), 320 x 320
  heldout-normal.png                            8-bit grey PNG, 512 x 512
  heldout-nodule-right.png                      16-bit grey PNG, 256 x 256
samples.json holds, per file: labels, laterality, CTR, each finding's box in the file's pixel
coordinates [x0, y0, x1, y1) and size, pixel spacing, and what the model (BUILD/chest.ckpt) says on
the file's display image stretched to 128 x 128 as the appliance does.

The anatomy comes from the first held-out phantom (in a fixed list of indices) on which the model,
through that path, calls every finding of the sample and no other (for the normal sample: none) — the
files are fixtures for an end-to-end test of the serving path, not an evaluation; how many candidates
were tried is recorded. The held-out evaluation itself is train_chest.py's.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phantoms  # noqa: E402
import train_chest  # noqa: E402

SAMPLES = [
    {"file": "heldout-pneumothorax-left-effusion-right.dcm", "size": 384, "bits": 16, "mono1": False, "modality": "DX",
     "ctr": 0.45, "findings": [{"type": "pneumothorax", "side": "left", "rim_mm": 44.0, "taper": 0.7},
                               {"type": "effusion", "side": "right", "height_mm": 90.0, "meniscus": 0.6}]},
    {"file": "heldout-cardiomegaly.dcm", "size": 320, "bits": 12, "mono1": True, "modality": "CR",
     "ctr": 0.65, "findings": []},
    {"file": "heldout-normal.png", "size": 512, "bits": 8, "ctr": 0.44, "findings": []},
    {"file": "heldout-nodule-right.png", "size": 256, "bits": 16, "ctr": 0.45,
     "findings": [{"type": "nodule", "side": "right", "diameter_mm": 28.0, "pos": [0.5, 0.5], "lobulation": 0.05}]},
]
CANDIDATES = list(range(100, 140))   # held-out phantom indices whose anatomy and acquisition the samples take


def build_sample(s, index):
    spec = phantoms.sample_spec("heldout", index)
    spec["findings"] = [dict(f) for f in s["findings"]]
    spec["ctr"] = s["ctr"]
    spec["bits"] = s["bits"]
    spec["markers"] = False
    spec["collimation"] = False
    img, truth = phantoms.render(spec, s["size"])
    return spec, img, truth


def model_says(model, img, thresholds):
    x = torch.from_numpy(train_chest.resize_for_model(img)[None, None])
    with torch.no_grad():
        logits, ctr, chest = model(x)
    p = torch.sigmoid(logits)[0].numpy()
    return {"chest_probability": round(float(torch.sigmoid(chest)[0, 0]), 4), "ctr": round(float(ctr[0, 0]), 3),
            "probabilities": {lab: round(float(v), 4) for lab, v in zip(phantoms.LABELS, p)},
            "called": [lab for lab, v in zip(phantoms.LABELS, p) if v >= thresholds[lab]]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "chest"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "chest-demo", "samples"))
    ap.add_argument("--metrics", default=os.path.join(HERE, "..", "chest-demo", "metrics.json"),
                    help="thresholds (chosen on the validation split) are read from here")
    a = ap.parse_args()
    train_chest.setup_torch()
    model, _ = train_chest.load_model(os.path.abspath(a.build))
    with open(a.metrics) as f:
        thresholds = json.load(f)["thresholds"]["values"]
    os.makedirs(a.out, exist_ok=True)
    manifest = {"note": "held-out synthetic phantoms (phantoms.py, split 'heldout'), DEMONSTRATION data, not patient "
                        "images. 'left'/'right' are the patient's: on these PA images the patient's left is on the "
                        "image right. Boxes are [x0, y0, x1, y1) in the file's pixels. 'model_output' is what "
                        "chest-demo says on the file's display image stretched to 128 x 128 (observed when the "
                        "samples were made).",
                "labels": phantoms.LABELS, "samples": []}
    for s in SAMPLES:
        want = sorted(phantoms.labels_of({"ctr": s["ctr"], "findings": s["findings"]}).nonzero()[0].tolist())
        chosen = None
        for tried, index in enumerate(CANDIDATES, 1):
            spec, img, truth = build_sample(s, index)
            said = model_says(model, img, thresholds)
            if sorted(phantoms.LABELS.index(c) for c in said["called"]) == want and said["chest_probability"] >= 0.5:
                chosen = (index, tried, spec, img, truth, said)
                break
        if chosen is None:  # keep the first candidate and say so
            index = CANDIDATES[0]
            spec, img, truth = build_sample(s, index)
            chosen = (index, len(CANDIDATES), spec, img, truth, model_says(model, img, thresholds))
            print(f"make_samples: {s['file']}: the model is wrong on all {len(CANDIDATES)} candidates; kept index {index}")
        index, tried, spec, img, truth, said = chosen
        path = os.path.join(a.out, s["file"])
        entry = {"file": s["file"], "heldout_index": index, "candidates_tried": tried,
                 "rows": s["size"], "columns": s["size"], "pixel_spacing_mm": truth["pixel_spacing_mm"],
                 "labels": truth["labels"], "ctr": truth["ctr"], "cardiomegaly": truth["ctr"] > 0.5,
                 "findings": truth["findings"], "heart_box": truth["heart_box"]}
        if s["file"].endswith(".dcm"):
            uids = phantoms.write_dicom(path, img, bits=s["bits"], mono1=s["mono1"], spacing_mm=truth["pixel_spacing_mm"],
                                        modality=s["modality"], patient_id=f"HELDOUT-{index:05d}",
                                        uid_key=("sample", s["file"]), description="MedEdge held-out chest phantom")
            entry.update({"format": "dicom", "modality": s["modality"], "bits_stored": s["bits"],
                          "photometric": "MONOCHROME1" if s["mono1"] else "MONOCHROME2", "uids": uids})
        else:
            phantoms.write_png(path, img, s["bits"])
            entry.update({"format": "png", "bit_depth": s["bits"]})
        entry["model_output"] = said
        entry["bytes"] = os.path.getsize(path)
        manifest["samples"].append(entry)
        print(f"make_samples: {path} ({entry['bytes']} bytes), held-out index {index} after {tried} candidate(s): "
              f"truth {[f['label'] for f in truth['findings']]}, model calls {said['called']}, ctr {said['ctr']}")
    with open(os.path.join(a.out, "samples.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
