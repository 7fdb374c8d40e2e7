#!/usr/bin/env python3
"""Exports torchxrayvision's DenseNet121 "densenet121-res224-all" to ONNX for MedEdge.

Run once, on a workstation with internet access (the weights are downloaded by torchxrayvision):

    pip install torchxrayvision onnx onnxruntime
    python3 firmware-scripts/vision/export-xrv-densenet.py --out mirror/xrv-densenet121-res224-all/model.onnx \
        --check-image ../shared/samples/cxr-nih-00000001_000-cardiomegaly.png

The ONNX graph outputs the 18 logits (no sigmoid, no operating-point normalization): MedEdge applies
the sigmoid and compares with torchxrayvision's published operating points (op_threshs) as per-label
thresholds, as firmware-scripts/models/manifests/xrv-densenet121-res224-all.yaml declares. The script
refuses to export if torchxrayvision's label order or thresholds differ from that manifest, checks
that the exported graph reproduces torchxrayvision's own output, and prints the sha256 to pin in
firmware-scripts/models/catalog.yaml. See export-xrv-densenet.md.
"""
import argparse
import hashlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

# as in firmware-scripts/models/manifests/xrv-densenet121-res224-all.yaml (order matters)
LABELS = ["Atelectasis", "Consolidation", "Infiltration", "Pneumothorax", "Edema", "Emphysema", "Fibrosis",
          "Effusion", "Pneumonia", "Pleural_Thickening", "Cardiomegaly", "Nodule", "Mass", "Hernia",
          "Lung Lesion", "Fracture", "Lung Opacity", "Enlarged Cardiomediastinum"]
OP_THRESHS = [0.07422872, 0.038290843, 0.09814756, 0.0098118475, 0.023601074, 0.0022490358, 0.010060724,
              0.103246614, 0.056810737, 0.026791653, 0.050318155, 0.023985857, 0.01939503, 0.042889766,
              0.053369623, 0.035975814, 0.20204692, 0.05015312]


class Logits(torch.nn.Module):
    """torchxrayvision's DenseNet forward up to the classifier: features, ReLU, global average pool, linear."""

    def __init__(self, model):
        super().__init__()
        self.features = model.features
        self.classifier = model.classifier

    def forward(self, x):
        f = F.relu(self.features(x))
        return self.classifier(F.adaptive_avg_pool2d(f, (1, 1)).flatten(1))


def xrv_input(path):
    """An image prepared the way torchxrayvision's own examples do: [-1024, 1024], grey, centre crop, 224."""
    import skimage.io
    import torchvision
    import torchxrayvision as xrv
    img = skimage.io.imread(path)
    img = xrv.datasets.normalize(img, 255)
    if img.ndim == 3:
        img = img[:, :, :3].mean(2)
    img = img[None, ...]
    img = torchvision.transforms.Compose([xrv.datasets.XRayCenterCrop(), xrv.datasets.XRayResizer(224)])(img)
    return torch.from_numpy(img[None, ...]).float()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="where to write model.onnx")
    ap.add_argument("--check-image", help="a chest X-ray (PNG/JPEG) to compare torchxrayvision and the export on")
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args()

    import torchxrayvision as xrv
    model = xrv.models.DenseNet(weights="densenet121-res224-all")
    model.eval()
    targets = list(getattr(model, "targets", getattr(model, "pathologies", [])))
    if targets != LABELS:
        sys.exit(f"torchxrayvision's labels differ from the manifest's:\n  {targets}\n  {LABELS}")
    threshs = model.op_threshs.cpu().numpy() if model.op_threshs is not None else None
    if threshs is None or not np.allclose(threshs, OP_THRESHS, rtol=0, atol=1e-7):
        sys.exit(f"torchxrayvision's op_threshs differ from the manifest's: {threshs}")

    net = Logits(model).eval()
    x = xrv_input(a.check_image) if a.check_image else torch.zeros(1, 1, 224, 224)
    with torch.no_grad():
        logits = net(x)
        reference = model(x)  # torchxrayvision: sigmoid, then op_norm with op_threshs (0.5 = operating point)
    p = torch.sigmoid(logits)
    t = torch.tensor(OP_THRESHS)
    ours_positive = p >= t
    theirs_positive = reference >= 0.5
    if not torch.equal(ours_positive, theirs_positive):
        sys.exit("sigmoid(logits) >= op_threshs does not reproduce torchxrayvision's positives")
    normed = torch.where(p < t, p / (t * 2), 1 - (1 - p) / ((1 - t) * 2))
    if not torch.allclose(normed, reference, atol=1e-5):
        sys.exit("the logits do not reproduce torchxrayvision's output")

    torch.onnx.export(net, x, a.out, opset_version=a.opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    import onnx
    onnx.checker.check_model(onnx.load(a.out))
    try:
        import onnxruntime
        got = onnxruntime.InferenceSession(a.out, providers=["CPUExecutionProvider"]).run(None, {"input": x.numpy()})[0]
        diff = float(np.abs(got - logits.numpy()).max())
        print(f"ONNX Runtime vs PyTorch: max |logit difference| {diff:.2e}")
        if diff > 1e-3:
            sys.exit("the ONNX export does not match PyTorch")
    except ImportError:
        print("onnxruntime not installed: export not cross-checked")
    if a.check_image:
        for name, prob, thr, pos in zip(LABELS, p[0].tolist(), OP_THRESHS, ours_positive[0].tolist()):
            print(f"  {name:28s} p={prob:.4f} threshold={thr:.4f} {'POSITIVE' if pos else ''}")
    with open(a.out, "rb") as f:
        data = f.read()
    print(f"{a.out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
