"""A small Whisper-architecture model (encoder-decoder transformer over log-mel frames).

Written for MedEdge from the published architecture: two 1-D convolutions (the second with
stride 2) over 80 log-mel bins, sinusoidal encoder positions, pre-norm transformer blocks,
a decoder with learned positions, self- and cross-attention, and output logits tied to the
token embedding. Names of parameters follow the tensor names that whisper.cpp's loader reads,
so the ggml converter (ggml_export.py) maps them one to one.

Training keeps the full 51865-token multilingual id space but computes the softmax over the
"active" ids (the project's text tokens and the special tokens it uses) plus one pooled class
that stands for every other id. All those other ids share one embedding row (``unused``); the
pooled logit is that row's logit plus log(number of pooled ids), so the loss equals a full
softmax over 51865 ids whose unused rows are tied. The exporter writes that row for each of
them, so whisper.cpp sees exactly the distribution that was trained.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def gelu(x):
    # ggml's GELU is the tanh approximation
    return F.gelu(x, approximate="tanh")


def sinusoids(length, channels, max_timescale=10000):
    """Sinusoidal positions: first half sin, second half cos (the encoder's fixed embedding)."""
    assert channels % 2 == 0
    log_timescale_increment = math.log(max_timescale) / (channels // 2 - 1)
    inv = torch.exp(-log_timescale_increment * torch.arange(channels // 2, dtype=torch.float64))
    t = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cat([torch.sin(t), torch.cos(t)], dim=1).float()


class LoRALinear(nn.Module):
    """y = x W^T + b + (alpha/r) * x A^T B^T ; B starts at zero so the adapter starts as a no-op."""

    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        self.base = base
        self.r = r
        self.scale = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))

    @property
    def weight(self):
        return self.base.weight

    @property
    def bias(self):
        return self.base.bias

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t() @ self.lora_B.t()) * self.scale

    def merged(self) -> nn.Linear:
        lin = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            lin.weight.copy_(self.base.weight + self.scale * (self.lora_B @ self.lora_A))
            if self.base.bias is not None:
                lin.bias.copy_(self.base.bias)
        return lin


class MultiHeadAttention(nn.Module):
    def __init__(self, n_state, n_head):
        super().__init__()
        self.n_head = n_head
        self.query = nn.Linear(n_state, n_state)
        self.key = nn.Linear(n_state, n_state, bias=False)
        self.value = nn.Linear(n_state, n_state)
        self.out = nn.Linear(n_state, n_state)
        self.keep_weights = False  # training: keep the attention weights (guided-attention loss)
        self.weights = None

    def forward(self, x, xa=None, causal=False, kv=None, key_mask=None):
        q = self.query(x)
        if kv is not None:
            k, v = kv
        else:
            src = x if xa is None else xa
            k, v = self.key(src), self.value(src)
        B, T, C = q.shape
        h = self.n_head
        q = q.view(B, T, h, C // h).transpose(1, 2)
        k = k.view(B, k.shape[1], h, C // h).transpose(1, 2)
        v = v.view(B, v.shape[1], h, C // h).transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(C // h)
        if causal:
            mask = torch.full((T, k.shape[2]), float("-inf")).triu(1 + k.shape[2] - T)
            att = att + mask
        if key_mask is not None:  # [B, 1, 1, Tk]: 0 for used keys, -inf beyond a sample's audio_ctx
            att = att + key_mask
        w = att.softmax(-1)
        if self.keep_weights:
            self.weights = w
        y = (w @ v).transpose(1, 2).reshape(B, T, C)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, n_state, n_head, cross):
        super().__init__()
        self.attn = MultiHeadAttention(n_state, n_head)
        self.attn_ln = nn.LayerNorm(n_state)
        self.cross_attn = MultiHeadAttention(n_state, n_head) if cross else None
        self.cross_attn_ln = nn.LayerNorm(n_state) if cross else None
        self.mlp = nn.Sequential(nn.Linear(n_state, 4 * n_state), nn.Identity(), nn.Linear(4 * n_state, n_state))
        self.mlp_ln = nn.LayerNorm(n_state)

    def forward(self, x, xa=None, causal=False, self_mask=None, cross_mask=None):
        x = x + self.attn(self.attn_ln(x), causal=causal, key_mask=self_mask)
        if self.cross_attn is not None:
            x = x + self.cross_attn(self.cross_attn_ln(x), xa, key_mask=cross_mask)
        y = self.mlp_ln(x)
        y = self.mlp[2](gelu(self.mlp[0](y)))
        return x + y


class Encoder(nn.Module):
    def __init__(self, n_mels, n_ctx, n_state, n_head, n_layer):
        super().__init__()
        self.conv1 = nn.Conv1d(n_mels, n_state, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(n_state, n_state, kernel_size=3, stride=2, padding=1)
        self.register_buffer("positional_embedding", sinusoids(n_ctx, n_state))
        self.blocks = nn.ModuleList([Block(n_state, n_head, cross=False) for _ in range(n_layer)])
        self.ln_post = nn.LayerNorm(n_state)

    def forward(self, mel, key_mask=None):  # mel: [B, n_mels, 2*n_ctx]
        """key_mask (see ctx_mask): a padded batch in which sample b uses only its first ctx[b]
        positions, exactly as whisper.cpp does with audio_ctx = ctx[b] (mel zero beyond 2*ctx[b])."""
        x = gelu(self.conv1(mel))
        x = gelu(self.conv2(x))
        x = x.transpose(1, 2) + self.positional_embedding[: x.shape[2]]
        for b in self.blocks:
            x = b(x, self_mask=key_mask)
        return self.ln_post(x)


def ctx_mask(ctx, T):
    """[B, 1, 1, T] additive mask: 0 at positions < ctx[b], -inf beyond."""
    pos = torch.arange(T)[None, :]
    m = torch.zeros(len(ctx), T)
    m[pos >= ctx[:, None]] = float("-inf")
    return m[:, None, None, :]


class Decoder(nn.Module):
    def __init__(self, n_active, n_ctx, n_state, n_head, n_layer):
        super().__init__()
        # rows for the active ids only; `unused` is the single row shared by all other ids
        self.token_embedding = nn.Embedding(n_active, n_state)
        self.unused = nn.Parameter(torch.zeros(n_state))
        self.positional_embedding = nn.Parameter(torch.empty(n_ctx, n_state))
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        self.blocks = nn.ModuleList([Block(n_state, n_head, cross=True) for _ in range(n_layer)])
        self.ln = nn.LayerNorm(n_state)

    def embedding_matrix(self):
        return self.token_embedding.weight

    def forward(self, tokens, xa, xa_mask=None):  # tokens: [B, T] active indices
        # id -1 stands for any unused id (e.g. a timestamp token): the shared `unused` row
        E = torch.cat([self.token_embedding.weight, self.unused[None, :]], dim=0)
        x = F.embedding(torch.where(tokens < 0, E.shape[0] - 1, tokens), E) + self.positional_embedding[: tokens.shape[1]]
        for b in self.blocks:
            x = b(x, xa, causal=True, cross_mask=xa_mask)
        return self.ln(x)


class TinyWhisper(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg["n_mels"], cfg["n_audio_ctx"], cfg["n_state"], cfg["n_head"], cfg["n_audio_layer"])
        self.decoder = Decoder(cfg["n_active"], cfg["n_text_ctx"], cfg["n_state"], cfg["n_head"], cfg["n_text_layer"])
        self.log_n_pooled = math.log(cfg["n_vocab"] - cfg["n_active"])

    def logits(self, h):
        """Logits over the active ids plus the pooled class (last column)."""
        E = self.decoder.embedding_matrix()
        act = h @ E.t()
        pooled = (h @ self.decoder.unused).unsqueeze(-1) + self.log_n_pooled
        return torch.cat([act, pooled], dim=-1)

    def forward(self, mel, tokens):
        return self.logits(self.decoder(tokens, self.encoder(mel)))


def add_lora(model: TinyWhisper, r: int, alpha: float, encoder_blocks: int = 1,
             targets=("query", "key", "value", "out")):
    """Wrap with LoRA the attention projections (self and cross) and the MLP of every decoder
    block and of the last `encoder_blocks` encoder blocks (the lower encoder stays frozen, so
    no gradient flows through it: the fine-tune costs a fraction of a training step)."""
    wrapped = []
    enc = list(model.encoder.blocks)[len(model.encoder.blocks) - encoder_blocks:] if encoder_blocks else []
    for stack in (enc, model.decoder.blocks):
        for blk in stack:
            for att in (blk.attn, blk.cross_attn):
                if att is None:
                    continue
                for name in targets:
                    setattr(att, name, LoRALinear(getattr(att, name), r, alpha))
                    wrapped.append(getattr(att, name))
            blk.mlp[0] = LoRALinear(blk.mlp[0], r, alpha)
            blk.mlp[2] = LoRALinear(blk.mlp[2], r, alpha)
            wrapped += [blk.mlp[0], blk.mlp[2]]
    return wrapped


class LoRAEmbedding(nn.Module):
    """Embedding with a low-rank update: E + (alpha/r) * B A, B [n_active, r] (zero init), A [r, d]."""

    def __init__(self, base: nn.Embedding, r: int, alpha: float):
        super().__init__()
        self.base = base
        self.scale = alpha / r
        self.lora_B = nn.Parameter(torch.zeros(base.num_embeddings, r))
        self.lora_A = nn.Parameter(torch.randn(r, base.embedding_dim) * 0.02)

    @property
    def weight(self):
        return self.base.weight + self.scale * (self.lora_B @ self.lora_A)

    def forward(self, idx):
        return F.embedding(idx, self.weight)


def merge_lora(model: TinyWhisper):
    for stack in (model.encoder.blocks, model.decoder.blocks):
        for blk in stack:
            for att in (blk.attn, blk.cross_attn):
                if att is None:
                    continue
                for name in ("query", "key", "value", "out"):
                    m = getattr(att, name)
                    if isinstance(m, LoRALinear):
                        setattr(att, name, m.merged())
            for i in (0, 2):
                if isinstance(blk.mlp[i], LoRALinear):
                    blk.mlp[i] = blk.mlp[i].merged()
    te = model.decoder.token_embedding
    if isinstance(te, LoRAEmbedding):
        emb = nn.Embedding(te.base.num_embeddings, te.base.embedding_dim)
        with torch.no_grad():
            emb.weight.copy_(te.weight)
        model.decoder.token_embedding = emb
    return model
