#!/usr/bin/python3
"""Builds the project's own tiny imaging demo model: a 4-layer CNN that finds a bright disc and a
horizontal bar in 64x64 greyscale images, trained here on synthetic images (no outside data, no
outside weights). It exists so that the imaging engine's backends can be compared on the same
model and input (ONNX Runtime vs PyTorch TorchScript vs TensorRT) and so that occlusion heatmaps
can be checked against a known location. It is NOT a clinical model.

Writes shapes-cnn/model.onnx (opset 13, dynamic batch) and shapes-cnn/model.pt (TorchScript),
then prints their sha256 for firmware-scripts/models/catalog.yaml.

    /usr/bin/python3 firmware-scripts/vision/build-shapes-cnn.py   (Debian python3-torch 1.13, python3-onnx)
"""
import hashlib
import os

import numpy as np
import torch
import torch.nn as nn

SIZE = 64
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes-cnn")


def make_batch(rng, n):
    """Synthetic images in [0, 1]: noisy dark background, a disc and/or a bar, each with p = 0.5."""
    x = rng.uniform(0.0, 0.15, size=(n, 1, SIZE, SIZE)).astype(np.float32)
    y = np.zeros((n, 2), dtype=np.float32)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    for i in range(n):
        if rng.random() < 0.5:
            r = rng.uniform(4, 10)
            cx, cy = rng.uniform(r, SIZE - r, size=2)
            x[i, 0][(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = rng.uniform(0.6, 1.0)
            y[i, 0] = 1
        if rng.random() < 0.5:
            length, thick = int(rng.integers(20, 44)), int(rng.integers(3, 6))
            x0, y0 = int(rng.integers(0, SIZE - length)), int(rng.integers(0, SIZE - thick))
            x[i, 0, y0:y0 + thick, x0:x0 + length] = rng.uniform(0.6, 1.0)
            y[i, 1] = 1
    x += rng.normal(0, 0.03, size=x.shape).astype(np.float32)
    return torch.from_numpy(np.clip(x, 0, 1)), torch.from_numpy(y)


class ShapesCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, (1, 7), padding=(0, 3)), nn.ReLU())
        self.head = nn.Linear(16, 2)

    def forward(self, x):
        f = self.features(x)
        return self.head(torch.amax(f, dim=(2, 3)))  # logits; the engine applies the sigmoid


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = ShapesCnn()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    for step in range(1500):
        x, y = make_batch(rng, 64)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if step % 250 == 0:
            print(f"step {step} loss {loss.item():.4f}")
    model.eval()
    x, y = make_batch(np.random.default_rng(1), 1000)
    with torch.no_grad():
        acc = ((model(x) > 0).float() == y).float().mean(dim=0)
    print(f"held-out accuracy: disc {acc[0]:.3f}, bar {acc[1]:.3f}")

    os.makedirs(OUT, exist_ok=True)
    example = torch.zeros(1, 1, SIZE, SIZE)
    torch.onnx.export(model, example, os.path.join(OUT, "model.onnx"), opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    torch.jit.trace(model, example).save(os.path.join(OUT, "model.pt"))
    for name in ("model.onnx", "model.pt"):
        with open(os.path.join(OUT, name), "rb") as f:
            data = f.read()
        print(f"{name}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
