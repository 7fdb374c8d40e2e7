"""Writes a trained demo checkpoint as a whisper.cpp ggml model file (ftype 1, f16 weights).

Written for MedEdge from the format's description (see GUIDE §6 of the project notes):
  int32 magic 0x67676d6c
  int32 n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer,
        n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype
  int32 n_mel, int32 n_fft_bins, float32[n_mel * n_fft_bins]   mel filterbank (ours, audio.py)
  int32 n_tokens, then per token int32 length + bytes             (ours, tokens.py)
  tensors: int32 n_dims, int32 name length, int32 type (0 f32, 1 f16),
           int32 dims innermost first, name bytes, data (row-major, i.e. innermost dim first)
Conv and 2-D weight matrices (token embedding, attention and MLP weights) are f16; positional
embeddings, biases and layer norms f32; conv biases are [n_state, 1].

Usage: ggml_export.py CHECKPOINT OUT.bin
"""
import struct
import sys
import os

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
from tokens import N_VOCAB, Tokenizer  # noqa: E402

MAGIC = 0x67676D6C


def full_embedding(state, tok):
    """[51865, d]: the trained rows at their real ids, the shared `unused` row everywhere else."""
    act = state["decoder.token_embedding.weight"].float().numpy()
    unused = state["decoder.unused"].float().numpy()
    E = np.tile(unused, (N_VOCAB, 1))
    E[np.array(tok.active_ids)] = act
    return E


def is_f16(name, arr):
    if name.endswith("positional_embedding"):
        return False
    return arr.ndim >= 2 and name.endswith(".weight")


def tensors(ck):
    state = ck["state"]
    tok = Tokenizer(ck["text_tokens"])
    for name, t in state.items():
        if name == "decoder.unused":
            continue
        arr = full_embedding(state, tok) if name == "decoder.token_embedding.weight" else t.float().numpy()
        if name in ("encoder.conv1.bias", "encoder.conv2.bias"):
            arr = arr.reshape(-1, 1)
        yield name, arr


def export(ckpt_path, out_path):
    ck = torch.load(ckpt_path)
    cfg = ck["cfg"]
    tok = Tokenizer(ck["text_tokens"])
    with open(out_path, "wb") as f:
        f.write(struct.pack("<i", MAGIC))
        f.write(struct.pack("<11i", N_VOCAB, cfg["n_audio_ctx"], cfg["n_state"], cfg["n_head"], cfg["n_audio_layer"],
                            cfg["n_text_ctx"], cfg["n_state"], cfg["n_head"], cfg["n_text_layer"], cfg["n_mels"], 1))
        fb = audio.FILTERS.astype("<f4")
        f.write(struct.pack("<2i", fb.shape[0], fb.shape[1]))
        f.write(fb.tobytes())
        f.write(struct.pack("<i", len(tok.text_tokens)))
        for t in tok.text_tokens:
            b = t.encode("utf-8")
            f.write(struct.pack("<i", len(b)))
            f.write(b)
        n = 0
        for name, arr in tensors(ck):
            f16 = is_f16(name, arr)
            data = arr.astype("<f2" if f16 else "<f4")
            nb = name.encode()
            f.write(struct.pack("<3i", data.ndim, len(nb), 1 if f16 else 0))
            f.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
            f.write(nb)
            f.write(np.ascontiguousarray(data).tobytes())
            n += 1
    print(f"wrote {out_path}: {n} tensors, {len(tok.text_tokens)} text tokens, "
          f"{os.path.getsize(out_path) / 1e6:.1f} MB")


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2])
