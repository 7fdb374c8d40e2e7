"""ONNX Runtime LoRA adapter files (".onnx_adapter"), written and read without the flatbuffers package.

The format is ONNX Runtime's flatbuffer schema onnxruntime/lora/adapter_format/adapter_schema.fbs,
file identifier "TORT", format_version 1:

    table Parameter { name:string; dims:[int64]; data_type:TensorDataType(int32); raw_data:[uint8] (force_align: 8); }
    table Adapter   { format_version:int; adapter_version:int; model_version:int; parameters:[Parameter]; }

Each parameter is fed to the session as the graph input of the same name when the adapter is
activated with RunOptions.add_active_lora_adapter / addActiveLoraAdapter.

The writer lays the buffer out front to back (root offset, identifier, then every table followed by
the strings and vectors it points to), so every uoffset points forward as flatbuffers requires;
vectors of int64 and raw data start 8-byte aligned, as FlatBufferBuilder would align them.

Also here: peft_to_ort(), which turns a PEFT LoRA (lora_A [r, in], lora_B [out, r], alpha, r) into
this project's ONNX LoRA inputs (A^T [in, r], (alpha / r) * B^T [r, out]).
"""
import struct

import numpy as np

FILE_IDENTIFIER = b"TORT"
FORMAT_VERSION = 1
# TensorDataType values of the schema (= ONNX TensorProto data types)
FLOAT, UINT8, INT8, INT32, INT64, FLOAT16 = 1, 2, 3, 6, 7, 10
_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.float16): FLOAT16, np.dtype(np.uint8): UINT8,
          np.dtype(np.int8): INT8, np.dtype(np.int32): INT32, np.dtype(np.int64): INT64}
_NUMPY = {v: k for k, v in _TYPES.items()}


class _Buf:
    def __init__(self):
        self.b = bytearray()

    def pos(self):
        return len(self.b)

    def align(self, n, extra=0):
        """Pads so that (position + extra) is a multiple of n."""
        while (len(self.b) + extra) % n:
            self.b.append(0)

    def put(self, fmt, *v):
        at = len(self.b)
        self.b += struct.pack("<" + fmt, *v)
        return at

    def patch_uoffset(self, at, target):
        struct.pack_into("<I", self.b, at, target - at)


def _table(buf, fields):
    """Writes a vtable then its table. fields: list of (fmt, value) or None (absent), in schema order.
    Returns (table position, {field index: position of the field}) for patching offsets."""
    sizes = [struct.calcsize("<" + f[0]) if f else 0 for f in fields]
    # table layout: soffset (4 bytes) then fields, each aligned to its size
    layout, off = [], 4
    for s in sizes:
        if s == 0:
            layout.append(0)
            continue
        off += (-off) % s
        layout.append(off)
        off += s
    inline = off + (-off) % 4
    buf.align(2)
    vt = buf.put("HH", 4 + 2 * len(fields), inline)
    for o in layout:
        buf.put("H", o)
    buf.align(8)  # table start 8-aligned so that 8-byte fields would be aligned too
    table = buf.put("i", 0)
    struct.pack_into("<i", buf.b, table, table - vt)
    while buf.pos() < table + inline:
        buf.b.append(0)
    where = {}
    for i, f in enumerate(fields):
        if f:
            struct.pack_into("<" + f[0], buf.b, table + layout[i], f[1])
            where[i] = table + layout[i]
    return table, where


def _vector(buf, elem_fmt, values, elem_align):
    buf.align(max(elem_align, 4), extra=4)
    at = buf.put("I", len(values))
    for v in values:
        buf.put(elem_fmt, v)
    return at


def _bytes_vector(buf, data, align=8):
    buf.align(align, extra=4)
    at = buf.put("I", len(data))
    buf.b += data
    return at


def _string(buf, s):
    data = s.encode("utf-8")
    buf.align(4)
    at = buf.put("I", len(data))
    buf.b += data + b"\0"
    return at


def write_adapter(path, params, adapter_version=1, model_version=1):
    """Writes {input name: ndarray} as an ONNX Runtime adapter file; parameters in name order."""
    names = sorted(params)
    buf = _Buf()
    root_at = buf.put("I", 0)
    buf.b += FILE_IDENTIFIER
    root, where = _table(buf, [("i", FORMAT_VERSION), ("i", adapter_version), ("i", model_version), ("I", 0)])
    buf.patch_uoffset(root_at, root)
    vec_at = _vector(buf, "I", [0] * len(names), 4)
    buf.patch_uoffset(where[3], vec_at)
    for i, name in enumerate(names):
        a = np.ascontiguousarray(params[name])
        if a.dtype not in _TYPES:
            raise ValueError(f"{name}: dtype {a.dtype} is not supported in adapter files")
        table, fw = _table(buf, [("I", 0), ("I", 0), ("i", _TYPES[a.dtype]), ("I", 0)])
        buf.patch_uoffset(vec_at + 4 + 4 * i, table)
        buf.patch_uoffset(fw[0], _string(buf, name))
        buf.patch_uoffset(fw[1], _vector(buf, "q", list(a.shape), 8))
        buf.patch_uoffset(fw[3], _bytes_vector(buf, a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()))
    buf.align(8)
    with open(path, "wb") as f:
        f.write(bytes(buf.b))


def _read_table(data, table):
    vt = table - struct.unpack_from("<i", data, table)[0]
    vsize, _ = struct.unpack_from("<HH", data, vt)
    n = (vsize - 4) // 2
    return [struct.unpack_from("<H", data, vt + 4 + 2 * i)[0] for i in range(n)]


def _deref(data, at):
    return at + struct.unpack_from("<I", data, at)[0]


def read_adapter(path):
    """Returns (header dict, {name: ndarray}); raises ValueError on a file that is not an adapter."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8 or data[4:8] != FILE_IDENTIFIER:
        raise ValueError(f"{path}: not an ONNX Runtime adapter file (identifier {data[4:8]!r})")
    root = _deref(data, 0)
    fields = _read_table(data, root)

    def scalar(i):
        return struct.unpack_from("<i", data, root + fields[i])[0] if i < len(fields) and fields[i] else 0

    header = {"format_version": scalar(0), "adapter_version": scalar(1), "model_version": scalar(2)}
    params = {}
    if len(fields) > 3 and fields[3]:
        vec = _deref(data, root + fields[3])
        (count,) = struct.unpack_from("<I", data, vec)
        for i in range(count):
            t = _deref(data, vec + 4 + 4 * i)
            pf = _read_table(data, t)
            s = _deref(data, t + pf[0])
            name = data[s + 4:s + 4 + struct.unpack_from("<I", data, s)[0]].decode("utf-8")
            d = _deref(data, t + pf[1])
            dims = list(struct.unpack_from("<%dq" % struct.unpack_from("<I", data, d)[0], data, d + 4))
            dtype = struct.unpack_from("<i", data, t + pf[2])[0]
            r = _deref(data, t + pf[3])
            raw = data[r + 4:r + 4 + struct.unpack_from("<I", data, r)[0]]
            params[name] = np.frombuffer(raw, dtype=_NUMPY[dtype].newbyteorder("<")).reshape(dims).copy()
    return header, params


def peft_to_ort(peft_tensors, alpha, rank, layer_prefix="base_model.model."):
    """PEFT LoRA tensors -> this project's ONNX LoRA inputs.

    peft_tensors: {"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": [r, in],
                   "...lora_B.weight": [out, r], ...} as saved in adapter_model.safetensors.
    Returns {"model.layers.0.self_attn.q_proj.lora_A.weight": A^T [in, r],
             "model.layers.0.self_attn.q_proj.lora_B.weight": (alpha / r) * B^T [r, out]}.
    The scale alpha / r is folded into B so that one graph serves adapters of any rank and alpha.
    """
    scale = float(alpha) / float(rank)
    out = {}
    for name, t in peft_tensors.items():
        key = name[len(layer_prefix):] if name.startswith(layer_prefix) else name
        key = key.replace(".lora_A.default.weight", ".lora_A.weight").replace(".lora_B.default.weight", ".lora_B.weight")
        if key.endswith(".lora_A.weight"):
            if t.shape[0] != rank:
                raise ValueError(f"{name}: lora_A has {t.shape[0]} rows, expected rank {rank}")
            out[key] = np.ascontiguousarray(t.T.astype(np.float32))
        elif key.endswith(".lora_B.weight"):
            if t.shape[1] != rank:
                raise ValueError(f"{name}: lora_B has {t.shape[1]} columns, expected rank {rank}")
            out[key] = np.ascontiguousarray((t.T * scale).astype(np.float32))
        else:
            raise ValueError(f"{name}: not a LoRA A/B tensor (DoRA, bias and modules_to_save are not supported)")
    return out
