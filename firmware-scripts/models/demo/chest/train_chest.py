#!/usr/bin/python3
"""Trains MedEdge's demonstration chest radiograph model on synthetic phantoms, exports it, evaluates it.

    /usr/bin/python3 firmware-scripts/models/demo/chest/train_chest.py [all|data|train|export|eval|readme]
        [--build DIR] [--out DIR] [--samples DIR] [--scale F]

A DEMONSTRATION model trained on synthetic phantoms (phantoms.py), NOT a clinical model.

Stages (deterministic: fixed seeds, one torch thread, one data order):
  data    phantoms.py datasets in BUILD: train (phantoms + generated non-chest images), val (the
          training ranges, other seeds: thresholds), heldout (ranges the training never saw, with the
          ground-truth region masks) and a held-out non-chest set (other seeds)
  train   a small CNN from scratch: 8 sigmoid labels, the cardiothoracic ratio, a chest gate
  export  OUT/model.onnx (opset 13, dynamic batch) and OUT/model.pt (TorchScript, traced); both are
          checked against the PyTorch model
  eval    held-out AUROC per label, laterality accuracy, CTR mean absolute error, occlusion pointing
          score, the gate on non-chest inputs and on held-out phantoms, thresholds from val, what the
          model says on the real radiographs in --samples (observation only, never trained on):
          OUT/metrics.json and OUT/README.md

Model contract: input `image` [N, 1, 128, 128] float32 in [0, 1] (the display image, bone bright,
stretched to 128 x 128 with area interpolation); outputs `logits` [N, 8] (LABELS order), `ctr` [N, 1],
`chest` [N, 1] (a logit: is this a frontal chest radiograph).
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phantoms  # noqa: E402

LABELS = phantoms.LABELS
SIDE = 128                      # model input side
RENDER = 256                    # phantoms are rendered at this side, then area-downsampled (x2)
COUNTS = {"train": 20000, "train_nonchest": 5000, "val": 2000, "val_nonchest": 500,
          "heldout": 600, "heldout_nonchest": 600}
EPOCHS = 7
BATCH = 64
LR = 2e-3
SEED = 20
HEATMAP_GRID = 14               # the appliance's default (mededge.vision.heatmap-grid): stride side/14, patch 2 strides
LATERAL = [("effusion_left", "effusion_right"), ("pneumothorax_left", "pneumothorax_right"),
           ("consolidation_left", "consolidation_right")]
REAL_SAMPLES = ["cxr-nih-00000001_000-cardiomegaly.png", "cxr-nih-00027426_000-nofinding.png", "cxr-16747_3_1.jpg",
                "cxr-siim-chest-pa-jpeg-baseline.dcm"]
NONCHEST_SAMPLES = ["img-pelican.jpeg", "img-bald-eagle.jpeg", "img-mnist-0.jpg", "img-mnist-3.jpg",
                    "img-mnist-5.jpg", "img-mnist-7.jpg"]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------
# the network

def cbr(cin, cout, k=3, stride=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class ChestNet(nn.Module):
    """128 -> 64 -> 32 -> 16 -> 8 -> 4 convolutional trunk; the heads see one fully connected layer on the
    4 x 4 map (which keeps where a finding is: left/right, upper/lower) together with the global
    maximum of each channel of the 8 x 8 and 4 x 4 maps (a small finding anywhere, e.g. a nodule)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            *cbr(1, 16, 5, 2),                      # 64 x 64
            *cbr(16, 24, 3, 2),                     # 32 x 32
            *cbr(24, 32), nn.MaxPool2d(2),          # 16 x 16
            *cbr(32, 64), nn.MaxPool2d(2),          # 8 x 8
        )
        self.deep = nn.Sequential(*cbr(64, 96), *cbr(96, 96), nn.MaxPool2d(2), *cbr(96, 128))   # 4 x 4
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(128 * 16, 128), nn.ReLU(inplace=True))
        self.drop = nn.Dropout(0.2)
        width = 128 + 64 + 128
        self.labels = nn.Linear(width, len(LABELS))
        self.ctr_head = nn.Linear(width, 1)
        self.chest_head = nn.Linear(width, 1)

    def forward(self, image):
        mid = self.stem(image)
        top = self.deep(mid)
        h = torch.cat([self.fc(top), F.adaptive_max_pool2d(mid, 1).flatten(1), F.adaptive_max_pool2d(top, 1).flatten(1)], 1)
        h = self.drop(h)
        # the CTR as a plain number: 0.5 + 0.1 * the head's output (so the head works near unit scale)
        return self.labels(h), 0.5 + 0.1 * self.ctr_head(h), self.chest_head(h)


def setup_torch():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)


# ----------------------------------------------------------------------------------------------
# data

def stage_data(build, scale):
    os.makedirs(build, exist_ok=True)
    c = {k: max(20, int(v * scale)) for k, v in COUNTS.items()}
    for split, masks in (("heldout", True), ("val", False), ("train", False)):
        out = os.path.join(build, f"{split}.npz")
        t = time.time()
        arr = phantoms.build_dataset(split, c[split], out, SIDE, RENDER, nonchest=c[split + "_nonchest"], workers=2,
                                     masks=masks)
        prev = arr["labels"][:c[split]].mean(axis=0)
        log(f"data {split}: {c[split]} phantoms + {c[split + '_nonchest']} non-chest in {time.time() - t:.0f} s; "
            + ", ".join(f"{k} {p:.2f}" for k, p in zip(LABELS, prev)))


def load(build, split):
    z = np.load(os.path.join(build, f"{split}.npz"))
    return {k: z[k] for k in z.files}


def to_tensor(images_u16):
    return torch.from_numpy(images_u16.astype(np.float32) / 65535.0).unsqueeze(1)


def augment(x, g):
    """Intensity augmentation per image (deterministic with generator g): gamma, contrast/brightness,
    sometimes a min-max stretch (what a reader does with a DICOM without a window), noise."""
    n = x.shape[0]
    gamma = torch.exp(torch.empty(n, 1, 1, 1).uniform_(math.log(0.8), math.log(1.25), generator=g))
    x = x.clamp(0, 1) ** gamma
    a = torch.empty(n, 1, 1, 1).uniform_(0.85, 1.15, generator=g)
    b = torch.empty(n, 1, 1, 1).uniform_(-0.08, 0.08, generator=g)
    x = (a * (x - 0.5) + 0.5 + b).clamp(0, 1)
    stretch = (torch.rand(n, 1, 1, 1, generator=g) < 0.3).float()
    lo = x.amin(dim=(2, 3), keepdim=True)
    hi = x.amax(dim=(2, 3), keepdim=True)
    x = stretch * ((x - lo) / (hi - lo + 1e-6)) + (1 - stretch) * x
    sd = torch.empty(n, 1, 1, 1).uniform_(0, 0.02, generator=g)
    x = (x + sd * torch.randn(x.shape, generator=g)).clamp(0, 1)
    return x


# ----------------------------------------------------------------------------------------------
# training

def losses(model_out, y, ctr, chest):
    logits, ctr_pred, chest_logit = model_out
    m = chest.unsqueeze(1)                                     # findings and CTR only on phantoms
    l_lab = (F.binary_cross_entropy_with_logits(logits, y, reduction="none") * m).sum() / (m.sum() * len(LABELS) + 1e-6)
    l_ctr = ((((ctr_pred - ctr.unsqueeze(1)) * 10) ** 2) * m).sum() / (m.sum() + 1e-6)
    l_gate = F.binary_cross_entropy_with_logits(chest_logit.squeeze(1), chest)
    return l_lab, l_ctr, l_gate


def stage_train(build, epochs):
    setup_torch()
    d = load(build, "train")
    x_all = to_tensor(d["images"])
    y_all = torch.from_numpy(d["labels"].astype(np.float32))
    ctr_all = torch.from_numpy(d["ctr"].astype(np.float32))
    chest_all = torch.from_numpy(d["chest"].astype(np.float32))
    n = len(x_all)
    model = ChestNet()
    params = sum(p.numel() for p in model.parameters())
    log(f"train: {n} images, {params} parameters, {epochs} epochs of batch {BATCH}")
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    steps = epochs * (n // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.15)
    g = torch.Generator().manual_seed(SEED)
    order_rng = np.random.default_rng(SEED)
    step = 0
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = order_rng.permutation(n)
        acc = np.zeros(3)
        for k in range(n // BATCH):
            idx = torch.from_numpy(perm[k * BATCH:(k + 1) * BATCH])
            xb = augment(x_all[idx], g)
            l_lab, l_ctr, l_gate = losses(model(xb), y_all[idx], ctr_all[idx], chest_all[idx])
            loss = l_lab + 0.5 * l_ctr + 0.5 * l_gate
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            acc += [l_lab.item(), l_ctr.item(), l_gate.item()]
            if (k + 1) % 100 == 0:
                acc /= 100
                log(f"  epoch {ep + 1} step {k + 1}/{n // BATCH}: labels {acc[0]:.4f}, ctr {acc[1]:.4f}, gate {acc[2]:.4f} "
                    f"({time.time() - t0:.0f} s)")
                acc[:] = 0
    model.eval()
    torch.save({"state": model.state_dict(), "params": params, "steps": steps, "seconds": round(time.time() - t0)},
               os.path.join(build, "chest.ckpt"))
    log(f"train: done in {time.time() - t0:.0f} s")


def load_model(build):
    ck = torch.load(os.path.join(build, "chest.ckpt"))
    model = ChestNet()
    model.load_state_dict(ck["state"])
    model.eval()
    return model, ck


@torch.no_grad()
def predict(model, x, batch=256):
    outs = [model(x[i:i + batch]) for i in range(0, len(x), batch)]
    return (torch.cat([o[0] for o in outs]).numpy(), torch.cat([o[1] for o in outs]).numpy()[:, 0],
            torch.cat([o[2] for o in outs]).numpy()[:, 0])


# ----------------------------------------------------------------------------------------------
# export

class Traceable(nn.Module):
    """The exported contract: ONE output per image, 10 columns: the 8 label logits, the cardiothoracic
    ratio, the gate's logit (one output, so that every backend the appliance has, TensorRT included,
    reads it the same way; model.yaml says which column is what)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, image):
        logits, ctr, chest = self.m(image)
        return torch.cat([logits, ctr, chest], 1)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def stage_export(build, out):
    setup_torch()
    os.makedirs(out, exist_ok=True)
    model, _ = load_model(build)
    wrapped = Traceable(model).eval()
    dummy = torch.zeros(1, 1, SIDE, SIDE)
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(wrapped, dummy, onnx_path, opset_version=13, input_names=["image"],
                      output_names=["scores"], do_constant_folding=True,
                      dynamic_axes={"image": {0: "N"}, "scores": {0: "N"}})
    pt_path = os.path.join(out, "model.pt")
    traced = torch.jit.trace(wrapped, torch.rand(2, 1, SIDE, SIDE, generator=torch.Generator().manual_seed(1)))
    traced.save(pt_path)
    # checks: the ONNX graph is valid and names what the contract says; TorchScript reproduces PyTorch
    import onnx
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    names_in = [i.name for i in m.graph.input]
    names_out = [o.name for o in m.graph.output]
    assert names_in == ["image"] and names_out == ["scores"], (names_in, names_out)
    x = torch.rand(5, 1, SIDE, SIDE, generator=torch.Generator().manual_seed(2))
    ref = wrapped(x)
    ts = torch.jit.load(pt_path)(x)
    diff = float((ref - ts).abs().max())
    log(f"export: {onnx_path} ({os.path.getsize(onnx_path)} bytes, sha256 {sha256(onnx_path)})")
    log(f"export: {pt_path} ({os.path.getsize(pt_path)} bytes, sha256 {sha256(pt_path)}); TorchScript vs PyTorch max |diff| {diff:.2e}")
    # a reference input and the PyTorch outputs, for checking other runtimes against (ONNX Runtime, DJL)
    ref = ref.detach().numpy()
    np.savez(os.path.join(build, "export-check.npz"), x=x.numpy(), logits=ref[:, :8], ctr=ref[:, 8:9], chest=ref[:, 9:10])


# ----------------------------------------------------------------------------------------------
# evaluation

def auroc(score, y):
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    y = np.asarray(y).astype(bool)
    pos, neg = score[y], score[~y]
    if len(pos) == 0 or len(neg) == 0:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allv = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):  # average ranks over ties
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i:j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    return float((r[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def youden_threshold(prob, y):
    """The probability threshold that maximizes Youden's J (sensitivity + specificity - 1), searched on a
    grid of logits (-9 .. 9, step 0.05); where J is maximal over a range (well-separated classes), the
    middle of the widest such range, so the threshold is not pressed against the lowest positive."""
    y = y.astype(bool)
    grid = np.arange(-9.0, 9.0001, 0.05)
    logit = np.log(np.clip(prob, 1e-7, 1 - 1e-7) / (1 - np.clip(prob, 1e-7, 1 - 1e-7)))
    j = np.array([((logit >= t) & y).sum() / max(y.sum(), 1) + ((logit < t) & ~y).sum() / max((~y).sum(), 1) - 1
                  for t in grid])
    best = j >= j.max() - 1e-12
    runs, start = [], None
    for i, b in enumerate(list(best) + [False]):
        if b and start is None:
            start = i
        elif not b and start is not None:
            runs.append((i - start, start, i - 1))
            start = None
    _, lo, hi = max(runs)
    return float(1 / (1 + math.exp(-(grid[lo] + grid[hi]) / 2)))


def fmt(v):
    return "n/a" if v is None else f"{v:.3f}"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def occlusion(model, x, grid=HEATMAP_GRID):
    """The appliance's occlusion map (VisionEngine.Occlusion): patches of 2 strides (stride = side / grid)
    filled with the input's mean, the logit's fall averaged over the patches covering each pixel.
    x: [1, 1, S, S]; returns drop [K, S, S] for all labels at once."""
    s = x.shape[-1]
    stride = max(1, round(s / grid))
    patch = min(s, 2 * stride)
    starts = list(range(0, s - patch + 1, stride))
    if starts[-1] + patch < s:
        starts.append(s - patch)
    fill = float(x.mean())
    pos = [(r, c) for r in starts for c in starts]
    batch = x.repeat(len(pos), 1, 1, 1)
    for k, (r, c) in enumerate(pos):
        batch[k, :, r:r + patch, c:c + patch] = fill
    with torch.no_grad():
        base = model(x)[0][0]
        occl = model(batch)[0]
    fall = (base.unsqueeze(0) - occl).numpy()        # [P, K]
    total = np.zeros((len(LABELS), s, s))
    count = np.zeros((s, s))
    for k, (r, c) in enumerate(pos):
        total[:, r:r + patch, c:c + patch] += fall[k][:, None, None]
        count[r:r + patch, c:c + patch] += 1
    return total / np.maximum(count, 1), stride, patch


def load_image_file(path):
    """A file as the appliance's decoders present it: display values in [0, 1], colour as the channel mean.
    DICOM (JPEG baseline here) is decoded with dcmtk's dcmj2pnm (8-bit, the file's own values)."""
    from PIL import Image
    if path.endswith(".dcm"):
        tmp = os.path.join("/tmp", "chest-eval-" + os.path.basename(path) + ".png")
        subprocess.run(["dcmj2pnm", "--write-png", path, tmp], check=True, capture_output=True)
        path = tmp
    im = Image.open(path)
    arr = np.asarray(im).astype(np.float32)
    if arr.ndim == 3:
        arr = arr[..., :3].mean(axis=-1)
    scale = 65535.0 if im.mode in ("I;16", "I;16B", "I") else 255.0
    return arr / scale


def resize_for_model(grey):
    """Stretch to 128 x 128: area averaging when shrinking (OpenCV INTER_AREA), bilinear when enlarging."""
    from PIL import Image
    h, w = grey.shape
    im = Image.fromarray(grey.astype(np.float32), mode="F")
    shrinking = w > SIDE or h > SIDE
    im = im.resize((SIDE, SIDE), Image.BOX if shrinking else Image.BILINEAR)
    return np.clip(np.asarray(im, dtype=np.float32), 0, 1)


def stage_eval(build, out, samples_dir):
    setup_torch()
    model, ck = load_model(build)
    metrics = {"model": "chest-demo", "status": "DEMONSTRATION model trained on synthetic phantoms, NOT a clinical model",
               "labels": LABELS, "input": {"name": "image", "shape": [None, 1, SIDE, SIDE], "range": [0, 1]},
               "parameters": ck["params"], "training_steps": ck["steps"]}  # no wall times: the file is byte-reproducible

    # thresholds on the validation split (training ranges, other seeds)
    val = load(build, "val")
    vchest = val["chest"] == 1
    vl, vc, vg = predict(model, to_tensor(val["images"]))
    vp = sigmoid(vl[vchest])
    thresholds = {lab: youden_threshold(vp[:, k], val["labels"][vchest][:, k]) for k, lab in enumerate(LABELS)}
    metrics["thresholds"] = {"chosen_on": f"validation split ({int(vchest.sum())} phantoms, training ranges, other seeds), "
                                          "Youden's J", "values": thresholds, "gate": 0.5}
    metrics["validation"] = {"auroc": {lab: auroc(vp[:, k], val["labels"][vchest][:, k]) for k, lab in enumerate(LABELS)},
                             "ctr_mae": float(np.abs(vc[vchest] - val["ctr"][vchest]).mean())}

    # held-out phantoms
    ho = load(build, "heldout")
    with open(os.path.join(build, "heldout.truth.json")) as f:
        truth = json.load(f)
    hchest = ho["chest"] == 1
    nh = int(hchest.sum())
    xh = to_tensor(ho["images"])
    hl, hc, hg = predict(model, xh)
    y = ho["labels"][hchest]
    p = sigmoid(hl[hchest])
    per = {}
    for k, lab in enumerate(LABELS):
        t = thresholds[lab]
        pred = p[:, k] >= t
        pos = y[:, k] == 1
        per[lab] = {"auroc": auroc(p[:, k], y[:, k]), "positives": int(pos.sum()),
                    "sensitivity": float((pred & pos).sum() / max(pos.sum(), 1)),
                    "specificity": float((~pred & ~pos).sum() / max((~pos).sum(), 1))}
    # laterality: a finding on exactly one side; right when that side's probability is the higher one,
    # and (strict) when that side is called positive and the other not
    lat_total = lat_higher = lat_strict = 0
    for l_lab, r_lab in LATERAL:
        kl, kr = LABELS.index(l_lab), LABELS.index(r_lab)
        for i in range(nh):
            if y[i, kl] + y[i, kr] != 1:
                continue
            ks, ko = (kl, kr) if y[i, kl] else (kr, kl)
            lat_total += 1
            lat_higher += p[i, ks] > p[i, ko]
            lat_strict += (p[i, ks] >= thresholds[LABELS[ks]]) and (p[i, ko] < thresholds[LABELS[ko]])
    ctr_err = np.abs(hc[hchest] - ho["ctr"][hchest])
    # nodule laterality (not an output of its own): which half of the image the occlusion peak is in
    log(f"eval: held-out {nh} phantoms: AUROC " + ", ".join(f"{k} {fmt(v['auroc'])}" for k, v in per.items()))

    # pointing: occlusion map of each positive finding, its peak inside the ground-truth region
    t0 = time.time()
    masks = ho["masks"]
    hits = {lab: [0, 0, 0] for lab in LABELS}    # inside mask, inside box, total
    nod_side = [0, 0]
    stride = patch = None
    for i in range(nh):
        labs = [k for k in range(len(LABELS)) if y[i, k]]
        if not labs:
            continue
        drop, stride, patch = occlusion(model, xh[i:i + 1])
        for k in labs:
            mk = masks[i, k]
            if mk.sum() == 0:
                continue
            r, c = np.unravel_index(np.argmax(drop[k]), drop[k].shape)
            rows = np.where(mk.any(axis=1))[0]
            cols = np.where(mk.any(axis=0))[0]
            hits[LABELS[k]][0] += bool(mk[r, c])
            hits[LABELS[k]][1] += bool(rows[0] <= r <= rows[-1] and cols[0] <= c <= cols[-1])
            hits[LABELS[k]][2] += 1
            if LABELS[k] == "nodule":
                f = [f for f in truth[i]["findings"] if f["label"] == "nodule"][0]
                peak_side = "left" if c >= SIDE / 2 else "right"   # the patient's left is the image right
                nod_side[0] += peak_side == f["laterality"]
                nod_side[1] += 1
    tot = sum(h[2] for h in hits.values())
    pointing = {"method": f"occlusion as the appliance computes it (grid {HEATMAP_GRID}: patch {patch} px, stride {stride} px "
                          f"on the {SIDE} x {SIDE} input, filled with the input's mean; the label's logit fall averaged "
                          "over the patches covering each pixel); the peak pixel inside the ground-truth region mask "
                          "(and, looser, inside its bounding box)",
                "overall_mask": sum(h[0] for h in hits.values()) / max(tot, 1),
                "overall_box": sum(h[1] for h in hits.values()) / max(tot, 1), "findings": tot,
                "per_label": {lab: {"mask": h[0] / max(h[2], 1), "box": h[1] / max(h[2], 1), "n": h[2]} for lab, h in hits.items()},
                "nodule_side_from_peak": nod_side[0] / max(nod_side[1], 1)}
    log(f"eval: pointing {pointing['overall_mask']:.3f} (mask), {pointing['overall_box']:.3f} (box) over {tot} findings "
        f"in {time.time() - t0:.0f} s")

    metrics["heldout"] = {
        "phantoms": nh,
        "differs_by": "patient size, exposure, tone curve, rotation, CTR and every finding size drawn from ranges the "
                      "training never saw (phantoms.SPLITS['heldout']); nodules at lung positions the training never saw",
        "per_label": per,
        "mean_auroc": float(np.mean([v["auroc"] for v in per.values() if v["auroc"] is not None])),
        "laterality": {"findings": lat_total, "correct_side_higher": lat_higher / max(lat_total, 1),
                       "correct_side_called_and_other_not": lat_strict / max(lat_total, 1),
                       "what": "held-out effusions, pneumothoraces and consolidations on exactly one side"},
        "ctr_mae": float(ctr_err.mean()), "ctr_median_abs_error": float(np.median(ctr_err)),
        "cardiomegaly_from_ctr_output_accuracy": float(((hc[hchest] > 0.5) == (ho["ctr"][hchest] > 0.5)).mean()),
        "pointing": pointing,
    }

    # the gate
    gate = {}
    gate["heldout_phantoms_refused"] = int((sigmoid(hg[hchest]) < 0.5).sum())
    gate["heldout_phantoms"] = nh
    neg = ~hchest
    kinds = ho["kinds"][neg]
    refused = sigmoid(hg[neg]) < 0.5
    gate["heldout_nonchest_refused"] = int(refused.sum())
    gate["heldout_nonchest"] = int(neg.sum())
    gate["heldout_nonchest_by_kind"] = {k: f"{int(refused[kinds == k].sum())}/{int((kinds == k).sum())}" for k in sorted(set(kinds))}
    fixed = {"blank black": np.zeros((SIDE, SIDE)), "blank white": np.ones((SIDE, SIDE)),
             "blank grey": np.full((SIDE, SIDE), 0.5),
             "uniform noise": np.random.default_rng(1).uniform(0, 1, (SIDE, SIDE)),
             "gaussian noise": np.clip(np.random.default_rng(2).normal(0.5, 0.2, (SIDE, SIDE)), 0, 1)}
    inputs = {}
    for name, arr in fixed.items():
        inputs[name] = arr.astype(np.float32)
    for name in NONCHEST_SAMPLES + REAL_SAMPLES:
        path = os.path.join(samples_dir, name)
        if os.path.exists(path):
            try:
                inputs[name] = resize_for_model(load_image_file(path))
            except Exception as e:  # noqa: BLE001 - reported, not fatal
                log(f"eval: cannot read {path}: {e}")
    obs = {}
    for name, arr in inputs.items():
        lg, c, gl = predict(model, torch.from_numpy(arr[None, None]))
        pr = sigmoid(lg[0])
        obs[name] = {"chest_probability": round(float(sigmoid(gl[0])), 4), "refused": bool(sigmoid(gl[0]) < 0.5),
                     "ctr": round(float(c[0]), 3),
                     "probabilities": {lab: round(float(v), 4) for lab, v in zip(LABELS, pr)},
                     "called": [lab for lab, v in zip(LABELS, pr) if v >= thresholds[lab]]}
    others = [k for k in obs if k not in REAL_SAMPLES]
    gate["other_inputs"] = {k: {"chest_probability": obs[k]["chest_probability"], "refused": obs[k]["refused"]} for k in others}
    gate["other_inputs_refused"] = sum(obs[k]["refused"] for k in others)
    gate["other_inputs_tried"] = len(others)
    gate["how"] = ("the model's `chest` output (a logit), trained with generated non-chest negatives (photo-like "
                   "textures, colour blobs in grey, MNIST-like strokes, blank, noise, gradients, text-like pages, "
                   "shapes, stripes, fractal textures); refused when sigmoid(chest) < 0.5")
    metrics["gate"] = gate
    metrics["real_radiographs"] = {
        "note": "observed only, no claim: the model has never seen a real radiograph; files from the project's shared "
                "samples (not committed), decoded as the appliance does (grey = channel mean, [0, 1]), stretched to "
                "128 x 128 with area interpolation; the SIIM DICOM (JPEG baseline) decoded with dcmtk's dcmj2pnm",
        "results": {k: obs[k] for k in REAL_SAMPLES if k in obs}}
    log("eval: gate: held-out phantoms refused %d/%d, held-out non-chest refused %d/%d, other inputs refused %d/%d"
        % (gate["heldout_phantoms_refused"], nh, gate["heldout_nonchest_refused"], gate["heldout_nonchest"],
           gate["other_inputs_refused"], gate["other_inputs_tried"]))
    for k in REAL_SAMPLES:
        if k in obs:
            log(f"eval: {k}: chest {obs[k]['chest_probability']}, ctr {obs[k]['ctr']}, called {obs[k]['called']}")
    os.makedirs(out, exist_ok=True)
    for name in ("model.onnx", "model.pt"):
        path = os.path.join(out, name)
        if os.path.exists(path):
            metrics.setdefault("files", {})[name] = {"bytes": os.path.getsize(path), "sha256": sha256(path)}
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=False)
        f.write("\n")
    log(f"eval: wrote {os.path.join(out, 'metrics.json')}")
    return metrics


# measured on the 2-core development machine (rebuild.sh, whole pipeline); see the README
REBUILD_MEASURED = ("22 min 11 s for the whole rebuild.sh on the 2-core development machine (phantoms 9.5 min: 20,000 "
                    "training + 2,000 validation + 600 held-out at 256 x 256 on two processes; training 9.9 min, "
                    "7 epochs; export and evaluation 2.7 min, the occlusion maps most of it; samples 3 s)")
DETERMINISM = ("two full rebuilds gave byte-identical phantom data sets, training losses, trained weights, "
               "model.onnx, metrics.json and samples; model.pt's tensors are identical but its bytes also hold "
               "TorchScript debug information (the exporting script's path, line numbers and source), so they "
               "repeat only for the same train_chest.py at the same path.")


def stage_readme(out):
    """OUT/README.md from metrics.json and samples/samples.json."""
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    samples = None
    sj = os.path.join(out, "samples", "samples.json")
    if os.path.exists(sj):
        with open(sj) as f:
            samples = json.load(f)
    h = m["heldout"]
    g = m["gate"]
    L = []
    L.append("# chest-demo: MedEdge's demonstration chest radiograph model")
    L.append("")
    L.append("**A DEMONSTRATION model trained on synthetic phantoms, NOT a clinical model.** It has never seen a real "
             "radiograph. It exists so that a fresh appliance, with no production chest X-ray model installed, can run "
             "the imaging path end to end (decode, gate, findings with laterality, the cardiothoracic ratio, heatmaps). "
             "Its numbers below are on synthetic held-out phantoms and say nothing about real patients.")
    L.append("")
    L.append("## What it is")
    L.append("")
    L.append(f"- A small CNN ({m['parameters']:,} parameters) trained from scratch with Debian's python3-torch on "
             "synthetic frontal (PA) chest radiograph phantoms generated by `../chest/phantoms.py` (body, lungs, heart "
             "and mediastinum, diaphragm domes and costophrenic angles, ribs, clavicles, lung markings; exposure, "
             "noise, blur, rotation, magnification, patient size, 8/12/16-bit) with findings placed by construction, "
             "and on generated non-chest images for its gate.")
    L.append("- `model.onnx` (opset 13, dynamic batch) and `model.pt` (TorchScript, traced, for the DJL PyTorch backend): "
             "the same network and the same output.")
    L.append("")
    L.append("## Contract")
    L.append("")
    L.append(f"- input `image`: float32 `[N, 1, {SIDE}, {SIDE}]` in [0, 1]. Preprocessing the appliance does: decode "
             "to the display image (DICOM: modality LUT, VOI window, MONOCHROME1 inverted by the decoder so that bone "
             "is bright; 8-bit files / 255, 16-bit PNG / 65535; colour as the mean of the channels), then stretch "
             f"(no crop, no letterbox) to {SIDE} x {SIDE} with area interpolation when shrinking (bilinear when "
             "enlarging); no further inversion, no mean/std normalization, no CLAHE.")
    L.append(f"- output `scores` `[N, {len(LABELS) + 2}]` (one output, so that every backend reads it the same way), columns:")
    L.append(f"  - 0..{len(LABELS) - 1}: sigmoid logits, in this order: " + ", ".join(f"`{x}`" for x in LABELS)
             + ". Left/right are the PATIENT's (on a PA image the patient's left is the image right).")
    L.append(f"  - {len(LABELS)}: the cardiothoracic ratio (a plain ratio, unit 1; cardiomegaly when > 0.5).")
    L.append(f"  - {len(LABELS) + 1}: the gate, a logit: is this a frontal chest radiograph. Refuse the input when "
             "sigmoid < 0.5.")
    L.append("- per-label operating thresholds (chosen on the validation split, Youden's J; in `metrics.json`): "
             + ", ".join(f"{k} {v:.3f}" for k, v in m["thresholds"]["values"].items()) + ".")
    L.append("")
    L.append("## Rebuild")
    L.append("")
    L.append("    firmware-scripts/models/demo/chest/rebuild.sh")
    L.append("")
    L.append("Needs only Debian packages: `python3-torch python3-numpy libopenblas0-pthread python3-onnx python3-pil`, "
             "and `dcmtk` (to decode the real JPEG DICOM sample that is observed and to check the DICOMs written). "
             "Intermediate files go to `firmware-scripts/models/demo/build/chest/` (ignored). "
             f"Time: {REBUILD_MEASURED}. Determinism: {DETERMINISM}")
    L.append("")
    L.append(f"## Held-out evaluation ({h['phantoms']} phantoms)")
    L.append("")
    L.append("The held-out split differs by more than the seed: " + h["differs_by"] + ". Thresholds come from a "
             "separate validation split (training ranges, other seeds).")
    L.append("")
    L.append("| label | AUROC | positives | sensitivity | specificity | pointing (peak in mask / in box) |")
    L.append("|---|---|---|---|---|---|")
    for lab in LABELS:
        v = h["per_label"][lab]
        pt = h["pointing"]["per_label"][lab]
        L.append(f"| {lab} | {fmt(v['auroc'])} | {v['positives']} | {v['sensitivity']:.3f} | {v['specificity']:.3f} | "
                 f"{pt['mask']:.3f} / {pt['box']:.3f} (n={pt['n']}) |")
    L.append("")
    L.append(f"- mean AUROC {h['mean_auroc']:.3f}")
    L.append(f"- laterality ({h['laterality']['findings']} one-sided effusions, pneumothoraces, consolidations): the "
             f"correct side scores higher in {h['laterality']['correct_side_higher']:.3f}; the correct side is called and "
             f"the other not in {h['laterality']['correct_side_called_and_other_not']:.3f}")
    L.append(f"- CTR mean absolute error {h['ctr_mae']:.4f} (median {h['ctr_median_abs_error']:.4f}); "
             f"cardiomegaly read from the CTR output (> 0.5) right in {h['cardiomegaly_from_ctr_output_accuracy']:.3f}")
    L.append(f"- pointing: {h['pointing']['overall_mask']:.3f} of {h['pointing']['findings']} positive findings have the "
             f"heatmap peak inside the ground-truth region ({h['pointing']['overall_box']:.3f} inside its box). "
             + h["pointing"]["method"] + ".")
    L.append("")
    L.append("## The gate (`chest` output)")
    L.append("")
    L.append(f"- {g['how']}.")
    L.append(f"- held-out phantoms wrongly refused: {g['heldout_phantoms_refused']} of {g['heldout_phantoms']}")
    L.append(f"- held-out generated non-chest images refused: {g['heldout_nonchest_refused']} of {g['heldout_nonchest']} ("
             + ", ".join(f"{k} {v}" for k, v in g["heldout_nonchest_by_kind"].items()) + ")")
    L.append(f"- other inputs refused: {g['other_inputs_refused']} of {g['other_inputs_tried']}: "
             + ", ".join(f"{k} {v['chest_probability']:.3f}{'' if v['refused'] else ' (NOT refused)'}" for k, v in g["other_inputs"].items())
             + " (sigmoid(chest); the photos and MNIST digits are the project's shared samples, never trained on)")
    L.append("")
    L.append("## Real radiographs (observed, no claim)")
    L.append("")
    L.append(m["real_radiographs"]["note"] + ".")
    L.append("")
    L.append("| file | chest (gate) | CTR | called (at the thresholds) |")
    L.append("|---|---|---|---|")
    for k, v in m["real_radiographs"]["results"].items():
        L.append(f"| {k} | {v['chest_probability']:.3f}{' refused' if v['refused'] else ''} | {v['ctr']:.3f} | "
                 f"{', '.join(v['called']) or 'none'} |")
    L.append("")
    if samples:
        L.append("## Test inputs (`samples/`)")
        L.append("")
        L.append("Held-out phantoms written as files, ground truth in `samples/samples.json` (boxes in the file's "
                 "pixels). " + samples["note"])
        L.append("")
        for e in samples["samples"]:
            kind = (f"DICOM {e['modality']} {e['photometric']} {e['bits_stored']}-bit" if e["format"] == "dicom"
                    else f"PNG {e['bit_depth']}-bit")
            L.append(f"- `{e['file']}`: {kind}, {e['columns']} x {e['rows']}, {e['pixel_spacing_mm']} mm; truth: "
                     + (", ".join(f['label'] for f in e['findings']) or "no finding") + f", CTR {e['ctr']}; model: "
                     + (", ".join(e['model_output']['called']) or "nothing called") + f", CTR {e['model_output']['ctr']}")
        L.append("")
    q8 = os.path.join(out, "int8-metrics.json")
    if os.path.exists(q8):
        with open(q8) as f:
            q = json.load(f)
        qh = q["heldout"]
        L.append("## int8 version (`model-int8.onnx`, catalog `chest-demo-int8`)")
        L.append("")
        L.append(f"- {q['quantization']} (`../chest/quantize_int8.py`): {q['bytes']:,} bytes instead of {q['floatBytes']:,}. "
                 "Not the int8 arithmetic path (QLinearConv): without VNNI, ONNX Runtime's u8 x s8 kernels can saturate, "
                 "so findings could change with the processor; and it would not be faster on a model that runs in under "
                 "a millisecond. Use it where storage is short; the float model is the default.")
        L.append(f"- held-out phantoms, float vs int8: mean AUROC {qh['float']['meanAuroc']} vs {qh['int8']['meanAuroc']}, CTR "
                 f"MAE {qh['float']['ctrMae']} vs {qh['int8']['ctrMae']}; label calls that differ at the thresholds: "
                 f"{qh['callsThatDiffer']}; gate decisions that differ: {qh['gateDecisionsThatDiffer']}; largest probability "
                 f"difference {qh['maxAbsDiffProbabilities']:.3f} (largest difference on any output column, logits and gate "
                 f"included, {qh['maxAbsDiffAllColumns']:.2f}). Evaluated by a PyTorch interpreter of the two ONNX graphs "
                 "that reproduces metrics.json for the float one; the appliance's own engine is compared on the samples "
                 "by vision's ChestDemoInt8Test.")
        L.append("")
    L.append("## Limits (read before relying on anything above)")
    L.append("")
    L.append("- Synthetic and easy: most held-out labels are near AUROC 1 because the phantoms are simple; that is a "
             "property of the generator, not evidence about radiographs.")
    L.append("- Nodules are weak (see the table: low specificity at the validation threshold, the heatmap peak rarely "
             "on the nodule): 10-34 mm nodules are 3-10 pixels at 128 x 128 among rib crossings and vessels.")
    L.append("- Pointing is low for effusions: the peak tends to sit on the dome / costophrenic region next to the "
             "fluid mask rather than inside it.")
    L.append("- On real radiographs the findings are meaningless (it calls consolidation and a nodule on the "
             "no-finding image), and the gate is not reliable for them: a real chest radiograph can be refused.")
    L.append("- Thresholds come from a validation split on which most labels separate almost perfectly, so they sit "
             "wherever the widest optimal range is and can be far from 0.5.")
    L.append("- Checked: ONNX Runtime (Java 1.29) and DJL's PyTorch 2.7.1 engine reproduce the PyTorch outputs on 5 "
             "random inputs (max |difference| below 2e-5).")
    L.append("")
    L.append("## Files")
    L.append("")
    for k, v in m.get("files", {}).items():
        L.append(f"- `{k}`: {v['bytes']} bytes, sha256 `{v['sha256']}`")
    L.append("")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(L))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", nargs="?", default="all", choices=["all", "data", "train", "export", "eval", "readme"])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "chest"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "chest-demo"))
    ap.add_argument("--samples", default=os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "samples"),
                    help="the real radiographs and non-chest images to observe (never trained on)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the data counts (for quick checks)")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    a = ap.parse_args()
    build, out = os.path.abspath(a.build), os.path.abspath(a.out)
    t = time.time()
    if a.stage in ("all", "data"):
        stage_data(build, a.scale)
    if a.stage in ("all", "train"):
        stage_train(build, a.epochs)
    if a.stage in ("all", "export"):
        stage_export(build, out)
    if a.stage in ("all", "eval"):
        stage_eval(build, out, os.path.abspath(a.samples))
    if a.stage == "readme":
        stage_readme(out)
    log(f"{a.stage}: {time.time() - t:.0f} s")


if __name__ == "__main__":
    main()
