"""Word error rate (English) and character error rate (Mandarin)."""


def edit_distance(ref, hyp):
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def units(text, lang):
    if lang == "en":
        return text.lower().split()
    return [c for c in text if not c.isspace()]


def error_rate(pairs):
    """pairs: iterable of (reference, hypothesis, lang). Returns (errors, reference units)."""
    e = n = 0
    for ref, hyp, lang in pairs:
        r, h = units(ref, lang), units(hyp, lang)
        e += edit_distance(r, h)
        n += len(r)
    return e, n
