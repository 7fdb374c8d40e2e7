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
from model import LoRAEmbedding, TinyWhisper, add_lora, ctx_mask, merge_lora  # noqa: E402
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


MIN_SAMPLES = 17600  # whisper.cpp refuses windows under 1 s: the ASR engine pads them to 1.1 s
TS_INPUT = -1  # marks the decoder input that stands for a timestamp token (see batch_from)


def ctx_for(n_samples):
    """Encoder positions whisper.cpp gets for a window of n samples with audio_ctx per window:
    ceil(n / 320) (20 ms a position), at most 500; the ASR engine uses the same rule."""
    return min(N_FRAMES // 2, int(math.ceil(max(n_samples, MIN_SAMPLES) / (2 * audio.HOP))))


def make_window(rng, pool, tok, k, lang=None):
    lang = lang or ("en" if rng.random() < 0.5 else "zh")
    items = pool.by_lang[lang]
    chosen, total = [], 0.0
    for _ in range(k):
        c, ids, _ = items[rng.integers(len(items))]
        secs = len(c) / audio.SAMPLE_RATE + 0.6
        if chosen and total + secs > MAX_UTT_SECONDS:
            break
        chosen.append((c, ids))
        total += secs
    x = audio.augment(rng, [c for c, _ in chosen], int(WINDOW_SECONDS * audio.SAMPLE_RATE) - 400,
                      gap_range=(0.15, 1.0))
    ids = [i for _, t in chosen for i in t]
    return x, lang, ids


def batch_from(windows, tok, full=False, rng=None, token_noise=0.0, ts_prob=0.0):
    """Each window gets its own length: ctx = ctx_for(len) encoder positions, features = whisper.cpp's
    log-mel of the window (max over the window itself), frames beyond 2*ctx zero, as whisper.cpp
    feeds them with audio_ctx = ctx. Returns mel, decoder input, target, ctx (per window)."""
    ctx = [N_FRAMES // 2 if full else ctx_for(len(x)) for x, _, _ in windows]
    T_a = max(ctx)
    mel = np.zeros((len(windows), audio.N_MELS, 2 * T_a), dtype=np.float32)
    for b, (x, _, _) in enumerate(windows):
        mel[b, :, :2 * ctx[b]] = audio.log_mel(x, 2 * ctx[b])
    seqs = [tok.prompt(lang) + ids + [50257] for _, lang, ids in windows]
    T = max(len(s) for s in seqs) - 1
    inp = np.zeros((len(seqs), T), dtype=np.int64)
    tgt = np.full((len(seqs), T), -100, dtype=np.int64)
    n_text = len(tok.text_tokens)
    for b, s in enumerate(seqs):
        a = [tok.id2active[t] for t in s]
        inp[b, :len(a) - 1] = a[:-1]
        tgt[b, :len(a) - 1] = a[1:]
        tgt[b, 1:3] = -100  # transcribe and notimestamps are given, not predicted
        if rng is not None:
            if token_noise > 0:  # replace some text inputs with random text tokens: listen, do not guess
                for j in range(4, len(a) - 1):
                    if rng.random() < token_noise:
                        inp[b, j] = rng.integers(1, n_text)
            if rng.random() < ts_prob:
                # whisper.cpp in timestamp mode: [sot, lang, transcribe, <|0.00|>] then text; a
                # timestamp token's embedding is the shared row of unused ids
                inp[b, 3] = TS_INPUT
    return torch.from_numpy(mel), torch.from_numpy(inp), torch.from_numpy(tgt), torch.tensor(ctx)


class Batches(torch.utils.data.IterableDataset):
    """Batches of windows of similar length (drawn from 3x candidates, sorted by length), so
    that little compute goes to masked positions."""

    def __init__(self, pools, weights, tok, batch, steps, seed, token_noise=0.0, ts_prob=0.0, full_prob=0.0):
        self.pools, self.weights, self.tok = pools, weights, tok
        self.batch, self.steps, self.seed = batch, steps, seed
        self.token_noise, self.ts_prob, self.full_prob = token_noise, ts_prob, full_prob

    def __iter__(self):
        for step in range(self.steps):
            rng = np.random.default_rng([self.seed, step])
            k = int(rng.choice([1, 2, 3], p=[0.7, 0.22, 0.08]))
            lang = "en" if rng.random() < 0.5 else "zh"
            cands = [make_window(rng, self.pools[rng.choice(len(self.pools), p=self.weights)], self.tok, k, lang)
                     for _ in range(3 * self.batch)]
            cands.sort(key=lambda w: len(w[0]))
            i0 = int(rng.integers(0, len(cands) - self.batch + 1))
            wins = cands[i0:i0 + self.batch]
            yield batch_from(wins, self.tok, full=rng.random() < self.full_prob, rng=rng,
                             token_noise=self.token_noise, ts_prob=self.ts_prob)


def loader(ds):
    return torch.utils.data.DataLoader(ds, batch_size=None, num_workers=1, prefetch_factor=4)


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p)))


def ctc_loss(ctc_head, xa, tgt, n_text, ctx):
    """Auxiliary CTC loss on the encoder output (blank = 0, text token i = i + 1). The CTC head only
    speeds up learning the audio-text alignment; it is not part of the exported model."""
    lp = ctc_head(xa).log_softmax(-1).transpose(0, 1)
    targets = [[t + 1 for t in row if 0 <= t < n_text] for row in tgt.tolist()]
    flat = torch.tensor([t for row in targets for t in row], dtype=torch.long)
    return F.ctc_loss(lp, flat, ctx.long(),
                      torch.tensor([len(r) for r in targets], dtype=torch.long), zero_infinity=True)


def guided_attention_loss(model, tgt, ctx, g=0.25):
    """Diagonal prior on the decoder's cross-attention (Tachibana et al. 2017, "guided attention"):
    text token n of N should look near encoder position t/ctx = n/N. Speech is read left to right,
    so this only tells the decoder early where to listen; it is weighted down to zero during training.
    Penalty = sum_t mean_heads(A[n, t]) * (1 - exp(-(n/N - t/ctx)^2 / 2g^2)), averaged over the
    text positions of the batch and summed over decoder layers."""
    B, T = tgt.shape
    valid = tgt != -100
    valid[:, :3] = False  # the prompt: sot -> language, given tokens
    n_tok = valid.sum(1).clamp(min=1).float()  # text tokens + end-of-text
    n_rel = ((torch.arange(T)[None, :] - 3).clamp(min=0).float() + 0.5) / n_tok[:, None]  # [B, T]
    total = 0.0
    for blk in model.decoder.blocks:
        w = blk.cross_attn.weights.mean(1)  # [B, T, Tk]
        Tk = w.shape[-1]
        t_rel = (torch.arange(Tk)[None, :].float() + 0.5) / ctx[:, None].float()  # [B, Tk]
        prior = 1 - torch.exp(-((n_rel[:, :, None] - t_rel[:, None, :]) ** 2) / (2 * g * g))
        per = (w * prior).sum(-1)  # [B, T]
        total = total + (per * valid).sum() / valid.sum().clamp(min=1)
    return total


def run_training(model, params, batches, steps, peak_lr, warmup, log_every=50, label_smoothing=0.05,
                 ctc_head=None, ctc_weight=0.0, ctc_final=None, save_fn=None, save_every=0,
                 ga_weight=0.0, ga_until=0.5):
    opt = torch.optim.AdamW(params, lr=peak_lr, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.01)
    t0 = time.time()
    run = ce_run = ctc_run = ga_run = 0.0
    n_text = model.cfg["n_active"] - 6
    for blk in model.decoder.blocks:
        blk.cross_attn.keep_weights = ga_weight > 0
    ctc_final = ctc_weight if ctc_final is None else ctc_final
    for step, (mel, inp, tgt, ctx) in enumerate(loader(batches)):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak_lr, warmup)
        mask = ctx_mask(ctx, mel.shape[2] // 2)
        xa = model.encoder(mel, mask)
        logits = model.logits(model.decoder(inp, xa, mask))
        ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100,
                             label_smoothing=label_smoothing)
        loss = ce
        w = ctc_weight + (ctc_final - ctc_weight) * step / max(1, steps - 1)  # CTC weight, linearly
        ctc = torch.zeros(())
        if ctc_head is not None and w > 0:
            ctc = ctc_loss(ctc_head, xa, tgt, n_text, ctx)
            loss = (1 - w) * loss + w * ctc
        ga = torch.zeros(())
        gw = ga_weight * max(0.0, 1.0 - step / max(1.0, ga_until * steps))  # guided attention, linearly to 0
        if gw > 0:
            ga = guided_attention_loss(model, tgt, ctx)
            loss = loss + gw * ga
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        k = 1.0 if step == 0 else 0.05
        run, ce_run = run + k * (loss.item() - run), ce_run + k * (ce.item() - ce_run)
        ctc_run, ga_run = ctc_run + k * (ctc.item() - ctc_run), ga_run + k * (ga.item() - ga_run)
        if step % log_every == 0 or step == steps - 1:
            print(f"step {step:5d}/{steps} loss {run:.3f} (ce {ce_run:.3f} ctc {ctc_run:.3f} ga {ga_run:.3f}) "
                  f"lr {opt.param_groups[0]['lr']:.2e} {time.time() - t0:6.0f} s", flush=True)
        if save_fn is not None and save_every and step and step % save_every == 0:
            save_fn(step)
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
def greedy(model, tok, mels, langs, max_len=120, ctx=None):
    """Greedy decoding with the prompt whisper.cpp uses; the pooled class is never chosen."""
    model.eval()
    mask = None if ctx is None else ctx_mask(ctx, mels.shape[2] // 2)
    xa = model.encoder(mels, mask)
    seqs = [[tok.id2active[t] for t in tok.prompt(l)] for l in langs]
    eot = tok.id2active[50257]
    done = [False] * len(seqs)
    out = [[] for _ in seqs]
    text_n = len(tok.text_tokens)
    for _ in range(max_len):
        L = max(len(s) for s in seqs)
        inp = torch.tensor([s + [0] * (L - len(s)) for s in seqs])
        h = model.decoder(inp, xa, mask)
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
    setup(threads=a.threads)
    tok = Tokenizer.load(os.path.join(a.data, "vocab.json"))
    cfg = dict(CONFIG, n_active=len(tok.active_ids), n_state=a.d_model, n_head=a.heads,
               n_audio_layer=a.layers, n_text_layer=a.layers)
    model = TinyWhisper(cfg)
    meta, clips = load_split(a.data, "general")
    ds = Batches([Pool(meta, clips, tok)], [1.0], tok, a.batch, a.steps, seed=101, token_noise=a.token_noise,
                 ts_prob=a.ts_prob, full_prob=a.full_prob)
    ctc_head = torch.nn.Linear(cfg["n_state"], len(tok.text_tokens) + 1)
    info = {"stage": "base", "steps": a.steps, "batch": a.batch, "lr": a.lr, "warmup": a.warmup, "ctc": a.ctc,
            "ctc_final": a.ctc_final, "token_noise": a.token_noise, "ts_prob": a.ts_prob, "full_prob": a.full_prob,
            "audio_ctx": "per window", "guided_attention": a.ga, "ga_until": a.ga_until, "threads": torch.get_num_threads()}
    secs = run_training(model, list(model.parameters()) + list(ctc_head.parameters()), ds, a.steps, a.lr,
                        a.warmup, ctc_head=ctc_head, ctc_weight=a.ctc, ctc_final=a.ctc_final,
                        save_fn=lambda st: save(model, tok, f"{a.out}.step{st}", dict(info, stopped_at=st)),
                        save_every=a.save_every, ga_weight=a.ga, ga_until=a.ga_until)
    save(model, tok, a.out, dict(info, seconds=round(secs)))
    print(f"base: {a.steps} steps in {secs / 60:.1f} min, {sum(p.numel() for p in model.parameters())} parameters")


def cmd_lora(a):
    setup(threads=a.threads)
    model, tok, info = load(a.base)
    for p in model.parameters():
        p.requires_grad_(False)
    add_lora(model, a.rank, a.alpha, encoder_blocks=a.encoder_blocks)
    model.decoder.token_embedding = LoRAEmbedding(model.decoder.token_embedding, a.rank, a.alpha)
    lora_params = [p for n, p in model.named_parameters() if "lora_" in n]
    print(f"LoRA r={a.rank} alpha={a.alpha}: {sum(p.numel() for p in lora_params)} trainable parameters")
    # a fresh auxiliary CTC head (not exported) helps the adapted encoder learn the new words fast
    ctc_head = torch.nn.Linear(model.cfg["n_state"], len(tok.text_tokens) + 1)
    pools = [Pool(*load_split(a.data, "train"), tok), Pool(*load_split(a.data, "general"), tok)]
    weights = [1 - a.replay, a.replay]
    extras = a.extra_split.split(",") if a.extra_split else []
    shares = [float(x) for x in a.extra_share.split(",")]
    if extras:  # e.g. the measurement drill: each takes its share of the medical share
        if len(shares) != len(extras) or not 0 < sum(shares) < 1:
            sys.exit(f"lora: --extra-share needs one share per split, summing below 1 (got {a.extra_share})")
        pools += [Pool(*load_split(a.data, x), tok) for x in extras]
        weights = [(1 - a.replay) * (1 - sum(shares)), a.replay] + [(1 - a.replay) * x for x in shares]
    ds = Batches(pools, weights, tok, a.batch, a.steps, seed=202, token_noise=a.token_noise,
                 ts_prob=a.ts_prob, full_prob=a.full_prob)
    secs = run_training(model, lora_params + list(ctc_head.parameters()), ds, a.steps, a.lr, a.warmup,
                        ctc_head=ctc_head, ctc_weight=a.ctc, ctc_final=a.ctc_final, ga_weight=a.ga, ga_until=a.ga_until)
    merge_lora(model)
    save(model, tok, a.out, {"stage": "lora-merged", "base": info, "steps": a.steps, "batch": a.batch, "lr": a.lr,
                             "rank": a.rank, "alpha": a.alpha, "replay": a.replay,
                             "extra_split": a.extra_split, "extra_share": shares[0] if len(shares) == 1 else shares,
                             "lora_encoder_blocks": a.encoder_blocks, "seconds": round(secs),
                             "token_noise": a.token_noise, "ts_prob": a.ts_prob, "ctc": a.ctc, "ctc_final": a.ctc_final,
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
        wins = [(read_wav(os.path.join(a.wavs, r["wav"])), r["lang"], []) for r in chunk]
        if a.full:
            wins = [(x[:N_FRAMES * audio.HOP - 400], l, i) for x, l, i in wins]
        mels, _, _, ctx = batch_from(wins, tok, full=a.full)
        for r, h in zip(chunk, greedy(model, tok, mels, [r["lang"] for r in chunk], ctx=ctx)):
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
    b.add_argument("--save-every", type=int, default=0)
    b.add_argument("--d-model", type=int, default=CONFIG["n_state"])
    b.add_argument("--heads", type=int, default=CONFIG["n_head"])
    b.add_argument("--layers", type=int, default=CONFIG["n_audio_layer"], help="encoder and decoder layers each")
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
    l.add_argument("--extra-split", default=None, help="more data splits mixed into the medical share (a,b,...)")
    l.add_argument("--extra-share", default="0.4", help="their shares of the medical share (x,y,...; one per split)")
    e = sub.add_parser("eval")
    e.add_argument("--ckpt", required=True)
    e.add_argument("--wavs", required=True)
    e.add_argument("--out")
    e.add_argument("--full", action="store_true", help="10 s windows (audio_ctx 500) instead of per-window ctx")
    for sp in (b, l):
        sp.add_argument("--token-noise", type=float, default=0.1, help="share of decoder text inputs replaced")
        sp.add_argument("--ts-prob", type=float, default=0.3, help="share of windows with the timestamp-mode prompt")
        sp.add_argument("--full-prob", type=float, default=0.05, help="share of batches at audio_ctx 500")
        sp.add_argument("--ga", type=float, default=0.0, help="guided-attention weight at step 0")
        sp.add_argument("--ga-until", type=float, default=0.5, help="share of the steps after which it is 0")
        sp.add_argument("--threads", type=int, default=None, help="torch threads (default DEMO_THREADS or 1)")
        sp.add_argument("--ctc", type=float, default=0.3, help="weight of the auxiliary CTC loss at step 0")
        sp.add_argument("--ctc-final", type=float, default=None, help="CTC weight at the last step (linear; default --ctc)")
    a = ap.parse_args()
    {"base": cmd_base, "lora": cmd_lora, "eval": cmd_eval}[a.cmd](a)


if __name__ == "__main__":
    main()
