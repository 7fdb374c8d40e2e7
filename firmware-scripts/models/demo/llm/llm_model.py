"""A small Qwen2-architecture decoder in PyTorch, with LoRA, named like Hugging Face's Qwen2ForCausalLM.

The math is the one firmware-scripts/llm/decoder_onnx.py exports and reference.py checks: RMSNorm,
rotate-half RoPE, grouped-query attention with q/k/v biases, SiLU-gated MLP, tied embeddings.

Training reads every prompt's shared beginning once per batch: all prompts of one specialty and
language start with the same tokens (system text, specialty, candidate list), so `forward` takes a
cache for that prefix computed with batch 1 and broadcast over the batch (gradients flow through it).
The same cache path serves greedy decoding.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoRALinear(nn.Module):
    """y = x Wᵀ + b + (alpha / r) · (x Aᵀ) Bᵀ with PEFT's shapes: A [r, in], B [out, r] (B starts at zero)."""

    def __init__(self, base, r, alpha, gen):
        super().__init__()
        self.base = base
        self.r, self.alpha = r, alpha
        self.scale = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        with torch.no_grad():
            bound = 1 / math.sqrt(base.in_features)
            self.lora_A.uniform_(-bound, bound, generator=gen)

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t()) @ self.lora_B.t() * self.scale


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, hd = cfg.hidden_size, cfg.head_dim
        self.nh, self.nkv, self.hd = cfg.num_heads, cfg.num_kv_heads, hd
        self.q_proj = nn.Linear(d, self.nh * hd, bias=True)
        self.k_proj = nn.Linear(d, self.nkv * hd, bias=True)
        self.v_proj = nn.Linear(d, self.nkv * hd, bias=True)
        self.o_proj = nn.Linear(self.nh * hd, d, bias=False)

    def forward(self, x, cos, sin, past, mask):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.nkv, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin) * (1.0 / math.sqrt(self.hd)), rope(k, cos, sin)
        if past is not None:
            pk, pv = past
            if pk.shape[0] != b:
                pk, pv = pk.expand(b, -1, -1, -1), pv.expand(b, -1, -1, -1)
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
        present = (k, v)
        group = self.nh // self.nkv
        total = k.shape[2]
        # grouped-query attention without copying k/v: head h reads kv head h // group
        qg = q.reshape(b, self.nkv, group * s, self.hd)
        scores = (qg @ k.transpose(-1, -2)).view(b, self.nkv, group, s, total) + mask
        probs = torch.softmax(scores, dim=-1).view(b, self.nkv, group * s, total)
        ctx = (probs @ v).view(b, self.nh, s, self.hd)
        return self.o_proj(ctx.transpose(1, 2).reshape(b, s, self.nh * self.hd)), present


def rope(x, cos, sin):
    h = x.shape[-1] // 2
    rot = torch.cat([-x[..., h:], x[..., :h]], dim=-1)
    return x * cos + rot * sin


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, past, mask):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, past, mask)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), present


class Inner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_eps)


class Decoder(nn.Module):
    """Qwen2ForCausalLM-shaped: state_dict names are model.embed_tokens.weight, model.layers.{i}..., model.norm.weight."""

    def __init__(self, cfg, seed):
        super().__init__()
        assert cfg.tie_word_embeddings
        self.cfg = cfg
        self.model = Inner(cfg)
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
                    p.fill_(1.0)
                elif name.endswith(".bias"):
                    p.zero_()
                else:
                    p.normal_(0.0, 0.02, generator=g)
            for layer in self.model.layers:  # scaled residual projections (GPT-2)
                for lin in (layer.self_attn.o_proj, layer.mlp.down_proj):
                    lin.weight.mul_(1 / math.sqrt(2 * cfg.num_layers))
        hd = cfg.head_dim
        self.register_buffer("inv_freq", 1.0 / (cfg.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)),
                             persistent=False)

    def rope_tables(self, start, length):
        pos = torch.arange(start, start + length, dtype=torch.float64)
        f = torch.outer(pos, self.inv_freq)
        emb = torch.cat([f, f], dim=-1)
        return emb.cos().float()[None, None], emb.sin().float()[None, None]

    def forward(self, ids, past=None):
        """ids [b, s]; past: per layer (k, v) [1 or b, kv, p, hd] or None. -> hidden [b, s, d], presents."""
        start = 0 if past is None else past[0][0].shape[2]
        cos, sin = self.rope_tables(start, ids.shape[1])
        x = self.model.embed_tokens(ids)
        s = ids.shape[1]
        total = start + s
        # additive causal mask [s, total]: query i (position start + i) sees keys 0 .. start + i
        mask = torch.zeros(s, total)
        mask.masked_fill_(torch.arange(total)[None, :] > (torch.arange(s)[:, None] + start), float("-inf"))
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, pr = layer(x, cos, sin, None if past is None else past[i], mask)
            presents.append(pr)
        return self.model.norm(x), presents

    def logits(self, hidden):
        return hidden @ self.model.embed_tokens.weight.t()

    # ---- LoRA
    def add_lora(self, r, alpha, seed, modules=MODULES):
        g = torch.Generator().manual_seed(seed)
        for p in self.parameters():
            p.requires_grad_(False)
        for layer in self.model.layers:
            for m in modules:
                parent = layer.self_attn if m in ("q_proj", "k_proj", "v_proj", "o_proj") else layer.mlp
                setattr(parent, m, LoRALinear(getattr(parent, m), r, alpha, g))

    def remove_lora(self):
        for layer in self.model.layers:
            for parent in (layer.self_attn, layer.mlp):
                for m in MODULES:
                    mod = getattr(parent, m, None)
                    if isinstance(mod, LoRALinear):
                        setattr(parent, m, mod.base)
        for p in self.parameters():
            p.requires_grad_(True)

    def lora_tensors(self):
        """PEFT's adapter_model.safetensors names and shapes."""
        out = {}
        for i, layer in enumerate(self.model.layers):
            for group, parent in (("self_attn", layer.self_attn), ("mlp", layer.mlp)):
                for m in MODULES:
                    mod = getattr(parent, m, None)
                    if isinstance(mod, LoRALinear):
                        p = f"base_model.model.model.layers.{i}.{group}.{m}"
                        out[p + ".lora_A.weight"] = mod.lora_A.detach().clone()
                        out[p + ".lora_B.weight"] = mod.lora_B.detach().clone()
        return out

    def base_state(self):
        """Hugging Face names (LoRA wrappers unwrapped)."""
        return {k.replace(".base.", "."): v for k, v in self.state_dict().items() if "lora_" not in k}
