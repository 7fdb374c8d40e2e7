"""The demo model's tokenizer: byte-level BPE in Hugging Face tokenizer.json format, trained here.

`pretokenize` is Hugging Face's ByteLevel pre-tokenizer (use_regex: the GPT-2 split
's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+) written as a scanner over
Unicode categories (Debian's Python has no `regex` module); `Tokenizer.encode` applies the merges by
rank inside each piece, as the tokenizers library does, so the ids the trainer sees are the ids the
appliance's engine (DJL's tokenizers) produces: the llm module's DemoModelTest checks it on the
golden sample. `train_merges` learns the merges (deterministic: ties broken by the pair's text);
bpe.tokenizer_json (firmware-scripts/llm) writes the file with the 256 byte tokens first and the ChatML
special tokens last.
"""
import heapq
import os
import sys
import unicodedata
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "llm"))
import bpe  # noqa: E402  firmware-scripts/llm/bpe.py

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
B2U = bpe.bytes_to_unicode()


def _kind(ch):
    if ch.isspace():
        return "s"
    c = unicodedata.category(ch)
    if c[0] == "L":
        return "L"
    if c[0] == "N":
        return "N"
    return "o"


_CONTRACTIONS = ("s", "t", "re", "ve", "m", "ll", "d")


def pretokenize(text):
    out, i, n = [], 0, len(text)
    kinds = [_kind(ch) for ch in text]
    while i < n:
        ch = text[i]
        if ch == "'":
            m = next((c for c in _CONTRACTIONS if text.startswith(c, i + 1)), None)
            if m:
                out.append(text[i:i + 1 + len(m)])
                i += 1 + len(m)
                continue
        k = kinds[i]
        start = i
        if ch == " " and i + 1 < n and kinds[i + 1] in "LNo":
            k = kinds[i + 1]
            i += 1
        if k in "LNo":
            j = i
            while j < n and kinds[j] == k:
                j += 1
            out.append(text[start:j])
            i = j
            continue
        # whitespace: \s+(?!\S) then \s+
        j = i
        while j < n and kinds[j] == "s":
            j += 1
        if j == n:
            out.append(text[i:j])
            i = j
        elif j - i > 1:
            out.append(text[i:j - 1])
            i = j - 1
        else:
            out.append(text[i:j])
            i = j
    return out


def to_symbols(piece):
    return tuple(B2U[b] for b in piece.encode("utf-8"))


def train_merges(texts, num_merges, min_count=2):
    """Byte-level BPE merges from an iterable of texts."""
    counts = Counter()
    for t in texts:
        counts.update(pretokenize(t))
    words = [list(to_symbols(p)) for p in counts]
    freq = list(counts.values())
    pair_count = defaultdict(int)
    where = defaultdict(set)
    for wi, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += freq[wi]
            where[(a, b)].add(wi)
    heap = [(-c, p[0] + "\0" + p[1], p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < num_merges and heap:
        negc, _, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negc:
            continue  # stale entry
        if -negc < min_count:
            break
        merges.append(pair)
        a, b = pair
        merged = a + b
        touched = set()
        for wi in list(where[pair]):
            w = words[wi]
            f = freq[wi]
            for x, y in zip(w, w[1:]):
                pair_count[(x, y)] -= f
                touched.add((x, y))
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[wi] = out
            for x, y in zip(out, out[1:]):
                pair_count[(x, y)] += f
                where[(x, y)].add(wi)
                touched.add((x, y))
        del pair_count[pair]
        where.pop(pair, None)
        for p in touched:
            c = pair_count.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p[0] + "\0" + p[1], p))
            elif p in pair_count:
                del pair_count[p]
    return merges


class Tokenizer:
    def __init__(self, tokenizer_json):
        m = tokenizer_json["model"]
        self.vocab = m["vocab"]
        self.ranks = {tuple(s.split(" ")): i for i, s in enumerate(m["merges"])}
        self.special = {t["content"]: t["id"] for t in tokenizer_json["added_tokens"]}
        self.size = max(self.vocab.values()) + 1
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.cache = {}
        u2b = {u: b for b, u in B2U.items()}
        self.token_bytes = {i: bytes(u2b[ch] for ch in t) for t, i in self.vocab.items() if t not in self.special}

    def _bpe(self, piece):
        hit = self.cache.get(piece)
        if hit is not None:
            return hit
        w = list(to_symbols(piece))
        while len(w) > 1:
            best = min(((self.ranks.get((x, y), 1 << 30), i) for i, (x, y) in enumerate(zip(w, w[1:]))))
            if best[0] == 1 << 30:
                break
            x, y = w[best[1]], w[best[1] + 1]
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == x and w[i + 1] == y:
                    out.append(x + y)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            w = out
        ids = [self.vocab[s] for s in w]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        for s in self.special:
            if s in text:
                raise ValueError("special-token text inside text")
        ids = []
        for p in pretokenize(text):
            ids += self._bpe(p)
        return ids

    def decode(self, ids):
        return b"".join(self.token_bytes.get(i, b"") for i in ids).decode("utf-8", errors="replace")

    def chat_prompt(self, system, user):
        """ChatML exactly as the engine's ChatTemplate builds it: text and control tokens encoded apart."""
        s, e = self.special["<|im_start|>"], self.special["<|im_end|>"]
        return ([s] + self.encode("system\n" + system) + [e] + self.encode("\n") + [s] + self.encode("user\n" + user) + [e]
                + self.encode("\n") + [s] + self.encode("assistant\n"))


def build(texts, num_merges):
    return bpe.tokenizer_json(train_merges(texts, num_merges), SPECIAL_TOKENS)
