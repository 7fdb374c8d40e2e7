"""Synthetic chest radiograph (findings -> impression) pairs for the demo LLM's `radiology` adapter.

A case is one frontal chest radiograph read twice: by the imaging model (chest-demo's labels: the
cardiothoracic ratio, and the labels it scored positive with their probabilities) and by the
radiologist (normalized findings as fusion's RadiologyNormalizer lists them: term, laterality, size
in mm, negated). The RULES below (decide) turn both into the present findings, most important first;
the appliance applies the same rules in Java (fusion's radiology/ChestImpression.rank) and the prompt
(radiology-prompt.md documents it for the Java side) carries that ranked list. The adapter's part is
the writing: the answer is the impression JSON of fusion's radiology/impression.schema.json:

    {"primary":"<the first listed finding's label, or none>","impression":"...","followUp":true|false}

Rules (the label is a function of the stated findings, never of the random draw):
  * present: a finding the radiologist states, or one the model scored positive that the radiologist
    does not negate (reported as "possible ... (model finding only)"). The radiologist is authoritative:
    a finding the radiologist negates is absent, whatever the model scored. A negation without a side
    ("no pneumothorax") negates both sides.
  * order of importance (PRIORITY): pneumothorax > pleural effusion > consolidation > cardiomegaly >
    nodule, right before left; `primary` is the first present finding's label, or "none".
  * followUp: true when a consolidation is present, or a nodule of 6 mm or more, or a nodule whose size
    is not stated (a placeholder rule: Fleischner properly is a later issue, in Java).
  * impression: one sentence per present finding in PRIORITY order, then "Follow-up imaging advised." /
    "建议复查。" when followUp; "No acute cardiopulmonary abnormality." / "心肺未见异常。" when none.
    Written in the prompt's report language.

The held-out split differs by more than the seed: other values (the probability and CTR grids are partitioned by a
hash, one value in four held out; nodule sizes 4, 7, 11, 15, 17, 22 and 29 mm are held out), other finding combinations (one
combination of two or three present findings in four is held out), and another frame (the order of the
radiologist's list: the training lists state the affirmed findings first or the negations first, the
held-out lists interleave them).
"""
import json
import os
import random
import zlib

# chest-demo's labels, in its output order (firmware-scripts/models/demo/chest-demo/README.md)
LABELS = ["cardiomegaly", "effusion_left", "effusion_right", "pneumothorax_left", "pneumothorax_right", "nodule",
          "consolidation_left", "consolidation_right"]
PRIORITY = ["pneumothorax_right", "pneumothorax_left", "effusion_right", "effusion_left", "consolidation_right",
            "consolidation_left", "cardiomegaly", "nodule"]
PRIMARY_ENUM = PRIORITY + ["none"]
# the schema is the appliance's (fusion's ChestImpression decodes under it); its enum must be this order
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "fusion", "src", "main",
                           "resources", "org", "mededge", "fusion", "radiology", "impression.schema.json")
with open(SCHEMA_PATH, encoding="utf-8") as _f:
    SCHEMA = json.load(_f)
assert SCHEMA["properties"]["primary"]["enum"] == PRIMARY_ENUM, "impression.schema.json's primary enum drifted"
# label -> (radiologist's term as RadiologyNormalizer writes it, side or None)
TERM = {"cardiomegaly": ("cardiomegaly", None), "nodule": ("nodule", None)}
for _l in LABELS:
    if "_" in _l:
        _t, _s = _l.split("_")
        TERM[_l] = ({"effusion": "pleural effusion"}.get(_t, _t), _s)
SIDED_TERMS = ("pneumothorax", "pleural effusion", "consolidation")
FOLLOW_UP_NODULE_MM = 6
LANGS = ("en", "zh")

SYSTEM = ("You are a clinical decision-support assistant on an offline hospital appliance. Write the impression of a "
          "chest radiograph as one JSON object: primary (the first finding's label, or none), impression (one sentence "
          "per finding, in the listed order and the report language), followUp (true for a consolidation, or a nodule "
          "of 6 mm or more or of unknown size).")

EN_SIDE = {"left": "left", "right": "right"}
ZH_SIDE = {"left": "左", "right": "右"}
NONE_TEXT = {"en": "No acute cardiopulmonary abnormality.", "zh": "心肺未见异常。"}
FOLLOW_UP_TEXT = {"en": "Follow-up imaging advised.", "zh": "建议复查。"}


# nodule sizes (mm) only the held-out split uses: chosen by hand so that both sides of the follow-up threshold
# (6 mm) are held out (a hash put every held-out size above 8 mm)
HELDOUT_SIZES = (4, 7, 11, 15, 17, 22, 29)


def is_heldout_value(key, value):
    """One value in four is held out (the kind of partition cases.py and the Whisper corpus use); nodule sizes:
    HELDOUT_SIZES."""
    if key == "size":
        return value in HELDOUT_SIZES
    return zlib.crc32(f"radiology:{key}:{value}".encode()) % 4 == 0


def is_heldout_combo(labels):
    """Combinations of two or more present findings: one in four is held out. Single findings and 'none' are in
    both splits (the values still differ)."""
    return len(labels) >= 2 and zlib.crc32(("radiology:combo:" + "+".join(sorted(labels))).encode()) % 4 == 0


def grid(lo, hi, step_hundredths):
    return [round(v / 100, 2) for v in range(int(round(lo * 100)), int(round(hi * 100)) + 1, step_hundredths)]


PROB_GRID = grid(0.20, 0.99, 1)
SIZE_GRID = list(range(3, 31))


class Drawer:
    def __init__(self, seed, split):
        self.r = random.Random(seed)
        self.split = split

    def pick(self, key, values):
        held = self.split == "heldout"
        ok = [v for v in values if is_heldout_value(key, v) == held]
        return self.r.choice(ok)

    def prob(self):
        return self.pick("p", PROB_GRID)

    def ctr(self, lo, hi):
        return self.pick("ctr", grid(lo, hi, 1))

    def size(self, lo=3, hi=30):
        return self.pick("size", [s for s in SIZE_GRID if lo <= s <= hi])


def fmt2(v):
    return f"{v:.2f}"


# ------------------------------------------------------------------------------------------- the case
def draw_case(d, language):
    """A case: {"ctr", "model": [(label, p)], "radiologist": [finding dicts], "truth": {...}}."""
    r = d.r
    held = d.split == "heldout"
    n = r.choices([0, 1, 2, 3], weights=[12, 40, 33, 15])[0]
    while True:
        present = sorted(r.sample(LABELS, n), key=PRIORITY.index)
        if n < 2 or is_heldout_combo(present) == held:
            break
    source = {}
    for lab in present:  # both: model positive and radiologist states it; rad: the model missed it; model: model only
        source[lab] = r.choices(["both", "rad", "model"], weights=[60, 20, 20])[0]
    absent = [lab for lab in LABELS if lab not in present]
    fp = [lab for lab in absent if r.random() < 0.12]  # model positives the radiologist negates

    rad = []
    for lab in present:
        if source[lab] == "model":
            continue
        term, side = TERM[lab]
        f = {"term": term, "laterality": side, "sizeMm": None, "negated": False}
        if lab == "nodule":
            f["laterality"] = r.choice(["left", "right", None])
            f["sizeMm"] = None if r.random() < 0.15 else (d.size(3, 5) if r.random() < 0.35 else d.size(6, 30))
        rad.append(f)
    # negations: every model false positive, plus some pertinent negatives
    absent_terms = {}
    for lab in absent:
        absent_terms.setdefault(TERM[lab][0], []).append(lab)
    negated_labels = set()

    def negate(lab, sideless_ok):
        term, side = TERM[lab]
        both_absent = term not in SIDED_TERMS or len(absent_terms.get(term, [])) == 2
        if side is None or (both_absent and sideless_ok and r.random() < 0.5):
            labs = absent_terms[term]
            side_out = None
        else:
            labs = [lab]
            side_out = side
        if all(x in negated_labels for x in labs):
            return
        negated_labels.update(labs)
        rad.append({"term": term, "laterality": side_out, "sizeMm": None, "negated": True})

    for lab in fp:
        negate(lab, True)
    for lab in r.sample(absent, min(len(absent), r.choices([0, 1, 2], weights=[35, 40, 25])[0])):
        negate(lab, True)

    # order of the radiologist's list: the frame
    affirmed = [f for f in rad if not f["negated"]]
    negs = [f for f in rad if f["negated"]]
    r.shuffle(affirmed)
    r.shuffle(negs)
    if not held:
        frame = r.choice(["affirmed-first", "negated-first"])
        rad = affirmed + negs if frame == "affirmed-first" else negs + affirmed
    else:
        frame = "interleaved"
        a, b = (affirmed, negs) if r.random() < 0.5 else (negs, affirmed)
        rad = []
        for i in range(max(len(a), len(b))):
            rad += a[i:i + 1] + b[i:i + 1]

    # the imaging model
    positives = [lab for lab in LABELS if (lab in present and source[lab] != "rad") or lab in fp]
    model = [(lab, d.prob()) for lab in positives]
    if "cardiomegaly" in present:
        ctr = d.ctr(0.52, 0.70) if source["cardiomegaly"] != "rad" else d.ctr(0.46, 0.51)
    elif "cardiomegaly" in fp:
        ctr = d.ctr(0.49, 0.55)
    else:
        ctr = d.ctr(0.36, 0.50)
    c = {"language": language, "frame": frame, "ctr": ctr, "model": model, "radiologist": rad}
    c["truth"] = decide(c)
    return c


def decide(c):
    """The answer from the stated findings only (the rules in the module docstring)."""
    stated = {}   # label -> radiologist finding that affirms it
    negated = set()
    for f in c["radiologist"]:
        labs = [lab for lab in LABELS if TERM[lab][0] == f["term"] and (TERM[lab][1] is None or f["laterality"] is None
                                                                         or TERM[lab][1] == f["laterality"])]
        if f["negated"]:
            negated.update(labs)
        else:
            for lab in labs:
                stated[lab] = f
    model = dict(c["model"])
    present = []
    for lab in PRIORITY:
        if lab in stated:
            present.append((lab, "stated", stated[lab]))
        elif lab in model and lab not in negated:
            present.append((lab, "possible", None))
    follow = False
    for lab, how, f in present:
        if lab.startswith("consolidation"):
            follow = True
        if lab == "nodule" and (f is None or f["sizeMm"] is None or f["sizeMm"] >= FOLLOW_UP_NODULE_MM):
            follow = True
    primary = present[0][0] if present else "none"
    side = None
    if present:
        lab, how, f = present[0]
        side = TERM[lab][1] if lab != "nodule" else (f["laterality"] if f else None)
    return {"present": [(lab, how) for lab, how, _ in present], "findings": present, "primary": primary, "followUp": follow,
            "primarySide": side, "impression": impression(c, present, follow)}


def sentence(lang, lab, how, f, ctr):
    term, side = TERM[lab]
    if lab == "nodule":
        side = f["laterality"] if f else None
    possible = how == "possible"
    if lang == "en":
        s = EN_SIDE.get(side, "")
        if lab.startswith("pneumothorax"):
            core = f"{s} pneumothorax"
        elif lab.startswith("effusion"):
            core = f"{s} pleural effusion"
        elif lab.startswith("consolidation"):
            core = f"{s} lung consolidation"
        elif lab == "cardiomegaly":
            core = f"cardiomegaly, cardiothoracic ratio {fmt2(ctr)}"
        else:
            core = (f"{s} lung nodule" if s else "lung nodule")
            if not possible:
                core += f", {f['sizeMm']} mm" if f["sizeMm"] is not None else ", size not stated"
        if possible:
            return f"Possible {core} (model finding only)."
        return core[0].upper() + core[1:] + "."
    s = ZH_SIDE.get(side, "")
    if lab.startswith("pneumothorax"):
        core = f"{s}侧气胸"
    elif lab.startswith("effusion"):
        core = f"{s}侧胸腔积液"
    elif lab.startswith("consolidation"):
        core = f"{s}肺实变"
    elif lab == "cardiomegaly":
        core = f"心影增大，心胸比{fmt2(ctr)}"
    else:
        core = f"{s}肺结节"
        if not possible:
            core += f"，{f['sizeMm']} mm" if f["sizeMm"] is not None else "，大小未注明"
    if possible:
        return f"可疑{core}（仅模型提示）。"
    return core + "。"


def impression(c, present, follow):
    lang = c["language"]
    if not present:
        parts = [NONE_TEXT[lang]]
    else:
        parts = [sentence(lang, lab, how, f, c["ctr"]) for lab, how, f in present]
    if follow:
        parts.append(FOLLOW_UP_TEXT[lang])
    return (" " if lang == "en" else "").join(parts)


# ------------------------------------------------------------------------------------------- prompt, answer
def radiologist_item(f):
    s = ("no " if f["negated"] else "") + f["term"]
    if f["laterality"]:
        s += ", " + f["laterality"]
    if f["sizeMm"] is not None:
        s += f", {f['sizeMm']} mm"
    return s


def finding_item(lab, how, f):
    """One entry of the user text's findings line: `{label} {stated|possible}`, a nodule's side and size when the
    radiologist gave them."""
    s = f"{lab} {how}"
    if lab == "nodule" and f is not None:
        if f["laterality"]:
            s += ", " + f["laterality"]
        s += f", {f['sizeMm']} mm" if f["sizeMm"] is not None else ", size not stated"
    return s


def user_prompt(c):
    """The user text (radiology-prompt.md): the findings as decide() ranked them (the rules' part), then the report
    language."""
    items = "; ".join(finding_item(lab, how, f) for lab, how, f in c["truth"]["findings"]) or "none"
    return (f"Cardiothoracic ratio: {fmt2(c['ctr'])}\n"
            f"Findings, most important first: {items}\n"
            f"Report language: {c['language']}")

def answer(c):
    t = c["truth"]
    return json.dumps({"primary": t["primary"], "impression": t["impression"], "followUp": t["followUp"]},
                      ensure_ascii=False, separators=(",", ":"))


def generate(split, language, n, seed):
    """n examples of one split and language, deterministic per seed."""
    d = Drawer(seed, split)
    out = []
    for i in range(n):
        c = draw_case(d, language)
        t = c["truth"]
        out.append({"id": f"{split}-radi-{language}-{i:05d}", "split": split, "specialty": "radiology",
                    "language": language, "frame": c["frame"], "system": SYSTEM, "user": user_prompt(c),
                    "answer": answer(c), "dx": t["primary"], "primary": t["primary"], "followUp": t["followUp"],
                    "primarySide": t["primarySide"], "impression": t["impression"],
                    "input": {"ctr": c["ctr"], "model": [{"label": lab, "probability": p} for lab, p in c["model"]],
                              "radiologist": c["radiologist"]}})
    return out


# ------------------------------------------------------------------------------------------- checking answers
def schema_errors(obj):
    """The validator of impression.schema.json's shape (SCHEMA): [] when valid."""
    if not isinstance(obj, dict):
        return ["not an object"]
    errs = []
    keys = ("primary", "impression", "followUp")
    for k in obj:
        if k not in keys:
            errs.append(f"additional property {k}")
    for k in keys:
        if k not in obj:
            errs.append(f"missing {k}")
    if "primary" in obj and (not isinstance(obj["primary"], str) or obj["primary"] not in PRIMARY_ENUM):
        errs.append("primary not in enum")
    if "impression" in obj and (not isinstance(obj["impression"], str) or not 1 <= len(obj["impression"]) <= 400):
        errs.append("impression not a string of 1..400 characters")
    if "followUp" in obj and not isinstance(obj["followUp"], bool):
        errs.append("followUp not a boolean")
    return errs


def first_sentence(text, language):
    for i, ch in enumerate(text):
        if ch == "。" or (ch == "." and (i + 1 == len(text) or text[i + 1] == " ")):
            return text[:i + 1]
    return text


def sides_named(text, language):
    if language == "zh":
        return {s for s, w in ZH_SIDE.items() if w in text}
    low = " " + text.lower().replace(",", " ").replace(".", " ").replace("(", " ") + " "
    return {s for s in ("left", "right") if f" {s} " in low}


def laterality_ok(impression_text, language, side):
    """The impression's first sentence names the primary finding's side and not the other (or no side when the
    primary has none)."""
    named = sides_named(first_sentence(impression_text, language), language)
    return named == ({side} if side else set())


if __name__ == "__main__":
    import sys
    for ex in generate(sys.argv[1] if len(sys.argv) > 1 else "train", sys.argv[2] if len(sys.argv) > 2 else "en",
                       int(sys.argv[3]) if len(sys.argv) > 3 else 5, 1):
        print(ex["frame"])
        print(ex["user"])
        print(ex["answer"])
        print("---")
