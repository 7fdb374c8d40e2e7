#!/usr/bin/python3
"""Trains MedEdge's demo language model and its specialty LoRA adapters, and exports them.

    /usr/bin/python3 firmware-scripts/models/demo/llm/train_llm.py [--build DIR] [--out DIR] [--threads N]

Stages (all deterministic: fixed seeds, one data order):
  data       synthetic cases (cases.py): base set (general, respiratory and cardiology, the specialties thinner),
             one specialty set per adapter, held-out sets (other sentence frames, other values)
  tokenizer  byte-level BPE trained on the training prompts (tok.py), ChatML special tokens
  base       the decoder from scratch on the base set (loss on the answer only)
  lora       one LoRA adapter per specialty on its specialty set, base frozen
  eval       held-out diagnosis accuracy per specialty, base vs adapter, in PyTorch (greedy over the
             candidate list, as the engine's schema constraint allows); the appliance-side numbers come
             from llm's DemoModelTest through ONNX Runtime
  export     model.onnx (int8, LoRA inputs on all seven modules), adapters/<name>.onnx_adapter (ONNX Runtime
             format), tokenizer.json, peft/ (the adapters as PEFT saves them), golden files for the Java tests
"""
import argparse
import hashlib
import json
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
LLM_SCRIPTS = os.path.join(HERE, "..", "..", "..", "llm")
sys.path.insert(0, HERE)
sys.path.insert(0, LLM_SCRIPTS)
import cases  # noqa: E402
import tok  # noqa: E402
from llm_model import MODULES, Decoder  # noqa: E402

LORA_BASE = "mededge-llm-demo-1"
MODEL_NAME = "llm-demo"
SPECIALTIES = ("respiratory", "cardiology", "general")
LANGS = ("en", "zh")


class Cfg:
    """The architecture; field names as decoder_onnx.DecoderConfig."""

    def __init__(self, vocab_size, hidden_size, num_layers, num_heads, num_kv_heads, intermediate_size):
        self.vocab_size, self.hidden_size, self.num_layers = vocab_size, hidden_size, num_layers
        self.num_heads, self.num_kv_heads, self.intermediate_size = num_heads, num_kv_heads, intermediate_size
        self.rope_theta, self.rms_eps, self.tie_word_embeddings = 10000.0, 1e-6, True
        self.head_dim = hidden_size // num_heads

    def decoder_config(self):
        from decoder_onnx import DecoderConfig
        return DecoderConfig(vocab_size=self.vocab_size, hidden_size=self.hidden_size, num_layers=self.num_layers,
                             num_heads=self.num_heads, num_kv_heads=self.num_kv_heads,
                             intermediate_size=self.intermediate_size, rope_theta=self.rope_theta, rms_eps=self.rms_eps,
                             max_position=1024, tie_word_embeddings=True, attention_bias=True)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ------------------------------------------------------------------------------------ data
def make_data(a):
    """{name: [examples]}. Seeds are fixed per (set, specialty, language)."""
    sets = {}
    base = []
    for i, sp in enumerate(SPECIALTIES):
        n = a.base_general if sp == "general" else a.base_specialty
        for j, lang in enumerate(LANGS):
            # the base model sees general practice and only the specialties' common diagnoses (cases.COMMON)
            base += cases.generate("train", sp, lang, n, 1000 + 10 * i + j, diagnoses=cases.COMMON.get(sp))
    sets["base"] = base
    for i, sp in enumerate(("respiratory", "cardiology")):
        ex = []
        for j, lang in enumerate(LANGS):
            ex += cases.generate("train", sp, lang, a.adapter_examples, 2000 + 10 * i + j)
        sets["lora-" + sp] = ex
    for i, sp in enumerate(SPECIALTIES):
        ex = []
        for j, lang in enumerate(LANGS):
            ex += cases.generate("heldout", sp, lang, a.heldout, 3000 + 10 * i + j)
        sets["heldout-" + sp] = ex
    return sets


def tokenize(examples, T):
    im_end = T.special["<|im_end|>"]
    head = T.encode('{"diagnosis":"')
    for e in examples:
        prompt = T.chat_prompt(e["system"], e["user"])
        ans = T.encode(e["answer"])
        dx_end = len(T.encode('{"diagnosis":"' + e["dx"]))
        assert ans[:len(head)] == head and T.encode('{"diagnosis":"' + e["dx"]) == ans[:dx_end], e["answer"]
        e["ids"] = prompt + ans + [im_end]
        e["prompt_len"] = len(prompt)
        e["dx_span"] = (len(prompt) + len(head), len(prompt) + dx_end)


def by_specialty_and_language(e):
    return e["specialty"], e["language"]


def group_prefixes(examples, group=by_specialty_and_language):
    """{group key: shared prefix length} - the longest common beginning of the group's prompts."""
    out = {}
    for e in examples:
        k = group(e)
        if k not in out:
            out[k] = e["ids"][:e["prompt_len"]]
        else:
            p = out[k]
            n = 0
            while n < len(p) and n < e["prompt_len"] and p[n] == e["ids"][n]:
                n += 1
            out[k] = p[:n]
    return {k: len(v) for k, v in out.items()}


# ------------------------------------------------------------------------------------ training
def batch_loss(model, exs, plen, dx_weight, logit_scale=1.0):
    """Weighted cross entropy over the answer tokens; logit_scale multiplies the logits in the loss only (greedy
    decoding, the arg max, does not depend on it; train_radiology.py says why it uses 2)."""
    ids0 = exs[0]["ids"]
    prefix = torch.tensor([ids0[:plen]])
    _, past = model(prefix)
    n = max(len(e["ids"]) for e in exs) - plen - 1
    inp = torch.zeros(len(exs), n, dtype=torch.long)
    rows, cols, tgt, w = [], [], [], []
    for b, e in enumerate(exs):
        x = e["ids"]
        inp[b, :len(x) - plen - 1] = torch.tensor(x[plen:-1])
        for t in range(e["prompt_len"], len(x)):  # target position t, predicted at input index t - 1 - plen
            rows.append(b)
            cols.append(t - 1 - plen)
            tgt.append(x[t])
            w.append(dx_weight if e["dx_span"][0] <= t < e["dx_span"][1] else 1.0)
    hidden, _ = model(inp, past)
    logits = model.logits(hidden[rows, cols])
    if logit_scale != 1.0:
        logits = logits * logit_scale
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(tgt), reduction="none")
    w = torch.tensor(w)
    return (loss * w).sum() / w.sum()


def train(model, examples, steps, batch, lr, warmup, seed, params, dx_weight, label, group=by_specialty_and_language,
          logit_scale=1.0, log_every=25):
    """AdamW, warm-up then cosine to 0.1, clipping; each batch from one group (shared prompt prefix, computed once)."""
    prefixes = group_prefixes(examples, group)
    groups = {}
    for e in examples:
        groups.setdefault(group(e), []).append(e)
    keys = sorted(groups)
    sizes = [len(groups[k]) for k in keys]
    rng = random.Random(seed)
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    t0 = time.time()
    run = 0.0
    for step in range(1, steps + 1):
        f = step / warmup if step <= warmup else 0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * (step - warmup) / max(1, steps - warmup)))
        for g in opt.param_groups:
            g["lr"] = lr * f
        k = rng.choices(keys, weights=sizes)[0]
        exs = rng.sample(groups[k], batch)
        loss = batch_loss(model, exs, prefixes[k], dx_weight, logit_scale)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        run = loss.item() if step == 1 else 0.95 * run + 0.05 * loss.item()
        if step % log_every == 0 or step == steps:
            log(f"{label} step {step}/{steps} loss {run:.4f} ({(time.time() - t0) / step:.2f} s/step)")
    return time.time() - t0


# ------------------------------------------------------------------------------------ evaluation
def candidate_trie(T, specialty):
    """Token sequences of '{candidate}","' for greedy decoding over the candidate list."""
    head = T.encode('{"diagnosis":"')
    seqs = {}
    for c in cases.CANDIDATES[specialty]:
        full = T.encode('{"diagnosis":"' + c + '","')
        seqs[c] = full[len(head):]
    return head, seqs


@torch.no_grad()
def evaluate(model, examples, T):
    """Diagnosis accuracy: greedy token by token, each step restricted to continuations of some candidate."""
    model.eval()
    prefixes = group_prefixes(examples)
    right, total, per, preds = 0, 0, {}, []
    for e in examples:
        head, seqs = candidate_trie(T, e["specialty"])
        plen = prefixes[(e["specialty"], e["language"])]
        ids = e["ids"][:e["prompt_len"]] + head
        _, past = model(torch.tensor([ids[:plen]]))
        hidden, past = model(torch.tensor([ids[plen:]]), past)
        alive = dict(seqs)
        pos = 0
        while len(alive) > 1:
            nxt = sorted({s[pos] for s in alive.values() if len(s) > pos})
            logits = model.logits(hidden[0, -1])
            best = max(nxt, key=lambda t: logits[t].item())
            alive = {c: s for c, s in alive.items() if len(s) > pos and s[pos] == best}
            pos += 1
            hidden, past = model(torch.tensor([[best]]), past)
        got = next(iter(alive))
        ok = got == e["dx"]
        preds.append({"id": e["id"], "frame": e["frame"], "dx": e["dx"], "got": got, "group": group_of(e)})
        right += ok
        total += 1
        k = f"{e['specialty']}/{e['language']}"
        r, n = per.get(k, (0, 0))
        per[k] = (r + ok, n + 1)
    model.train()
    evaluate.predictions = preds
    for g in ("common", "specialist"):
        sel = [p for p in preds if p["group"] == g]
        if sel:
            per[g] = (sum(p["dx"] == p["got"] for p in sel), len(sel))
    return right / max(1, total), {k: round(r / n, 3) for k, (r, n) in sorted(per.items())}


# ------------------------------------------------------------------------------------ export
def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export(model, cfg, adapters, tokenizer_json, out, a):
    import onnx
    import ort_adapter
    import reference
    import safetensors_io
    from decoder_onnx import ALL_MODULES, export_decoder

    os.makedirs(os.path.join(out, "adapters"), exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    weights = {k: v.detach().float().numpy() for k, v in model.base_state().items()}
    dcfg = cfg.decoder_config()
    onnx_model = export_decoder(weights, dcfg, lora_targets=ALL_MODULES, quantization="int8")
    onnx.save(onnx_model, os.path.join(out, "model.onnx"))
    # the exported math is the model's: numpy reference (fp32) against PyTorch on one prompt
    T = tok.Tokenizer(tokenizer_json)
    ids = T.chat_prompt(cases.SYSTEM, "Specialty: general\nNote language: en")[:64]
    with torch.no_grad():
        h, _ = model(torch.tensor([ids]))
        torch_logits = model.logits(h)[0].numpy()
    ref = reference.forward(weights, dcfg, ids, "fp32")
    err = float(np.abs(ref - torch_logits).max())
    assert err < 1e-3, f"reference and PyTorch differ by {err}"
    ref8 = reference.forward(weights, dcfg, ids, "int8")
    log(f"export: numpy reference vs PyTorch max |logit diff| {err:.2e}; int8 vs fp32 {float(np.abs(ref8 - ref).max()):.3f}")
    for name, (peft, r, alpha) in adapters.items():
        pdir = os.path.join(a.build, "peft", name)
        os.makedirs(pdir, exist_ok=True)
        np_peft = {k: v.numpy().astype(np.float32) for k, v in peft.items()}
        safetensors_io.save(os.path.join(pdir, "adapter_model.safetensors"), np_peft, {"format": "pt"})
        with open(os.path.join(pdir, "adapter_config.json"), "w") as f:
            json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha, "lora_dropout": 0.0,
                       "bias": "none", "target_modules": sorted(MODULES), "base_model_name_or_path": LORA_BASE,
                       "fan_in_fan_out": False, "use_dora": False, "use_rslora": False}, f, indent=2, sort_keys=True)
        ort_adapter.write_adapter(os.path.join(out, "adapters", name + ".onnx_adapter"),
                                  ort_adapter.peft_to_ort(np_peft, alpha, r))
    return {os.path.relpath(os.path.join(root, fn), out): (os.path.getsize(os.path.join(root, fn)), sha256(os.path.join(root, fn)))
            for root, _, files in os.walk(out) for fn in files}


def write_golden(sets, out_dir, T, per_frame=1):
    """golden-prompts.jsonl: one note per (split, specialty, language, frame), with the prompt fusion must build,
    the ids the engine's tokenizer must produce, and the expected diagnosis."""
    seen = {}
    rows = []
    for name in ["base", "heldout-respiratory", "heldout-cardiology", "heldout-general"]:
        for e in sets[name]:
            k = (e["split"], e["specialty"], e["language"], e["frame"])
            if seen.get(k, 0) >= per_frame:
                continue
            seen[k] = seen.get(k, 0) + 1
            rows.append({"id": e["id"], "split": e["split"], "frame": e["frame"], "specialty": e["specialty"],
                         "language": e["language"], "text": e["text"], "system": e["system"], "user": e["user"],
                         "adapter": e["adapter"], "schema": cases.schema(e["specialty"]), "dx": e["dx"], "answer": e["answer"],
                         "promptIds": T.chat_prompt(e["system"], e["user"]), "answerIds": T.encode(e["answer"])})
    with open(os.path.join(out_dir, "golden-prompts.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(rows)


def write_heldout(sets, out_dir):
    """heldout-notes.jsonl: the held-out notes (text, language, specialty, expected diagnosis) for the ONNX Runtime
    evaluation in the Java tests."""
    with open(os.path.join(out_dir, "heldout-notes.jsonl"), "w", encoding="utf-8") as f:
        for sp in SPECIALTIES:
            for e in sets["heldout-" + sp]:
                f.write(json.dumps({"id": e["id"], "specialty": e["specialty"], "language": e["language"], "frame": e["frame"],
                                    "text": e["text"], "dx": e["dx"], "group": group_of(e)},
                                   ensure_ascii=False, separators=(",", ":")) + "\n")


def group_of(e):
    """common: a diagnosis the base corpus holds; specialist: one only the specialty's adapter was trained on."""
    return "common" if e["specialty"] not in cases.COMMON or e["dx"] in cases.COMMON[e["specialty"]] else "specialist"


# ------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "llm"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "llm-demo"))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("DEMO_THREADS", "1")))
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--kv-heads", type=int, default=1)
    ap.add_argument("--intermediate", type=int, default=384)
    ap.add_argument("--merges", type=int, default=2000)
    ap.add_argument("--base-general", type=int, default=1200, help="base set: general cases per language")
    ap.add_argument("--base-specialty", type=int, default=300,
                    help="base set: respiratory and cardiology cases per language, common diagnoses only")
    ap.add_argument("--adapter-examples", type=int, default=1200, help="adapter set: cases per language")
    ap.add_argument("--heldout", type=int, default=78, help="held-out cases per specialty and language")
    ap.add_argument("--base-steps", type=int, default=800)
    ap.add_argument("--lora-steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=4e-3)
    ap.add_argument("--lora-lr", type=float, default=3e-3)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=int, default=16)
    ap.add_argument("--dx-weight", type=float, default=4.0)
    ap.add_argument("--eval-only-base", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.build, exist_ok=True)
    t_all = time.time()

    log("data")
    sets = make_data(a)
    texts = ["system\n" + e["system"] + "\nuser\n" + e["user"] + "\n" + e["answer"]
             for name in ("base", "lora-respiratory", "lora-cardiology") for e in sets[name]]
    log(f"tokenizer ({a.merges} merges) on {len(texts)} training prompts")
    tj = tok.build(texts, a.merges)
    T = tok.Tokenizer(tj)
    vocab = (T.size + 63) // 64 * 64
    for name, ex in sets.items():
        tokenize(ex, T)
    lens = [len(e["ids"]) for e in sets["base"]]
    log(f"vocabulary {T.size} (model {vocab}); base set {len(sets['base'])} sequences, mean {np.mean(lens):.0f} tokens, max {max(lens)}")

    cfg = Cfg(vocab, a.hidden, a.layers, a.heads, a.kv_heads, a.intermediate)
    model = Decoder(cfg, seed=1)
    nparams = sum(p.numel() for p in model.parameters())
    log(f"decoder: hidden {a.hidden}, {a.layers} layers, {a.heads} heads ({a.kv_heads} kv), MLP {a.intermediate}, {nparams} parameters")
    info = {"architecture": {"hidden": a.hidden, "layers": a.layers, "heads": a.heads, "kvHeads": a.kv_heads,
                             "intermediate": a.intermediate, "vocab": vocab, "tokenizerSize": T.size, "parameters": nparams,
                             "tiedEmbeddings": True, "ropeTheta": cfg.rope_theta},
            "data": {k: len(v) for k, v in sets.items()}, "threads": a.threads}
    secs = train(model, sets["base"], a.base_steps, a.batch, a.lr, max(1, a.base_steps // 10), 11, list(model.parameters()),
                 a.dx_weight, "base")
    info["base"] = {"steps": a.base_steps, "batch": a.batch, "lr": a.lr, "seconds": round(secs)}
    base_state = {k: v.clone() for k, v in model.state_dict().items()}

    torch.save({"state": base_state, "arch": info["architecture"]}, os.path.join(a.build, "base.pt"))
    results, predictions = {}, {}
    for sp in SPECIALTIES:
        acc, per = evaluate(model, sets["heldout-" + sp], T)
        predictions[sp + "/base"] = evaluate.predictions
        results[sp] = {"base": {"accuracy": round(acc, 3), "byLanguage": per}}
        log(f"held-out {sp}: base {acc:.3f} {per}")
    adapters = {}
    if not a.eval_only_base:
        for i, sp in enumerate(("respiratory", "cardiology")):
            model.load_state_dict(base_state)
            model.add_lora(a.rank, a.alpha, seed=21 + i)
            params = [p for n, p in model.named_parameters() if "lora_" in n]
            secs = train(model, sets["lora-" + sp], a.lora_steps, a.batch, a.lora_lr, max(1, a.lora_steps // 10), 31 + i,
                         params, a.dx_weight, "lora-" + sp)
            acc, per = evaluate(model, sets["heldout-" + sp], T)
            predictions[sp + "/adapter"] = evaluate.predictions
            torch.save(model.lora_tensors(), os.path.join(a.build, f"lora-{sp}.pt"))
            results[sp]["adapter"] = {"accuracy": round(acc, 3), "byLanguage": per}
            log(f"held-out {sp}: adapter {acc:.3f} {per}")
            adapters[sp] = (model.lora_tensors(), a.rank, a.alpha)
            info["lora-" + sp] = {"steps": a.lora_steps, "rank": a.rank, "alpha": a.alpha, "lr": a.lora_lr,
                                  "targetModules": list(MODULES), "trainable": sum(p.numel() for p in params),
                                  "seconds": round(secs)}
            model.remove_lora()
        model.load_state_dict(base_state)
    info["heldoutPyTorch"] = results
    with open(os.path.join(a.build, "heldout-predictions.json"), "w") as f:
        json.dump(predictions, f, indent=0)
    if not a.no_export:
        os.makedirs(a.out, exist_ok=True)
        files = export(model, cfg, adapters, tj, a.out, a)
        info["files"] = {k: {"bytes": s, "sha256": h} for k, (s, h) in sorted(files.items())}
        n = write_golden(sets, HERE, T)
        write_heldout(sets, HERE)
        log(f"golden sample: {n} prompts; held-out notes: {sum(len(sets['heldout-' + s]) for s in SPECIALTIES)}")
    info["totalSeconds"] = round(time.time() - t_all)
    with open(os.path.join(a.build, "llm-metrics.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
