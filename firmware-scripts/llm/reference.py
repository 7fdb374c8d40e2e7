"""A plain numpy forward pass of the Qwen2-style decoder, written independently of the ONNX graph.

It is the reference the exported graph is checked against (golden logits in tiny/golden.json,
compared by the Java tests through ONNX Runtime): same math as Hugging Face's Qwen2ForCausalLM
(RMSNorm, rotate-half RoPE, grouped-query attention, SiLU-gated MLP).
"""
import numpy as np

from decoder_onnx import ALL_MODULES, dequantize_int4, module_prefix, quantize_int4, quantize_int8


def merge_lora(weights, cfg, peft_tensors, alpha, rank, prefix="base_model.model."):
    """W + (alpha / r) * B @ A for every module the PEFT adapter touches (PyTorch orientation)."""
    out = dict(weights)
    scale = alpha / rank
    for i in range(cfg.num_layers):
        for m in ALL_MODULES:
            p = module_prefix(i, m)
            a = peft_tensors.get(f"{prefix}{p}.lora_A.weight")
            if a is not None:
                b = peft_tensors[f"{prefix}{p}.lora_B.weight"]
                out[p + ".weight"] = (weights[p + ".weight"].astype(np.float64) + scale * (b.astype(np.float64) @ a)).astype(np.float32)
    return out


def _dynamic_quantize(x):
    """ONNX DynamicQuantizeLinear: uint8, per tensor, round half to even."""
    lo, hi = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((hi - lo) / 255.0)
    if scale == 0:
        return np.zeros(x.shape, np.int32), np.float32(0), 0
    zp = int(np.clip(np.rint(-lo / scale), 0, 255))
    q = np.clip(np.rint(x / scale) + zp, 0, 255).astype(np.int32)
    return q, scale, zp


def _linear(x, w, quantization, block=32):
    """x [seq, in] @ W^T with W [out, in] as the exported graph quantizes it."""
    wt = np.ascontiguousarray(w.T.astype(np.float32))
    if quantization == "fp32":
        return x @ wt
    if quantization == "int8":
        q, wscale = quantize_int8(wt)
        xq, xs, xz = _dynamic_quantize(x)
        acc = (xq - xz) @ q.astype(np.int32)
        return (acc.astype(np.float32) * xs) * wscale
    packed, scales = quantize_int4(wt, block)
    return x @ dequantize_int4(packed, scales, wt.shape[0], block)


def _rms(x, weight, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def forward(weights, cfg, ids, quantization="fp32"):
    """Logits [len(ids), vocab] for one sequence starting at position 0, no padding."""
    w = {k: np.asarray(v, np.float32) for k, v in weights.items()}
    n = len(ids)
    nh, nkv, hd = cfg.num_heads, cfg.num_kv_heads, cfg.head_dim
    x = w["model.embed_tokens.weight"][np.asarray(ids)]
    inv_freq = 1.0 / (cfg.rope_theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
    ang = np.outer(np.arange(n, dtype=np.float64), inv_freq)
    cos = np.cos(np.concatenate([ang, ang], axis=-1)).astype(np.float32)
    sin = np.sin(np.concatenate([ang, ang], axis=-1)).astype(np.float32)

    def rope(t):  # t [heads, n, hd]
        rot = np.concatenate([-t[..., hd // 2:], t[..., :hd // 2]], axis=-1)
        return t * cos + rot * sin

    def lin(t, p, bias):
        y = _linear(t, w[p + ".weight"], quantization)
        return y + w[p + ".bias"] if bias else y

    causal = np.tril(np.ones((n, n), bool))
    for i in range(cfg.num_layers):
        p = f"model.layers.{i}"
        h = _rms(x, w[p + ".input_layernorm.weight"], cfg.rms_eps)
        q = lin(h, p + ".self_attn.q_proj", cfg.attention_bias).reshape(n, nh, hd).transpose(1, 0, 2)
        k = lin(h, p + ".self_attn.k_proj", cfg.attention_bias).reshape(n, nkv, hd).transpose(1, 0, 2)
        v = lin(h, p + ".self_attn.v_proj", cfg.attention_bias).reshape(n, nkv, hd).transpose(1, 0, 2)
        q, k = rope(q), rope(k)
        rep = nh // nkv
        k = np.repeat(k, rep, axis=0)
        v = np.repeat(v, rep, axis=0)
        s = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        s = np.where(causal, s, -np.inf)
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        s /= s.sum(axis=-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(n, nh * hd)
        x = x + lin(ctx, p + ".self_attn.o_proj", False)
        h = _rms(x, w[p + ".post_attention_layernorm.weight"], cfg.rms_eps)
        gate = lin(h, p + ".mlp.gate_proj", False)
        up = lin(h, p + ".mlp.up_proj", False)
        x = x + lin(gate / (1 + np.exp(-gate)) * up, p + ".mlp.down_proj", False)
    x = _rms(x, w["model.norm.weight"], cfg.rms_eps)
    head = w["model.embed_tokens.weight"] if cfg.tie_word_embeddings else w["lm_head.weight"]
    return _linear(x, head, quantization)
