"""Synthetic dictation text for the MedEdge demo Whisper model (English and Mandarin).

Every utterance has what the synthesizer reads (`tts`, with punctuation for prosody), what the
model must write (`text`: the spoken words, lower-case English with a few upper-case acronyms,
Mandarin without spaces or punctuation; numbers as spoken words; voice commands as the spoken
words), and the vitals and labs it states, coded as the fusion module reports them.

Splits:
  general  everyday sentences (numbers, times, shopping, travel): the base model's data
  train    medical dictation templates for the LoRA step
  drill    runs of measurements (names and values of the train split) for LoRA round 4; drill2,
           drill3, drill4 the same with other seeds (rounds 5-7)
  contrast one lab said two or three times with values that sound alike (round 8)
  heldout  medical dictation from DIFFERENT templates (sentence frames) and DIFFERENT values
           (each value grid is partitioned by a hash, see `is_heldout_value`); never trained on
All choices come from a seeded random.Random, so the corpus is the same on every machine.
"""
import random
import zlib

from spoken_numbers import en_decimal, en_int, zh_decimal, zh_int

VITAL = {
    "temp": ("8310-5", "Cel"), "hr": ("8867-4", "/min"), "rr": ("9279-1", "/min"),
    "sys": ("8480-6", "mm[Hg]"), "dia": ("8462-4", "mm[Hg]"), "spo2": ("59408-5", "%"),
}
# key: (loinc, ucum, lo, hi, decimal places, [(english tts, english text)], [mandarin], en unit words, zh unit)
LABS = {
    "wbc": ("6690-2", "10*9/L", 2.0, 25.0, 1, [("white cell count", "white cell count"), ("W B C", "WBC")],
            ["白细胞", "白细胞计数"], "", ""),
    "crp": ("1988-5", "mg/L", 1, 250, 0, [("C reactive protein", "c reactive protein"), ("C R P", "CRP")],
            ["C反应蛋白"], "milligrams per liter", "毫克每升"),
    "hgb": ("718-7", "g/L", 60, 180, 0, [("hemoglobin", "hemoglobin")], ["血红蛋白"], "grams per liter", "克每升"),
    "plt": ("777-3", "10*9/L", 40, 450, 0, [("platelets", "platelets"), ("platelet count", "platelet count")],
            ["血小板"], "", ""),
    "glu": ("15074-8", "mmol/L", 3.5, 20.0, 1, [("glucose", "glucose"), ("blood sugar", "blood sugar")],
            ["血糖"], "millimoles per liter", "毫摩尔每升"),
    "cre": ("14682-9", "umol/L", 40, 400, 0, [("creatinine", "creatinine")], ["肌酐"], "micromoles per liter", "微摩尔每升"),
    "tni": ("10839-9", "ng/mL", 0.01, 3.0, 2, [("troponin", "troponin"), ("troponin I", "troponin i")],
            ["肌钙蛋白"], "nanograms per milliliter", "纳克每毫升"),
    "bnp": ("33762-6", "pg/mL", 50, 5000, 0, [("N T pro B N P", "NT-proBNP")], ["脑钠肽"], "", ""),
    "ddi": ("48065-7", "mg/L{FEU}", 0.1, 5.0, 1, [("D dimer", "d dimer")], ["D二聚体"], "", ""),
    "pct": ("33959-8", "ng/mL", 0.05, 9.0, 2, [("procalcitonin", "procalcitonin")], ["降钙素原"], "", ""),
    "k": ("2823-3", "mmol/L", 2.8, 6.5, 1, [("potassium", "potassium")], ["血钾"], "", ""),
    "na": ("2951-2", "mmol/L", 124, 152, 0, [("sodium", "sodium")], ["血钠"], "", ""),
}
# 脑钠肽, the Mandarin name spoken for "bnp", is BNP (its own LOINC code), not NT-proBNP (脑钠肽前体)
ZH_CODES = {"bnp": "30934-4"}

EN_SYMPTOMS = ["cough", "fever", "chest pain", "shortness of breath", "wheezing", "sputum",
               "palpitations", "dizziness", "headache", "nausea", "vomiting", "abdominal pain",
               "diarrhea", "fatigue", "sore throat", "runny nose", "chills", "night sweats",
               "leg swelling", "sweating", "chest tightness", "fainting", "coughing up blood",
               "loss of appetite", "back pain", "rash", "joint pain", "pain radiating to the left arm"]
ZH_SYMPTOMS = ["咳嗽", "咳痰", "发热", "胸痛", "胸闷", "气促", "呼吸困难", "心悸", "头晕", "头痛",
               "恶心", "呕吐", "腹痛", "腹泻", "乏力", "咽痛", "流涕", "寒战", "盗汗", "下肢水肿",
               "出汗", "晕厥", "咯血", "食欲减退", "喘息", "左上肢放射痛"]
EN_DIAG = ["community acquired pneumonia", "pneumonia", "acute bronchitis", "asthma exacerbation",
           "heart failure", "atrial fibrillation", "acute coronary syndrome", "hypertension",
           "upper respiratory infection", "gastroenteritis", "pulmonary embolism", "diabetes",
           "unstable angina", "pleural effusion"]
ZH_DIAG = ["社区获得性肺炎", "肺炎", "急性支气管炎", "支气管哮喘急性发作", "心力衰竭", "心房颤动",
           "急性冠脉综合征", "高血压", "上呼吸道感染", "急性胃肠炎", "肺栓塞", "糖尿病", "不稳定型心绞痛",
           "胸腔积液"]
EN_PLAN = [("chest x ray", "chest x ray"), ("start antibiotics", "start antibiotics"),
           ("repeat troponin in three hours", "repeat troponin in three hours"), ("E C G", "ECG"),
           ("admit to cardiology", "admit to cardiology"), ("oxygen therapy", "oxygen therapy"),
           ("follow up in one week", "follow up in one week"), ("blood cultures", "blood cultures"),
           ("nebulized salbutamol", "nebulized salbutamol"), ("start aspirin", "start aspirin")]
ZH_PLAN = ["完善胸片检查", "抗感染治疗", "三小时后复查肌钙蛋白", "心电图检查", "收入心内科", "吸氧",
           "一周后复诊", "血培养", "雾化吸入", "口服阿司匹林"]
EN_COMMANDS = ["period", "comma", "new line", "new paragraph", "next section plan",
               "next section assessment", "next section history", "next section exam"]
ZH_COMMANDS = ["句号", "逗号", "换行", "下一段", "下一项诊断", "下一项计划", "下一项现病史", "下一项查体"]


def is_heldout_value(key, value):
    """Deterministic partition of every value grid: about one value in four is held out."""
    return zlib.crc32(f"{key}:{value}".encode()) % 4 == 0


class Gen:
    def __init__(self, seed, split):
        self.r = random.Random(seed)
        self.split = split

    def pick_value(self, key, lo, hi, places):
        want_heldout = self.split == "heldout"
        for _ in range(1000):
            if places == 0:
                v = self.r.randint(int(lo), int(hi))
            else:
                v = round(self.r.uniform(lo, hi), places)
            if is_heldout_value(key, v) == want_heldout:
                return v
        raise RuntimeError(key)

    # ---- English pieces: each returns (tts, text, vitals, labs)
    def en_temp(self):
        v = self.pick_value("temp", 35.5, 41.0, 1)
        s = en_decimal(v, 1)
        return s, s, [dict(zip(("code", "unit"), VITAL["temp"]), value=v)], []

    def en_hr(self):
        v = self.pick_value("hr", 42, 165, 0)
        s = en_int(v, self.r.choice(["plain", "clinical", "plain"]))
        return s, s, [dict(zip(("code", "unit"), VITAL["hr"]), value=v)], []

    def en_rr(self):
        v = self.pick_value("rr", 10, 36, 0)
        s = en_int(v)
        return s, s, [dict(zip(("code", "unit"), VITAL["rr"]), value=v)], []

    def en_spo2(self):
        v = self.pick_value("spo2", 82, 100, 0)
        s = en_int(v)
        return s, s, [dict(zip(("code", "unit"), VITAL["spo2"]), value=v)], []

    def en_bp(self):
        sy = self.pick_value("sys", 86, 200, 0)
        di = self.pick_value("dia", 45, min(120, sy - 20), 0)
        style = self.r.choice(["plain", "clinical", "clinical"])
        s = f"{en_int(sy, style)} over {en_int(di, style)}"
        return s, s, [dict(zip(("code", "unit"), VITAL["sys"]), value=sy),
                      dict(zip(("code", "unit"), VITAL["dia"]), value=di)], []

    def en_lab(self, key=None, v=None):
        key = key or self.r.choice(sorted(LABS))
        code, unit, lo, hi, places, names, _, en_unit, _ = LABS[key]
        v = self.pick_value(key, lo, hi, places) if v is None else v
        tts_name, text_name = self.r.choice(names)
        num = en_decimal(v, places) if places else en_int(int(v))
        tail = f" {en_unit}" if en_unit and self.r.random() < 0.35 else ""
        return (f"{tts_name} {num}{tail}", f"{text_name} {num}{tail}", [],
                [{"code": code, "value": v, "unit": unit}])

    def en_dur(self):
        n = self.r.choice([1, 2, 3, 4, 5, 6, 7, 10, 12, 14, 24, 36, 48])
        unit = self.r.choice(["hours", "days", "weeks", "months"] if n > 1 else ["hour", "day", "week", "month"])
        if n > 1 and self.r.random() < 0.1:
            return "since yesterday" if self.r.random() < 0.5 else "since this morning"
        return f"{en_int(n)} {unit}"

    def en_sym(self):
        return self.r.choice(EN_SYMPTOMS)

    # ---- Mandarin pieces
    def zh_temp(self):
        v = self.pick_value("temp", 35.5, 41.0, 1)
        whole, frac = f"{v:.1f}".split(".")
        s = (f"{zh_int(int(whole))}度{zh_int(int(frac))}" if self.r.random() < 0.6
             else f"{zh_decimal(v, 1)}度")
        return s, s, [dict(zip(("code", "unit"), VITAL["temp"]), value=v)], []

    def zh_hr(self):
        v = self.pick_value("hr", 42, 165, 0)
        s = zh_int(v) + self.r.choice(["次每分", "次每分钟", "次"])
        return s, s, [dict(zip(("code", "unit"), VITAL["hr"]), value=v)], []

    def zh_rr(self):
        v = self.pick_value("rr", 10, 36, 0)
        s = zh_int(v) + self.r.choice(["次每分", "次每分钟", "次"])
        return s, s, [dict(zip(("code", "unit"), VITAL["rr"]), value=v)], []

    def zh_spo2(self):
        v = self.pick_value("spo2", 82, 100, 0)
        s = "百分之" + zh_int(v)
        return s, s, [dict(zip(("code", "unit"), VITAL["spo2"]), value=v)], []

    def zh_bp(self):
        sy = self.pick_value("sys", 86, 200, 0)
        di = self.pick_value("dia", 45, min(120, sy - 20), 0)
        s = f"{zh_int(sy)}比{zh_int(di)}" + ("毫米汞柱" if self.r.random() < 0.4 else "")
        return s, s, [dict(zip(("code", "unit"), VITAL["sys"]), value=sy),
                      dict(zip(("code", "unit"), VITAL["dia"]), value=di)], []

    def zh_lab(self, key=None, v=None):
        key = key or self.r.choice(sorted(LABS))
        code, unit, lo, hi, places, _, names, _, zh_unit = LABS[key]
        v = self.pick_value(key, lo, hi, places) if v is None else v
        num = zh_decimal(v, places) if places else zh_int(int(v))
        tail = zh_unit if zh_unit and self.r.random() < 0.35 else ""
        s = f"{self.r.choice(names)}{num}{tail}"
        return s, s, [], [{"code": ZH_CODES.get(key, code), "value": v, "unit": unit}]

    def zh_dur(self):
        n = self.r.choice([1, 2, 3, 4, 5, 6, 7, 10, 12, 24])
        unit = self.r.choice(["天", "周", "个月", "小时"])
        word = "两" if n == 2 else zh_int(n)
        return word + unit

    def zh_sym(self):
        return self.r.choice(ZH_SYMPTOMS)


def _fill(g, lang, template):
    """Template pieces: literal strings, or callables returning (tts, text, vitals, labs)."""
    tts, text, vitals, labs = [], [], [], []
    for piece in template:
        if callable(piece):
            a, b, v, l = piece()
        else:
            a = b = piece
            v, l = [], []
        tts.append(a)
        text.append(b)
        vitals += v
        labs += l
    joiner = " " if lang == "en" else ""
    t = joiner.join(x for x in tts if x)
    x = joiner.join(x for x in text if x)
    return t, x, vitals, labs


def _p(s):
    """A literal piece that is only said to the synthesizer (punctuation, for a pause)."""
    f = lambda: (s, "", [], [])  # noqa: E731
    f.pause = True
    return f


def _lit(f):
    return lambda: (f(), f(), [], []) if False else _wrap(f)


def _wrap(f):
    v = f()
    if isinstance(v, tuple):
        return v
    return v, v, [], []


def medical_templates(g, lang, split):
    """(weight, [pieces]) per template; train and heldout use different sentence frames."""
    W = lambda f: (lambda: _wrap(f))
    if lang == "en":
        sym, dur, diag = W(g.en_sym), W(g.en_dur), W(lambda: g.r.choice(EN_DIAG))
        plan = lambda: (lambda p: (p[0], p[1], [], []))(g.r.choice(EN_PLAN))
        cmd = W(lambda: g.r.choice(EN_COMMANDS))
        if split in ("train",):
            return [
                (3, ["temperature", g.en_temp]), (2, ["temp", g.en_temp, "degrees"]),
                (3, ["blood pressure", g.en_bp]), (3, ["heart rate", g.en_hr]),
                (1, ["pulse", g.en_hr, "beats per minute"]), (2, ["respiratory rate", g.en_rr]),
                (2, ["oxygen saturation", g.en_spo2, "percent"]), (1, ["sats", g.en_spo2, "percent on room air"]),
                (2, ["vitals temperature", g.en_temp, _p(","), "heart rate", g.en_hr]),
                (2, ["blood pressure", g.en_bp, _p(","), "respiratory rate", g.en_rr]),
                (6, [g.en_lab]), (3, ["labs show", g.en_lab, "and", g.en_lab]),
                (2, [g.en_lab, _p(","), g.en_lab]),
                (3, ["patient reports", sym, "for", dur]), (2, [sym, "for", dur]),
                (2, ["denies", sym]), (2, ["no", sym]), (2, ["complains of", sym, "and", sym]),
                (2, [sym, "without", sym]), (1, ["negative for", sym]),
                (1, ["chief complaint", sym, "for", dur]), (3, [cmd]),
                (2, [sym, "for", dur, _p(","), cmd]), (2, ["assessment", diag]), (2, ["plan", plan]),
                (1, ["next section plan", plan]), (1, ["next section assessment", diag]),
            ]
        return [  # heldout frames
            (3, ["the patient has had", sym, "for", dur]), (2, ["she denies", sym, "and", sym]),
            (2, ["he has", sym, _p(","), "no", sym]), (2, ["on arrival temperature", g.en_temp, _p(","), "blood pressure", g.en_bp]),
            (2, ["heart rate", g.en_hr, "and oxygen saturation", g.en_spo2, "percent"]),
            (2, ["respiratory rate", g.en_rr, _p(","), "temperature", g.en_temp]),
            (3, ["today", g.en_lab]), (2, [g.en_lab, "and", g.en_lab]),
            (1, ["impression", diag, _p("."), "next section plan", plan]),
            (1, [sym, "for", dur, _p(","), "without", sym]), (1, ["new paragraph", "negative for", sym]),
        ]
    sym, dur, diag = W(g.zh_sym), W(g.zh_dur), W(lambda: g.r.choice(ZH_DIAG))
    plan, cmd = W(lambda: g.r.choice(ZH_PLAN)), W(lambda: g.r.choice(ZH_COMMANDS))
    if split == "train":
        return [
            (3, ["体温", g.zh_temp]), (3, ["血压", g.zh_bp]), (2, ["心率", g.zh_hr]),
            (1, ["脉搏", g.zh_hr]), (2, ["呼吸", g.zh_rr]), (2, ["血氧饱和度", g.zh_spo2]),
            (2, ["体温", g.zh_temp, _p("，"), "心率", g.zh_hr]), (2, ["血压", g.zh_bp, _p("，"), "呼吸", g.zh_rr]),
            (6, [g.zh_lab]), (3, ["化验示", g.zh_lab, _p("，"), g.zh_lab]),
            (3, ["患者", sym, dur]), (2, ["患者", dur, "前出现", sym]), (2, ["无", sym]),
            (2, ["否认", sym]), (2, [sym, _p("，"), "伴", sym]), (2, [sym, _p("，"), "不伴", sym]),
            (1, ["主诉", sym, dur]), (3, [cmd]), (2, [sym, dur, _p("，"), cmd]),
            (2, ["诊断", diag]), (2, ["计划", plan]), (1, ["下一项诊断", diag]), (1, ["下一项计划", plan]),
        ]
    return [
        (3, ["患者自述", sym, "已经", dur]), (2, ["今日查", g.zh_lab]), (2, [g.zh_lab, _p("，"), g.zh_lab]),
        (2, ["测体温", g.zh_temp, _p("，"), "血压", g.zh_bp]), (2, ["心率", g.zh_hr, _p("，"), "血氧饱和度", g.zh_spo2]),
        (2, ["呼吸", g.zh_rr, _p("，"), "体温", g.zh_temp]), (2, [sym, _p("，"), "无", sym]),
        (2, ["否认", sym, "和", sym]), (1, ["初步诊断", diag, _p("。"), "下一项计划", plan]),
        (1, ["换行", sym, dur]),
    ]


EN_GENERAL_WORDS = dict(
    item=["apples", "oranges", "tickets", "books", "chairs", "cups of tea", "bottles of water", "boxes", "eggs", "pens"],
    city=["london", "paris", "boston", "chicago", "berlin", "tokyo", "sydney", "toronto"],
    adj=["warm", "cold", "sunny", "cloudy", "windy", "rainy", "nice", "quiet"],
    day=["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "today"],
    person=["my brother", "the teacher", "our neighbor", "the driver", "my friend", "the manager", "she", "he"],
    verb=["is reading a book", "went to the market", "is cooking dinner", "left the office",
          "called me this morning", "is waiting outside", "bought a new car", "walked the dog"],
)
ZH_GENERAL_WORDS = dict(
    item=["苹果", "橘子", "车票", "书", "椅子", "杯茶", "瓶水", "个箱子", "鸡蛋", "支笔"],
    city=["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "西安"],
    adj=["很好", "很冷", "很热", "晴朗", "多云", "有风", "下雨", "不错"],
    day=["星期一", "星期二", "星期三", "星期四", "星期五", "周末", "明天", "今天"],
    person=["我哥哥", "老师", "邻居", "司机", "我的朋友", "经理", "她", "他"],
    verb=["在看书", "去了市场", "在做饭", "离开了办公室", "今天早上给我打了电话", "在外面等", "买了新车", "出去散步了"],
)


def general_templates(g, lang):
    r = g.r
    if lang == "en":
        w = EN_GENERAL_WORDS
        n = lambda a, b: (lambda: _wrap(lambda: en_int(r.randint(a, b), r.choice(["plain", "and"]))))
        dec = lambda: _wrap(lambda: en_decimal(round(r.uniform(0, 99), 1), 1))
        pick = lambda k: (lambda: _wrap(lambda: r.choice(w[k])))
        time = lambda: _wrap(lambda: f"{en_int(r.randint(1, 12))} {en_int(r.randint(10, 59))}")
        return [
            (2, ["i need", n(2, 30), pick("item")]), (2, ["the train to", pick("city"), "leaves at", time]),
            (2, ["it costs", n(2, 900), "dollars"]), (1, ["turn left after", n(10, 500), "meters"]),
            (1, ["call me back in", n(2, 45), "minutes"]), (2, ["the weather is", pick("adj"), pick("day")]),
            (1, ["we have", n(2, 60), "people for dinner"]), (1, ["the room is on floor", n(1, 40)]),
            (2, [pick("person"), pick("verb")]), (1, ["the meeting starts at", time, "on", pick("day")]),
            (1, ["the temperature outside is", n(0, 35), "degrees"]), (1, ["the score was", n(0, 9), "to", n(0, 9)]),
            (1, ["she ran", dec, "kilometers"]), (1, ["my number ends in", n(0, 9), n(0, 9), n(0, 9), n(0, 9)]),
            (1, ["please open the window and close the door"]), (1, ["let us meet again next week"]),
            (1, ["the price went up by", n(1, 99), "percent"]), (1, ["add", n(1, 20), "and", n(1, 20)]),
            (1, ["the bus arrives every", n(5, 30), "minutes"]), (1, ["there are", n(100, 9999), "books in the library"]),
            (1, [pick("person"), "has", n(2, 9), pick("item"), "and", n(2, 9), pick("item")]),
            (1, ["the left door is open", _p(","), "the right one is closed"]),
            (1, ["we walked for", n(2, 12), "hours over the hill"]), (1, ["the rate is", dec, "percent"]),
        ]
    w = ZH_GENERAL_WORDS
    n = lambda a, b: (lambda: _wrap(lambda: zh_int(r.randint(a, b))))
    dec = lambda: _wrap(lambda: zh_decimal(round(r.uniform(0, 99), 1), 1))
    pick = lambda k: (lambda: _wrap(lambda: r.choice(w[k])))
    time = lambda: _wrap(lambda: f"{zh_int(r.randint(1, 12))}点{zh_int(r.randint(10, 59))}分")
    return [
        (2, ["我买了", n(2, 30), pick("item")]), (2, ["去", pick("city"), "的火车", time, "出发"]),
        (2, ["一共", n(2, 900), "元"]), (1, ["往前走", n(10, 500), "米"]), (1, ["请", n(2, 45), "分钟后给我回电话"]),
        (2, [pick("day"), "天气", pick("adj")]), (1, ["我们一共", n(2, 60), "个人吃饭"]), (1, ["房间在", n(1, 40), "楼"]),
        (2, [pick("person"), pick("verb")]), (1, [pick("day"), time, "开会"]), (1, ["外面的温度是", n(0, 35), "度"]),
        (1, ["比分是", n(0, 9), "比", n(0, 9)]), (1, ["她跑了", dec, "公里"]), (1, ["请打开窗户", _p("，"), "关上门"]),
        (1, ["我们下周再见"]), (1, ["价格上涨了百分之", n(1, 99)]), (1, ["公交车每", n(5, 30), "分钟一班"]),
        (1, ["图书馆有", n(100, 9999), "本书"]), (1, [pick("person"), "有", n(2, 9), pick("item")]),
        (1, ["我们走了", n(2, 12), "个小时"]), (1, ["左边的门开着", _p("，"), "右边的关着"]), (1, ["利率是", dec]),
    ]


# Words of the dictation vocabulary that the LoRA set's sentence frames do not use: the LoRA set
# says them inside word sequences (see `salad`), so the held-out set differs from it in sentence
# frames and values, never in words the model could not have heard.
EN_EXTRA_WORDS = ["the patient", "he", "she", "has", "had", "today", "on arrival", "impression", "percent"]
ZH_EXTRA_WORDS = ["自述", "已经", "今日", "测", "查", "初步", "和", "无"]
SALAD_SHARE = {"train": 0.5}


def salad(g, lang, tpls, extra):
    """A random sequence of 2-6 units: the pieces of the split's templates (literal words, or a
    value, symptom, lab...) in random order, with the extra vocabulary words. The decoder cannot
    predict the next word from a sentence frame, so it has to listen; every word is said next to
    many different neighbours."""
    units = []
    for w, tpl in tpls:
        units += [(w, p) for p in tpl if not getattr(p, "pause", False)]
    units += [(2, e) for e in extra]
    k = g.r.randint(2, 6)
    picked = [u for _, u in g.r.choices(units, weights=[w for w, _ in units], k=k)]
    pause = "," if lang == "en" else "，"
    tpl = []
    for i, p in enumerate(picked):
        if i and g.r.random() < 0.3:
            tpl.append(_p(pause))
        tpl.append(p)
    return tpl


def measurement_drill(g, lang):
    """A run of 2-4 (Mandarin 2-3) measurements (a vital or lab name and its spoken value, from the LoRA set's
    pieces and value grids; held-out values excluded as everywhere), some joined by a connective
    word or a pause. Dictation is mostly such runs, and their values must come out exact."""
    if lang == "en":
        items = [["temperature", g.en_temp], ["temp", g.en_temp, "degrees"], ["blood pressure", g.en_bp],
                 ["heart rate", g.en_hr], ["pulse", g.en_hr], ["respiratory rate", g.en_rr],
                 ["oxygen saturation", g.en_spo2, "percent"], [g.en_lab], [g.en_lab]]
        joins, pause = ["and", "today", "on arrival", "has"], ","
    else:
        items = [["体温", g.zh_temp], ["血压", g.zh_bp], ["心率", g.zh_hr], ["脉搏", g.zh_hr],
                 ["呼吸", g.zh_rr], ["血氧饱和度", g.zh_spo2], [g.zh_lab], [g.zh_lab]]
        joins, pause = ["和", "今日", "测", "查"], "，"
    tpl = []
    for i in range(g.r.randint(2, 4 if lang == "en" else 3)):
        x = g.r.random()
        if i and x < 0.35:
            tpl.append(_p(pause))
        if x > 0.8:
            tpl.append(g.r.choice(joins))
        tpl += g.r.choice(items)
    return tpl


def confusable(key, v, places, lo, hi):
    """Values a listener could mistake for v: a ten more or less, teens for tens ("fourteen" / "forty"),
    ten times or a tenth ("four point eight" / "forty point eight"), a last digit off by one or two;
    inside the value grid and never a held-out value."""
    n = int(v)
    frac = round(v - n, places) if places else 0
    ints = {n + 10, n - 10, n + 30, n - 30, n * 10, n // 10, n + 1, n - 1, n + 2, n - 2}
    if 13 <= n % 100 <= 19:
        ints.add(n - n % 100 + (n % 10) * 10)
    if n % 100 in (30, 40, 50, 60, 70, 80, 90):
        ints.add(n - n % 100 + n % 100 // 10 + 10)
    out = []
    for m in sorted(ints):
        w = round(m + frac, places) if places else m
        if m != n and lo <= w <= hi and not is_heldout_value(key, w):
            out.append(w)
    return out


def number_contrast(g, lang):
    """One lab said two or three times with values that sound alike ("glucose four point eight and
    glucose forty point eight"): the drill for the wrong-number-under-the-right-name errors."""
    key = g.r.choice(sorted(LABS))
    lo, hi, places = LABS[key][2:5]
    v = g.pick_value(key, lo, hi, places)
    others = confusable(key, v, places, lo, hi)
    values = [v] + g.r.sample(others, min(len(others), g.r.randint(1, 2)))
    g.r.shuffle(values)
    piece = g.en_lab if lang == "en" else g.zh_lab
    tpl = []
    for i, x in enumerate(values):
        if i:
            tpl.append(g.r.choice(["and", "today", _p(",")] if lang == "en" else ["和", "查", _p("，")]))
        tpl.append(lambda x=x: piece(key, x))
    return tpl


def generate(split, lang, n, seed):
    drill = split.startswith("drill")  # drill, drill2, drill3: the same generator, other seeds
    g = Gen(seed, "train" if drill or split.startswith("contrast") else split)
    out = []
    for i in range(n):
        if split.startswith("contrast"):
            tpl = number_contrast(g, lang)
        elif drill:
            tpl = measurement_drill(g, lang)
        else:
            tpls = general_templates(g, lang) if split == "general" else medical_templates(g, lang, split)
            _, tpl = g.r.choices(tpls, weights=[w for w, _ in tpls])[0]
            if split in SALAD_SHARE and g.r.random() < SALAD_SHARE[split]:
                tpl = salad(g, lang, tpls, EN_EXTRA_WORDS if lang == "en" else ZH_EXTRA_WORDS)
        tts, text, vitals, labs = _fill(g, lang, tpl)
        tts = tts + ("." if lang == "en" else "。")
        out.append({"id": f"{split}-{lang}-{i:05d}", "split": split, "lang": lang, "tts": tts,
                    "text": text, "vitals": vitals, "labs": labs})
    return out


if __name__ == "__main__":
    import sys
    for split in ("general", "train", "drill", "heldout"):
        for lang in ("en", "zh"):
            for u in generate(split, lang, int(sys.argv[1]) if len(sys.argv) > 1 else 4, 7):
                print(u["id"], "|", u["text"], "|", u["vitals"], u["labs"])
