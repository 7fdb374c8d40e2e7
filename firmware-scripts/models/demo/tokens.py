"""The demo model's own token set and whisper.cpp's fixed special-token ids (multilingual,
n_vocab 51865).

Text tokens are the project's own strings: every English word of the corpus as " word" (with
its leading space, so whisper.cpp's concatenation of token strings gives spaced text), every
Chinese character (and the Latin letters used inside Chinese terms, such as the C of C反应蛋白)
as itself, and " " (whisper.cpp looks " " up to suppress a blank first token). They take ids
0..V-1; ids V..50256 are unused (whisper.cpp names them [_extra_token_N]); the special tokens
sit at whisper.cpp's fixed offsets.
"""
import json

N_VOCAB = 51865
EOT = 50257
SOT = 50258
LANG = {"en": 50259, "zh": 50260}  # sot + 1 + index in whisper.cpp's language table
TRANSLATE = 50358
TRANSCRIBE = 50359
NO_TIMESTAMPS = 50363
SPECIALS = [EOT, SOT, LANG["en"], LANG["zh"], TRANSCRIBE, NO_TIMESTAMPS]


def pieces(text, lang):
    if lang == "en":
        return [" " + w for w in text.split()]
    return [c for c in text if not c.isspace()]


class Tokenizer:
    def __init__(self, text_tokens):
        assert text_tokens[0] == " "
        self.text_tokens = list(text_tokens)
        self.tok2id = {t: i for i, t in enumerate(self.text_tokens)}
        # active index space used in training: text tokens, then the specials we use
        self.active_ids = list(range(len(self.text_tokens))) + SPECIALS
        self.id2active = {t: i for i, t in enumerate(self.active_ids)}

    @staticmethod
    def build(utterances):
        toks = set()
        for u in utterances:
            toks.update(pieces(u["text"], u["lang"]))
        en = sorted(t for t in toks if t.startswith(" "))
        other = sorted(t for t in toks if not t.startswith(" "))
        return Tokenizer([" "] + en + other)

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.text_tokens, f, ensure_ascii=False, indent=0)

    @staticmethod
    def load(path):
        with open(path, encoding="utf-8") as f:
            return Tokenizer(json.load(f))

    def encode(self, text, lang):
        return [self.tok2id[p] for p in pieces(text, lang)]

    def decode(self, ids):
        return "".join(self.text_tokens[i] for i in ids if i < len(self.text_tokens))

    def prompt(self, lang):
        """whisper.cpp's decoder prompt with no_timestamps: sot, language, transcribe, notimestamps."""
        return [SOT, LANG[lang], TRANSCRIBE, NO_TIMESTAMPS]
