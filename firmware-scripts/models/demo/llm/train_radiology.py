#!/usr/bin/python3
"""Trains the demo LLM's `radiology` LoRA adapter on the COMMITTED llm-demo base, and evaluates it.

    /usr/bin/python3 firmware-scripts/models/demo/llm/train_radiology.py [--build DIR] [--out DIR] [--threads N]

It never retrains or rewrites the base, the tokenizer or the other adapters. The base's fp32 weights are not
kept anywhere (train_llm.py trains them from scratch in ~10 minutes and exports int8 only), so this script reads
the base from llm-demo/model.onnx: the int8 weights times their per-channel scales, with the fp32 embedding, norms
and biases. It first checks that model.onnx and tokenizer.json are the catalog's files (sha256) and that
re-exporting the loaded weights with train_llm.py's exporter gives model.onnx byte for byte, so the weights it
trains against are exactly the weights the appliance serves (the adapter is trained QLoRA-style, against the
int8 base, where the other adapters saw the fp32 base before quantization).

Stages (deterministic: fixed seeds, one data order, one torch thread by default):
  data    radiology_cases.py: training pairs (en, zh), held-out pairs (other values, other combinations of findings,
          another order of the radiologist's list)
  eval    base: greedy decoding in PyTorch (int8 weights dequantized, fp32 activations), no schema constraint:
          primary accuracy, followUp accuracy, valid JSON against radiology-impression.schema.json, impression
          laterality
  lora    rank 8, alpha 16, the seven projection modules, base frozen; train_llm.train (AdamW, warm-up and cosine,
          answer tokens only, the primary value's tokens weighted), both languages in one group and the logits scaled
          by 2 in the loss (the training section says why; greedy decoding is unaffected)
  eval    the same with the adapter
  export  llm-demo/adapters/radiology.onnx_adapter (ort_adapter, as train_llm.py writes the others), the PEFT files
          under --build, radiology-heldout.jsonl and radiology-metrics.json next to this script
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import radiology_cases as rc  # noqa: E402
import tok  # noqa: E402
import train_llm  # noqa: E402  (puts firmware-scripts/llm on sys.path)
from llm_model import MODULES, Decoder  # noqa: E402

# the llm-demo files this adapter is made for (firmware-scripts/models/catalog.yaml, llm-demo version 2)
BASE_SHA256 = {"model.onnx": "15ea41f77b1e4a686bdef00dadeda1f00673906cd927d9e84bad481d472f28f0",
               "tokenizer.json": "2ddb09c04ab49f38f6ececb5821386715339bcad77f1a55ea808d7495565038f"}
ARCH = {"hidden": 128, "layers": 4, "heads": 2, "kvHeads": 1, "intermediate": 384}
ANSWER_HEAD = '{"primary":"'
log = train_llm.log


# ------------------------------------------------------------------------------------ the base
def load_base(out):
    import onnx
    from onnx import numpy_helper
    from decoder_onnx import ALL_MODULES, export_decoder

    for fn, want in BASE_SHA256.items():
        got = train_llm.sha256(os.path.join(out, fn))
        if got != want:
            sys.exit(f"{fn}: sha256 {got}, but this adapter is made for {want} (llm-demo version 2)")
    path = os.path.join(out, "model.onnx")
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    weights = {}
    for k, v in inits.items():
        if k.endswith(".weight.T.int8"):
            p = k[:-len(".weight.T.int8")]
            weights[p + ".weight"] = np.ascontiguousarray((v.astype(np.float32) * inits[p + ".weight.T.scale"]).T)
        elif k.startswith("model.") and ".lora_" not in k and not k.endswith(".scale"):
            weights[k] = v
    vocab = weights["model.embed_tokens.weight"].shape[0]
    cfg = train_llm.Cfg(vocab, ARCH["hidden"], ARCH["layers"], ARCH["heads"], ARCH["kvHeads"], ARCH["intermediate"])
    # the loaded weights are the served ones: re-exporting them reproduces model.onnx byte for byte
    again = export_decoder(weights, cfg.decoder_config(), lora_targets=ALL_MODULES, quantization="int8")
    h = hashlib.sha256(again.SerializeToString()).hexdigest()
    if h != BASE_SHA256["model.onnx"]:
        sys.exit(f"re-exporting the weights read from model.onnx gives sha256 {h}, not model.onnx: the reader is wrong")
    model = Decoder(cfg, seed=1)
    state = model.state_dict()
    missing = set(state) - set(weights)
    if missing:
        sys.exit(f"weights missing from model.onnx: {sorted(missing)[:5]}")
    model.load_state_dict({k: torch.from_numpy(np.array(weights[k])) for k in state})
    return model, cfg


# ------------------------------------------------------------------------------------ data
def make_data(a):
    sets = {"train": [], "heldout": []}
    for j, lang in enumerate(rc.LANGS):
        sets["train"] += rc.generate("train", lang, a.examples, 4000 + j)
        sets["heldout"] += rc.generate("heldout", lang, a.heldout, 5000 + j)
    return sets


def tokenize(examples, T):
    im_end = T.special["<|im_end|>"]
    head = T.encode(ANSWER_HEAD)
    for e in examples:
        prompt = T.chat_prompt(e["system"], e["user"])
        ans = T.encode(e["answer"])
        span = len(T.encode(ANSWER_HEAD + e["primary"]))
        assert ans[:len(head)] == head and T.encode(ANSWER_HEAD + e["primary"]) == ans[:span], e["answer"]
        e["ids"] = prompt + ans + [im_end]
        e["prompt_len"] = len(prompt)
        e["dx_span"] = (len(prompt) + len(head), len(prompt) + span)


# ------------------------------------------------------------------------------------ training
# train_llm.train, with two differences:
#  * one group for both languages (train_llm groups by specialty and language): the report language is the user
#    text's last line, so en and zh prompts share the same beginning, and mixing them in every batch is what teaches
#    the adapter to read that line (with one language per batch it wrote either language at random);
#  * the logits scaled by --logit-scale in the loss: the base's output head is its tied embedding table, frozen (the
#    graph has LoRA inputs on the seven projections only), and the base only ever wrote English assessment JSON; most
#    tokens an impression needs (Chinese bytes, word pieces such as 'ffusion') can be made the arg max, but no hidden
#    state gives them more than a few per cent probability (measured: a quarter of the answer's tokens have a ceiling
#    below 0.1), so plain cross entropy stalls near 1.7 per token and spends the updates on an unreachable target.
#    Scaling the logits in the loss lifts that ceiling; greedy decoding (the arg max) does not depend on the scale.
def by_specialty(e):
    return e["specialty"]


# ------------------------------------------------------------------------------------ evaluation
@torch.no_grad()
def greedy(model, examples, T, max_new):
    """Plain greedy decoding (no schema constraint) until <|im_end|> / <|endoftext|> or max_new tokens."""
    model.eval()
    stop = {T.special["<|im_end|>"], T.special["<|endoftext|>"]}
    prefixes = train_llm.group_prefixes(examples)
    cache = {}
    outs = []
    for e in examples:
        k = (e["specialty"], e["language"])
        plen = prefixes[k]
        if k not in cache:
            cache[k] = model(torch.tensor([e["ids"][:plen]]))[1]
        hidden, past = model(torch.tensor([e["ids"][plen:e["prompt_len"]]]), cache[k])
        got = []
        for _ in range(max_new):
            logits = model.logits(hidden[0, -1])
            logits[T.size:] = float("-inf")  # ids beyond the tokenizer are never sampled (the engine's rule)
            nxt = int(torch.argmax(logits))
            if nxt in stop:
                break
            got.append(nxt)
            hidden, past = model(torch.tensor([[nxt]]), past)
        outs.append(T.decode(got))
    model.train()
    return outs


def score(examples, outputs):
    n = len(examples)
    parsed = valid = prim = fu = lat = lat_n = lat_sided = lat_sided_n = exact = imp = lang_ok = 0
    per_lang, per_primary, rows = {}, {}, []
    for e, out in zip(examples, outputs):
        obj, errs = None, ["not JSON"]
        try:
            obj = json.loads(out)
            parsed += 1
            errs = rc.schema_errors(obj)
        except ValueError:
            pass
        ok = not errs
        valid += ok
        p_ok = ok and obj["primary"] == e["primary"]
        f_ok = ok and obj["followUp"] == e["followUp"]
        l_ok = ok and rc.laterality_ok(obj["impression"], e["language"], e["primarySide"])
        prim += p_ok
        fu += f_ok
        lat += l_ok
        lat_n += 1
        if e["primarySide"]:
            lat_sided += l_ok
            lat_sided_n += 1
        lang_ok += ok and (any("\u4e00" <= ch <= "\u9fff" for ch in obj["impression"]) == (e["language"] == "zh"))
        exact += out == e["answer"]
        imp += ok and obj["impression"] == e["impression"]
        pl = per_lang.setdefault(e["language"], [0, 0, 0])
        pl[0] += p_ok
        pl[1] += f_ok
        pl[2] += 1
        pp = per_primary.setdefault(e["primary"], [0, 0])
        pp[0] += p_ok
        pp[1] += 1
        rows.append({"id": e["id"], "expected": e["answer"], "got": out, "valid": ok, "errors": errs,
                     "primaryOk": p_ok, "followUpOk": f_ok, "lateralityOk": l_ok})
    r3 = lambda x, m: round(x / m, 3) if m else None  # noqa: E731
    return {"n": n, "primaryAccuracy": r3(prim, n), "followUpAccuracy": r3(fu, n), "parsesAsJson": r3(parsed, n),
            "validAgainstSchema": r3(valid, n), "lateralityCorrect": r3(lat, lat_n),
            "lateralityCorrectSidedPrimary": r3(lat_sided, lat_sided_n), "sidedPrimaryN": lat_sided_n,
            "impressionInReportLanguage": r3(lang_ok, n), "impressionExact": r3(imp, n), "answerExact": r3(exact, n),
            "byLanguage": {k: {"primaryAccuracy": r3(v[0], v[2]), "followUpAccuracy": r3(v[1], v[2]), "n": v[2]}
                           for k, v in sorted(per_lang.items())},
            "primaryAccuracyByLabel": {k: {"accuracy": r3(v[0], v[1]), "n": v[1]} for k, v in sorted(per_primary.items())}}, rows


# ------------------------------------------------------------------------------------ export
def export_adapter(peft, rank, alpha, out, build):
    import ort_adapter
    import safetensors_io

    pdir = os.path.join(build, "peft", "radiology")
    os.makedirs(pdir, exist_ok=True)
    np_peft = {k: v.numpy().astype(np.float32) for k, v in peft.items()}
    safetensors_io.save(os.path.join(pdir, "adapter_model.safetensors"), np_peft, {"format": "pt"})
    with open(os.path.join(pdir, "adapter_config.json"), "w") as f:
        json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": rank, "lora_alpha": alpha, "lora_dropout": 0.0,
                   "bias": "none", "target_modules": sorted(MODULES), "base_model_name_or_path": train_llm.LORA_BASE,
                   "fan_in_fan_out": False, "use_dora": False, "use_rslora": False}, f, indent=2, sort_keys=True)
    os.makedirs(os.path.join(out, "adapters"), exist_ok=True)
    path = os.path.join(out, "adapters", "radiology.onnx_adapter")
    ort_adapter.write_adapter(path, ort_adapter.peft_to_ort(np_peft, alpha, rank))
    return path


def write_heldout(examples, T, path):
    with open(path, "w", encoding="utf-8") as f:
        for e in examples:
            f.write(json.dumps({"id": e["id"], "language": e["language"], "frame": e["frame"], "input": e["input"],
                                "system": e["system"], "user": e["user"], "expected": e["answer"],
                                "primary": e["primary"], "followUp": e["followUp"], "primarySide": e["primarySide"],
                                "promptIds": T.chat_prompt(e["system"], e["user"])},
                               ensure_ascii=False, separators=(",", ":")) + "\n")


# ------------------------------------------------------------------------------------ main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build", "llm-radiology"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "llm-demo"))
    ap.add_argument("--files", default=HERE, help="where radiology-heldout.jsonl and radiology-metrics.json go")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("DEMO_THREADS", "1")))
    ap.add_argument("--examples", type=int, default=1200, help="training pairs per language")
    ap.add_argument("--heldout", type=int, default=150, help="held-out pairs per language")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=int, default=16)
    ap.add_argument("--dx-weight", type=float, default=4.0, help="loss weight of the primary value's tokens")
    ap.add_argument("--logit-scale", type=float, default=2.0, help="logits x this in the training loss (see batch_loss)")
    ap.add_argument("--max-new", type=int, default=200, help="greedy decoding: at most this many tokens")
    ap.add_argument("--eval-limit", type=int, default=0, help="evaluate only the first N held-out pairs per language")
    ap.add_argument("--skip-base-eval", action="store_true")
    ap.add_argument("--no-export", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    os.makedirs(a.build, exist_ok=True)
    t_all = time.time()

    log("base: reading llm-demo/model.onnx")
    model, cfg = load_base(a.out)
    with open(os.path.join(a.out, "tokenizer.json"), encoding="utf-8") as f:
        T = tok.Tokenizer(json.load(f))
    log("data")
    sets = make_data(a)
    for ex in sets.values():
        tokenize(ex, T)
    plens = [e["prompt_len"] for e in sets["train"] + sets["heldout"]]
    alens = [len(e["ids"]) - e["prompt_len"] for e in sets["train"]]
    log(f"train {len(sets['train'])} pairs, held-out {len(sets['heldout'])}; prompt tokens mean {np.mean(plens):.0f} "
        f"max {max(plens)}; answer tokens mean {np.mean(alens):.0f} max {max(alens)}")
    held = sets["heldout"]
    if a.eval_limit:
        held = [e for lang in rc.LANGS for e in [x for x in held if x["language"] == lang][:a.eval_limit]]
    info = {"base": {"file": "llm-demo/model.onnx", "sha256": BASE_SHA256["model.onnx"],
                     "weights": "int8 weights x per-channel scales read from model.onnx (re-export checked byte for "
                                "byte), fp32 embedding, norms, biases"},
            "data": {"trainPairs": len(sets["train"]), "heldoutPairs": len(sets["heldout"]),
                     "promptTokensMean": round(float(np.mean(plens)), 1), "promptTokensMax": max(plens)},
            "threads": a.threads,
            "evaluation": "greedy decoding in PyTorch, no schema constraint, int8 weights (dequantized) with fp32 "
                          "activations and fp32 LoRA branch; answers up to %d tokens" % a.max_new}
    results, rows = {}, {}
    if not a.skip_base_eval:
        t0 = time.time()
        results["base"], rows["base"] = score(held, greedy(model, held, T, a.max_new))
        log(f"held-out base ({time.time() - t0:.0f} s): {json.dumps({k: v for k, v in results['base'].items() if not isinstance(v, dict)})}")

    model.add_lora(a.rank, a.alpha, seed=23)
    params = [p for n, p in model.named_parameters() if "lora_" in n]
    secs = train_llm.train(model, sets["train"], a.steps, a.batch, a.lr, max(1, a.steps // 10), 33, params, a.dx_weight,
                           "lora-radiology", group=by_specialty, logit_scale=a.logit_scale, log_every=50)
    info["lora"] = {"steps": a.steps, "batch": a.batch, "rank": a.rank, "alpha": a.alpha, "lr": a.lr,
                    "targetModules": list(MODULES), "trainable": sum(p.numel() for p in params),
                    "logitScaleInLoss": a.logit_scale, "dxWeight": a.dx_weight,
                    "seconds": round(secs)}
    torch.save(model.lora_tensors(), os.path.join(a.build, "lora-radiology.pt"))
    t0 = time.time()
    results["adapter"], rows["adapter"] = score(held, greedy(model, held, T, a.max_new))
    log(f"held-out adapter ({time.time() - t0:.0f} s): {json.dumps({k: v for k, v in results['adapter'].items() if not isinstance(v, dict)})}")
    info["heldout"] = results
    with open(os.path.join(a.build, "radiology-predictions.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, ensure_ascii=False, indent=0)
    if not a.no_export:
        path = export_adapter(model.lora_tensors(), a.rank, a.alpha, a.out, a.build)
        info["adapter"] = {"file": "llm-demo/adapters/radiology.onnx_adapter", "bytes": os.path.getsize(path),
                           "sha256": train_llm.sha256(path)}
        log(f"adapter {path}: {info['adapter']['bytes']} bytes, sha256 {info['adapter']['sha256']}")
        write_heldout(sets["heldout"], T, os.path.join(a.files, "radiology-heldout.jsonl"))
    info["totalSeconds"] = round(time.time() - t_all)
    if not a.no_export:
        with open(os.path.join(a.files, "radiology-metrics.json"), "w", encoding="utf-8") as f:
            json.dump(info, f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(os.path.join(a.build, "radiology-metrics.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, ensure_ascii=False, indent=1)
    print(json.dumps(info, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
