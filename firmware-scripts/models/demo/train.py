"""Trains the demo Whisper: `base` from scratch on the general set, `lora` on the medical set.

  train.py base --data DIR --out base.pt --steps N
  train.py lora --data DIR --base base.pt --out merged.pt --steps N --rank 16 --alpha 32
  train.py eval --data DIR --ckpt X.pt --wavs DIR   (greedy decoding in PyTorch)

Everything is seeded; batches are built by one worker process in a fixed order, and torch runs
on a fixed number of threads, so a rebuild on the same software gives the same weights.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
from model import LoRAEmbedding, TinyWhisper, add_lora, merge_lora  # noqa: E402
from tokens import N_VOCAB, Tokenizer  # noqa: E402

WINDOW_SECONDS = 10.0
N_FRAMES = 1000  # 10 s of 10 ms frames = 500 encoder positions (audioCtx)
MAX_UTT_SECONDS = 9.4

CONFIG = dict(n_mels=80, n_audio_ctx=500, n_state=96, n_head=4, n_audio_layer=3,
              n_text_ctx=256, n_text_layer=3, n_vocab=N_VOCAB)


def load_split(data, split):
    z = np.load(os.path.join(data, f"{split}.npz"))
    pcm, off = z["pcm"], z["offsets"]
    meta = [json.loads(l) for l in open(os.path.join(data, f"{split}.jsonl"), encoding="utf-8")]
    clips = [pcm[off[i]:off[i + 1]] for i in range(len(meta))]
    return meta, clips


class Pool:
    def __init__(self, meta, clips, tok):
        self.by_lang = {"en": [], "zh": []}
        for m, c in zip(meta, clips):
            if len(c) / audio.SAMPLE_RATE <= MAX_UTT_SECONDS:
                self.by_lang[m["lang"]].append((c, tok.encode(m["text"], m["lang"]), m["text"]))


def make_window(rng, pool, tok, k):
    lang = "en" if rng.random() < 0.5 else "zh"
    items = pool.by_lang[lang]
    chosen, total = [], 0.0
    for _ in range(k):
        c, ids, _ = items[rng.integers(len(items))]
        secs = len(c) / audio.SAMPLE_RATE + 0.6
        if chosen and total + secs > MAX_UTT_SECONDS:
            break
        chosen.append((c, ids))
        total += secs
    x = audio.augment(rng, [c for c, _ in chosen], int(WINDOW_SECONDS * audio.SAMPLE_RATE) - 400)
    ids = [i for _, t in chosen for i in t]
    return x, lang, ids


def batch_from(windows, tok, full=False):
    longest = max(len(x) for x, _, _ in windows)
    n_frames = N_FRAMES if full else min(N_FRAMES, int(math.ceil((longest + 400) / audio.HOP / 100.0)) * 100)
    mel = np.stack([audio.log_mel(x, n_frames) for x, _, _ in windows])
    seqs = [tok.prompt(lang) + ids + [50257] for _, lang, ids in windows]
    T = max(len(s) for s in seqs) - 1
    inp = np.zeros((len(seqs), T), dtype=np.int64)
    tgt = np.full((len(seqs), T), -100, dtype=np.int64)
    for b, s in enumerate(seqs):
        a = [tok.id2active[t] for t in s]
        inp[b, :len(a) - 1] = a[:-1]
        tgt[b, :len(a) - 1] = a[1:]
        tgt[b, 1:3] = -100  # transcribe and notimestamps are given, not predicted
    return torch.from_numpy(mel), torch.from_numpy(inp), torch.from_numpy(tgt)


class Batches(torch.utils.data.IterableDataset):
    def __init__(self, pools, weights, tok, batch, steps, seed):
        self.pools, self.weights, self.tok = pools, weights, tok
        self.batch, self.steps, self.seed = batch, steps, seed

    def __iter__(self):
        for step in range(self.steps):
            rng = np.random.default_rng([self.seed, step])
            # one number of utterances per batch, so that windows in a batch have similar lengths
            k = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
            wins = [make_window(rng, self.pools[rng.choice(len(self.pools), p=self.weights)], self.tok, k)
                    for _ in range(self.batch)]
            yield batch_from(wins, self.tok, full=rng.random() < 0.1)


def loader(ds):
    return torch.utils.data.DataLoader(ds, batch_size=None, num_workers=1, prefetch_factor=4)


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p)))


def ctc_loss(ctc_head, xa, tgt, n_text):
    """Auxiliary CTC loss on the encoder output (blank = 0, text token i = i + 1). The CTC head only
    speeds up learning the audio-text alignment; it is not part of the exported model."""
    lp = ctc_head(xa).log_softmax(-1).transpose(0, 1)
    targets = [[t + 1 for t in row if 0 <= t < n_text] for row in tgt.tolist()]
    flat = torch.tensor([t for row in targets for t in row], dtype=torch.long)
    return F.ctc_loss(lp, flat, torch.full((xa.shape[0],), xa.shape[1], dtype=torch.long),
                      torch.tensor([len(r) for r in targets], dtype=torch.long), zero_infinity=True)


def run_training(model, params, batches, steps, peak_lr, warmup, log_every=50, label_smoothing=0.05,
                 ctc_head=None, ctc_weight=0.0):
    opt = torch.optim.AdamW(params, lr=peak_lr, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.01)
    t0 = time.time()
    run = 0.0
    n_text = model.cfg["n_active"] - 6
    for step, (mel, inp, tgt) in enumerate(loader(batches)):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak_lr, warmup)
        xa = model.encoder(mel)
        logits = model.logits(model.decoder(inp, xa))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100,
                               label_smoothing=label_smoothing)
        if ctc_head is not None and ctc_weight > 0:
            loss = (1 - ctc_weight) * loss + ctc_weight * ctc_loss(ctc_head, xa, tgt, n_text)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        run = loss.item() if step == 0 else 0.95 * run + 0.05 * loss.item()
        if step % log_every == 0 or step == steps - 1:
            print(f"step {step:5d}/{steps} loss {run:.3f} lr {opt.param_groups[0]['lr']:.2e} "
                  f"{time.time() - t0:6.0f} s", flush=True)
    return time.time() - t0


def setup(seed=1234, threads=None):
    torch.manual_seed(seed)
    torch.set_num_threads(int(threads or os.environ.get("DEMO_THREADS", "1")))
    torch.use_deterministic_algorithms(True)


def save(model, tok, path, extra):
    torch.save({"cfg": model.cfg, "state": model.state_dict(), "text_tokens": tok.text_tokens, "info": extra}, path)


def load(path):
    ck = torch.load(path)
    m = TinyWhisper(ck["cfg"])
    m.load_state_dict(ck["state"])
    return m, Tokenizer(ck["text_tokens"]), ck.get("info", {})


@torch.no_grad()
def greedy(model, tok, mels, langs, max_len=120):
    """Greedy decoding with the prompt whisper.cpp uses; the pooled class is never chosen."""
    model.eval()
    xa = model.encoder(mels)
    seqs = [[tok.id2active[t] for t in tok.prompt(l)] for l in langs]
    eot = tok.id2active[50257]
    done = [False] * len(seqs)
    out = [[] for _ in seqs]
    text_n = len(tok.text_tokens)
    for _ in range(max_len):
        L = max(len(s) for s in seqs)
        inp = torch.tensor([s + [0] * (L - len(s)) for s in seqs])
        h = model.decoder(inp, xa)
        idx = torch.tensor([len(s) - 1 for s in seqs])
        logits = model.logits(h[torch.arange(len(seqs)), idx])[:, :-1]
        allowed = torch.full_like(logits, float("-inf"))
        allowed[:, :text_n] = 0
        allowed[:, eot] = 0
        nxt = (logits + allowed).argmax(-1).tolist()
        for b, t in enumerate(nxt):
            if done[b]:
                seqs[b].append(0)
                continue
            if t == eot:
                done[b] = True
            else:
                out[b].append(t)
            seqs[b].append(t)
        if all(done):
            break
    model.train()
    return [tok.decode(o) for o in out]


def cmd_base(a):
    setup()
    tok = Tokenizer.load(os.path.join(a.data, "vocab.json"))
    cfg = dict(CONFIG, n_active=len(tok.active_ids))
    model = TinyWhisper(cfg)
    meta, clips = load_split(a.data, "general")
    ds = Batches([Pool(meta, clips, tok)], [1.0], tok, a.batch, a.steps, seed=101)
    ctc_head = torch.nn.Linear(cfg["n_state"], len(tok.text_tokens) + 1)
    secs = run_training(model, list(model.parameters()) + list(ctc_head.parameters()), ds, a.steps, a.lr,
                        a.warmup, ctc_head=ctc_head, ctc_weight=a.ctc)
    save(model, tok, a.out, {"stage": "base", "steps": a.steps, "batch": a.batch, "lr": a.lr, "ctc": a.ctc,
                                           "seconds": round(secs)})
    print(f"base: {a.steps} steps in {secs / 60:.1f} min, {sum(p.numel() for p in model.parameters())} parameters")


def cmd_lora(a):
    setup()
    model, tok, info = load(a.base)
    for p in model.parameters():
        p.requires_grad_(False)
    add_lora(model, a.rank, a.alpha, encoder_blocks=a.encoder_blocks)
    model.decoder.token_embedding = LoRAEmbedding(model.decoder.token_embedding, a.rank, a.alpha)
    lora_params = [p for n, p in model.named_parameters() if "lora_" in n]
    print(f"LoRA r={a.rank} alpha={a.alpha}: {sum(p.numel() for p in lora_params)} trainable parameters")
    med = Pool(*load_split(a.data, "train"), tok)
    gen = Pool(*load_split(a.data, "general"), tok)
    ds = Batches([med, gen], [1 - a.replay, a.replay], tok, a.batch, a.steps, seed=202)
    secs = run_training(model, lora_params, ds, a.steps, a.lr, a.warmup)
    merge_lora(model)
    save(model, tok, a.out, {"stage": "lora-merged", "base": info, "steps": a.steps, "batch": a.batch, "lr": a.lr,
                             "rank": a.rank, "alpha": a.alpha, "replay": a.replay,
                             "lora_encoder_blocks": a.encoder_blocks, "seconds": round(secs),
                             "trainable": sum(p.numel() for p in lora_params)})
    print(f"lora: {a.steps} steps in {secs / 60:.1f} min")


def read_wav(path):
    import wave
    with wave.open(path) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0


def cmd_eval(a):
    setup()
    from metrics import error_rate
    model, tok, _ = load(a.ckpt)
    refs = [json.loads(l) for l in open(os.path.join(a.wavs, "refs.jsonl"), encoding="utf-8")]
    hyps = {}
    for i in range(0, len(refs), 16):
        chunk = refs[i:i + 16]
        mels = torch.from_numpy(np.stack([audio.log_mel(read_wav(os.path.join(a.wavs, r["wav"])), N_FRAMES)
                                          for r in chunk]))
        for r, h in zip(chunk, greedy(model, tok, mels, [r["lang"] for r in chunk])):
            hyps[r["wav"]] = h
    res = {}
    for lang in ("en", "zh"):
        e, n = error_rate((r["text"], hyps[r["wav"]], lang) for r in refs if r["lang"] == lang)
        res[lang] = round(100.0 * e / max(1, n), 2)
    print(json.dumps(res))
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump({"rates": res, "hyps": hyps}, f, ensure_ascii=False, indent=1)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("base")
    b.add_argument("--data", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--steps", type=int, default=1200)
    b.add_argument("--batch", type=int, default=16)
    b.add_argument("--lr", type=float, default=3e-3)
    b.add_argument("--warmup", type=int, default=150)
    b.add_argument("--ctc", type=float, default=0.3)
    l = sub.add_parser("lora")
    l.add_argument("--data", required=True)
    l.add_argument("--base", required=True)
    l.add_argument("--out", required=True)
    l.add_argument("--steps", type=int, default=500)
    l.add_argument("--batch", type=int, default=16)
    l.add_argument("--lr", type=float, default=3e-3)
    l.add_argument("--warmup", type=int, default=50)
    l.add_argument("--rank", type=int, default=16)
    l.add_argument("--alpha", type=float, default=32)
    l.add_argument("--replay", type=float, default=0.15)
    l.add_argument("--encoder-blocks", type=int, default=1)
    e = sub.add_parser("eval")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--wavs", required=True)
    e.add_argument("--out")
    a = ap.parse_args()
    {"base": cmd_base, "lora": cmd_lora, "eval": cmd_eval}[a.cmd](a)


if __name__ == "__main__":
    main()
