#!/usr/bin/python3
"""Builds MedEdge's tiny test decoder, its tokenizer and LoRA adapters, deterministically.

    /usr/bin/python3 firmware-scripts/llm/build_tiny_models.py            # writes firmware-scripts/llm/tiny/
    /usr/bin/python3 firmware-scripts/llm/build_tiny_models.py --bench DIR --hidden 896 --layers 8 ...
                                                                           # a larger random model for benchmarks

Needs numpy and onnx (Debian: python3-numpy python3-onnx); no torch, no network. The outputs in
tiny/ are committed (CI machines have no Python) and installed through the model catalog
(tier: test); re-running this script reproduces them byte for byte.

What it writes (tiny/):
  tokenizer.json                   byte-level BPE trained on tiny-corpus.txt, ChatML special tokens
  model-fp32.onnx / -int8 / -int4  the decoder in the layout README.md describes, LoRA inputs on all 7 modules
  adapters/<name>.onnx_adapter     ONNX Runtime adapter files converted from the PEFT adapters below
  peft/<name>/adapter_model.safetensors + adapter_config.json   the adapters as PEFT saves them
  base/model.safetensors + config.json                           the base weights as Hugging Face saves them
  golden.json                      reference logits (numpy, reference.py) the Java tests compare ONNX Runtime with
  testdata/misfit.onnx_adapter     a well-formed adapter for another base (hidden size 96): must be refused
Weights are random (seeded): the model is for testing the runtime, it knows nothing.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402
import ort_adapter  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402
from decoder_onnx import ALL_MODULES, DecoderConfig, export_decoder, module_prefix, module_shapes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TINY = DecoderConfig(vocab_size=512, hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2,
                     intermediate_size=128, max_position=2048)
# name, specialty, rank, alpha, target modules, seed
ADAPTERS = [
    ("respiratory", "respiratory medicine", 4, 8, ALL_MODULES, 11),
    ("cardiology", "cardiology", 8, 8, ("q_proj", "v_proj", "down_proj"), 12),
]
GOLDEN_IDS = [1, 300, 45, 7, 260, 99, 511, 2]


def random_weights(cfg, seed):
    rng = np.random.RandomState(seed)
    shapes = module_shapes(cfg)
    w = {"model.embed_tokens.weight": rng.standard_normal((cfg.vocab_size, cfg.hidden_size)),
         "model.norm.weight": 1 + 0.1 * rng.standard_normal(cfg.hidden_size)}
    if not cfg.tie_word_embeddings:
        w["lm_head.weight"] = rng.standard_normal((cfg.vocab_size, cfg.hidden_size)) * (2 / np.sqrt(cfg.hidden_size))
    for i in range(cfg.num_layers):
        p = f"model.layers.{i}"
        w[p + ".input_layernorm.weight"] = 1 + 0.1 * rng.standard_normal(cfg.hidden_size)
        w[p + ".post_attention_layernorm.weight"] = 1 + 0.1 * rng.standard_normal(cfg.hidden_size)
        for m in ALL_MODULES:
            fin, fout = shapes[m]
            w[module_prefix(i, m) + ".weight"] = rng.standard_normal((fout, fin)) / np.sqrt(fin)
            if cfg.attention_bias and m in ("q_proj", "k_proj", "v_proj"):
                w[module_prefix(i, m) + ".bias"] = 0.1 * rng.standard_normal(fout)
    return {k: v.astype(np.float32) for k, v in w.items()}


def random_peft(cfg, rank, targets, seed):
    """PEFT-style tensors: lora_A [r, in], lora_B [out, r] (B non-zero, as after training)."""
    rng = np.random.RandomState(seed)
    shapes = module_shapes(cfg)
    t = {}
    for i in range(cfg.num_layers):
        for m in targets:
            fin, fout = shapes[m]
            p = "base_model.model." + module_prefix(i, m)
            t[p + ".lora_A.weight"] = (rng.standard_normal((rank, fin)) / np.sqrt(fin)).astype(np.float32)
            t[p + ".lora_B.weight"] = (0.5 * rng.standard_normal((fout, rank))).astype(np.float32)
    return t


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def save_onnx(model, path):
    onnx.save(model, path)


def write_adapters(cfg, out, base_name):
    """PEFT adapters -> peft/<name>/ and adapters/<name>.onnx_adapter; returns {name: (peft tensors, alpha, rank)}."""
    made = {}
    os.makedirs(os.path.join(out, "adapters"), exist_ok=True)
    for name, specialty, rank, alpha, targets, seed in ADAPTERS:
        peft = random_peft(cfg, rank, targets, seed)
        pdir = os.path.join(out, "peft", name)
        os.makedirs(pdir, exist_ok=True)
        safetensors_io.save(os.path.join(pdir, "adapter_model.safetensors"), peft, {"format": "pt"})
        config = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": alpha, "lora_dropout": 0.0,
                  "bias": "none", "target_modules": sorted(targets), "base_model_name_or_path": base_name,
                  "fan_in_fan_out": False, "use_dora": False, "use_rslora": False}
        with open(os.path.join(pdir, "adapter_config.json"), "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
        params = ort_adapter.peft_to_ort(peft, alpha, rank)
        path = os.path.join(out, "adapters", name + ".onnx_adapter")
        ort_adapter.write_adapter(path, params)
        header, back = ort_adapter.read_adapter(path)
        assert header["format_version"] == 1 and set(back) == set(params)
        for k in params:
            assert back[k].dtype == np.float32 and np.array_equal(back[k], params[k]), k
        made[name] = (peft, alpha, rank)
    return made


def build_tiny(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(HERE, "tiny-corpus.txt"), encoding="utf-8") as f:
        corpus = f.read()
    merges = bpe.train(corpus, 250)
    tok = bpe.tokenizer_json(merges, SPECIAL_TOKENS)
    size = len(tok["model"]["vocab"])
    assert size <= TINY.vocab_size, f"tokenizer has {size} tokens, model vocabulary is {TINY.vocab_size}"
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
        f.write("\n")

    weights = random_weights(TINY, 20261122)
    os.makedirs(os.path.join(out, "base"), exist_ok=True)
    safetensors_io.save(os.path.join(out, "base", "model.safetensors"), weights, {"format": "pt"})
    with open(os.path.join(out, "base", "config.json"), "w") as f:
        json.dump(TINY.to_hf(), f, indent=2, sort_keys=True)
        f.write("\n")
    adapters = write_adapters(TINY, out, "mededge-tiny-decoder-1")

    # an adapter for a different base model (same parameter names, other shapes): the engine must refuse it
    wide = DecoderConfig(vocab_size=512, hidden_size=96, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128)
    os.makedirs(os.path.join(out, "testdata"), exist_ok=True)
    ort_adapter.write_adapter(os.path.join(out, "testdata", "misfit.onnx_adapter"),
                              ort_adapter.peft_to_ort(random_peft(wide, 4, ALL_MODULES, 13), 8, 4))

    golden = {"ids": GOLDEN_IDS, "vocab": TINY.vocab_size, "logits": {}}
    for q in ("fp32", "int8", "int4"):
        save_onnx(export_decoder(weights, TINY, quantization=q), os.path.join(out, f"model-{q}.onnx"))
        golden["logits"][q] = reference.forward(weights, TINY, GOLDEN_IDS, q).round(6).tolist()
    for name, (peft, alpha, rank) in adapters.items():
        merged = reference.merge_lora(weights, TINY, peft, alpha, rank)
        golden["logits"]["fp32+" + name] = reference.forward(merged, TINY, GOLDEN_IDS, "fp32").round(6).tolist()
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")

    for root, _, files in sorted(os.walk(out)):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            print(f"{os.path.relpath(p, HERE):50s} {os.path.getsize(p):9d}  {sha256(p)}")


def build_bench(out, cfg, adapter_rank):
    """A larger random model for decode benchmarks (not committed): fp32, int8, int4 (and int4 without
    LoRA inputs, to measure what the empty LoRA branches cost) and one adapter on all seven modules."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(HERE, "tiny", "tokenizer.json"), encoding="utf-8") as f:
        tok = f.read()
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(tok)
    weights = random_weights(cfg, 7)
    peft = random_peft(cfg, adapter_rank, ALL_MODULES, 8)
    os.makedirs(os.path.join(out, "adapters"), exist_ok=True)
    ort_adapter.write_adapter(os.path.join(out, "adapters", "bench.onnx_adapter"),
                              ort_adapter.peft_to_ort(peft, 2 * adapter_rank, adapter_rank))
    # a lighter adapter: rank 8 on the attention projections only
    light = random_peft(cfg, 8, ("q_proj", "k_proj", "v_proj", "o_proj"), 9)
    ort_adapter.write_adapter(os.path.join(out, "adapters", "bench-r8-attn.onnx_adapter"), ort_adapter.peft_to_ort(light, 16, 8))
    variants = [(q, q, ALL_MODULES, 0) for q in ("fp32", "int8", "int4")] + [("int4-nolora", "int4", (), 0),
                                                                             ("int4-acc4", "int4", ALL_MODULES, 4)]
    for name, q, targets, level in variants:
        path = os.path.join(out, f"model-{name}.onnx")
        save_onnx(export_decoder(weights, cfg, lora_targets=targets, quantization=q, int4_accuracy_level=level), path)
        print(f"{path} {os.path.getsize(path)} bytes")
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(dict(cfg.to_hf(), adapter_rank=adapter_rank), f, indent=2, sort_keys=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "tiny"))
    ap.add_argument("--bench", metavar="DIR", help="build a larger benchmark model into DIR instead")
    ap.add_argument("--hidden", type=int, default=896)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=14)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=4864)
    ap.add_argument("--vocab", type=int, default=32768)
    ap.add_argument("--adapter-rank", type=int, default=16)
    a = ap.parse_args()
    if a.bench:
        cfg = DecoderConfig(vocab_size=a.vocab, hidden_size=a.hidden, num_layers=a.layers, num_heads=a.heads,
                            num_kv_heads=a.kv_heads, intermediate_size=a.intermediate)
        build_bench(a.bench, cfg, a.adapter_rank)
    else:
        build_tiny(a.out)


if __name__ == "__main__":
    main()
