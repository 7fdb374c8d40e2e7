#!/usr/bin/python3
"""Synthetic frontal (PA) chest radiograph phantoms for MedEdge's demonstration chest model.

Deterministic per (split, index): every phantom is drawn from numpy's PCG64 seeded with the split's
seed and the index, so the same call gives the same image and the same ground truth on every run.

The anatomy is built in patient millimetres (u to the image right = the PATIENT'S LEFT on a PA view
displayed in the standard way, v downwards, origin near the carina), as an attenuation map
(line integrals, ~0.02 per mm of soft tissue):
  body outline, neck, shoulders and arms (soft tissue, elliptic cross-section), two lung fields
  (air: they lower the attenuation), heart (an ellipse bulging to the patient's left, i.e. to the
  image right) and mediastinum with the aortic knob and the trachea, two diaphragm domes (the
  patient's right one higher) meeting the chest wall in sharp costophrenic angles, a gastric bubble,
  the spine, posterior and anterior ribs, clavicles, humeral heads, breast shadows, and a vessel tree
  (the lung markings) from each hilum.
Acquisition: quantum noise from an exposure in photons per mm^2, detector blur, a small rotation,
magnification (field of view), patient size, a tone curve with a random window and gamma, optional
edge enhancement, lead markers, and quantization to 8, 12 or 16 bits.
Findings, placed by construction with their ground truth (label, laterality, region mask, box, size):
  cardiomegaly (the cardiothoracic ratio is a drawn parameter: heart width / widest inner thoracic
  width; cardiomegaly = CTR > 0.5), pleural effusion (fluid in the costophrenic recess with a
  meniscus rising laterally, blunting the angle), pneumothorax (a pleural air space along the apex and
  the lateral wall with no lung markings, bounded by a thin visceral pleural line), a solid pulmonary
  nodule (diameter in mm) and consolidation (an ill-defined opacity in one zone of one lung).
Labels, in the model's order: LABELS.

Splits: "train" and "val" share the training ranges (other seeds); "heldout" draws patient size,
exposure, contrast, rotation and every finding size from ranges the training never saw, and nodules
at lung positions the training never saw (SPLITS).

Non-chest images (for the model's "is this a chest radiograph" gate): non_chest() draws photo-like
textures, colour blobs converted to grey, MNIST-like strokes on black, blank images, noise,
gradients, text-like pages, random shapes and stripes.

Writers: write_png() (8/16-bit grey, zlib, no dependency) and write_dicom() (DICOM Part 10, explicit
VR little endian, CR or DX, MONOCHROME1/2, deterministic 2.25.<uuid> UIDs).

Usage:
  phantoms.py dataset --split train --count 24000 --out build/train.npz [--nonchest 6000] [--workers 2]
  phantoms.py preview --split heldout --count 16 --out preview.png
  phantoms.py write --split heldout --index 3 --out x.dcm [--size 512 --bits 16 --mono1]
"""
import argparse
import json
import math
import os
import struct
import sys
import uuid
import zlib

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker: deterministic, no oversubscription
import numpy as np  # noqa: E402

LABELS = ["cardiomegaly", "effusion_left", "effusion_right", "pneumothorax_left", "pneumothorax_right",
          "nodule", "consolidation_left", "consolidation_right"]

MU = 0.02  # attenuation of soft tissue per mm (water-like), the unit of the whole map

# Parameter ranges. Each is a list of intervals, drawn uniformly over their union. The held-out ranges
# are disjoint from the training ones (gaps inside the training range plus both ends beyond it).
SPLITS = {
    "train": {
        "seed": 1001,
        "size": [(0.86, 0.95), (1.01, 1.10)],          # patient size factor
        "log_exposure": [(2.7, 3.3), (3.6, 4.2)],       # log10 photons per mm^2
        "gamma": [(0.75, 0.95), (1.1, 1.35)],           # tone curve exponent
        "rotation": [(-4.0, 4.0)],                      # degrees
        "ctr_normal": [(0.37, 0.44), (0.46, 0.50)],     # CTR of a normal heart
        "ctr_large": [(0.505, 0.54), (0.56, 0.63)],     # CTR of an enlarged heart
        "nodule_mm": [(10.0, 14.0), (17.0, 26.0)],
        "nodule_cells": "even",                         # 3x3 lung-position cells, (row + col) even
        "pneumothorax_mm": [(12.0, 18.0), (24.0, 42.0)],  # rim width at the apex/lateral wall
        "effusion_mm": [(22.0, 35.0), (45.0, 85.0)],    # fluid height above the costophrenic angle
        "consolidation_mm": [(18.0, 26.0), (32.0, 48.0)],  # blob radius
    },
    "heldout": {
        "seed": 7007,
        "size": [(0.80, 0.86), (0.95, 1.01), (1.10, 1.15)],
        "log_exposure": [(2.5, 2.7), (3.3, 3.6), (4.2, 4.4)],
        "gamma": [(0.68, 0.75), (0.95, 1.1), (1.35, 1.45)],
        "rotation": [(-6.0, -4.0), (4.0, 6.0)],
        "ctr_normal": [(0.34, 0.37), (0.44, 0.46)],
        "ctr_large": [(0.54, 0.56), (0.63, 0.69)],
        "nodule_mm": [(14.0, 17.0), (26.0, 32.0)],
        "nodule_cells": "odd",
        "pneumothorax_mm": [(18.0, 24.0), (42.0, 55.0)],
        "effusion_mm": [(35.0, 45.0), (85.0, 105.0)],
        "consolidation_mm": [(26.0, 32.0), (48.0, 56.0)],
    },
}
SPLITS["val"] = dict(SPLITS["train"], seed=3003)  # validation: the training ranges, other seeds

# prevalence of each finding (independent draws; pneumothorax and effusion never on the same side)
P_FINDING = {"effusion": 0.17, "pneumothorax": 0.17, "nodule": 0.25, "consolidation": 0.16}
P_CARDIOMEGALY = 0.35


# ----------------------------------------------------------------------------------------------
# small numeric helpers

def draw(rng, intervals):
    """A uniform draw over a union of intervals."""
    lengths = np.array([b - a for a, b in intervals], dtype=np.float64)
    k = rng.choice(len(intervals), p=lengths / lengths.sum())
    a, b = intervals[k]
    return float(rng.uniform(a, b))


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


_BLUR = {}


def _blur_matrix(n, sigma):
    """An n x n Gaussian smoothing matrix, rows renormalized at the borders."""
    key = (n, round(sigma * 4) / 4)  # quarter-pixel steps: a small cache
    m = _BLUR.get(key)
    if m is None:
        i = np.arange(n, dtype=np.float64)
        m = np.exp(-0.5 * ((i[:, None] - i[None, :]) / max(key[1], 0.25)) ** 2)
        m /= m.sum(axis=1, keepdims=True)
        m = m.astype(np.float32)
        _BLUR[key] = m
    return m


def blur(img, sigma_px):
    """Separable Gaussian blur as two matrix products (fast with BLAS, deterministic)."""
    if sigma_px < 0.3:
        return img
    return _blur_matrix(img.shape[0], sigma_px) @ img @ _blur_matrix(img.shape[1], sigma_px).T


def downsample(img, factor):
    """Area (box) downsampling by an integer factor: what OpenCV's INTER_AREA does for whole factors."""
    if factor == 1:
        return img
    h, w = img.shape
    return img.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def smooth_noise(rng, n, sigma_px):
    """Zero-mean, unit-std smooth noise field."""
    f = blur(rng.standard_normal((n, n)).astype(np.float32), sigma_px)
    return f / (f.std() + 1e-6)


# ----------------------------------------------------------------------------------------------
# the phantom's parameters

def sample_spec(split, index):
    """Every random choice of one phantom (JSON-serializable); render() is deterministic given it."""
    cfg = SPLITS[split]
    rng = np.random.default_rng([cfg["seed"], index])
    s = draw(rng, cfg["size"])
    spec = {
        "split": split, "index": index, "seed": [cfg["seed"], index],
        "size": s,
        "aspect_w": float(rng.uniform(0.93, 1.07)),     # width vs height build
        "aspect_h": float(rng.uniform(0.93, 1.07)),
        "fov_mm": float(rng.uniform(370, 450)) * (0.5 + 0.5 * s),  # detector field of view (magnification)
        "center_u": float(rng.uniform(-15, 15)),        # patient point at the image centre, mm
        "center_v": float(rng.uniform(-30, 5)),
        "rotation": draw(rng, cfg["rotation"]),
        "log_exposure": draw(rng, cfg["log_exposure"]),
        "gamma": draw(rng, cfg["gamma"]),
        "blur_mm": float(rng.uniform(0.25, 1.1)),
        "window_lo": float(rng.uniform(-0.35, 0.15)),   # window ends relative to lung / bone levels
        "window_hi": float(rng.uniform(-0.25, 0.35)),
        "edge_enhance": float(rng.choice([0.0, rng.uniform(0.2, 1.0)], p=[0.4, 0.6])),
        "edge_radius_mm": float(rng.uniform(3, 12)),
        "bits": int(rng.choice([8, 12, 16], p=[0.4, 0.3, 0.3])),
        "markers": bool(rng.random() < 0.5),
        "collimation": bool(rng.random() < 0.15),
        "body_thickness": float(rng.uniform(190, 260)) * s,
        "wall_mm": float(rng.uniform(18, 40)) * s,      # soft tissue outside the rib cage
        "lung_depth": float(rng.uniform(0.8, 1.15)),
        "dome_right": float(rng.uniform(75, 105)),      # top of the right dome, mm below the origin
        "dome_gap": float(rng.uniform(6, 25)),          # the left dome is lower by this
        "cp_depth": float(rng.uniform(28, 48)),         # costophrenic recess depth below the dome top
        "apex": float(rng.uniform(-165, -140)),
        "apex_exp": float(rng.uniform(1.8, 2.8)),
        "mediastinum": float(rng.uniform(20, 30)),
        "heart_right_frac": float(rng.uniform(0.27, 0.40)),
        "heart_tilt": float(rng.uniform(18, 42)),
        "heart_ratio": float(rng.uniform(0.68, 0.86)),
        "rib_spacing": float(rng.uniform(21, 26)),
        "rib_width": float(rng.uniform(4.2, 6.0)),
        "rib_density": float(rng.uniform(0.6, 1.3)),
        "breasts": bool(rng.random() < 0.35),
        "arms": bool(rng.random() < 0.6),
        "gastric_bubble": bool(rng.random() < 0.6),
        "vessel_density": float(rng.uniform(0.7, 1.4)),
        "texture": float(rng.uniform(0.3, 1.0)),
        "render_seed": int(rng.integers(0, 2 ** 31 - 1)),
    }
    # findings
    cardiomegaly = bool(rng.random() < P_CARDIOMEGALY)
    spec["ctr"] = draw(rng, cfg["ctr_large"] if cardiomegaly else cfg["ctr_normal"])
    findings = []
    sides_taken = {}
    for side in ("left", "right"):
        if rng.random() < P_FINDING["pneumothorax"] * 0.55:
            findings.append({"type": "pneumothorax", "side": side, "rim_mm": draw(rng, cfg["pneumothorax_mm"]),
                             "taper": float(rng.uniform(0.45, 0.9))})
            sides_taken[side] = "pneumothorax"
    for side in ("left", "right"):
        if side not in sides_taken and rng.random() < P_FINDING["effusion"] * 0.6:
            findings.append({"type": "effusion", "side": side, "height_mm": draw(rng, cfg["effusion_mm"]),
                             "meniscus": float(rng.uniform(0.35, 0.8))})
    if rng.random() < P_FINDING["nodule"]:
        cells = [(r, c) for r in range(3) for c in range(3) if ((r + c) % 2 == 0) == (cfg["nodule_cells"] == "even")]
        r, c = cells[rng.integers(len(cells))]
        findings.append({"type": "nodule", "side": str(rng.choice(["left", "right"])),
                         "diameter_mm": draw(rng, cfg["nodule_mm"]),
                         "pos": [float((c + rng.uniform(0.1, 0.9)) / 3), float((r + rng.uniform(0.1, 0.9)) / 3)],
                         "lobulation": float(rng.uniform(0.0, 0.12))})
    for side in ("left", "right"):
        if rng.random() < P_FINDING["consolidation"] * 0.6:
            findings.append({"type": "consolidation", "side": side, "radius_mm": draw(rng, cfg["consolidation_mm"]),
                             "zone": str(rng.choice(["upper", "middle", "lower"])),
                             "density": float(rng.uniform(0.55, 0.9)),
                             "pos": [float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.1, 0.9))]})
    spec["findings"] = findings
    return spec


def labels_of(spec):
    """The 8 binary labels in LABELS order."""
    y = np.zeros(len(LABELS), dtype=np.uint8)
    y[0] = spec["ctr"] > 0.5
    for f in spec["findings"]:
        if f["type"] == "nodule":
            y[5] = 1
        else:
            y[LABELS.index(f["type"] + "_" + f["side"])] = 1
    return y


# ----------------------------------------------------------------------------------------------
# rendering

class Geometry:
    """Pixel grid <-> patient millimetres (rotation about the image centre, then a translation)."""

    def __init__(self, n, fov, rotation_deg, cu, cv):
        self.n = n
        self.ps = fov / n
        self.fov = fov
        self.th = math.radians(rotation_deg)
        self.cu, self.cv = cu, cv
        x = ((np.arange(n, dtype=np.float32) + 0.5) * self.ps - fov / 2)
        X, Y = np.meshgrid(x, x)
        c, s = math.cos(self.th), math.sin(self.th)
        self.u = (c * X - s * Y + cu).astype(np.float32)
        self.v = (s * X + c * Y + cv).astype(np.float32)

    def to_pixel(self, u, v):
        """Patient mm -> (column, row) in pixels (floats)."""
        du, dv = u - self.cu, v - self.cv
        c, s = math.cos(self.th), math.sin(self.th)
        x = c * du + s * dv
        y = -s * du + c * dv
        return (x + self.fov / 2) / self.ps - 0.5, (y + self.fov / 2) / self.ps - 0.5


class Anatomy:
    """The phantom's shapes as functions of patient coordinates (mm)."""

    def __init__(self, spec):
        s = spec["size"]
        self.s = s
        self.W = 142.0 * s * spec["aspect_w"]                 # inner half-width of the thorax at its widest
        sh = s * spec["aspect_h"]
        self.sh = sh
        self.dome = {"right": spec["dome_right"] * sh, "left": (spec["dome_right"] + spec["dome_gap"]) * sh}
        self.cp = spec["cp_depth"] * sh
        self.apex = spec["apex"] * sh
        self.apex_exp = spec["apex_exp"]
        self.yc = self.dome["right"] + 0.75 * self.cp          # the level of the widest inner thorax
        self.Ht = self.yc - self.apex                          # rib cage half-heights above / below yc
        self.Hb = 150.0 * sh
        self.med = spec["mediastinum"] * s
        self.wall = spec["wall_mm"]
        self.ctr = spec["ctr"]
        # heart: an ellipse rotated by 'tilt' whose horizontal extent is exactly ctr * 2W
        hw = self.ctr * 2 * self.W
        fr = spec["heart_right_frac"]
        phi = math.radians(spec["heart_tilt"])
        rho = spec["heart_ratio"]
        A = (hw / 2) / math.sqrt(math.cos(phi) ** 2 + (rho * math.sin(phi)) ** 2)
        B = rho * A
        self.heart_axes = (A, B, phi)
        self.heart_uc = hw * (0.5 - fr)
        ex = hw / 2
        off = (A * A - B * B) * math.sin(phi) * math.cos(phi) / ex   # row of the extreme points vs the centre
        self.heart_vc = self.dome["left"] - off - 10.0 * sh
        self.heart_right_border = -fr * hw                       # patient's right heart border (image left)
        self.heart_left_border = (1 - fr) * hw
        self.heart_top = self.heart_vc - math.sqrt((A * math.sin(phi)) ** 2 + (B * math.cos(phi)) ** 2)

    def lat(self, v):
        """Inner chest wall distance from the midline at height v (0 outside the rib cage)."""
        t_up = np.clip((self.yc - v) / self.Ht, 0, 1)
        t_dn = np.clip((v - self.yc) / self.Hb, 0, 1)
        up = np.sqrt(np.clip(1 - t_up ** self.apex_exp, 0, 1))
        dn = np.sqrt(np.clip(1 - t_dn ** 2, 0, 1))
        return self.W * np.where(v < self.yc, up, dn)

    def lat_s(self, v):
        """lat() for one height (a float)."""
        if v < self.yc:
            t = min(max((self.yc - v) / self.Ht, 0.0), 1.0)
            return self.W * math.sqrt(max(1 - t ** self.apex_exp, 0.0))
        t = min(max((v - self.yc) / self.Hb, 0.0), 1.0)
        return self.W * math.sqrt(max(1 - t * t, 0.0))

    def dome_v(self, side, a):
        """Height of the diaphragm under lateral distance a (mm) on one side."""
        top = self.dome[side]
        a_pk = 0.42 * self.W
        x = (a - a_pk) / self.W
        k_lat = self.cp / (0.58 ** 2)
        return top + np.where(x > 0, k_lat * x * x, 0.5 * k_lat * x * x)

    def mediastinum(self, v):
        """Half-width of the mediastinum (trachea, great vessels) at height v."""
        bump = np.exp(-0.5 * ((v - (self.apex + 0.45 * (self.heart_top - self.apex))) / 35.0) ** 2)
        return self.med + 9.0 * self.s * bump

    def lung_mask(self, side, u, v):
        a = u if side == "left" else -u
        return ((a > self.mediastinum(v)) & (a < self.lat(v)) & (v > self.apex) &
                (v < self.dome_v(side, a))).astype(np.float32)

    def heart_mask(self, u, v, soft_mm=2.0):
        A, B, phi = self.heart_axes
        du, dv = u - self.heart_uc, v - self.heart_vc
        c, s = math.cos(phi), math.sin(phi)
        p = (c * du + s * dv) / A
        q = (-s * du + c * dv) / B
        r2 = p * p + q * q
        edge = np.clip((1 - np.sqrt(r2)) * min(A, B) / soft_mm + 0.5, 0, 1)
        # a rounded body: denser towards the middle (it replaces more lung there)
        return (edge * (0.8 + 0.2 * np.sqrt(np.clip(1 - r2, 0, 1)))).astype(np.float32)

    def lung_point(self, side, pu, pv):
        """Patient (u, v) of a point given in lung-relative coordinates: pu 0 medial .. 1 lateral,
        pv 0 apex .. 1 base (kept clear of the heart and the diaphragm)."""
        sign = 1 if side == "left" else -1
        v_top = self.apex + 30 * self.sh
        v_bot = self.dome[side] - 12 * self.sh
        v = v_top + pv * (v_bot - v_top)
        lat = self.lat_s(v)
        med = float(self.mediastinum(np.float32(v)))
        if v > self.heart_top:  # lower lung: keep lateral of the heart border
            med = max(med, self.heart_left_border if side == "left" else -self.heart_right_border)
        lo, hi = med + 12, lat - 14
        if hi < lo:
            lo = hi = (lat + med) / 2
        return sign * (lo + pu * (hi - lo)), v


def _capsule(img, geo, p0, p1, radius, amount, mask=None, mode="add"):
    """Draws a rod (vessel, rib segment) between patient points p0 and p1 with a round profile,
    evaluated only in its bounding box; mode "add" sums, "max" keeps the larger (for chained segments)."""
    n = geo.n
    pad = radius / geo.ps + 2
    (ca, ra), (cb, rb) = geo.to_pixel(p0[0], p0[1]), geo.to_pixel(p1[0], p1[1])
    c0, c1 = max(0, int(min(ca, cb) - pad)), min(n, int(max(ca, cb) + pad) + 2)
    r0, r1 = max(0, int(min(ra, rb) - pad)), min(n, int(max(ra, rb) + pad) + 2)
    if c0 >= c1 or r0 >= r1:
        return
    u = geo.u[r0:r1, c0:c1] - p0[0]
    v = geo.v[r0:r1, c0:c1] - p0[1]
    du, dv = p1[0] - p0[0], p1[1] - p0[1]
    L2 = du * du + dv * dv + 1e-9
    t = np.minimum(np.maximum((u * du + v * dv) * (1.0 / L2), 0.0), 1.0)
    u -= t * du
    v -= t * dv
    prof = np.sqrt(np.maximum(1.0 - (u * u + v * v) * (1.0 / (radius * radius)), 0.0)) * amount
    if mask is not None:
        prof *= mask[r0:r1, c0:c1]
    if mode == "max":
        np.maximum(img[r0:r1, c0:c1], prof, out=img[r0:r1, c0:c1])
    else:
        img[r0:r1, c0:c1] += prof


def _curve_band(img, geo, fu, fv, ts, radius, amount, cortex=0.0):
    """A bone band along a parametric curve (fu(t), fv(t)), drawn as a chain of rods composited with
    max (no bright joints); with a brighter cortical rim when cortex > 0."""
    pts = [(float(fu(t)), float(fv(t))) for t in ts]
    band = np.zeros_like(img)
    for p0, p1 in zip(pts[:-1], pts[1:]):
        _capsule(band, geo, p0, p1, radius, 1.0, mode="max")
    if cortex > 0:
        # the cortex: denser near the edges of the band (a tube seen side-on)
        band = (1 - cortex) * band + cortex * np.sqrt(np.maximum(band * (1 - band), 0.0)) * 2
    img += amount * band


def _vessel_tree(rng, img, geo, side, anat, density, lung_soft):
    """Lung markings: a branching tree of tapering vessels from the hilum, inside the lung only."""
    sign = 1 if side == "left" else -1
    hv = anat.heart_top - (22 if side == "left" else 8) * anat.sh      # the left hilum is higher
    hu = sign * (anat.mediastinum(np.float32(hv)) + 18 * anat.s)
    stack = []
    for ang in np.linspace(-150, 150, int(rng.integers(5, 8))):
        # angles measured from the lateral direction, negative = upwards
        a = math.radians(float(ang) + rng.uniform(-12, 12))
        stack.append((hu, float(hv), a, float(rng.uniform(38, 60)) * anat.s, float(rng.uniform(2.6, 4.0)), 0))
    segs = 0
    while stack and segs < 150:
        u0, v0, a, length, r, depth = stack.pop()
        du = sign * math.cos(a) * length
        dv = math.sin(a) * length
        u1, v1 = u0 + du, v0 + dv
        _capsule(img, geo, (u0, v0), (u1, v1), r, MU * 0.8 * 2 * r * density, lung_soft)
        segs += 1
        if depth < 4 and r > 0.7:
            for turn in (-1, 1):
                na = a + turn * math.radians(rng.uniform(15, 38))
                stack.append((u1, v1, na, length * rng.uniform(0.6, 0.8), r * rng.uniform(0.62, 0.78), depth + 1))


# 5x7 bitmaps for the lead markers burned into many radiographs
_GLYPHS = {
    "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
    "R": ["11110", "10001", "10001", "11110", "10100", "10010", "10001"],
    "P": ["11110", "10001", "10001", "11110", "10000", "10000", "10000"],
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
}


def _stamp_text(img, text, row, col, px, value):
    """Draws block letters of px pixels per dot into img (clipped at the borders)."""
    n = img.shape[0]
    for k, ch in enumerate(text):
        g = _GLYPHS.get(ch)
        if g is None:
            continue
        for gy, line in enumerate(g):
            for gx, bit in enumerate(line):
                if bit == "1":
                    r0 = row + gy * px
                    c0 = col + (k * 6 + gx) * px
                    if 0 <= r0 < n and 0 <= c0 < n:
                        img[r0:r0 + px, c0:c0 + px] = value


def render(spec, n=256, with_masks=False):
    """The phantom as a display image (float32 [n, n] in [0, 1], bone bright, MONOCHROME2 sense,
    quantized to spec['bits']) and its ground truth. Masks (n x n bool) per finding when asked."""
    rng = np.random.default_rng(spec["render_seed"])
    geo = Geometry(n, spec["fov_mm"], spec["rotation"], spec["center_u"], spec["center_v"])
    an = Anatomy(spec)
    u, v, ps = geo.u, geo.v, geo.ps
    s, sh = an.s, an.sh

    # --- body outline and soft tissue (AP thickness, elliptic cross-section) -------------------------------
    hb = an.lat(np.maximum(v, an.yc - 0.55 * an.Ht)) + an.wall       # body half-width: chest and abdomen
    hb = np.where(v > an.yc, np.maximum(hb, (an.W + an.wall) * 0.93), hb)
    neck_w = 52.0 * s
    shoulder_v = an.apex - 12 * sh
    T0 = spec["body_thickness"]
    t_chest = T0 * np.sqrt(np.clip(1 - (u / hb) ** 2, 0, 1))
    # above the shoulders only the neck; the shoulder line slopes down laterally
    shoulder_edge = shoulder_v - 28 * sh + 40 * sh * np.clip((np.abs(u) - neck_w) / (an.W + an.wall - neck_w), 0, 1) ** 1.4
    above = smoothstep(shoulder_edge - 6, shoulder_edge + 6, v)
    t_neck = 0.55 * T0 * np.sqrt(np.clip(1 - (u / neck_w) ** 2, 0, 1))
    thick = np.maximum(t_chest * above, t_neck)
    if spec["arms"]:
        arm_u = an.W + an.wall + rng.uniform(8, 40) * s + 40 * s
        for sign in (-1, 1):
            d = (sign * u - arm_u) / (42 * s)
            arm = 0.45 * T0 * np.sqrt(np.clip(1 - d * d, 0, 1)) * smoothstep(shoulder_v - 20, shoulder_v + 10, v)
            thick = np.maximum(thick, arm)
    if spec["breasts"]:
        for sign in (-1, 1):
            bu, bv = sign * 0.55 * an.W, an.dome["right"] - 10 * sh
            d = ((u - bu) / (75 * s)) ** 2 + ((v - bv) / (55 * sh)) ** 2
            thick = thick + 40 * s * np.clip(1 - d, 0, 1) ** 0.5 * (v > bv - 20 * sh)
    thick = blur(thick, 3.0 / ps)
    A = MU * thick

    # --- lungs (air), heart, mediastinum -------------------------------------------------------------------
    heart = an.heart_mask(u, v)
    # the aortic knob and the left mediastinal border down to the heart (no lung between them)
    knob_u, knob_v = an.med + 5 * s, an.heart_top - 4 * sh
    knob = np.clip((1 - np.sqrt(((u - knob_u) / (16 * s)) ** 2 + ((v - knob_v) / (30 * sh)) ** 2)) * 8, 0, 1)
    lung = {}
    lung_soft = {}
    depth = np.zeros_like(u)
    for side in ("left", "right"):
        m = an.lung_mask(side, u, v)
        lung[side] = m
        # depth profile: thin at the edges, thicker at the bases (posterior recesses)
        prof = np.clip(blur(m, 14.0 / ps) * 1.5, 0, 1) * m
        prof = blur(prof, 1.2 / ps)
        vert = 0.75 + 0.35 * np.clip((v - an.apex) / (an.dome[side] - an.apex), 0, 1)
        lung_soft[side] = prof
        depth += prof * vert * 130.0 * s * spec["lung_depth"]
    depth *= (1 - 0.72 * heart) * (1 - 0.8 * knob)

    findings_truth = []
    masks = {}
    # region where lung markings are drawn (all lung, minus pneumothorax spaces, faded in fluid)
    marking_mask = np.clip(lung_soft["left"] + lung_soft["right"], 0, 1) * (1 - 0.75 * heart)
    extra = np.zeros_like(u)          # added densities (bones, vessels, nodules)

    for f in spec["findings"]:
        side = f["side"]
        a = u if side == "left" else -u
        if f["type"] == "effusion":
            # fluid fills the costophrenic recess up to a meniscus that rises towards the lateral wall
            h = f["height_mm"] * sh
            cp_level = float(an.dome_v(side, np.float32(an.W)))
            lat = np.maximum(an.lat(v), 1.0)
            x = np.clip((a - an.med) / (lat - an.med + 1e-3), 0, 1)
            top = cp_level - h * (1 - f["meniscus"] * (1 - x ** 2))     # lower medially, higher laterally
            top = np.minimum(top, cp_level - 6 * sh)
            # the pleural space on that side above the diaphragm (the lung field and its recess)
            pleura = ((a > an.med) & (a < lat + 1) & (v > an.apex) & (v < an.dome_v(side, a) + 2)).astype(np.float32)
            fluid = smoothstep(top - 2.0, top + 8.0, v) * pleura
            # fluid replaces the lung air and layers in the posterior recess: as dense as soft tissue,
            # hiding the costophrenic angle and the dome under it
            depth = depth * (1 - fluid)
            marking_mask = marking_mask * (1 - fluid)
            extra += MU * 0.85 * 55 * s * blur(fluid, 1.5 / ps) * smoothstep(top - 2, top + 25, v)
            mk = (fluid > 0.5) & (pleura > 0.5)
            masks[len(findings_truth)] = mk
            findings_truth.append({"label": "effusion_" + side, "laterality": side, "height_mm": round(f["height_mm"], 1)})
        elif f["type"] == "pneumothorax":
            # pleural air along the apex and the lateral wall; the collapsed lung keeps its markings
            rim = f["rim_mm"] * s
            lat = np.maximum(an.lat(v), 1.0)
            # distance inward from the apex / lateral wall, approximated on the rib cage's shape
            d_lat = lat - a
            d_apex = v - an.apex
            d_wall = np.minimum(d_lat, d_apex * 1.3)
            base_v = an.dome[side] + an.cp
            taper = np.clip((base_v - v) / ((base_v - an.apex) * f["taper"]), 0, 1) ** 0.7
            r_here = rim * taper
            space = (d_wall < r_here) & (lung[side] > 0.5)
            space_soft = np.clip((r_here - d_wall) / 1.5 + 0.5, 0, 1) * lung[side]
            # no lung tissue in the space: more lucent, no markings
            depth = depth + space_soft * 0.25 * 120 * s * (a > 0)
            marking_mask = marking_mask * (1 - space_soft * (a > 0))
            # the visceral pleural line: a thin bright line at the edge of the collapsed lung
            line = np.exp(-0.5 * ((d_wall - r_here - 1.0) / 0.9) ** 2) * (taper > 0.05) * lung[side] * (a > 0)
            extra += MU * 14 * line
            # the collapsed lung is a little denser
            extra += MU * 6 * lung_soft[side] * (1 - space_soft) * (a > 0)
            masks[len(findings_truth)] = space
            findings_truth.append({"label": "pneumothorax_" + side, "laterality": side, "rim_mm": round(f["rim_mm"], 1)})

    # lung markings and fine parenchymal texture
    for side in ("left", "right"):
        _vessel_tree(rng, extra, geo, side, an, spec["vessel_density"], marking_mask)
    extra += MU * 4 * spec["texture"] * smooth_noise(rng, n, 1.6 / ps) * marking_mask

    # hila: lumpy densities at the lung roots
    for side, sign in (("left", 1), ("right", -1)):
        hv = an.heart_top - (22 if side == "left" else 8) * sh
        hu = sign * (an.med + 20 * s)
        d2 = ((u - hu) / (16 * s)) ** 2 + ((v - hv) / (26 * sh)) ** 2
        extra += MU * 22 * np.exp(-d2 * 1.5) * lung_soft[side]

    for f in spec["findings"]:
        side = f["side"]
        if f["type"] == "nodule":
            cu, cv = an.lung_point(side, f["pos"][0], f["pos"][1])
            r = f["diameter_mm"] / 2
            ang = np.arctan2(v - cv, u - cu)
            lob = 1 + f["lobulation"] * np.sin(3 * ang + rng.uniform(0, 6.28)) * np.sin(2 * ang)
            d = np.sqrt((u - cu) ** 2 + (v - cv) ** 2) / lob
            chord = 2 * np.sqrt(np.clip(r * r - d * d, 0, None))
            extra += MU * 1.8 * chord + MU * 8 * np.clip(r - d + 0.5, 0, 1)   # solid: denser than the air it replaces
            mk = d <= r
            masks[len(findings_truth)] = mk
            findings_truth.append({"label": "nodule", "laterality": side, "diameter_mm": round(f["diameter_mm"], 1),
                                   "center_mm": [round(cu, 1), round(cv, 1)]})
        elif f["type"] == "consolidation":
            # a few overlapping blobs in one zone, thresholded smooth noise for ragged edges
            zone = {"upper": 0.15, "middle": 0.5, "lower": 0.85}[f["zone"]]
            pv = float(np.clip(zone + (f["pos"][1] - 0.5) * 0.25, 0.02, 0.98))
            cu, cv = an.lung_point(side, f["pos"][0], pv)
            R = f["radius_mm"] * s
            field = np.full_like(u, -1.0)
            for _ in range(4):
                bu = cu + rng.uniform(-0.45, 0.45) * R
                bv = cv + rng.uniform(-0.45, 0.45) * R
                br = R * rng.uniform(0.5, 0.8)
                field = np.maximum(field, 1 - ((u - bu) ** 2 + (v - bv) ** 2) / (br * br))
            field = field + 0.18 * smooth_noise(rng, n, 5.0 / ps)
            cons = smoothstep(0.0, 0.5, field) * lung[side]
            cons = blur(cons, 3.0 / ps)
            # air bronchograms: the airways stay dark inside the opacity
            air = np.zeros_like(u)
            for _ in range(3):
                a0 = rng.uniform(0, 2 * math.pi)
                p0 = (cu - math.cos(a0) * R * 0.6, cv - math.sin(a0) * R * 0.6)
                p1 = (cu + math.cos(a0) * R * 0.5, cv + math.sin(a0) * R * 0.5)
                _capsule(air, geo, p0, p1, 1.6, 1.0)
            a = u if side == "left" else -u
            depth = depth * (1 - f["density"] * cons * (1 - 0.6 * np.clip(air, 0, 1)) * (a > 0))
            marking_mask = marking_mask * (1 - cons)
            mk = (cons > 0.5) & (lung[side] > 0.5)
            masks[len(findings_truth)] = mk
            findings_truth.append({"label": "consolidation_" + side, "laterality": side, "zone": f["zone"],
                                   "radius_mm": round(f["radius_mm"], 1)})

    A = A - MU * 0.85 * depth

    # trachea and main bronchi (air columns in the mediastinum)
    carina_v = an.heart_top - 30 * sh
    tw = 8.0 * s
    trach = np.clip((tw - np.abs(u - 2)) / 1.5, 0, 1) * (v < carina_v)
    A -= MU * 14 * s * trach * smoothstep(an.apex - 60, an.apex, v)
    for sign in (-1, 1):
        bro = np.zeros_like(u)
        _capsule(bro, geo, (2, carina_v), (2 + sign * 38 * s, carina_v + 28 * sh), 5.5 * s, 1.0)
        A -= MU * 10 * s * np.clip(bro, 0, 1)

    # gastric bubble under the left dome
    if spec["gastric_bubble"]:
        gu, gv = 0.45 * an.W, an.dome["left"] + rng.uniform(14, 30) * sh
        g = np.clip(1 - ((u - gu) / (30 * s)) ** 2 - ((v - gv) / (17 * sh)) ** 2, 0, 1)
        g = g * (v > gv - 4 * sh)  # a fluid level flattens its floor
        A -= MU * 45 * s * np.sqrt(g)

    # --- bones ---------------------------------------------------------------------------------------------
    bone = np.zeros_like(u)
    bd = spec["rib_density"]
    # spine: vertebral bodies (with disc spaces) and pedicles
    vert_h = 24 * sh
    phase = ((v - an.apex) / vert_h) % 1.0
    body = np.clip((17 * s - np.abs(u)) / 2.0, 0, 1) * (0.75 + 0.25 * (np.abs(phase - 0.5) < 0.42))
    bone += MU * 9 * body
    for sign in (-1, 1):
        ped = np.exp(-(((u - sign * 13 * s) / (3.5 * s)) ** 2 + ((phase - 0.35) / 0.16) ** 2))
        bone += MU * 7 * ped * (np.abs(u) < 25 * s)
    # posterior ribs: from the spine laterally, a gentle arch, then down along the wall
    rr = spec["rib_width"] * s
    nrib = 11
    for i in range(nrib):
        v0 = an.apex + 6 * sh + i * spec["rib_spacing"] * sh
        for sign in (-1, 1):
            def fu(t, sign=sign, v0=v0):
                lat = an.lat_s(v0 + 20 * sh)
                return sign * (12 * s + t * (lat + 4 - 12 * s))

            def fv(t, v0=v0):
                return v0 - 9 * sh * math.sin(math.pi * min(t, 1.0) * 0.9) + 38 * sh * max(0.0, t - 0.6) ** 2 * 2.5

            _curve_band(bone, geo, fu, fv, np.linspace(0, 1.05, 9), rr, MU * 22 * bd, cortex=0.35)
    # anterior ribs: fainter, from the lateral wall downwards to the costal cartilage
    for i in range(7):
        v0 = an.apex + 28 * sh + i * spec["rib_spacing"] * 1.05 * sh
        for sign in (-1, 1):
            def fu(t, sign=sign, v0=v0):
                lat = an.lat_s(v0)
                return sign * (lat - t * (lat - 0.35 * an.W))

            def fv(t, v0=v0):
                return v0 + t * 38 * sh + 8 * sh * math.sin(math.pi * t)

            _curve_band(bone, geo, fu, fv, np.linspace(0, 1, 6), rr * 0.85, MU * 11 * bd)
    # clavicles: S-shaped, from the sternal notch out and slightly up
    for sign in (-1, 1):
        cv0 = an.apex + 8 * sh

        def fu(t, sign=sign):
            return sign * (14 * s + t * (an.W + 25 * s))

        def fv(t, cv0=cv0):
            return cv0 - 22 * sh * t + 6 * sh * math.sin(2 * math.pi * t)

        _curve_band(bone, geo, fu, fv, np.linspace(0, 1, 10), 6.5 * s, MU * 26 * bd, cortex=0.3)
        # humeral head and the scapula's lateral border
        hu, hv = sign * (an.W + an.wall + 28 * s), shoulder_v + 22 * sh
        hh = np.clip(1 - ((u - hu) ** 2 + (v - hv) ** 2) / (26 * s) ** 2, 0, 1)
        bone += MU * 30 * np.sqrt(hh) * bd
        _capsule(bone, geo, (sign * (an.W - 8 * s), an.apex + 20 * sh), (sign * (an.W * 0.72), an.apex + 120 * sh),
                 4.0 * s, MU * 10 * bd)
    A = A + bone + extra

    # --- acquisition -----------------------------------------------------------------------------------------
    A = blur(A, 0.6 / ps)
    # quantum noise: photons per pixel after the patient
    counts = (10 ** spec["log_exposure"]) * ps * ps * np.exp(-np.clip(A, 0, None))
    noisy = counts + np.sqrt(np.maximum(counts, 1e-3)) * rng.standard_normal(A.shape).astype(np.float32)
    A = -np.log(np.maximum(noisy, 0.5) / ((10 ** spec["log_exposure"]) * ps * ps))
    A = blur(A, spec["blur_mm"] / ps)
    # window: from the lung level to a bit above the densest structures, drawn per image
    lung_level = np.percentile(A[(lung["left"] + lung["right"]) > 0.5], 5) if (lung["left"] + lung["right"]).sum() > 10 else 1.5
    dense_level = np.percentile(A, 99.5)
    lo = lung_level - 0.6 + spec["window_lo"]
    hi = dense_level + spec["window_hi"]
    d = np.clip((A - lo) / max(hi - lo, 0.3), 0, 1) ** spec["gamma"]
    if spec["edge_enhance"] > 0:
        d = np.clip(d + spec["edge_enhance"] * (d - blur(d, spec["edge_radius_mm"] / ps)), 0, 1)
    if spec["collimation"]:
        m = int(n * rng.uniform(0.02, 0.07))
        val = float(rng.choice([0.0, 1.0]))
        side = int(rng.integers(4))
        if side == 0:
            d[:, :m] = val
        elif side == 1:
            d[:, n - m:] = val
        elif side == 2:
            d[:m, :] = val
        else:
            d[:m, :] = val
            d[n - m:, :] = val
    if spec["markers"]:
        px = max(1, int(round(1.8 / ps * rng.uniform(0.8, 1.4))))
        text = str(rng.choice(["L", "R", "PA", "L", "AP"]))
        row = int(n * rng.uniform(0.02, 0.1))
        col = int(n * rng.uniform(0.78, 0.9)) if rng.random() < 0.7 else int(n * rng.uniform(0.04, 0.12))
        _stamp_text(d, text, row, col, px, float(rng.uniform(0.85, 1.0)))
    levels = (1 << spec["bits"]) - 1
    d = np.round(d * levels) / levels
    d = d.astype(np.float32)

    # --- ground truth ----------------------------------------------------------------------------------------
    hm = heart > 0.5
    masks_out = {}
    truth = {"labels": {k: int(x) for k, x in zip(LABELS, labels_of(spec))}, "ctr": round(spec["ctr"], 4),
             "pixel_spacing_mm": round(ps, 4), "rows": n, "columns": n, "findings": []}
    if spec["ctr"] > 0.5:
        masks[len(findings_truth)] = hm
        findings_truth.append({"label": "cardiomegaly", "laterality": None, "ctr": round(spec["ctr"], 4)})
    for k, f in enumerate(findings_truth):
        mk = masks[k]
        if mk.sum() == 0:
            f["box"] = None
        else:
            rows = np.where(mk.any(axis=1))[0]
            cols = np.where(mk.any(axis=0))[0]
            f["box"] = [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]  # x0, y0, x1, y1 (exclusive)
        f["area_px"] = int(mk.sum())
        truth["findings"].append(f)
        if with_masks:
            masks_out[f["label"]] = mk
    # the heart and the thorax as measured on the image (for the CTR in pixels)
    truth["heart_box"] = _box(hm)
    if with_masks:
        truth["masks"] = masks_out
    return d, truth


def _box(mk):
    if mk.sum() == 0:
        return None
    rows = np.where(mk.any(axis=1))[0]
    cols = np.where(mk.any(axis=0))[0]
    return [int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1]


# ----------------------------------------------------------------------------------------------
# non-chest images for the gate

NONCHEST_KINDS = ["photo", "colour_blobs", "digit", "blank", "noise", "gradient", "text", "shapes", "stripes",
                  "texture"]
NONCHEST_SEEDS = {"train": 5005, "val": 6006, "heldout": 9009}


def _rgb_to_grey(rgb):
    return rgb.mean(axis=-1)  # what the appliance does with colour (the channel mean)


def _resize_bilinear(img, n):
    """Bilinear resize of a small image to n x n (what OpenCV's INTER_LINEAR does when enlarging)."""
    h, w = img.shape
    ys = np.clip((np.arange(n) + 0.5) * h / n - 0.5, 0, h - 1)
    xs = np.clip((np.arange(n) + 0.5) * w / n - 0.5, 0, w - 1)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    a = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    b = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return (a * (1 - fy) + b * fy).astype(np.float32)


def _strokes(rng, n, count, width, value=1.0):
    """Handwriting-like strokes: a chain of connected quadratic Bezier curves, sometimes with a loop."""
    img = np.zeros((n, n), np.float32)
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    segs = []
    p = rng.uniform(0.25 * n, 0.75 * n, size=2)
    for _ in range(count):
        q = np.clip(p + rng.normal(0, 0.25 * n, 2), 0.15 * n, 0.85 * n)
        e = np.clip(p + rng.normal(0, 0.3 * n, 2), 0.15 * n, 0.85 * n)
        ts = np.linspace(0, 1, 12)
        pts = ((1 - ts) ** 2)[:, None] * p + (2 * ts * (1 - ts))[:, None] * q + (ts ** 2)[:, None] * e
        segs += list(zip(pts[:-1], pts[1:]))
        p = e
    if rng.random() < 0.5:  # a loop, as in 0, 6, 8, 9
        c = rng.uniform(0.35 * n, 0.65 * n, 2)
        ry, rx = rng.uniform(0.12, 0.3) * n, rng.uniform(0.08, 0.22) * n
        ang = np.linspace(0, 2 * math.pi, 17)
        pts = np.stack([c[0] + rx * np.cos(ang), c[1] + ry * np.sin(ang)], 1)
        segs += list(zip(pts[:-1], pts[1:]))
    for q0, q1 in segs:
        d = q1 - q0
        t = np.clip(((xx - q0[0]) * d[0] + (yy - q0[1]) * d[1]) / (d @ d + 1e-6), 0, 1)
        dist = np.hypot(xx - q0[0] - t * d[0], yy - q0[1] - t * d[1])
        img = np.maximum(img, value * np.clip(width / 2 - dist + 0.5, 0, 1))
    return img


def _fractal(rng, n, beta):
    """1/f^beta noise (natural-image-like spectrum), scaled to [0, 1]."""
    f = np.fft.fftfreq(n)
    fr = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    fr[0, 0] = 1.0
    spec = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / fr ** beta
    img = np.real(np.fft.ifft2(spec))
    img = (img - img.min()) / (img.max() - img.min() + 1e-9)
    return img.astype(np.float32)


def non_chest(split, index, n=128):
    """A non-chest image in [0, 1], grey, n x n, as the appliance would present it to the model."""
    rng = np.random.default_rng([NONCHEST_SEEDS[split], index])
    kind = NONCHEST_KINDS[index % len(NONCHEST_KINDS)]
    if kind == "photo":
        # sky gradient, a textured foreground, one or two large objects with their own texture
        img = np.zeros((n, n, 3), np.float32)
        t = np.linspace(0, 1, n, dtype=np.float32)[:, None, None]
        c0, c1 = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3)
        img += (1 - t) * c0 + t * c1
        for _ in range(int(rng.integers(1, 4))):
            tex = _fractal(rng, n, rng.uniform(0.8, 1.6))[..., None]
            col = rng.uniform(0, 1, 3)
            cy, cx = rng.uniform(0.2, 0.8, 2) * n
            ry, rx = rng.uniform(0.1, 0.4, 2) * n
            yy, xx = np.mgrid[0:n, 0:n]
            ang = np.arctan2(yy - cy, xx - cx)
            wob = 1 + 0.25 * np.sin(rng.integers(2, 6) * ang + rng.uniform(0, 6))
            m = (((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < wob ** 2)[..., None]
            img = np.where(m, col * (0.5 + tex), img)
        img = img + 0.15 * _fractal(rng, n, 1.0)[..., None]
        g = _rgb_to_grey(np.clip(img, 0, 1))
    elif kind == "colour_blobs":
        img = rng.uniform(0, 1, (n, n, 3)).astype(np.float32)
        for c in range(3):
            img[..., c] = blur(img[..., c], rng.uniform(4, 20))
        img = (img - img.min()) / (img.max() - img.min() + 1e-9)
        g = _rgb_to_grey(img)
    elif kind == "digit":
        # MNIST-like: a few thick strokes on black at 28 x 28, enlarged like the appliance enlarges it
        small = _strokes(rng, 28, int(rng.integers(1, 4)), rng.uniform(2.2, 4.0))
        small = blur(small, 0.6)
        g = _resize_bilinear(small, n) if rng.random() < 0.8 else _strokes(rng, n, int(rng.integers(1, 4)), rng.uniform(6, 14))
    elif kind == "blank":
        g = np.full((n, n), float(rng.choice([0.0, 1.0, rng.uniform(0, 1)])), np.float32)
        if rng.random() < 0.5:
            g = g + rng.normal(0, rng.uniform(0.002, 0.03), (n, n)).astype(np.float32)
    elif kind == "noise":
        k = int(rng.integers(3))
        if k == 0:
            g = rng.uniform(0, 1, (n, n)).astype(np.float32)
        elif k == 1:
            g = np.clip(rng.normal(rng.uniform(0.3, 0.7), rng.uniform(0.05, 0.3), (n, n)), 0, 1).astype(np.float32)
        else:
            g = (rng.random((n, n)) < rng.uniform(0.05, 0.5)).astype(np.float32)
        if rng.random() < 0.3:
            g = blur(g, rng.uniform(0.5, 2.0))
    elif kind == "gradient":
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
        if rng.random() < 0.5:
            a = rng.uniform(0, 2 * math.pi)
            g = math.cos(a) * xx + math.sin(a) * yy
        else:
            cy, cx = rng.uniform(0, 1, 2)
            g = np.hypot(yy - cy, xx - cx)
        g = (g - g.min()) / (g.max() - g.min() + 1e-9)
    elif kind == "text":
        # a page: lines of word-like blocks of glyph strokes
        bg, fg = (1.0, 0.0) if rng.random() < 0.7 else (0.0, 1.0)
        g = np.full((n, n), bg, np.float32)
        line_h = int(rng.integers(5, 12))
        y = int(rng.integers(2, 10))
        while y + line_h < n - 2:
            x = int(rng.integers(2, 12))
            while x < n - 8:
                wlen = int(rng.integers(2, 7))
                for _ in range(wlen):
                    cw = max(2, line_h * 2 // 3)
                    glyph = rng.random((3, 2)) < 0.5
                    gy = np.repeat(np.repeat(glyph, max(1, line_h // 3), 0), max(1, cw // 2), 1)
                    h, w = gy.shape
                    if x + w < n and y + h < n:
                        g[y:y + h, x:x + w] = np.where(gy, fg, g[y:y + h, x:x + w])
                    x += w + 1
                x += int(rng.integers(3, 8))
            y += line_h + int(rng.integers(2, 6))
    elif kind == "shapes":
        g = np.full((n, n), float(rng.uniform(0, 1)), np.float32)
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
        for _ in range(int(rng.integers(2, 9))):
            val = float(rng.uniform(0, 1))
            cy, cx = rng.uniform(0, n, 2)
            if rng.random() < 0.5:
                h, w = rng.uniform(5, n / 2, 2)
                m = (np.abs(yy - cy) < h / 2) & (np.abs(xx - cx) < w / 2)
            else:
                r = rng.uniform(5, n / 3)
                m = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
            g[m] = val
    elif kind == "stripes":
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
        a = rng.uniform(0, math.pi)
        per = rng.uniform(4, 40)
        g = 0.5 + 0.5 * np.sin(2 * math.pi * (math.cos(a) * xx + math.sin(a) * yy) / per)
        if rng.random() < 0.4:
            g = (g > 0.5).astype(np.float32)
        if rng.random() < 0.3:  # checkerboard
            g = ((xx // per + yy // per) % 2).astype(np.float32)
    else:  # texture: fractal noise, sometimes thresholded (clouds, terrain, marble)
        g = _fractal(rng, n, rng.uniform(0.6, 2.2))
        if rng.random() < 0.3:
            g = (g > rng.uniform(0.3, 0.7)).astype(np.float32)
            g = blur(g, rng.uniform(0.5, 3))
    g = np.clip(g, 0, 1).astype(np.float32)
    if kind not in ("blank",) and rng.random() < 0.5:
        g = np.clip((g - g.min()) / (g.max() - g.min() + 1e-9), 0, 1) ** rng.uniform(0.6, 1.6)
    return g.astype(np.float32), kind


# ----------------------------------------------------------------------------------------------
# writers

def write_png(path, img, bits=8):
    """A grey PNG (8- or 16-bit) written with zlib: img in [0, 1]."""
    h, w = img.shape
    if bits == 8:
        raw = np.round(np.clip(img, 0, 1) * 255).astype(">u1")
    else:
        raw = np.round(np.clip(img, 0, 1) * 65535).astype(">u2")
    rows = b"".join(b"\x00" + raw[y].tobytes() for y in range(h))   # filter type 0 on every row

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, bits, 0, 0, 0, 0)   # colour type 0 = grey
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def dicom_uid(*parts):
    """A deterministic UID under the 2.25 root (ITU-T X.667: 2.25.<the UUID as an integer>)."""
    return "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "mededge-chest-demo/" + "/".join(str(p) for p in parts)).int)


_SOP_CLASS = {"CR": "1.2.840.10008.5.1.4.1.1.1",     # Computed Radiography Image Storage
              "DX": "1.2.840.10008.5.1.4.1.1.1.1"}   # Digital X-Ray Image Storage - For Presentation
EXPLICIT_LE = "1.2.840.10008.1.2.1"


def _element(group, elem, vr, value):
    """One data element in explicit VR little endian."""
    if vr in ("UI",):
        data = value.encode("ascii")
        if len(data) % 2:
            data += b"\x00"
    elif vr in ("CS", "DS", "IS", "LO", "SH", "PN", "DA", "TM", "LT", "ST"):
        data = value.encode("ascii")
        if len(data) % 2:
            data += b" "
    elif vr == "US":
        data = struct.pack("<" + "H" * len(value), *value) if isinstance(value, (list, tuple)) else struct.pack("<H", value)
    elif vr == "UL":
        data = struct.pack("<I", value)
    else:  # OB, OW: raw bytes
        data = value
        if len(data) % 2:
            data += b"\x00"
    if vr in ("OB", "OW", "OF", "SQ", "UT", "UN"):
        return struct.pack("<HH2sHI", group, elem, vr.encode(), 0, len(data)) + data
    return struct.pack("<HH2sH", group, elem, vr.encode(), len(data)) + data


def write_dicom(path, img, *, bits=16, mono1=False, spacing_mm=1.0, modality="DX", patient_id="PHANTOM",
                uid_key=("phantom",), window=True, description="MedEdge synthetic chest phantom"):
    """DICOM Part 10, explicit VR little endian, one frame of native grey pixels.

    img is the display image in [0, 1] (bright = dense); it is stored with bits (8, 12 or 16) bits
    stored, inverted for MONOCHROME1 (so that a reader that applies the window and inverts
    MONOCHROME1 gets img back). With window=True a Window Center/Width spanning the stored range is
    written (LINEAR_EXACT; the appliance then uses it); without, readers fall back to the data's range."""
    h, w = img.shape
    levels = (1 << bits) - 1
    stored = np.round(np.clip(img, 0, 1) * levels)
    if mono1:
        stored = levels - stored
    allocated = 8 if bits == 8 else 16
    pixels = stored.astype("<u1" if allocated == 8 else "<u2").tobytes()
    study = dicom_uid(*uid_key, "study")
    series = dicom_uid(*uid_key, "series")
    sop = dicom_uid(*uid_key, "instance")
    sop_class = _SOP_CLASS[modality]
    meta = [
        (0x0002, 0x0001, "OB", b"\x00\x01"),
        (0x0002, 0x0002, "UI", sop_class),
        (0x0002, 0x0003, "UI", sop),
        (0x0002, 0x0010, "UI", EXPLICIT_LE),
        (0x0002, 0x0012, "UI", dicom_uid("implementation")),
        (0x0002, 0x0013, "SH", "MEDEDGE_PHANTOM"),
    ]
    meta_bytes = b"".join(_element(*e) for e in meta)
    ds = [
        (0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY"),
        (0x0008, 0x0016, "UI", sop_class),
        (0x0008, 0x0018, "UI", sop),
        (0x0008, 0x0020, "DA", "20240101"),
        (0x0008, 0x0030, "TM", "120000"),
        (0x0008, 0x0060, "CS", modality),
        (0x0008, 0x0070, "LO", "MedEdge synthetic phantom"),
        (0x0008, 0x103E, "LO", description),
        (0x0010, 0x0010, "PN", "PHANTOM^" + patient_id),
        (0x0010, 0x0020, "LO", patient_id),
        (0x0018, 0x0015, "CS", "CHEST"),
        (0x0018, 0x5101, "CS", "PA"),
        (0x0020, 0x000D, "UI", study),
        (0x0020, 0x000E, "UI", series),
        (0x0020, 0x0011, "IS", "1"),
        (0x0020, 0x0013, "IS", "1"),
        (0x0020, 0x0020, "CS", "L\\F"),   # rows go to the patient's left, columns to the feet (PA)
        (0x0028, 0x0002, "US", 1),
        (0x0028, 0x0004, "CS", "MONOCHROME1" if mono1 else "MONOCHROME2"),
        (0x0028, 0x0010, "US", h),
        (0x0028, 0x0011, "US", w),
        (0x0028, 0x0030, "DS", f"{spacing_mm:.4f}\\{spacing_mm:.4f}"),
        (0x0028, 0x0100, "US", allocated),
        (0x0028, 0x0101, "US", bits),
        (0x0028, 0x0102, "US", bits - 1),
        (0x0028, 0x0103, "US", 0),
    ]
    if modality == "DX":
        ds.append((0x0008, 0x0068, "CS", "FOR PRESENTATION"))
        ds.append((0x0018, 0x1164, "DS", f"{spacing_mm:.4f}\\{spacing_mm:.4f}"))   # Imager Pixel Spacing
    if window:
        # LINEAR_EXACT with centre levels/2 and width levels maps stored 0..levels onto 0..1 exactly
        ds.append((0x0028, 0x1050, "DS", f"{levels / 2:.1f}"))   # Window Center
        ds.append((0x0028, 0x1051, "DS", f"{levels:d}"))          # Window Width
        ds.append((0x0028, 0x1056, "CS", "LINEAR_EXACT"))         # VOI LUT Function
    ds.append((0x0028, 0x1052, "DS", "0"))    # Rescale Intercept
    ds.append((0x0028, 0x1053, "DS", "1"))    # Rescale Slope
    ds.append((0x7FE0, 0x0010, "OB" if allocated == 8 else "OW", pixels))
    ds.sort(key=lambda e: (e[0], e[1]))
    with open(path, "wb") as f:
        f.write(b"\x00" * 128 + b"DICM")
        f.write(_element(0x0002, 0x0000, "UL", len(meta_bytes)))
        f.write(meta_bytes)
        for e in ds:
            f.write(_element(*e))
    return {"study": study, "series": series, "sop": sop}


# ----------------------------------------------------------------------------------------------
# datasets

def phantom_at(args):
    """One phantom rendered at n_render and area-downsampled to n_out: (uint16 image, labels, ctr, truth)."""
    split, index, n_out, n_render, with_masks = args
    spec = sample_spec(split, index)
    img, truth = render(spec, n_render, with_masks=with_masks)
    factor = n_render // n_out
    small = downsample(img, factor)
    masks = None
    if with_masks:
        masks = np.zeros((len(LABELS), n_out, n_out), dtype=bool)
        for lab, mk in truth.pop("masks").items():
            masks[LABELS.index(lab)] = downsample(mk.astype(np.float32), factor) >= 0.5
    return (np.round(small * 65535).astype(np.uint16), labels_of(spec), np.float32(spec["ctr"]), truth, masks)


def nonchest_at(args):
    split, index, n_out = args
    g, kind = non_chest(split, index, n_out)
    return np.round(g * 65535).astype(np.uint16), kind


def build_dataset(split, count, out, n_out=128, n_render=256, nonchest=0, workers=2, masks=False):
    """Renders count phantoms (+ nonchest non-chest images) into an .npz:
    images uint16 [N, n, n] (display value * 65535), labels uint8 [N, 8], ctr float32 [N],
    chest uint8 [N] (1 = phantom), kinds (non-chest kind or 'chest'); for masks=True also the
    region masks [count, 8, n, n] (bool) and the truth as JSON beside the file."""
    from multiprocessing import Pool
    jobs = [(split, i, n_out, n_render, masks) for i in range(count)]
    with Pool(workers) as pool:
        res = pool.map(phantom_at, jobs, chunksize=32)
        neg = pool.map(nonchest_at, [(split, i, n_out) for i in range(nonchest)], chunksize=32)
    images = np.stack([r[0] for r in res] + [g for g, _ in neg])
    labels = np.concatenate([np.stack([r[1] for r in res]), np.zeros((nonchest, len(LABELS)), np.uint8)])
    ctr = np.concatenate([np.array([r[2] for r in res], np.float32), np.zeros(nonchest, np.float32)])
    chest = np.concatenate([np.ones(count, np.uint8), np.zeros(nonchest, np.uint8)])
    kinds = np.array(["chest"] * count + [k for _, k in neg])
    arrays = {"images": images, "labels": labels, "ctr": ctr, "chest": chest, "kinds": kinds}
    if masks:
        arrays["masks"] = np.stack([r[4] for r in res])
        with open(os.path.splitext(out)[0] + ".truth.json", "w") as f:
            json.dump([r[3] for r in res], f)
    np.savez(out, **arrays)
    return arrays


def _preview(split, count, out, n=256):
    cols = 4
    rows = (count + cols - 1) // cols
    sheet = np.zeros((rows * n, cols * n), np.float32)
    for i in range(count):
        img, truth = render(sample_spec(split, i), n)
        r, c = divmod(i, cols)
        sheet[r * n:(r + 1) * n, c * n:(c + 1) * n] = img
        print(i, [f["label"] for f in truth["findings"]], "ctr", truth["ctr"])
    write_png(out, sheet, 8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dataset")
    d.add_argument("--split", required=True, choices=sorted(SPLITS))
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--nonchest", type=int, default=0)
    d.add_argument("--size", type=int, default=128)
    d.add_argument("--render", type=int, default=256)
    d.add_argument("--workers", type=int, default=2)
    d.add_argument("--masks", action="store_true")
    d.add_argument("--out", required=True)
    p = sub.add_parser("preview")
    p.add_argument("--split", default="train", choices=sorted(SPLITS))
    p.add_argument("--count", type=int, default=16)
    p.add_argument("--out", required=True)
    w = sub.add_parser("write")
    w.add_argument("--split", default="heldout", choices=sorted(SPLITS))
    w.add_argument("--index", type=int, default=0)
    w.add_argument("--size", type=int, default=512)
    w.add_argument("--bits", type=int, default=16)
    w.add_argument("--mono1", action="store_true")
    w.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.cmd == "dataset":
        arr = build_dataset(a.split, a.count, a.out, a.size, a.render, a.nonchest, a.workers, a.masks)
        print(f"{a.split}: {a.count} phantoms + {a.nonchest} non-chest -> {a.out}; label prevalence "
              + ", ".join(f"{k} {v:.3f}" for k, v in zip(LABELS, arr["labels"][:a.count].mean(axis=0))))
    elif a.cmd == "preview":
        _preview(a.split, a.count, a.out)
    else:
        spec = sample_spec(a.split, a.index)
        spec["bits"] = a.bits
        img, truth = render(spec, a.size)
        if a.out.endswith(".png"):
            write_png(a.out, img, 8 if a.bits == 8 else 16)
        else:
            write_dicom(a.out, img, bits=a.bits, mono1=a.mono1, spacing_mm=truth["pixel_spacing_mm"],
                        uid_key=(a.split, a.index), patient_id=f"{a.split.upper()}-{a.index:05d}")
        print(json.dumps(truth))


if __name__ == "__main__":
    sys.exit(main())
