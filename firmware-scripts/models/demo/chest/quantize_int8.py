#!/usr/bin/python3
"""chest-demo's int8 version: model-int8.onnx from model.onnx, and its held-out evaluation beside the float model's.

    /usr/bin/python3 firmware-scripts/models/demo/chest/quantize_int8.py [--build DIR] [--out DIR]

What "int8" is here: every Conv and Gemm weight is stored as int8, per output channel, symmetric (scale = max|w| / 127,
zero point 0), and a DequantizeLinear node gives the float weight back when the session is created; activations and the
arithmetic stay fp32. So the file is about a quarter of the float model's size and the answers are the float model's
up to the weights' rounding (and fp32's last bits), with no processor-dependent int8 kernel. It is NOT the int8 arithmetic path (QLinearConv /
ConvInteger): on processors without VNNI, ONNX Runtime's u8 x s8 kernels can saturate 16-bit sums, so the same image
could give different findings by processor, which this project treats as a defect; on a 0.5 M-parameter CNN the
arithmetic path would also gain little (the float model runs in under a millisecond).

Evaluation: the held-out phantoms (phantoms.SPLITS['heldout'], the same 600 + 600 non-chest images train_chest.py
evaluates on, regenerated deterministically if the build has none) run through both graphs with a small ONNX
interpreter in PyTorch (the nine operators these graphs use); the float graph's numbers must reproduce metrics.json's.
Writes OUT/model-int8.onnx and OUT/int8-metrics.json.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phantoms  # noqa: E402
import train_chest as tc  # noqa: E402


def quantize(model):
    """A copy of the graph with int8 per-channel weights behind DequantizeLinear nodes (weights of Conv and Gemm)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    weights = {n.input[1] for n in g.node if n.op_type in ("Conv", "Gemm")}
    for n in g.node:
        if n.op_type == "Gemm":
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            assert attrs.get("transB", 0) == 1, "a Gemm weight is expected as [out, in] (transB = 1)"
    keep, dq = [], []
    for init in g.initializer:
        w = numpy_helper.to_array(init)
        if init.name not in weights or w.dtype != np.float32:
            keep.append(init)
            continue
        flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        scale = np.where(flat > 0, flat / 127.0, 1.0).astype(np.float32)
        q = np.clip(np.rint(w / scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
        keep += [numpy_helper.from_array(q, init.name + ".int8"), numpy_helper.from_array(scale, init.name + ".scale"),
                 numpy_helper.from_array(np.zeros(w.shape[0], np.int8), init.name + ".zero")]
        dq.append(helper.make_node("DequantizeLinear", [init.name + ".int8", init.name + ".scale", init.name + ".zero"],
                                   [init.name], axis=0, name="dq_" + init.name))
    del g.initializer[:]
    g.initializer.extend(keep)
    nodes = dq + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    return m


class Interpreter:
    """Runs these graphs' operators with PyTorch (fp32), in graph order."""

    def __init__(self, model):
        self.g = model.graph
        self.inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in self.g.initializer}

    @torch.no_grad()
    def run(self, x):
        v = dict(self.inits)
        v[self.g.input[0].name] = x
        for n in self.g.node:
            a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
            i = [v[k] if k else None for k in n.input]
            op = n.op_type
            if op == "DequantizeLinear":
                shape = (-1,) + (1,) * (i[0].dim() - 1)
                out = (i[0].to(torch.float32) - i[2].to(torch.float32).reshape(shape)) * i[1].reshape(shape)
            elif op == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                assert pads[0] == pads[2] and pads[1] == pads[3]
                out = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=tuple(a.get("strides", [1, 1])),
                               padding=(pads[0], pads[1]), dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))
            elif op == "Relu":
                out = torch.relu(i[0])
            elif op == "MaxPool":
                pads = a.get("pads", [0, 0, 0, 0])
                out = F.max_pool2d(i[0], tuple(a["kernel_shape"]), tuple(a.get("strides", a["kernel_shape"])), (pads[0], pads[1]))
            elif op == "Flatten":
                out = torch.flatten(i[0], a.get("axis", 1))
            elif op == "Gemm":
                out = i[0] @ (i[1].t() if a.get("transB", 0) else i[1]) * a.get("alpha", 1.0) + (i[2] * a.get("beta", 1.0) if len(i) > 2 else 0)
            elif op in ("Add", "Mul"):
                out = i[0] + i[1] if op == "Add" else i[0] * i[1]
            elif op == "Concat":
                out = torch.cat(i, a["axis"])
            elif op == "Constant":
                out = torch.from_numpy(numpy_helper.to_array(a["value"]).copy())
            else:
                raise ValueError(f"operator {op} is not interpreted")
            v[n.output[0]] = out
        return v[self.g.output[0].name]


def evaluate(interp, ho, thresholds):
    x = tc.to_tensor(ho["images"])
    s = torch.cat([interp.run(x[k:k + 200]) for k in range(0, len(x), 200)]).numpy()
    chest = ho["chest"] == 1
    p = tc.sigmoid(s[chest, :8])
    y = ho["labels"][chest]
    au = {lab: tc.auroc(p[:, k], y[:, k]) for k, lab in enumerate(tc.LABELS)}
    calls = np.stack([p[:, k] >= thresholds[lab] for k, lab in enumerate(tc.LABELS)], 1)
    gate = tc.sigmoid(s[:, 9])
    return s, calls, {"aurocByLabel": {k: round(v, 4) for k, v in au.items()},
                      "meanAuroc": round(float(np.mean(list(au.values()))), 4),
                      "ctrMae": round(float(np.abs(s[chest, 8] - ho["ctr"][chest]).mean()), 4),
                      "heldoutPhantomsRefused": int((gate[chest] < 0.5).sum()),
                      "heldoutNonChestRefused": f"{int((gate[~chest] < 0.5).sum())} of {int((~chest).sum())}"}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "chest"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "chest-demo"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    src = onnx.load(os.path.join(a.out, "model.onnx"))
    q = quantize(src)
    dst = os.path.join(a.out, "model-int8.onnx")
    onnx.save(q, dst)
    tc.log(f"int8: {dst} ({os.path.getsize(dst)} bytes, sha256 {sha256(dst)}); float {os.path.getsize(os.path.join(a.out, 'model.onnx'))} bytes")
    held = os.path.join(a.build, "heldout.npz")
    if not os.path.isfile(held):
        os.makedirs(a.build, exist_ok=True)
        tc.log("int8: regenerating the held-out phantoms")
        phantoms.build_dataset("heldout", tc.COUNTS["heldout"], held, tc.SIDE, tc.RENDER,
                               nonchest=tc.COUNTS["heldout_nonchest"], workers=2, masks=True)
    ho = tc.load(a.build, "heldout")
    with open(os.path.join(a.out, "metrics.json")) as f:
        metrics = json.load(f)
    thresholds = metrics["thresholds"]["values"]
    sf, cf, mf = evaluate(Interpreter(src), ho, thresholds)
    sq, cq, mq = evaluate(Interpreter(q), ho, thresholds)
    # the interpreter is checked against train_chest.py's evaluation of the same graph
    reproduces = abs(mf["meanAuroc"] - metrics["heldout"]["mean_auroc"]) < 1e-3 and abs(mf["ctrMae"] - metrics["heldout"]["ctr_mae"]) < 1e-3
    if not reproduces:
        sys.exit(f"the float graph gives mean AUROC {mf['meanAuroc']} and CTR MAE {mf['ctrMae']}, metrics.json says "
                 f"{metrics['heldout']['mean_auroc']:.4f} and {metrics['heldout']['ctr_mae']:.4f}: interpreter or data differ")
    out = {"file": "model-int8.onnx", "bytes": os.path.getsize(dst), "sha256": sha256(dst),
           "floatBytes": os.path.getsize(os.path.join(a.out, "model.onnx")),
           "quantization": "Conv and Gemm weights int8 per output channel, symmetric (max|w|/127), DequantizeLinear at "
                           "load; activations and arithmetic fp32",
           "heldout": {"float": mf, "int8": mq,
                       "maxAbsDiffAllColumns": float(np.abs(sf - sq).max()),
                       "maxAbsDiffProbabilities": float(np.abs(tc.sigmoid(sf[:, :8]) - tc.sigmoid(sq[:, :8])).max()),
                       "callsThatDiffer": f"{int((cf != cq).sum())} of {cf.size} (label x phantom, at metrics.json's thresholds)",
                       "gateDecisionsThatDiffer": int(((tc.sigmoid(sf[:, 9]) < 0.5) != (tc.sigmoid(sq[:, 9]) < 0.5)).sum())},
           "floatReproducesMetricsJson": reproduces}
    with open(os.path.join(a.out, "int8-metrics.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    tc.log(f"int8: {time.time() - t0:.0f} s; " + json.dumps(out["heldout"]))


if __name__ == "__main__":
    main()
