"""Exports a Qwen2/Llama-style decoder to ONNX in the Optimum / onnx-community layout, with LoRA inputs.

export_decoder(weights, cfg, ...) takes the weights as a dict of numpy arrays named as in a Hugging
Face Qwen2 (or Llama) state_dict, so a model trained in PyTorch exports with

    weights = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    onnx.save(export_decoder(weights, DecoderConfig.from_hf(model.config.to_dict()), lora_targets=ALL_MODULES), path)

The graph (see README.md in this directory for the full contract):
  inputs   input_ids int64 [batch, seq], attention_mask int64 [batch, past+seq],
           position_ids int64 [batch, seq],
           past_key_values.{i}.key / .value float32 [batch, kv_heads, past, head_dim]
           and, per LoRA target module P (e.g. model.layers.0.self_attn.q_proj),
           P.lora_A.weight float32 [in, lora_r] and P.lora_B.weight float32 [lora_r, out],
           optional: their defaults are empty ([in, 0] and [0, out]) so the base model runs unchanged.
  outputs  logits float32 [batch, seq, vocab], present.{i}.key / .value [batch, kv_heads, past+seq, head_dim]
A linear module computes y = x W^T (+ b) + (x A) B, with the LoRA scale alpha / r folded into B.
Weights are fp32, int8 (dynamic activation quantization: DynamicQuantizeLinear + MatMulInteger,
per-output-channel symmetric 7-bit weights, as onnxruntime's quantize_dynamic writes with
reduce_range, so that AVX2 kernels cannot saturate: see INT8_WEIGHT_MAX) or int4
(com.microsoft MatMulNBits, block 32, symmetric, zero point 8).
"""
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ATTENTION_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP_MODULES = ("gate_proj", "up_proj", "down_proj")
ALL_MODULES = ATTENTION_MODULES + MLP_MODULES
OPSET = 17


@dataclass(frozen=True)
class DecoderConfig:
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    rope_theta: float = 1000000.0
    rms_eps: float = 1e-6
    max_position: int = 2048
    tie_word_embeddings: bool = False
    attention_bias: bool = True  # Qwen2 has q/k/v biases, Llama does not

    @property
    def head_dim(self):
        return self.hidden_size // self.num_heads

    @staticmethod
    def from_hf(c):
        """From a Hugging Face config dict (Qwen2Config / LlamaConfig.to_dict())."""
        return DecoderConfig(
            vocab_size=c["vocab_size"], hidden_size=c["hidden_size"], num_layers=c["num_hidden_layers"],
            num_heads=c["num_attention_heads"], num_kv_heads=c.get("num_key_value_heads", c["num_attention_heads"]),
            intermediate_size=c["intermediate_size"], rope_theta=float(c.get("rope_theta", 10000.0)),
            rms_eps=float(c.get("rms_norm_eps", 1e-6)), max_position=c.get("max_position_embeddings", 2048),
            tie_word_embeddings=bool(c.get("tie_word_embeddings", False)),
            attention_bias=c.get("model_type") == "qwen2" or bool(c.get("attention_bias", False)))

    def to_hf(self):
        return {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": self.vocab_size,
                "hidden_size": self.hidden_size, "num_hidden_layers": self.num_layers,
                "num_attention_heads": self.num_heads, "num_key_value_heads": self.num_kv_heads,
                "intermediate_size": self.intermediate_size, "rope_theta": self.rope_theta,
                "rms_norm_eps": self.rms_eps, "max_position_embeddings": self.max_position,
                "tie_word_embeddings": self.tie_word_embeddings, "hidden_act": "silu", "torch_dtype": "float32"}


def module_shapes(cfg):
    """(in, out) of each linear module."""
    q = cfg.num_heads * cfg.head_dim
    kv = cfg.num_kv_heads * cfg.head_dim
    return {"q_proj": (cfg.hidden_size, q), "k_proj": (cfg.hidden_size, kv), "v_proj": (cfg.hidden_size, kv),
            "o_proj": (q, cfg.hidden_size), "gate_proj": (cfg.hidden_size, cfg.intermediate_size),
            "up_proj": (cfg.hidden_size, cfg.intermediate_size), "down_proj": (cfg.intermediate_size, cfg.hidden_size)}


def module_prefix(layer, module):
    group = "self_attn" if module in ATTENTION_MODULES else "mlp"
    return f"model.layers.{layer}.{group}.{module}"


# int8 weights use 7 bits (|q| <= 63). ONNX Runtime's u8 x s8 kernel on AVX2 processors without
# VNNI multiplies pairs with vpmaddubsw, which adds two u8*s8 products into a saturating int16:
# 2 * 255 * 127 = 64770 overflows, 2 * 255 * 63 = 32130 does not. With 7-bit weights every x86-64
# kernel (AVX2, AVX-512, VNNI) computes the same exact integer sums, so the model answers the same on
# every processor (onnxruntime's own quantizer calls this reduce_range).
INT8_WEIGHT_MAX = 63


def quantize_int8(w_t):
    """w_t [in, out] -> (int8 [in, out], scale [out]): symmetric per output channel, |q| <= 63."""
    scale = np.maximum(np.abs(w_t).max(axis=0), 1e-8) / float(INT8_WEIGHT_MAX)
    q = np.clip(np.rint(w_t / scale), -INT8_WEIGHT_MAX, INT8_WEIGHT_MAX).astype(np.int8)
    return q, scale.astype(np.float32)


def quantize_int4(w_t, block=32):
    """w_t [in=K, out=N] -> (packed uint8 [N, K/block, block/2], scales float32 [N * K/block]).

    Symmetric 4-bit per block of `block` input elements, stored with the default zero point 8:
    value = (q - 8) * scale, q in 0..15; two values per byte, the even element in the low nibble.
    """
    k, n = w_t.shape
    if k % block:
        raise ValueError(f"int4: in_features {k} is not a multiple of the block size {block}")
    w = w_t.T.reshape(n, k // block, block)  # [N, blocks, block]
    scale = np.maximum(np.abs(w).max(axis=2), 1e-8) / 7.0
    q = np.clip(np.rint(w / scale[..., None]) + 8, 0, 15).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    return packed, scale.reshape(-1).astype(np.float32)


def dequantize_int4(packed, scales, k, block=32):
    """Inverse of quantize_int4, for the reference: -> w_t [K, N] float32."""
    n = packed.shape[0]
    q = np.empty((n, k // block, block), dtype=np.int32)
    q[..., 0::2] = packed & 0x0F
    q[..., 1::2] = packed >> 4
    w = (q - 8).astype(np.float32) * scales.reshape(n, k // block)[..., None]
    return w.reshape(n, k).T.copy()


class _Graph:
    def __init__(self):
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.n = 0

    def name(self, hint):
        self.n += 1
        return f"/{hint}_{self.n}"

    def op(self, op_type, inputs, hint=None, outputs=1, domain=None, **attrs):
        outs = [self.name(hint or op_type) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=outs[0] + "_node", domain=domain, **attrs))
        return outs[0] if outputs == 1 else outs

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def scalar(self, value, dtype):
        return self.const(self.name("const"), np.array(value, dtype=dtype))


def export_decoder(weights, cfg, lora_targets=ALL_MODULES, quantization="fp32", int4_block=32, int4_accuracy_level=0):
    """Builds the ONNX decoder. weights: {HF parameter name: ndarray}. Returns an onnx.ModelProto.

    int4_accuracy_level: MatMulNBits' accuracy_level; 0 computes in fp32 (exact against reference.py),
    4 lets ONNX Runtime quantize activations to int8 per block and use its int8 kernels (faster).
    """
    if quantization not in ("fp32", "int8", "int4"):
        raise ValueError("quantization must be fp32, int8 or int4")
    g = _Graph()
    shapes = module_shapes(cfg)
    nh, nkv, hd, h = cfg.num_heads, cfg.num_kv_heads, cfg.head_dim, cfg.hidden_size
    group = nh // nkv

    def w(name):
        if name not in weights:
            raise KeyError(f"weight {name} is missing")
        return np.asarray(weights[name], dtype=np.float32)

    g.inputs += [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
                 helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
                 helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"])]
    for i in range(cfg.num_layers):
        for kind in ("key", "value"):
            g.inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", TensorProto.FLOAT,
                                                          ["batch_size", nkv, "past_sequence_length", hd]))

    def base_matmul(x, name, w_t):
        if quantization == "fp32":
            return g.op("MatMul", [x, g.const(name + ".weight.T", w_t)], "MatMul")
        if quantization == "int8":
            q, scale = quantize_int8(w_t)
            xq, xs, xz = g.op("DynamicQuantizeLinear", [x], "DynamicQuantizeLinear", outputs=3)
            acc = g.op("MatMulInteger", [xq, g.const(name + ".weight.T.int8", q), xz], "MatMulInteger")
            y = g.op("Cast", [acc], "Cast", to=TensorProto.FLOAT)
            y = g.op("Mul", [y, xs], "Mul")
            return g.op("Mul", [y, g.const(name + ".weight.T.scale", scale)], "Mul")
        k, n = w_t.shape
        packed, scales = quantize_int4(w_t, int4_block)
        return g.op("MatMulNBits", [x, g.const(name + ".weight.int4", packed), g.const(name + ".weight.int4.scales", scales)],
                    "MatMulNBits", domain="com.microsoft", K=k, N=n, bits=4, block_size=int4_block,
                    accuracy_level=int4_accuracy_level)

    def linear(x, prefix, module, bias):
        fin, fout = shapes[module]
        wt = w(prefix + ".weight").T  # HF stores [out, in]
        if wt.shape != (fin, fout):
            raise ValueError(f"{prefix}.weight has shape {wt.shape[::-1]}, expected {(fout, fin)}")
        y = base_matmul(x, prefix, np.ascontiguousarray(wt))
        if bias:
            y = g.op("Add", [y, g.const(prefix + ".bias", w(prefix + ".bias"))], "Add")
        if module in lora_targets:
            a, b = prefix + ".lora_A.weight", prefix + ".lora_B.weight"
            g.inputs.append(helper.make_tensor_value_info(a, TensorProto.FLOAT, [fin, "lora_r"]))
            g.inputs.append(helper.make_tensor_value_info(b, TensorProto.FLOAT, ["lora_r", fout]))
            g.const(a, np.zeros((fin, 0), np.float32))
            g.const(b, np.zeros((0, fout), np.float32))
            xa = g.op("MatMul", [x, a], "lora_A")
            y = g.op("Add", [y, g.op("MatMul", [xa, b], "lora_B")], "lora_Add")
        return y

    def rms_norm(x, weight_name):
        var = g.op("ReduceMean", [g.op("Mul", [x, x], "Sq")], "ReduceMean", axes=[-1], keepdims=1)
        inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [var, g.scalar(cfg.rms_eps, np.float32)], "Add")], "Sqrt")], "Rcp")
        return g.op("Mul", [g.op("Mul", [x, inv], "Mul"), g.const(weight_name, w(weight_name))], "Mul")

    # rotary embedding tables from position_ids: cos/sin [batch, 1, seq, head_dim]
    inv_freq = (1.0 / (cfg.rope_theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd))).astype(np.float32)
    pos = g.op("Unsqueeze", [g.op("Cast", ["position_ids"], "Cast", to=TensorProto.FLOAT),
                             g.const("/rope/axis2", np.array([2], np.int64))], "Unsqueeze")
    freqs = g.op("Mul", [pos, g.const("/rope/inv_freq", inv_freq)], "freqs")
    emb = g.op("Concat", [freqs, freqs], "Concat", axis=-1)
    axis1 = g.const("/axis1", np.array([1], np.int64))
    cos = g.op("Unsqueeze", [g.op("Cos", [emb], "Cos"), axis1], "Unsqueeze")
    sin = g.op("Unsqueeze", [g.op("Sin", [emb], "Sin"), axis1], "Unsqueeze")
    half_split = g.const("/rope/split", np.array([hd // 2, hd // 2], np.int64))

    def rope(x):
        x1, x2 = g.op("Split", [x, half_split], "Split", outputs=2, axis=-1)
        rot = g.op("Concat", [g.op("Neg", [x2], "Neg"), x1], "Concat", axis=-1)
        return g.op("Add", [g.op("Mul", [x, cos], "Mul"), g.op("Mul", [rot, sin], "Mul")], "Add")

    # attention mask [batch, 1, 1, seq, total]: causal within the new tokens and the attention_mask
    seq = g.op("Gather", [g.op("Shape", ["input_ids"], "Shape"), g.scalar(1, np.int64)], "Gather", axis=0)
    total = g.op("Gather", [g.op("Shape", ["attention_mask"], "Shape"), g.scalar(1, np.int64)], "Gather", axis=0)
    past = g.op("Sub", [total, seq], "past_len")
    zero, one = g.scalar(0, np.int64), g.scalar(1, np.int64)
    qpos = g.op("Add", [g.op("Range", [zero, seq, one], "Range"), past], "qpos")
    kpos = g.op("Range", [zero, total, one], "Range")
    causal = g.op("LessOrEqual", [g.op("Unsqueeze", [kpos, g.const("/axis0", np.array([0], np.int64))], "Unsqueeze"),
                                  g.op("Unsqueeze", [qpos, axis1], "Unsqueeze")], "causal")  # [seq, total]
    keep = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", g.const("/mask/axes", np.array([1, 2, 3], np.int64))],
                              "Unsqueeze")], "Cast", to=TensorProto.BOOL)  # [batch, 1, 1, 1, total]
    allowed = g.op("And", [causal, keep], "allowed")  # [batch, 1, 1, seq, total]
    neg = g.scalar(np.finfo(np.float32).min, np.float32)
    scaling = g.scalar(1.0 / np.sqrt(hd), np.float32)

    x = g.op("Gather", [g.const("model.embed_tokens.weight", w("model.embed_tokens.weight")), "input_ids"], "embed", axis=0)
    for i in range(cfg.num_layers):
        p = f"model.layers.{i}"
        hs = rms_norm(x, p + ".input_layernorm.weight")
        q = linear(hs, p + ".self_attn.q_proj", "q_proj", cfg.attention_bias)
        k = linear(hs, p + ".self_attn.k_proj", "k_proj", cfg.attention_bias)
        v = linear(hs, p + ".self_attn.v_proj", "v_proj", cfg.attention_bias)
        perm = [0, 2, 1, 3]
        q = g.op("Transpose", [g.op("Reshape", [q, g.const(f"/{p}/qshape", np.array([0, 0, nh, hd], np.int64))], "Reshape")],
                 "Transpose", perm=perm)
        kvshape = g.const(f"/{p}/kvshape", np.array([0, 0, nkv, hd], np.int64))
        k = g.op("Transpose", [g.op("Reshape", [k, kvshape], "Reshape")], "Transpose", perm=perm)
        v = g.op("Transpose", [g.op("Reshape", [v, kvshape], "Reshape")], "Transpose", perm=perm)
        q, k = rope(q), rope(k)
        pk = f"present.{i}.key"
        pv = f"present.{i}.value"
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.key", k], [pk], name=pk + "_node", axis=2))
        g.nodes.append(helper.make_node("Concat", [f"past_key_values.{i}.value", v], [pv], name=pv + "_node", axis=2))
        # grouped-query attention by broadcasting: q [b, kv, group, seq, hd] x k [b, kv, 1, hd, total]
        qg = g.op("Reshape", [q, g.const(f"/{p}/qg", np.array([0, nkv, group, -1, hd], np.int64))], "Reshape")
        axis2 = g.const(f"/{p}/axis2", np.array([2], np.int64))
        kt = g.op("Unsqueeze", [g.op("Transpose", [pk], "Transpose", perm=[0, 1, 3, 2]), axis2], "Unsqueeze")
        scores = g.op("Mul", [g.op("MatMul", [qg, kt], "MatMul"), scaling], "Mul")
        scores = g.op("Where", [allowed, scores, neg], "Where")
        probs = g.op("Softmax", [scores], "Softmax", axis=-1)
        ctx = g.op("MatMul", [probs, g.op("Unsqueeze", [pv, axis2], "Unsqueeze")], "MatMul")  # [b, kv, group, seq, hd]
        ctx = g.op("Reshape", [ctx, g.const(f"/{p}/ctx", np.array([0, nh, -1, hd], np.int64))], "Reshape")
        ctx = g.op("Transpose", [ctx], "Transpose", perm=perm)
        ctx = g.op("Reshape", [ctx, g.const(f"/{p}/merge", np.array([0, 0, nh * hd], np.int64))], "Reshape")
        x = g.op("Add", [x, linear(ctx, p + ".self_attn.o_proj", "o_proj", False)], "residual")
        hs = rms_norm(x, p + ".post_attention_layernorm.weight")
        gate = linear(hs, p + ".mlp.gate_proj", "gate_proj", False)
        up = linear(hs, p + ".mlp.up_proj", "up_proj", False)
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate], "Sigmoid")], "silu"), up], "Mul")
        x = g.op("Add", [x, linear(act, p + ".mlp.down_proj", "down_proj", False)], "residual")
    x = rms_norm(x, "model.norm.weight")
    head = w("model.embed_tokens.weight") if cfg.tie_word_embeddings else w("lm_head.weight")
    logits = base_matmul(x, "lm_head", np.ascontiguousarray(head.T))
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits_node"))

    g.outputs.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                                   ["batch_size", "sequence_length", cfg.vocab_size]))
    for i in range(cfg.num_layers):
        for kind in ("key", "value"):
            g.outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT,
                                                           ["batch_size", nkv, "total_sequence_length", hd]))
    graph = helper.make_graph(g.nodes, "mededge_decoder", g.inputs, g.outputs, initializer=g.inits)
    opsets = [helper.make_opsetid("", OPSET)]
    if quantization == "int4":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="mededge firmware-scripts/llm/decoder_onnx.py")
    model.ir_version = 8
    return model
