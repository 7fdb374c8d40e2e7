"""Synthetic clinical cases for the MedEdge demo language model: rules, notes, prompts, answers.

A case is drawn from one diagnosis's profile (findings it always has, findings it often has,
pertinent negatives, vital-sign and laboratory ranges, statements only the note's text carries such
as "history of asthma" or "SARS-CoV-2 antigen positive"). Every diagnosis also has a defining RULE
over the findings (`RULES`); a drawn case is kept only when its own rule holds and no other
candidate's rule of the same specialty does, so the label is a function of the findings, never of
the random draw. Confidence grows with the supporting findings present; differential and ruleOut
are fixed per (specialty, diagnosis); the reason names the findings that decided it.

The case is then written as a note (English or Mandarin; typed with digits or dictated with spoken
numbers; with section headings or without) from sentence frames. The held-out split uses OTHER
frames and OTHER values (every value grid is partitioned by a hash, as in the Whisper corpus), so a
held-out score measures generalisation, not recall.

`prompt(case)` replicates fusion's PromptBuilder over the findings the note states, in the order
fusion's extractor reads them; `DemoLlmPromptsTest` (fusion, test scope) proves on the committed
golden sample that the real pipeline builds exactly these prompts.
"""
import json
import os
import random
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.dirname(HERE))  # the Whisper demo's spoken_numbers
from spoken_numbers import en_decimal, en_int, zh_decimal, zh_int  # noqa: E402

# ---------------------------------------------------------------------------------------------
# What fusion's PromptBuilder writes (fusion/src/main/java/org/mededge/fusion/assess/PromptBuilder.java)
SYSTEM = ("You are a clinical decision-support assistant on an offline hospital appliance. "
          "Read the structured findings and the note. Choose the most likely diagnosis from the candidate list only. "
          "Answer with one JSON object: diagnosis (one candidate), confidence (your probability from 0 to 1 that it is right), "
          "reason (one or two sentences citing findings stated in the note), differential (up to 3 other candidates, most likely first), "
          "ruleOut (up to 3 dangerous candidates that must be excluded). Never invent findings. "
          "When the note does not support any candidate well, give a low confidence. A clinician makes the decision.")

# fusion's candidate diagnoses per specialty and its assessment schema, read from fusion's own resources
FUSION_ASSESS = os.path.join(HERE, "..", "..", "..", "..", "fusion", "src", "main", "resources", "org", "mededge", "fusion", "assess")
with open(os.path.join(FUSION_ASSESS, "specialties.json"), encoding="utf-8") as _f:
    _SPECIALTIES = json.load(_f)
CANDIDATES = {k: [c["name"] for c in v["candidates"]] for k, v in _SPECIALTIES.items()
              if not k.startswith("_") and k in ("respiratory", "cardiology", "general")}


def schema(specialty):
    """AssessmentSchema.forCandidates: the template with the candidate enums, as Jackson writes it (compact)."""
    with open(os.path.join(FUSION_ASSESS, "assessment.schema.json"), encoding="utf-8") as f:
        s = json.load(f)
    names = CANDIDATES[specialty]
    p = s["properties"]
    p["diagnosis"]["enum"] = list(names)
    p["differential"]["items"]["enum"] = list(names)
    p["ruleOut"]["items"]["enum"] = list(names)
    return json.dumps(s, ensure_ascii=False, separators=(",", ":"))


ADAPTER = {k: _SPECIALTIES[k]["adapter"] for k in CANDIDATES}
SECTION_TITLES = [("chiefComplaint", "Chief complaint"), ("historyOfPresentIllness", "History of present illness"),
                  ("pastHistory", "Past history"), ("medications", "Medications"), ("allergies", "Allergies"),
                  ("physicalExam", "Physical examination"), ("auxiliaryExams", "Investigations"),
                  ("assessment", "Assessment"), ("plan", "Plan")]

# vital/lab key -> (LOINC display before " [", unit, decimal places, physiological default range)
MEASURES = {
    "temp": ("Body temperature", "Cel", 1, (36.2, 37.2)),
    "hr": ("Heart rate", "/min", 0, (62, 92)),
    "rr": ("Respiratory rate", "/min", 0, (14, 19)),
    "sys": ("Systolic blood pressure", "mm[Hg]", 0, (108, 138)),
    "dia": ("Diastolic blood pressure", "mm[Hg]", 0, (64, 86)),
    "spo2": ("Oxygen saturation in Arterial blood by Pulse oximetry", "%", 0, (96, 99)),
    "wbc": ("Leukocytes", "10*9/L", 1, (4.5, 9.5)),
    "crp": ("C reactive protein", "mg/L", 0, (1, 8)),
    "hgb": ("Hemoglobin", "g/L", 0, (120, 160)),
    "plt": ("Platelets", "10*9/L", 0, (150, 350)),
    "glu": ("Glucose", "mmol/L", 1, (4.2, 6.4)),
    "cre": ("Creatinine", "umol/L", 0, (55, 105)),
    "tni": ("Troponin I.cardiac", "ng/mL", 2, (0.0, 0.03)),
    "bnp": ("Natriuretic peptide.B prohormone N-Terminal", "pg/mL", 0, (30, 250)),
    "ddi": ("Fibrin D-dimer FEU", "mg/L{FEU}", 1, (0.1, 0.4)),
    "pct": ("Procalcitonin", "ng/mL", 2, (0.02, 0.09)),
    "k": ("Potassium", "mmol/L", 1, (3.6, 4.9)),
    "na": ("Sodium", "mmol/L", 0, (136, 144)),
}
VITALS = ("temp", "hr", "rr", "sys", "dia", "spo2")
LABS = ("wbc", "crp", "hgb", "plt", "glu", "cre", "tni", "bnp", "ddi", "pct", "k", "na")

# canonical symptom name (fusion's lexicon) -> (English phrases, Mandarin phrases) the notes use: phrases
# fusion's lexicon (fusion/src/main/resources/.../extract/symptoms.tsv) maps to that name. Each list is split
# by a hash: training notes use only the training phrases, held-out notes all of them, so the model must
# read the name fusion writes into the prompt's findings rather than memorise the note's wording.
SYMPTOMS = {
    "fever": (["fever", "fevers", "pyrexia"], ["发热", "发烧", "身热"]),
    "chills": (["chills", "feeling cold"], ["畏寒", "怕冷"]),
    "cough": (["cough", "coughing"], ["咳嗽"]),
    "dry cough": (["dry cough", "nonproductive cough", "non-productive cough"], ["干咳"]),
    "productive cough": (["productive cough", "sputum production", "sputum", "phlegm"], ["咳痰", "咯痰", "咳黄痰", "咳白痰"]),
    "hemoptysis": (["hemoptysis", "haemoptysis", "coughing up blood", "blood-streaked sputum"], ["咯血", "咳血", "痰中带血"]),
    "dyspnea": (["shortness of breath", "dyspnea", "dyspnoea", "breathlessness", "difficulty breathing", "trouble breathing"],
                ["呼吸困难", "气促", "气短", "气急"]),
    "orthopnea": (["orthopnea", "orthopnoea"], ["端坐呼吸", "高枕卧位"]),
    "paroxysmal nocturnal dyspnea": (["paroxysmal nocturnal dyspnea", "paroxysmal nocturnal dyspnoea"], ["夜间阵发性呼吸困难"]),
    "wheezing": (["wheezing", "wheeze"], ["喘息", "哮鸣"]),
    "chest pain": (["chest pain", "chest discomfort", "chest pressure", "retrosternal pain", "substernal pain"],
                   ["胸痛", "胸口痛", "胸骨后疼痛", "心前区疼痛"]),
    "chest tightness": (["chest tightness", "tightness in the chest", "tight chest"], ["胸闷", "胸部紧缩感", "胸部压迫感"]),
    "palpitations": (["palpitations", "racing heart", "heart pounding"], ["心悸", "心慌"]),
    "syncope": (["syncope", "fainting", "syncopal episode"], ["晕厥", "昏厥", "晕倒"]),
    "dizziness": (["dizziness", "lightheadedness", "vertigo"], ["头晕", "眩晕", "头昏"]),
    "headache": (["headache", "head pain"], ["头痛", "头疼"]),
    "nausea": (["nausea"], ["恶心"]),
    "vomiting": (["vomiting", "emesis"], ["呕吐"]),
    "diarrhea": (["diarrhea", "diarrhoea", "loose stools", "watery stools"], ["腹泻", "稀便", "水样便"]),
    "abdominal pain": (["abdominal pain", "stomach pain", "belly pain", "epigastric pain", "abdominal cramps"],
                       ["腹痛", "上腹痛", "腹部疼痛"]),
    "fatigue": (["fatigue", "tiredness"], ["乏力", "疲乏", "疲劳"]),
    "unilateral limb weakness": (["left-sided weakness", "right-sided weakness", "left arm weakness",
                                  "right arm weakness", "hemiparesis"], ["左侧肢体无力", "右侧肢体无力", "一侧肢体无力", "偏身无力"]),
    "facial droop": (["facial droop", "facial drooping", "drooping of the face"], ["口角歪斜", "口眼歪斜", "面部歪斜"]),
    "slurred speech": (["slurred speech", "slurring of speech", "difficulty speaking"], ["言语不清", "口齿不清", "言语含糊"]),
    "numbness": (["numbness"], ["麻木"]),
    "blurred vision": (["blurred vision", "blurry vision"], ["视物模糊"]),
    "confusion": (["confusion", "disorientation", "altered mental status"], ["意识模糊", "神志不清"]),
    "neck stiffness": (["neck stiffness", "stiff neck", "nuchal rigidity"], ["颈项强直", "颈强直"]),
    "myalgia": (["muscle aches", "myalgia", "body aches", "muscle pain"], ["肌肉酸痛", "全身酸痛", "肌痛"]),
    "sore throat": (["sore throat", "throat pain"], ["咽痛", "咽喉痛"]),
    "nasal congestion": (["nasal congestion", "stuffy nose", "blocked nose"], ["鼻塞"]),
    "rhinorrhea": (["runny nose", "rhinorrhea"], ["流涕", "流鼻涕"]),
    "loss of appetite": (["loss of appetite", "poor appetite", "reduced appetite"], ["纳差", "食欲不振", "食欲减退"]),
    "weight loss": (["weight loss"], ["体重下降", "体重减轻", "消瘦"]),
    "night sweats": (["night sweats", "night sweating"], ["盗汗"]),
    "diaphoresis": (["sweating", "diaphoresis", "sweats"], ["大汗", "出冷汗", "大汗淋漓"]),
    "edema": (["leg swelling", "ankle swelling", "swollen ankles", "pedal edema", "swelling of the legs"],
              ["下肢水肿", "双下肢水肿", "下肢浮肿"]),
    "back pain": (["back pain", "backache"], ["背痛", "后背痛", "腰背痛"]),
    "dysuria": (["dysuria", "painful urination", "burning on urination"], ["尿痛"]),
}


def phrase_split(phrases, key):
    """(training phrases, held-out-only phrases): one phrase in three is held out (chosen by a hash), never the first."""
    ranked = sorted(phrases[1:], key=lambda p: zlib.crc32(f"{key}:{p}".encode()))
    held = ranked[:len(phrases) // 3]
    return [p for p in phrases if p not in held], [p for p in phrases if p in held]


# examination signs, written as their own sentence in the examination
SIGNS = {
    "crackles": (["Crackles at the right base.", "Crackles heard at both bases."], ["右下肺可闻及湿啰音。", "双下肺可闻及湿啰音。"]),
    "decreased breath sounds": (["Decreased breath sounds on the left.", "Decreased breath sounds at the right base."],
                                ["左肺呼吸音减低。", "右下肺呼吸音减低。"]),
    "wheezing": (["Expiratory wheezes on auscultation."], ["双肺可闻及哮鸣音。"]),
}
SIGN_NEG = {  # the negated examination sign
    "crackles": (["No crackles on auscultation."], ["双肺未闻及湿啰音。"]),
    "wheezing": (["No wheezes on auscultation."], ["双肺未闻及哮鸣音。"]),
}

# statements only the note's text carries: key -> (section, English, Mandarin, what the reason calls it,
# English and Mandarin phrasings used only in held-out notes)
TEXT_FINDINGS = {
    "flu_test": ("auxiliaryExams", ["Influenza A antigen test positive."], ["甲型流感抗原阳性。"], "a positive influenza A test",
                 ["Rapid influenza A test is positive."], ["甲流抗原检测阳性。"]),
    "covid_test": ("auxiliaryExams", ["SARS-CoV-2 antigen test positive."], ["新冠病毒抗原阳性。"], "a positive SARS-CoV-2 test",
                   ["SARS-CoV-2 PCR is positive."], ["新冠病毒核酸检测阳性。"]),
    "asthma_hx": ("pastHistory", ["Known asthma since childhood."], ["既往支气管哮喘病史多年。"], "known asthma",
                  ["Known asthmatic on inhalers."], ["既往哮喘病史，长期吸入治疗。"]),
    "copd_hx": ("pastHistory", ["Known COPD, smoker for forty years."], ["既往慢阻肺病史，吸烟四十年。"], "known COPD",
                ["Known COPD on home inhalers."], ["既往慢性阻塞性肺疾病病史。"]),
    "smoker": ("pastHistory", ["Heavy smoker for many years."], ["长期大量吸烟。"], "heavy smoking",
               ["Smoker, thirty pack years."], ["吸烟史三十年，每日一包。"]),
    "surgery": ("pastHistory", ["Knee surgery two weeks ago.", "Returned from a long flight last week."],
                ["两周前行膝关节手术。", "上周长途飞行后出现症状。"], "a recent risk factor for clots",
                ["Hip surgery ten days ago."], ["十天前行髋关节手术。"]),
    "tb_contact": ("pastHistory", ["Household contact with tuberculosis."], ["家中有肺结核患者接触史。"], "a tuberculosis contact",
                   ["Her brother has tuberculosis."], ["其兄患肺结核。"]),
    "dullness": ("physicalExam", ["Stony dullness to percussion at the right base."], ["右下肺叩诊浊音。"], "dullness to percussion",
                 ["Dull to percussion at the left base."], ["左下肺叩诊呈浊音。"]),
    "st_elev": ("auxiliaryExams", ["ECG shows ST elevation in leads V2 to V4."], ["心电图示V2至V4导联ST段抬高。"],
                "ST elevation on the ECG", ["ECG with ST elevation in the inferior leads."], ["心电图下壁导联ST段抬高。"]),
    "st_dep": ("auxiliaryExams", ["ECG shows ST depression in the lateral leads."], ["心电图示侧壁导联ST段压低。"],
               "ST depression on the ECG", ["ECG with new ST depression."], ["心电图新发ST段压低。"]),
    "crescendo": ("historyOfPresentIllness", ["Episodes now come at rest and are more frequent."], ["近日静息时亦发作且次数增多。"],
                  "episodes at rest and more often", ["The episodes are getting more frequent and now occur at rest."],
                  ["发作越来越频繁，休息时也发作。"]),
    "exertional": ("historyOfPresentIllness", ["Brought on by climbing stairs and relieved by rest."], ["爬楼时诱发，休息后缓解。"],
                   "exertional pain relieved by rest", ["Comes on with exertion and settles with rest."], ["活动后出现，休息可缓解。"]),
    "cad_hx": ("pastHistory", ["Known coronary artery disease."], ["既往冠心病病史。"], "known coronary disease",
               ["Known coronary disease with a stent."], ["既往冠心病支架术后。"]),
    "af_ecg": ("auxiliaryExams", ["ECG shows atrial fibrillation with an irregularly irregular rhythm."],
               ["心电图示心房颤动，心律绝对不齐。"], "an irregularly irregular rhythm on the ECG",
               ["ECG confirms atrial fibrillation."], ["心电图提示心房颤动。"]),
    "positional": ("historyOfPresentIllness", ["The pain is worse lying flat and better leaning forward."],
                   ["平卧时加重，前倾坐位减轻。"], "pain worse lying flat and better leaning forward",
                   ["Relieved by sitting up and leaning forward."], ["坐起前倾后减轻。"]),
    "viral_prodrome": ("historyOfPresentIllness", ["Flu-like illness one week ago."], ["一周前有感冒样病史。"],
                       "a recent flu-like illness", ["A viral illness ten days ago."], ["十天前曾有病毒感染。"]),
    "tearing": ("historyOfPresentIllness", ["Sudden tearing pain going through to the back."], ["突发撕裂样疼痛，放射至后背。"],
                "sudden tearing pain through to the back", ["Abrupt tearing pain radiating between the shoulder blades."],
                ["突然出现撕裂样疼痛，向肩胛间放射。"]),
    "burning": ("historyOfPresentIllness", ["Burning pain after meals and when lying down."], ["餐后及平躺时烧灼感。"],
                "burning pain after meals", ["A burning feeling after large meals with an acid taste."], ["饭后烧心，伴反酸。"]),
    "palpation": ("physicalExam", ["The pain is reproduced by pressing on the chest wall."], ["按压胸壁可诱发疼痛。"],
                  "pain reproduced by pressing on the chest wall", ["Tenderness over the chest wall reproduces the pain."],
                  ["胸壁局部压痛，按压时疼痛重现。"]),
    "lifting": ("historyOfPresentIllness", ["Started after lifting heavy boxes."], ["搬重物后出现。"], "onset after lifting",
                ["Began after moving furniture."], ["搬家具后开始。"]),
    "dipstick": ("auxiliaryExams", ["Urine dipstick positive for leukocytes and nitrites."], ["尿常规白细胞及亚硝酸盐阳性。"],
                 "a positive urine dipstick", ["Urinalysis shows leukocytes and nitrites."], ["尿检白细胞和亚硝酸盐阳性。"]),
    "recurrent_ha": ("historyOfPresentIllness", ["Similar episodes several times a year."], ["既往每年数次类似发作。"],
                     "recurrent similar episodes", ["She has had many similar attacks before."], ["以往多次有类似发作。"]),
    "thunderclap": ("historyOfPresentIllness", ["Sudden onset, the worst of her life."], ["突然发作，为平生最剧烈。"],
                    "a sudden worst-ever headache", ["Came on suddenly like a thunderclap."], ["突然剧烈发作，如雷击样。"]),
    "thirst": ("historyOfPresentIllness", ["Increased thirst and passing urine often."], ["口渴明显，小便次数增多。"],
               "thirst and passing urine often", ["Drinking a lot of water and passing urine often."], ["多饮多尿。"]),
    "stress": ("historyOfPresentIllness", ["Episodes come during stressful periods at work."], ["多在工作压力大时发作。"],
               "episodes during stress", ["Attacks occur when she is stressed."], ["情绪紧张时容易发作。"]),
    "ecg_normal": ("auxiliaryExams", ["ECG normal."], ["心电图正常。"], "a normal ECG", ["Normal ECG."], ["心电图未见异常。"]),
}


def is_heldout_value(key, value):
    """About one value in four is held out (the same kind of partition as the Whisper corpus)."""
    return zlib.crc32(f"{key}:{value}".encode()) % 4 == 0


# ---------------------------------------------------------------------------------------------
# Rules: what defines each diagnosis. f = Findings of a case.
class Findings:
    def __init__(self, case):
        self.pos = {s for s, neg, _ in case["symptoms"] if not neg} | {s for s in case["signs"]}
        self.neg = {s for s, neg, _ in case["symptoms"] if neg} | {s for s in case["neg_signs"]}
        self.v = dict(case["vitals"])
        self.v.update(case["labs"])
        self.text = set(case["text"])
        self.days = case["days"]
        self.age = case["age"]

    def has(self, *names):
        return all(n in self.pos for n in names)

    def any(self, *names):
        return any(n in self.pos for n in names)

    def val(self, k):
        return self.v.get(k)

    def high(self, k, t):
        return self.v.get(k) is not None and self.v[k] >= t

    def low(self, k, t):
        return self.v.get(k) is not None and self.v[k] <= t

    def febrile(self):
        return "fever" in self.pos or self.high("temp", 38.0)

    def afebrile(self):
        return "fever" not in self.pos and not self.high("temp", 37.8)


def troponin_normal(f):
    return f.val("tni") is not None and f.val("tni") <= 0.03


RULES = {
    "pneumonia": lambda f: f.febrile() and f.has("crackles") and f.high("crp", 50) and f.any("cough", "productive cough")
    and not f.high("bnp", 900),
    "acute bronchitis": lambda f: f.any("cough", "productive cough", "dry cough") and f.days >= 5 and f.days <= 21
    and f.afebrile() and not f.has("crackles") and not f.any("sore throat", "rhinorrhea") and not f.text & {"asthma_hx", "copd_hx"}
    and not f.high("crp", 20) and not f.high("ddi", 0.5) and not f.any("night sweats", "weight loss", "hemoptysis"),
    "upper respiratory tract infection": lambda f: f.any("sore throat", "rhinorrhea", "nasal congestion") and f.days <= 5
    and not f.high("crp", 20) and not f.has("crackles") and not f.text & {"flu_test", "covid_test"},
    "influenza": lambda f: "flu_test" in f.text,
    "COVID-19": lambda f: "covid_test" in f.text,
    "asthma exacerbation": lambda f: "asthma_hx" in f.text and f.has("wheezing", "dyspnea"),
    "COPD exacerbation": lambda f: "copd_hx" in f.text and f.has("dyspnea"),
    "pulmonary embolism": lambda f: f.high("ddi", 0.5) and f.has("dyspnea") and f.afebrile() and not f.has("back pain")
    and not f.has("crackles") and not f.has("decreased breath sounds") and not f.high("sys", 170) and not f.high("bnp", 900),
    "pneumothorax": lambda f: f.has("decreased breath sounds", "chest pain") and f.days <= 2 and f.afebrile(),
    "pleural effusion": lambda f: f.has("decreased breath sounds") and "dullness" in f.text and f.days >= 7
    and not f.high("bnp", 900),
    "pulmonary tuberculosis": lambda f: f.has("night sweats") and f.any("cough", "productive cough") and f.days >= 21,
    "lung cancer": lambda f: f.any("weight loss", "hemoptysis") and f.days >= 21 and f.age >= 55
    and "smoker" in f.text and not f.has("night sweats") and f.afebrile(),
    "heart failure": lambda f: f.high("bnp", 900) and f.any("orthopnea", "paroxysmal nocturnal dyspnea", "edema"),
    "acute myocardial infarction": lambda f: f.has("chest pain") and f.high("tni", 0.1) and f.age >= 40
    and "viral_prodrome" not in f.text,
    "unstable angina": lambda f: f.has("chest pain") and "crescendo" in f.text and troponin_normal(f),
    "stable angina": lambda f: f.has("chest pain") and "exertional" in f.text and "crescendo" not in f.text
    and not f.high("tni", 0.04),
    "atrial fibrillation": lambda f: "af_ecg" in f.text,
    "hypertension": lambda f: (f.high("sys", 170) or f.high("dia", 105)) and not f.has("chest pain")
    and not f.any("unilateral limb weakness", "facial droop", "slurred speech") and "thunderclap" not in f.text
    and not f.high("tni", 0.04),
    "pericarditis": lambda f: f.has("chest pain") and "positional" in f.text and not f.high("tni", 0.1),
    "myocarditis": lambda f: "viral_prodrome" in f.text and f.high("tni", 0.1),
    "aortic dissection": lambda f: "tearing" in f.text and f.has("back pain"),
    "gastroesophageal reflux disease": lambda f: "burning" in f.text and troponin_normal(f),
    "musculoskeletal chest pain": lambda f: f.has("chest pain") and "palpation" in f.text and troponin_normal(f)
    and not f.high("ddi", 0.5),
    "gastroenteritis": lambda f: f.has("diarrhea") and f.days <= 4,
    "urinary tract infection": lambda f: f.has("dysuria"),
    "migraine": lambda f: f.has("headache") and "recurrent_ha" in f.text and not f.has("neck stiffness")
    and "thunderclap" not in f.text,
    "subarachnoid hemorrhage": lambda f: f.has("headache") and "thunderclap" in f.text,
    "stroke": lambda f: f.has("unilateral limb weakness"),
    "type 2 diabetes mellitus": lambda f: f.high("glu", 11.1) and "thirst" in f.text,
    "anxiety": lambda f: f.has("palpitations") and "stress" in f.text and not f.high("hr", 110)
    and not f.high("tni", 0.04),
    "viral syndrome": lambda f: f.febrile() and f.has("myalgia") and not f.any("cough", "productive cough", "sore throat",
                                                                              "rhinorrhea", "dysuria", "diarrhea", "crackles")
    and not f.high("crp", 40),
}


# ---------------------------------------------------------------------------------------------
# Profiles. Keys: core (always), opt [(symptom, p)], neg [(symptom, p)] pertinent negatives,
# signs / neg_signs [(sign, p)], text (always) / text_opt [(key, p)], vitals/labs {key: (lo, hi)} (always
# stated), labs_opt {key: ((lo, hi), p)}, days [choices], age (lo, hi), support: findings that raise confidence.
def P(**kw):
    kw.setdefault("opt", [])
    kw.setdefault("neg", [])
    kw.setdefault("signs", [])
    kw.setdefault("neg_signs", [])
    kw.setdefault("text", [])
    kw.setdefault("text_opt", [])
    kw.setdefault("vitals", {})
    kw.setdefault("labs", {})
    kw.setdefault("labs_opt", {})
    kw.setdefault("age", (25, 75))
    return kw


D, W, M, H = "d", "w", "m", "h"
PROFILES = {
    "pneumonia": P(core=["fever", "productive cough"], opt=[("cough", .5), ("dyspnea", .5), ("chills", .4), ("chest pain", .3),
                                                             ("fatigue", .3)],
                   neg=[("hemoptysis", .3), ("night sweats", .2)], signs=[("crackles", 1.0)],
                   vitals={"temp": (38.1, 40.0), "hr": (96, 124), "rr": (20, 30), "spo2": (88, 95)},
                   labs={"crp": (60, 240)}, labs_opt={"wbc": ((11.5, 22.0), .8), "pct": ((0.5, 4.5), .4)},
                   days=[(2, D), (3, D), (4, D), (5, D), (6, D)],
                   support=["chills", "dyspnea", "wbc_high", "pct_high", "spo2_low", "tachypnea"]),
    "acute bronchitis": P(core=["cough"], opt=[("productive cough", .5), ("wheezing", .3), ("chest tightness", .3),
                                               ("fatigue", .3)],
                          neg=[("fever", .7), ("dyspnea", .4)], neg_signs=[("crackles", .7)],
                          vitals={"temp": (36.4, 37.5), "spo2": (96, 99)}, labs_opt={"crp": ((2, 14), .6), "wbc": ((5.0, 9.8), .5)},
                          days=[(1, W), (2, W), (5, D), (6, D), (10, D)], support=["no_fever", "no_crackles", "crp_normal"]),
    "upper respiratory tract infection": P(core=["sore throat"], opt=[("rhinorrhea", .8), ("nasal congestion", .5), ("cough", .5),
                                                                      ("headache", .3)],
                                           neg=[("dyspnea", .5), ("chest pain", .3)], vitals={"temp": (36.6, 38.0)},
                                           labs_opt={"crp": ((1, 12), .3)}, days=[(1, D), (2, D), (3, D), (4, D)],
                                           age=(16, 60), support=["rhinorrhea", "nasal congestion", "no_dyspnea"]),
    "influenza": P(core=["fever", "myalgia"], opt=[("headache", .6), ("dry cough", .6), ("chills", .5), ("fatigue", .5),
                                                   ("sore throat", .2)],
                   text=["flu_test"], vitals={"temp": (38.4, 40.1), "hr": (90, 118)},
                   labs_opt={"crp": ((5, 30), .5), "wbc": ((3.2, 8.0), .5)}, days=[(1, D), (2, D), (3, D)],
                   support=["headache", "chills", "dry cough", "fatigue"]),
    "COVID-19": P(core=["dry cough", "fatigue"], opt=[("fever", .6), ("sore throat", .4), ("myalgia", .4), ("headache", .4),
                                                      ("dyspnea", .2)],
                  text=["covid_test"], vitals={"temp": (37.2, 39.0), "spo2": (92, 98)}, labs_opt={"crp": ((4, 40), .5)},
                  days=[(1, D), (2, D), (3, D), (4, D), (5, D)], support=["fever", "myalgia", "sore throat", "headache"]),
    "asthma exacerbation": P(core=["wheezing", "dyspnea"], opt=[("chest tightness", .6), ("cough", .5)],
                             neg=[("fever", .5)], signs=[("wheezing", .7)], text=["asthma_hx"],
                             vitals={"hr": (100, 126), "rr": (22, 32), "spo2": (89, 95)}, labs_opt={"crp": ((1, 10), .3)},
                             days=[(1, D), (2, D), (6, H), (12, H)], age=(14, 45),
                             support=["chest tightness", "spo2_low", "tachypnea", "no_fever"]),
    "COPD exacerbation": P(core=["dyspnea", "productive cough"], opt=[("wheezing", .6), ("fatigue", .3)],
                           neg=[("chest pain", .4)], signs=[("wheezing", .4)], text=["copd_hx"],
                           vitals={"spo2": (84, 92), "rr": (22, 30), "temp": (36.5, 37.9)}, labs_opt={"crp": ((8, 45), .5)},
                           days=[(2, D), (3, D), (4, D), (5, D), (1, W)], age=(58, 86),
                           support=["wheezing", "spo2_low", "tachypnea"]),
    "pulmonary embolism": P(core=["dyspnea", "chest pain"], opt=[("hemoptysis", .2), ("edema", .5), ("syncope", .1)],
                            neg=[("fever", .5), ("productive cough", .3)], neg_signs=[("crackles", .4)],
                            text_opt=[("surgery", .6)],
                            vitals={"hr": (106, 136), "spo2": (86, 94), "temp": (36.5, 37.6), "rr": (22, 30),
                                    "sys": (100, 140)},
                            labs={"ddi": (1.5, 5.0)}, labs_opt={"tni": ((0.0, 0.03), .3)},
                            days=[(6, H), (12, H), (1, D), (2, D)], support=["edema", "surgery", "tachycardia", "spo2_low"]),
    "pneumothorax": P(core=["chest pain", "dyspnea"], neg=[("fever", .6), ("cough", .3)],
                      signs=[("decreased breath sounds", 1.0)],
                      vitals={"hr": (92, 118), "spo2": (90, 96), "temp": (36.4, 37.3)}, labs_opt={"ddi": ((0.1, 0.4), .4)},
                      days=[(2, H), (4, H), (6, H), (1, D)], age=(17, 35),
                      support=["no_fever", "tachycardia", "ddi_normal"]),
    "pleural effusion": P(core=["dyspnea"], opt=[("cough", .4), ("fatigue", .3)], neg=[("fever", .6), ("chest pain", .4)],
                          signs=[("decreased breath sounds", 1.0)], text=["dullness"],
                          vitals={"spo2": (91, 96), "temp": (36.4, 37.4)}, labs_opt={"bnp": ((60, 400), .4), "crp": ((5, 40), .4)},
                          days=[(2, W), (3, W), (4, W), (1, M)], age=(45, 85), support=["no_fever", "bnp_normal"]),
    "pulmonary tuberculosis": P(core=["cough", "night sweats"], opt=[("weight loss", .7), ("fever", .6), ("hemoptysis", .4),
                                                                     ("loss of appetite", .3), ("fatigue", .3)],
                                text_opt=[("tb_contact", .4)], vitals={"temp": (37.4, 38.4)}, labs_opt={"crp": ((15, 60), .5)},
                                days=[(1, M), (2, M), (3, M), (4, W), (6, W)], age=(18, 60),
                                support=["weight loss", "fever", "hemoptysis", "tb_contact"]),
    "lung cancer": P(core=["cough", "weight loss"], opt=[("hemoptysis", .6), ("loss of appetite", .4), ("fatigue", .4)],
                     neg=[("fever", .6), ("night sweats", .5)], text=["smoker"], vitals={"temp": (36.3, 37.2)},
                     labs_opt={"crp": ((3, 25), .4), "hgb": ((98, 125), .3)}, days=[(2, M), (3, M), (4, M), (6, W)],
                     age=(56, 84), support=["hemoptysis", "no_fever", "loss of appetite"]),
    "heart failure": P(core=["dyspnea", "edema"], opt=[("orthopnea", .6), ("paroxysmal nocturnal dyspnea", .3), ("fatigue", .4)],
                       neg=[("fever", .5), ("chest pain", .4)], signs=[("crackles", .6)],
                       vitals={"spo2": (88, 95), "hr": (84, 112), "temp": (36.3, 37.2)},
                       labs={"bnp": (1400, 9500)}, labs_opt={"cre": ((90, 180), .4), "crp": ((1, 10), .3)},
                       days=[(3, D), (5, D), (1, W), (2, W), (3, W)], age=(58, 90),
                       support=["orthopnea", "paroxysmal nocturnal dyspnea", "crackles", "no_fever"]),
    "acute myocardial infarction": P(core=["chest pain"], opt=[("diaphoresis", .7), ("nausea", .4), ("dyspnea", .3)],
                                     neg=[("fever", .3)], text_opt=[("st_elev", .6)],
                                     vitals={"hr": (78, 112), "sys": (100, 165)}, labs={"tni": (0.5, 18.0)},
                                     days=[(1, H), (2, H), (3, H), (5, H)], age=(42, 86),
                                     support=["diaphoresis", "nausea", "st_elev"]),
    "unstable angina": P(core=["chest pain"], opt=[("dyspnea", .3), ("diaphoresis", .2)], text=["crescendo"],
                         text_opt=[("st_dep", .5), ("cad_hx", .5)], vitals={"sys": (120, 165)}, labs={"tni": (0.0, 0.03)},
                         days=[(2, D), (3, D), (4, D), (1, W)], age=(48, 84), support=["st_dep", "cad_hx"]),
    "stable angina": P(core=["chest pain"], opt=[("dyspnea", .3)], neg=[("diaphoresis", .4), ("palpitations", .3)],
                       text=["exertional"], text_opt=[("cad_hx", .3)], labs_opt={"tni": ((0.0, 0.03), .6)},
                       days=[(1, M), (2, M), (3, M), (3, W)], age=(48, 82), support=["no_diaphoresis", "tni_normal", "cad_hx"]),
    "atrial fibrillation": P(core=["palpitations"], opt=[("dyspnea", .4), ("dizziness", .4), ("fatigue", .3)],
                             neg=[("chest pain", .5), ("syncope", .3)], text=["af_ecg"], vitals={"hr": (112, 168)},
                             labs_opt={"tni": ((0.0, 0.03), .4), "k": ((3.6, 4.8), .3)}, days=[(3, H), (6, H), (1, D), (2, D)],
                             age=(50, 88), support=["tachycardia", "dizziness", "dyspnea"]),
    "hypertension": P(core=["headache"], opt=[("dizziness", .6), ("blurred vision", .3), ("nausea", .2)],
                      neg=[("chest pain", .6), ("unilateral limb weakness", .3)], vitals={"sys": (172, 212), "dia": (106, 128)},
                      labs_opt={"cre": ((60, 120), .3), "tni": ((0.0, 0.03), .3)}, days=[(1, D), (2, D), (3, D), (1, W)],
                      age=(40, 82), support=["dizziness", "no_chest pain", "blurred vision"]),
    "pericarditis": P(core=["chest pain"], opt=[("fever", .5), ("dyspnea", .3)], text=["positional"],
                      text_opt=[("viral_prodrome", .0)], vitals={"temp": (37.3, 38.4), "hr": (88, 112)},
                      labs={"crp": (20, 110), "tni": (0.0, 0.03)}, days=[(1, D), (2, D), (3, D)], age=(18, 60),
                      support=["fever", "crp_high"]),
    "myocarditis": P(core=["chest pain", "fatigue"], opt=[("palpitations", .6), ("dyspnea", .5), ("fever", .3)],
                     text=["viral_prodrome"], vitals={"hr": (100, 130)}, labs={"tni": (0.2, 5.0)},
                     labs_opt={"crp": ((20, 80), .6)}, days=[(1, D), (2, D), (3, D), (4, D)], age=(16, 38),
                     support=["palpitations", "dyspnea", "crp_high", "tachycardia"]),
    "aortic dissection": P(core=["chest pain", "back pain"], opt=[("diaphoresis", .5), ("syncope", .1)], text=["tearing"],
                           vitals={"sys": (172, 218), "hr": (80, 110)}, labs_opt={"ddi": ((1.0, 5.0), .6), "tni": ((0.0, 0.03), .5)},
                           days=[(1, H), (2, H), (3, H)], age=(48, 82), support=["high_bp", "ddi_high", "diaphoresis"]),
    "gastroesophageal reflux disease": P(core=["chest pain"], opt=[("abdominal pain", .5), ("nausea", .3)],
                                         neg=[("dyspnea", .5), ("diaphoresis", .4)], text=["burning"],
                                         labs={"tni": (0.0, 0.03)}, days=[(1, W), (2, W), (1, M), (2, M)], age=(25, 70),
                                         support=["abdominal pain", "no_dyspnea", "no_diaphoresis"]),
    "musculoskeletal chest pain": P(core=["chest pain"], neg=[("dyspnea", .6), ("diaphoresis", .5), ("fever", .3)],
                                    text=["palpation"], text_opt=[("lifting", .5), ("ecg_normal", .4)],
                                    labs={"tni": (0.0, 0.03)}, days=[(1, D), (2, D), (3, D), (5, D)], age=(18, 55),
                                    support=["lifting", "ecg_normal", "no_dyspnea"]),
    "gastroenteritis": P(core=["diarrhea"], opt=[("vomiting", .7), ("nausea", .5), ("abdominal pain", .6), ("fever", .4)],
                         neg=[("hemoptysis", .0), ("chest pain", .3)], vitals={"temp": (36.6, 38.4), "hr": (76, 108)},
                         labs_opt={"k": ((3.1, 4.2), .4), "na": ((131, 140), .3)}, days=[(1, D), (2, D), (3, D)], age=(16, 70),
                         support=["vomiting", "abdominal pain", "nausea"]),
    "urinary tract infection": P(core=["dysuria"], opt=[("fever", .4), ("back pain", .3), ("abdominal pain", .3)],
                                 neg=[("vomiting", .3)], text_opt=[("dipstick", .7)], vitals={"temp": (36.6, 38.8)},
                                 labs_opt={"wbc": ((9.5, 16.0), .4)}, days=[(1, D), (2, D), (3, D), (4, D)], age=(18, 75),
                                 support=["dipstick", "fever", "back pain"]),
    "migraine": P(core=["headache"], opt=[("nausea", .6), ("blurred vision", .4), ("vomiting", .3)],
                  neg=[("neck stiffness", .5), ("fever", .5), ("unilateral limb weakness", .3)], text=["recurrent_ha"],
                  days=[(4, H), (6, H), (12, H), (1, D)], age=(16, 50),
                  support=["nausea", "blurred vision", "no_neck stiffness"]),
    "subarachnoid hemorrhage": P(core=["headache"], opt=[("neck stiffness", .7), ("vomiting", .6), ("confusion", .3)],
                                 text=["thunderclap"], vitals={"sys": (150, 195)}, days=[(1, H), (2, H), (3, H), (6, H)],
                                 age=(30, 75), support=["neck stiffness", "vomiting", "confusion"]),
    "stroke": P(core=["unilateral limb weakness"], opt=[("facial droop", .7), ("slurred speech", .6), ("numbness", .3)],
                neg=[("headache", .4)], vitals={"sys": (150, 205)}, labs_opt={"glu": ((5.0, 8.5), .5)},
                days=[(1, H), (2, H), (3, H), (5, H)], age=(52, 90), support=["facial droop", "slurred speech", "high_bp"]),
    "type 2 diabetes mellitus": P(core=["fatigue"], opt=[("weight loss", .5), ("blurred vision", .3)], text=["thirst"],
                                  labs={"glu": (11.5, 21.0)}, days=[(3, W), (1, M), (2, M), (3, M)], age=(38, 78),
                                  support=["weight loss", "blurred vision"]),
    "anxiety": P(core=["palpitations"], opt=[("chest tightness", .6), ("numbness", .4), ("dizziness", .4)],
                 neg=[("chest pain", .4), ("syncope", .4)], text=["stress"], text_opt=[("ecg_normal", .5)],
                 vitals={"hr": (86, 104)}, labs_opt={"tni": ((0.0, 0.03), .4)}, days=[(1, W), (2, W), (1, M), (2, M)],
                 age=(18, 50), support=["ecg_normal", "chest tightness", "numbness"]),
    "viral syndrome": P(core=["fever", "myalgia"], opt=[("fatigue", .7), ("headache", .5), ("chills", .4)],
                        neg=[("cough", .6), ("sore throat", .5), ("dysuria", .3), ("diarrhea", .3)],
                        vitals={"temp": (37.9, 39.2)}, labs_opt={"crp": ((4, 25), .5)}, days=[(1, D), (2, D), (3, D)],
                        age=(16, 60), support=["fatigue", "headache", "no_cough"]),
}
PROFILES["heart failure"]["labs_opt"] = dict(PROFILES["heart failure"]["labs_opt"])

# differential (most likely first) and ruleOut (dangerous alternatives) per specialty and diagnosis
DDX = {
    "respiratory": {
        "pneumonia": (["acute bronchitis", "influenza", "COVID-19"], ["pulmonary embolism", "lung cancer"]),
        "acute bronchitis": (["upper respiratory tract infection", "asthma exacerbation", "pneumonia"], ["pneumonia"]),
        "upper respiratory tract infection": (["influenza", "COVID-19", "acute bronchitis"], ["pneumonia"]),
        "influenza": (["COVID-19", "upper respiratory tract infection"], ["pneumonia"]),
        "COVID-19": (["influenza", "upper respiratory tract infection"], ["pneumonia", "pulmonary embolism"]),
        "asthma exacerbation": (["COPD exacerbation", "acute bronchitis"], ["pneumothorax", "pneumonia"]),
        "COPD exacerbation": (["asthma exacerbation", "pneumonia", "heart failure"], ["pneumothorax", "pulmonary embolism"]),
        "pulmonary embolism": (["pneumonia", "pneumothorax"], ["heart failure"]),
        "pneumothorax": (["pulmonary embolism", "pleural effusion"], ["pulmonary embolism"]),
        "pleural effusion": (["heart failure", "pneumonia", "lung cancer"], ["lung cancer", "pulmonary tuberculosis"]),
        "pulmonary tuberculosis": (["lung cancer", "pneumonia"], ["lung cancer"]),
        "lung cancer": (["pulmonary tuberculosis", "pneumonia"], ["pulmonary tuberculosis", "pulmonary embolism"]),
        "heart failure": (["COPD exacerbation", "pneumonia", "pleural effusion"], ["pulmonary embolism"]),
    },
    "cardiology": {
        "acute myocardial infarction": (["unstable angina", "myocarditis"], ["aortic dissection", "pulmonary embolism"]),
        "unstable angina": (["acute myocardial infarction", "stable angina"], ["acute myocardial infarction", "aortic dissection"]),
        "stable angina": (["gastroesophageal reflux disease", "musculoskeletal chest pain"], ["unstable angina"]),
        "heart failure": (["atrial fibrillation", "acute myocardial infarction"], ["acute myocardial infarction", "pulmonary embolism"]),
        "atrial fibrillation": (["heart failure", "hypertension"], ["acute myocardial infarction", "pulmonary embolism"]),
        "hypertension": (["atrial fibrillation"], ["aortic dissection", "acute myocardial infarction"]),
        "pericarditis": (["myocarditis", "musculoskeletal chest pain"], ["acute myocardial infarction", "aortic dissection"]),
        "myocarditis": (["pericarditis", "acute myocardial infarction"], ["acute myocardial infarction"]),
        "aortic dissection": (["acute myocardial infarction", "pulmonary embolism"], ["acute myocardial infarction"]),
        "pulmonary embolism": (["acute myocardial infarction", "pericarditis"], ["aortic dissection", "acute myocardial infarction"]),
        "gastroesophageal reflux disease": (["stable angina", "musculoskeletal chest pain"], ["acute myocardial infarction", "unstable angina"]),
        "musculoskeletal chest pain": (["gastroesophageal reflux disease", "pericarditis"], ["acute myocardial infarction", "pulmonary embolism"]),
    },
    "general": {
        "upper respiratory tract infection": (["viral syndrome", "pneumonia"], ["pneumonia"]),
        "pneumonia": (["upper respiratory tract infection", "viral syndrome"], ["acute myocardial infarction"]),
        "gastroenteritis": (["viral syndrome", "urinary tract infection"], ["acute myocardial infarction"]),
        "urinary tract infection": (["gastroenteritis", "viral syndrome"], []),
        "migraine": (["hypertension", "anxiety"], ["subarachnoid hemorrhage", "stroke"]),
        "subarachnoid hemorrhage": (["migraine", "stroke"], ["stroke"]),
        "stroke": (["subarachnoid hemorrhage", "migraine"], ["subarachnoid hemorrhage"]),
        "hypertension": (["migraine", "anxiety"], ["stroke", "subarachnoid hemorrhage"]),
        "type 2 diabetes mellitus": (["anxiety", "viral syndrome"], []),
        "acute myocardial infarction": (["anxiety"], ["subarachnoid hemorrhage"]),
        "anxiety": (["hypertension"], ["acute myocardial infarction"]),
        "viral syndrome": (["upper respiratory tract infection", "urinary tract infection"], ["pneumonia"]),
    },
}
# what "nothing fits well" gives, with a low confidence
FALLBACK = {"respiratory": "acute bronchitis", "cardiology": "musculoskeletal chest pain", "general": "viral syndrome"}
# a specialty's typical complaint alone, too early or too bare for any rule: (symptoms, durations)
VAGUE = {
    "respiratory": (lambda r: ["cough"] + (["fatigue"] if r.random() < 0.3 else []), [(1, "d"), (2, "d"), (3, "d")]),
    "cardiology": (lambda r: ["chest pain"] + (["fatigue"] if r.random() < 0.3 else []), [(1, "d"), (3, "d"), (1, "w"), (2, "w")]),
    "general": (lambda r: r.sample(["fatigue", "dizziness", "headache", "loss of appetite", "nausea"], r.choice([1, 2])),
                [(2, "d"), (1, "w"), (2, "w"), (1, "m")]),
}
# what a generalist sees of each specialty: the base model's corpus holds only these; the adapters
# are trained on the specialty's whole case mix
COMMON = {
    "respiratory": ["pneumonia", "acute bronchitis", "upper respiratory tract infection", "influenza", "COVID-19",
                    "asthma exacerbation"],
    "cardiology": ["acute myocardial infarction", "stable angina", "heart failure", "atrial fibrillation", "hypertension",
                   "gastroesophageal reflux disease"],
}


# ---------------------------------------------------------------------------------------------
# Drawing a case
def _fmt(v, places):
    """The value as fusion reports it: fixed places, trailing zeros stripped (BigDecimal.stripTrailingZeros)."""
    s = f"{v:.{places}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


class Drawer:
    def __init__(self, seed, split):
        self.r = random.Random(seed)
        self.split = split

    def value(self, key, lo, hi, places):
        want = self.split == "heldout"
        for _ in range(2000):
            v = self.r.randint(int(lo), int(hi)) if places == 0 else round(self.r.uniform(lo, hi), places)
            if is_heldout_value(key, _fmt(v, places)) == want:
                return float(v) if places else int(v)
        return float(round(lo, places)) if places else int(lo)

    def case(self, specialty, dx, language, vague=False):
        r = self.r
        p = PROFILES[dx] if not vague else None
        for _ in range(500):
            c = self._draw(specialty, dx, language, p) if not vague else self._vague(specialty, language)
            f = Findings(c)
            fired = [d for d in CANDIDATES[specialty] if RULES[d](f)]
            if vague:
                if not fired:
                    c["dx"] = FALLBACK[specialty]
                    c["confidence"] = round(r.choice([0.25, 0.3, 0.35]), 2)
                    return c
            elif fired == [dx]:
                c["dx"] = dx
                c["confidence"] = confidence(c, p)
                return c
        raise RuntimeError(f"no consistent case for {specialty}/{dx}")

    def _vitals(self, keys, ranges):
        out = {}
        for k in keys:
            lo, hi = ranges.get(k, MEASURES[k][3])
            out[k] = self.value(k, lo, hi, MEASURES[k][2])
        if "sys" in out and "dia" not in out:
            lo, hi = ranges.get("dia", MEASURES["dia"][3])
            out["dia"] = self.value("dia", lo, min(hi, out["sys"] - 25), 0)
        if "dia" in out and "sys" not in out:
            out["sys"] = self.value("sys", max(out["dia"] + 30, 108), max(out["dia"] + 45, 138), 0)
        return {k: out[k] for k in VITALS if k in out}

    def _draw(self, specialty, dx, language, p):
        r = self.r
        symptoms = [s for s in p["core"]]
        for s, prob in p["opt"]:
            if r.random() < prob and s not in symptoms:
                symptoms.append(s)
        negs = [s for s, prob in p["neg"] if r.random() < prob and s not in symptoms]
        signs = [s for s, prob in p["signs"] if r.random() < prob]
        neg_signs = [s for s, prob in p["neg_signs"] if r.random() < prob]
        text = list(p["text"]) + [t for t, prob in p["text_opt"] if r.random() < prob]
        # vitals: the profile's, plus a few normal ones
        vkeys = set(p["vitals"])
        for k in VITALS:
            if k not in vkeys and r.random() < 0.35:
                vkeys.add(k)
        vitals = self._vitals([k for k in VITALS if k in vkeys], p["vitals"])
        labs = {}
        for k, (lo, hi) in p["labs"].items():
            labs[k] = self.value(k, lo, hi, MEASURES[k][2])
        for k, ((lo, hi), prob) in p["labs_opt"].items():
            if r.random() < prob:
                labs[k] = self.value(k, lo, hi, MEASURES[k][2])
        for k in LABS:  # unrelated normal labs now and then (the discriminating ones more often)
            if k not in labs and k not in p["labs_opt"] and r.random() < (0.15 if k in ("tni", "bnp", "ddi", "crp", "glu") else 0.05):
                lo, hi = MEASURES[k][3]
                labs[k] = self.value(k, lo, hi, MEASURES[k][2])
        n, unit = r.choice(p["days"])
        days = {"h": n / 24, "d": n, "w": 7 * n, "m": 30 * n}[unit]
        age = self.value("age", *p["age"], 0)
        return {"specialty": specialty, "language": language, "symptoms": [(s, False, None) for s in symptoms] +
                [(s, True, None) for s in negs], "signs": signs, "neg_signs": neg_signs, "text": text,
                "vitals": vitals, "labs": {k: labs[k] for k in LABS if k in labs}, "duration": (n, unit), "days": days,
                "age": age, "sex": r.choice(["m", "f"])}

    def _vague(self, specialty, language):
        r = self.r
        symptoms = VAGUE[specialty][0](r)
        vitals = self._vitals([k for k in VITALS if r.random() < 0.4], {})
        n, unit = r.choice(VAGUE[specialty][1])
        return {"specialty": specialty, "language": language, "symptoms": [(s, False, None) for s in symptoms],
                "signs": [], "neg_signs": [], "text": [], "vitals": vitals, "labs": {}, "duration": (n, unit),
                "days": {"h": n / 24, "d": n, "w": 7 * n, "m": 30 * n}[unit], "age": self.value("age", 20, 70, 0),
                "sex": r.choice(["m", "f"]), "vague": True}


def support_present(c, key):
    f = Findings(c)
    if key in TEXT_FINDINGS:
        return key in f.text
    if key.startswith("no_"):
        name = key[3:]
        if name == "fever":
            return "fever" in f.neg or (f.val("temp") is not None and f.val("temp") < 37.5)
        return name in f.neg
    checks = {"wbc_high": lambda: f.high("wbc", 11), "pct_high": lambda: f.high("pct", 0.5),
              "spo2_low": lambda: f.low("spo2", 94), "tachypnea": lambda: f.high("rr", 22),
              "tachycardia": lambda: f.high("hr", 100), "crp_normal": lambda: f.val("crp") is not None and f.val("crp") < 10,
              "crp_high": lambda: f.high("crp", 20), "ddi_normal": lambda: f.val("ddi") is not None and f.val("ddi") < 0.5,
              "ddi_high": lambda: f.high("ddi", 0.5), "bnp_normal": lambda: f.val("bnp") is not None and f.val("bnp") < 400,
              "tni_normal": lambda: troponin_normal(f), "high_bp": lambda: f.high("sys", 160)}
    if key in checks:
        return checks[key]()
    return key in f.pos


def confidence(c, p):
    sup = p["support"]
    k = sum(1 for s in sup if support_present(c, s))
    return round(round((0.55 + 0.4 * k / max(1, len(sup))) * 20) / 20, 2)


# ---------------------------------------------------------------------------------------------
# The reason: the findings that decided, by name (never a number the note did not state)
EN_VALUE_WORDS = {
    "fever_t": "fever", "crp_high": "raised CRP", "wbc_high": "raised white cell count", "pct_high": "raised procalcitonin",
    "spo2_low": "low oxygen saturation", "tachypnea": "fast breathing", "tachycardia": "tachycardia",
    "tni_high": "raised troponin", "tni_normal": "normal troponin", "bnp_high": "raised NT-proBNP",
    "ddi_high": "raised D-dimer", "ddi_normal": "normal D-dimer", "high_bp": "very high blood pressure",
    "glu_high": "high glucose", "crp_normal": "normal CRP", "bnp_normal": "normal NT-proBNP",
}
# per diagnosis: the ordered findings the reason may name (symptom/sign names, text keys, value words)
REASON_ITEMS = {
    "pneumonia": ["fever_t", "productive cough", "crackles", "crp_high", "wbc_high", "spo2_low"],
    "acute bronchitis": ["cough", "productive cough", "no_fever", "no_crackles", "crp_normal"],
    "upper respiratory tract infection": ["sore throat", "rhinorrhea", "nasal congestion", "cough"],
    "influenza": ["flu_test", "fever_t", "myalgia", "headache"],
    "COVID-19": ["covid_test", "dry cough", "fatigue", "fever_t"],
    "asthma exacerbation": ["asthma_hx", "wheezing", "dyspnea", "spo2_low"],
    "COPD exacerbation": ["copd_hx", "dyspnea", "productive cough", "spo2_low"],
    "pulmonary embolism": ["dyspnea", "chest pain", "ddi_high", "tachycardia", "spo2_low", "edema"],
    "pneumothorax": ["chest pain", "dyspnea", "decreased breath sounds", "no_fever"],
    "pleural effusion": ["dyspnea", "decreased breath sounds", "dullness"],
    "pulmonary tuberculosis": ["cough", "night sweats", "weight loss", "hemoptysis", "tb_contact"],
    "lung cancer": ["cough", "weight loss", "hemoptysis", "smoker"],
    "heart failure": ["dyspnea", "edema", "orthopnea", "bnp_high", "crackles"],
    "acute myocardial infarction": ["chest pain", "tni_high", "diaphoresis", "st_elev"],
    "unstable angina": ["chest pain", "crescendo", "tni_normal", "st_dep"],
    "stable angina": ["chest pain", "exertional", "tni_normal"],
    "atrial fibrillation": ["palpitations", "af_ecg", "tachycardia"],
    "hypertension": ["high_bp", "headache", "dizziness"],
    "pericarditis": ["chest pain", "positional", "crp_high", "tni_normal"],
    "myocarditis": ["chest pain", "viral_prodrome", "tni_high", "tachycardia"],
    "aortic dissection": ["tearing", "back pain", "high_bp"],
    "gastroesophageal reflux disease": ["burning", "chest pain", "tni_normal"],
    "musculoskeletal chest pain": ["chest pain", "palpation", "tni_normal"],
    "gastroenteritis": ["diarrhea", "vomiting", "abdominal pain"],
    "urinary tract infection": ["dysuria", "dipstick", "fever_t"],
    "migraine": ["headache", "recurrent_ha", "nausea"],
    "subarachnoid hemorrhage": ["thunderclap", "headache", "neck stiffness", "vomiting"],
    "stroke": ["unilateral limb weakness", "facial droop", "slurred speech"],
    "type 2 diabetes mellitus": ["glu_high", "thirst", "fatigue"],
    "anxiety": ["palpitations", "stress", "chest tightness"],
    "viral syndrome": ["fever_t", "myalgia", "fatigue"],
}


def _item_present(c, item):
    f = Findings(c)
    if item == "fever_t":
        return f.febrile()
    if item == "tni_high":
        return f.high("tni", 0.1)
    if item == "bnp_high":
        return f.high("bnp", 900)
    if item == "glu_high":
        return f.high("glu", 11.1)
    if item == "no_crackles":
        return "crackles" in f.neg
    return support_present(c, item)


def _item_words(item):
    if item in TEXT_FINDINGS:
        return TEXT_FINDINGS[item][3]
    if item in EN_VALUE_WORDS:
        return EN_VALUE_WORDS[item]
    if item.startswith("no_"):
        return "no " + item[3:]
    return item


def _join(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def reason(c):
    dx = c["dx"]
    if c.get("vague"):
        return "Only nonspecific findings are stated; the note does not support any candidate well."
    items = [_item_words(i) for i in REASON_ITEMS[dx] if _item_present(c, i)][:4]
    s = _join(items)
    return s[0].upper() + s[1:] + " support " + dx + "."


def answer(c):
    diff, rule_out = DDX[c["specialty"]][c["dx"]] if not c.get("vague") else (
        {"respiratory": ["upper respiratory tract infection", "pneumonia"], "cardiology": ["gastroesophageal reflux disease", "stable angina"],
         "general": ["anxiety", "upper respiratory tract infection"]}[c["specialty"]],
        {"respiratory": ["pneumonia"], "cardiology": ["acute myocardial infarction"], "general": []}[c["specialty"]])
    diff = [d for d in diff if d != c["dx"]][:3]
    rule_out = [d for d in rule_out if d != c["dx"]][:3]
    conf = c["confidence"]
    # compact JSON in the schema's property order, as the engine's constrained decoder writes it
    return ('{"diagnosis":' + json.dumps(c["dx"]) + ',"confidence":' + _fmt(conf, 2) + ',"reason":' +
            json.dumps(reason(c), ensure_ascii=False) + ',"differential":' + json.dumps(diff, separators=(",", ":")) +
            ',"ruleOut":' + json.dumps(rule_out, separators=(",", ":")) + "}")


# ---------------------------------------------------------------------------------------------
# Notes. A note is a list of sentences [(section or None, text, items)], items in text order:
# ("sym", name, negated) or ("val", key, value). In a note with headings each heading's sentences
# belong to its section; without headings fusion classifies each sentence (classify() below is a
# port of fusion's SectionSplitter.classify, run on our own sentences).
_PLAN = r"(?i)\b(?:plan|start(?:ed)?|give|given|admit|admission|recommend(?:ed)?|will|follow[- ]?up|refer(?:red)?|discharge|prescribe[d]?|continue|schedule)\b|给予|予以|予|建议|拟|收入|收住|复查|随访|口服.*(?:治疗|观察)|嘱|转诊|住院治疗|门诊随诊"
_ALLERGY = r"(?i)\ballerg|\bNKDA\b|过敏"
_MEDICATION = r"(?i)\b(?:takes|taking|is on|currently on|medications?)\b|\d\s*mg\b.*\b(?:daily|bid|tid|qd|od|twice|once)\b|长期口服|长期服用|规律服用|服用"
_PAST = r"(?i)\b(?:past medical history|medical history|PMH|known (?:case of |history of )?|previously diagnosed|history of (?:hypertension|diabetes|asthma|copd|coronary|heart|stroke|smoking|mi|cancer|tuberculosis|atrial)|smoker|pack[- ]years?)\b|既往|病史|吸烟史|手术史"
_EXAM = r"(?i)\b(?:exam|examination|auscultation|lungs?|chest (?:is )?clear|breath sounds|heart sounds|murmur|crackles|rales|wheezes|tender|abdomen|BP|HR|RR|SpO2|temperature|pulse|blood pressure|heart rate|respiratory rate|saturation|alert|oriented|afebrile)\b|查体|双肺|两肺|呼吸音|啰音|心律|心率|杂音|压痛|神志|体温|血压|脉搏|血氧|心界"
_AUX = r"(?i)\b(?:x-ray|CXR|CT|MRI|ECG|EKG|ultrasound|echo(?:cardiogram)?|labs?|WBC|CRP|troponin|hemoglobin|platelets?|glucose|creatinine|potassium|sodium|D-dimer|procalcitonin|NT-?proBNP|culture)\b|血常规|胸片|胸部CT|心电图|超声|彩超|检查示|化验|白细胞|肌钙蛋白|血红蛋白|血小板|血糖|肌酐|二聚体|降钙素原|血钾|血钠|C-?反应蛋白"
_ASSESS = r"(?i)\b(?:impression|likely|consistent with|suspect(?:ed)?|diagnos(?:is|ed)|differential|probable|rule out|r/o)\b|考虑|诊断|可能性大|待排|疑似"


_EN_NUM_WORDS = set("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                     "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand".split())
_ZH_NUM = "零一二三四五六七八九十百千两点"


def _zh_number(run):
    """Digits for a run of Chinese numerals, as fusion's TextNormalizer writes them (lengths are what matter here)."""
    whole, _, frac = run.partition("点")
    dig = {c: i for i, c in enumerate("零一二三四五六七八九")}
    dig["两"] = 2
    total, num = 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    last = 1
    pending = False
    for ch in whole:
        if ch in dig:
            num = dig[ch]
            pending = num != 0
        else:
            total += (1 if num == 0 and ch == "十" else num) * units[ch]
            num, last, pending = 0, units[ch], False
    if pending and last >= 100:
        num *= last // 10
    out = str(total + num)
    return out + ("." + "".join(str(dig[c]) for c in frac) if frac else "")


def _normalized(t):
    """The sentence with spoken numbers as digits, as fusion classifies it (word and character counts)."""
    import re
    if any("\u4e00" <= ch <= "\u9fff" for ch in t):
        return re.sub(f"[{_ZH_NUM}]+", lambda m: _zh_number(m.group()), t)
    out, prev_num = [], False
    for w in t.split():
        core = w.lower().strip(",.")
        is_num = core in _EN_NUM_WORDS or (core == "point" and prev_num)
        if not (is_num and prev_num):
            out.append(w)
        prev_num = is_num
    return " ".join(out)


def _is_short(t):
    t = _normalized(t)
    han = sum(1 for ch in t if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    return len(t) <= 30 if han else len(t.split()) <= 12


def classify(sentences, first_is_complaint):
    import re
    out = []
    for k, t in enumerate(sentences):
        if re.search(_ALLERGY, t):
            sec = "allergies"
        elif re.search(_PLAN, t) and not re.search(_EXAM, t):
            sec = "plan"
        elif re.search(_ASSESS, t):
            sec = "assessment"
        elif re.search(_PAST, t):
            sec = "pastHistory"
        elif re.search(_MEDICATION, t):
            sec = "medications"
        elif re.search(_AUX, t):
            sec = "auxiliaryExams"
        elif re.search(_EXAM, t):
            sec = "physicalExam"
        elif k == 0 and first_is_complaint and _is_short(t) and len(sentences) > 1:
            sec = "chiefComplaint"
        else:
            sec = "historyOfPresentIllness"
        out.append(sec)
    return out


EN_DUR = {"h": ("hour", "hours"), "d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months")}
ZH_DUR = {"h": "小时", "d": "天", "w": "周", "m": "个月"}
ISO = {"h": "PT{}H", "d": "P{}D", "w": "P{}W", "m": "P{}M"}


def en_dur(n, unit, spoken):
    word = EN_DUR[unit][0 if n == 1 else 1]
    return f"{en_int(n) if spoken else n} {word}"


def zh_dur(n, unit, spoken):
    return f"{zh_int(n) if spoken else n}{ZH_DUR[unit]}"


def en_join(ws, conj="and"):
    return ws[0] if len(ws) == 1 else ", ".join(ws[:-1]) + f" {conj} " + ws[-1]


def zh_join(ws):
    return "、".join(ws)


# value phrases: key -> typed English, spoken English, typed Mandarin, spoken Mandarin
def en_val(key, v, spoken, r):
    places = MEASURES[key][2]
    num = (en_decimal(v, places) if places else en_int(int(v), r.choice(["plain", "clinical"]))) if spoken else _fmt(v, places) if places == 0 else f"{v:.{places}f}"
    if spoken:
        names = {"temp": "temperature", "hr": "heart rate", "rr": "respiratory rate", "spo2": "oxygen saturation",
                 "wbc": "white cell count", "crp": "C reactive protein", "hgb": "hemoglobin", "plt": "platelets",
                 "glu": "glucose", "cre": "creatinine", "tni": "troponin", "bnp": "NT-proBNP", "ddi": "D dimer",
                 "pct": "procalcitonin", "k": "potassium", "na": "sodium"}
        tail = " percent" if key == "spo2" else ""
        return f"{names[key]} {num}{tail}"
    typed = {"temp": "T {}", "hr": "HR {}", "rr": "RR {}", "spo2": "SpO2 {}%", "wbc": "WBC {}", "crp": "CRP {} mg/L",
             "hgb": "hemoglobin {} g/L", "plt": "platelets {}", "glu": "glucose {} mmol/L", "cre": "creatinine {} umol/L",
             "tni": "troponin I {} ng/mL", "bnp": "NT-proBNP {} pg/mL", "ddi": "D-dimer {} mg/L", "pct": "procalcitonin {} ng/mL",
             "k": "potassium {}", "na": "sodium {}"}
    return typed[key].format(num)


def zh_val(key, v, spoken, r):
    places = MEASURES[key][2]
    if spoken:
        if key == "temp":
            whole, frac = f"{v:.1f}".split(".")
            return f"体温{zh_int(int(whole))}度{zh_int(int(frac))}" if frac != "0" else f"体温{zh_int(int(whole))}度"
        num = zh_decimal(v, places) if places else zh_int(int(v))
        names = {"hr": "心率{}次每分", "rr": "呼吸{}次每分", "spo2": "血氧饱和度百分之{}", "wbc": "白细胞{}",
                 "crp": "C反应蛋白{}", "hgb": "血红蛋白{}", "plt": "血小板{}", "glu": "血糖{}", "cre": "肌酐{}",
                 "tni": "肌钙蛋白{}", "bnp": "脑钠肽前体{}", "ddi": "D二聚体{}", "pct": "降钙素原{}", "k": "血钾{}",
                 "na": "血钠{}"}
        return names[key].format(num)
    num = _fmt(v, places) if places == 0 else f"{v:.{places}f}"
    typed = {"temp": "体温{}℃", "hr": "心率{}次/分", "rr": "呼吸{}次/分", "spo2": "血氧饱和度{}%", "wbc": "白细胞{}×10^9/L",
             "crp": "C反应蛋白{}mg/L", "hgb": "血红蛋白{}g/L", "plt": "血小板{}×10^9/L", "glu": "血糖{}mmol/L",
             "cre": "肌酐{}μmol/L", "tni": "肌钙蛋白I {}ng/mL", "bnp": "NT-proBNP {}pg/mL", "ddi": "D-二聚体{}mg/L",
             "pct": "降钙素原{}ng/mL", "k": "血钾{}mmol/L", "na": "血钠{}mmol/L"}
    return typed[key].format(num)


def _bp(vitals, lang, spoken, r):
    s, d = vitals["sys"], vitals["dia"]
    if lang == "en":
        if spoken:
            st = r.choice(["plain", "clinical"])
            return f"blood pressure {en_int(s, st)} over {en_int(d, st)}"
        return f"BP {s}/{d}"
    if spoken:
        return f"血压{zh_int(s)}比{zh_int(d)}"
    return f"血压{s}/{d}mmHg"


def vital_phrases(c, spoken, r, order=None):
    """[(text, items)] for the stated vitals, blood pressure as one phrase."""
    lang = c["language"]
    out = []
    keys = [k for k in (order or VITALS) if k in c["vitals"]]
    for k in keys:
        if k == "dia":
            continue
        if k == "sys":
            out.append((_bp(c["vitals"], lang, spoken, r), [("val", "sys", c["vitals"]["sys"]), ("val", "dia", c["vitals"]["dia"])]))
        else:
            f = en_val if lang == "en" else zh_val
            out.append((f(k, c["vitals"][k], spoken, r), [("val", k, c["vitals"][k])]))
    return out


def lab_phrases(c, spoken, r):
    f = en_val if c["language"] == "en" else zh_val
    return [(f(k, v, spoken, r), [("val", k, v)]) for k, v in c["labs"].items()]


def _sym_text(name, lang, r, split):
    train, held = phrase_split(SYMPTOMS[name][0 if lang == "en" else 1], name)
    return r.choice(train if split == "train" else train + held)


class Note:
    """Builds the sentences of one note."""

    def __init__(self, c, r):
        self.c, self.r = c, r
        self.lang = c["language"]
        pos = [s for s, neg, _ in c["symptoms"] if not neg]
        self.cc = pos[:2] if len(pos) > 1 and r.random() < 0.7 else pos[:1]
        self.more = pos[len(self.cc):]
        self.negs = [s for s, neg, _ in c["symptoms"] if neg]

    def words(self, names):
        return [_sym_text(n, self.lang, self.r, self.c["split"]) for n in names]

    def text_sentences(self, section):
        ks = [k for k in self.c["text"] if TEXT_FINDINGS[k][0] == section]
        out = []
        for k in ks:
            sec, en, zh, _, en_h, zh_h = TEXT_FINDINGS[k]
            train = en if self.lang == "en" else zh
            held = en_h if self.lang == "en" else zh_h
            out.append((self.r.choice(train if self.c["split"] == "train" else train + held), []))
        return out

    def sign_sentences(self):
        out = []
        for s in self.c["signs"]:
            en, zh = SIGNS[s]
            out.append((self.r.choice(en if self.lang == "en" else zh), [("sym", s, False)]))
        for s in self.c["neg_signs"]:
            en, zh = SIGN_NEG[s]
            out.append((self.r.choice(en if self.lang == "en" else zh), [("sym", s, True)]))
        return out


def _items_syms(names, neg):
    return [("sym", n, neg) for n in names]


# ---- frames: each returns [(heading or None, section of the heading or None, [(sentence, items)])]
def _typed_blocks(note, spoken, heads, cc, hpi, comma, stop):
    """The headed sections of a typed note: complaint, history, past, exam (vitals first), auxiliary exams (labs first)."""
    c, r = note.c, note.r
    past = note.text_sentences("pastHistory")
    exam = []
    vp = vital_phrases(c, spoken, r)
    if vp:
        exam.append((comma.join(t for t, _ in vp) + stop, [i for _, its in vp for i in its]))
    exam += note.sign_sentences() + note.text_sentences("physicalExam")
    aux = []
    lp = lab_phrases(c, spoken, r)
    if lp:
        aux.append((comma.join(t for t, _ in lp) + stop, [i for _, its in lp for i in its]))
    aux += note.text_sentences("auxiliaryExams")
    blocks = [(heads[0], "chiefComplaint", [cc]), (heads[1], "historyOfPresentIllness", hpi), (heads[2], "pastHistory", past),
              (heads[3], "physicalExam", exam), (heads[4], "auxiliaryExams", aux)]
    return [b for b in blocks if b[2]]


def frame_en_typed(note, spoken=False, variant=0):
    c, r = note.c, note.r
    n, unit = c["duration"]
    heads = [("Chief complaint: ", "Presenting complaint: ", "Chief complaint: ")[variant],
             ("History of present illness: ", "HPI: ", "History: ")[variant],
             ("Past medical history: ", "PMH: ", "Medical history: ")[variant],
             ("Exam: ", "O/E: ", "Physical examination: ")[variant],
             ("Labs: ", "Results: ", "Investigations: ")[variant]]
    cc_words = en_join(note.words(note.cc))
    dur = en_dur(n, unit, spoken)
    if variant == 2:
        cc = (f"{dur[0].upper() + dur[1:]} of {cc_words}.", _items_syms(note.cc, False))
    else:
        cc = (f"{cc_words[0].upper() + cc_words[1:]} for {dur}.", _items_syms(note.cc, False))
    sex = {"m": "man", "f": "woman"}[c["sex"]]
    hpi = []
    age = en_int(c["age"]) if spoken else str(c["age"])
    if note.more:
        intro = [f"{age} year old {sex} who also has {{}}.", f"{age}-year-old {sex}, also {{}}.",
                 f"{age}-year-old {sex} now with {{}} as well."][variant]
        hpi.append((intro.format(en_join(note.words(note.more))), _items_syms(note.more, False)))
    else:
        hpi.append(([f"{age} year old {sex}.", f"{age}-year-old {sex}.", f"A {age}-year-old {sex}."][variant], []))
    hpi += note.text_sentences("historyOfPresentIllness")
    if note.negs:
        neg = [("Denies {}.", "and"), ("No {}.", "or"), ("She has no {}.", "or")][variant]
        if variant == 2 and c["sex"] == "m":
            neg = ("He has no {}.", "or")
        hpi.append((neg[0].format(en_join(note.words(note.negs), neg[1])), _items_syms(note.negs, True)))
    return _typed_blocks(note, spoken, heads, cc, hpi, ", ", ".")


def frame_en_dictated(note, variant=0):
    """No headings: sentence after sentence, numbers spoken (what the speech engine writes, with punctuation)."""
    c, r = note.c, note.r
    n, unit = c["duration"]
    sex = {"m": "man", "f": "woman"}[c["sex"]]
    dur = en_dur(n, unit, True)
    cc_words = en_join(note.words(note.cc))
    s = []
    if variant == 0:
        a = en_int(c["age"])
        s.append((f"{a[0].upper() + a[1:]} year old {sex} with {cc_words} for {dur}.", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"There is also {en_join(note.words(note.more))}.", _items_syms(note.more, False)))
    elif variant == 2:
        s.append((f"Patient is a {en_int(c['age'])} year old {sex}.", []))
        s.append((f"Complains of {cc_words} for {dur}.", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"Also {en_join(note.words(note.more))}.", _items_syms(note.more, False)))
    else:
        s.append((f"This {sex} of {en_int(c['age'])} has had {cc_words} for the past {dur}.", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"Along with that {en_join(note.words(note.more))}.", _items_syms(note.more, False)))
    s += note.text_sentences("historyOfPresentIllness")
    if note.negs:
        tpl = ["No {}.", "Negative for {}.", "Denies {}."][variant]
        s.append((tpl.format(en_join(note.words(note.negs), "or")), _items_syms(note.negs, True)))
    s += note.text_sentences("pastHistory")
    vp = vital_phrases(c, True, r)
    if vp:
        t = ", ".join(t for t, _ in vp)
        s.append((t[0].upper() + t[1:] + ".", [i for _, its in vp for i in its]))
    s += note.sign_sentences() + note.text_sentences("physicalExam")
    lp = lab_phrases(c, True, r)
    if lp:
        t = ", ".join(t for t, _ in lp)
        s.append(([t[0].upper() + t[1:] + ".", "Bloods show " + t + ".", "Tests show " + t + "."][variant], [i for _, its in lp for i in its]))
    s += note.text_sentences("auxiliaryExams")
    return [(None, None, s)]


def frame_zh_typed(note, spoken=False, variant=0):
    c, r = note.c, note.r
    n, unit = c["duration"]
    heads = [("主诉：", "主诉：", "主诉：")[variant], ("现病史：", "病史：", "现病史：")[variant],
             ("既往史：", "既往：", "既往史：")[variant], ("查体：", "体格检查：", "查体：")[variant],
             ("辅助检查：", "实验室检查：", "检查结果：")[variant]]
    dur = zh_dur(n, unit, spoken)
    cc_words = zh_join(note.words(note.cc))
    cc = (f"{dur}前出现{cc_words}。" if variant == 2 else f"{cc_words}{dur}。", _items_syms(note.cc, False))
    sex = {"m": "男", "f": "女"}[c["sex"]]
    age = zh_int(c["age"]) if spoken else str(c["age"])
    hpi = []
    if note.more:
        tpl = ["患者{}，{}岁，伴{}。", "患者{}性，{}岁，另有{}。", "{}，{}岁，同时有{}。"][variant]
        hpi.append((tpl.format(sex, age, zh_join(note.words(note.more))), _items_syms(note.more, False)))
    else:
        hpi.append((["患者{}，{}岁。", "患者{}性，{}岁。", "{}，{}岁。"][variant].format(sex, age), []))
    hpi += note.text_sentences("historyOfPresentIllness")
    if note.negs:
        hpi.append(([ "无{}。", "否认{}。", "无{}。"][variant].format(zh_join(note.words(note.negs))), _items_syms(note.negs, True)))
    return _typed_blocks(note, spoken, heads, cc, hpi, "，", "。")


def frame_zh_dictated(note, variant=0):
    c, r = note.c, note.r
    n, unit = c["duration"]
    sex = {"m": "男", "f": "女"}[c["sex"]]
    dur = zh_dur(n, unit, True)
    cc_words = zh_join(note.words(note.cc))
    s = []
    if variant == 0:
        s.append((f"患者{sex}，{zh_int(c['age'])}岁，{cc_words}{dur}。", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"伴{zh_join(note.words(note.more))}。", _items_syms(note.more, False)))
    elif variant == 2:
        s.append((f"{sex}性，{zh_int(c['age'])}岁。", []))
        s.append((f"{cc_words}{dur}。", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"同时有{zh_join(note.words(note.more))}。", _items_syms(note.more, False)))
    else:
        s.append((f"{zh_int(c['age'])}岁{sex}性患者，自述{dur}前开始{cc_words}。", _items_syms(note.cc, False)))
        if note.more:
            s.append((f"另有{zh_join(note.words(note.more))}。", _items_syms(note.more, False)))
    s += note.text_sentences("historyOfPresentIllness")
    if note.negs:
        s.append((["无{}。", "否认{}。", "没有{}。"][variant].format(zh_join(note.words(note.negs))), _items_syms(note.negs, True)))
    s += note.text_sentences("pastHistory")
    vp = vital_phrases(c, True, r)
    if vp:
        s.append(("，".join(t for t, _ in vp) + "。", [i for _, its in vp for i in its]))
    s += note.sign_sentences() + note.text_sentences("physicalExam")
    lp = lab_phrases(c, True, r)
    if lp:
        s.append((["", "化验", "查"][variant] + "，".join(t for t, _ in lp) + "。", [i for _, its in lp for i in its]))
    s += note.text_sentences("auxiliaryExams")
    return [(None, None, s)]


# frames per split and language: (name, weight, function)
FRAMES = {
    ("train", "en"): [("en-typed", 3, lambda n: frame_en_typed(n, False, 0)), ("en-typed-b", 2, lambda n: frame_en_typed(n, False, 1)),
                      ("en-spoken-headed", 1, lambda n: frame_en_typed(n, True, 0)), ("en-dictated", 2, lambda n: frame_en_dictated(n, 0)),
                      ("en-dictated-c", 2, lambda n: frame_en_dictated(n, 2))],
    ("train", "zh"): [("zh-typed", 3, lambda n: frame_zh_typed(n, False, 0)), ("zh-typed-b", 2, lambda n: frame_zh_typed(n, False, 1)),
                      ("zh-spoken-headed", 1, lambda n: frame_zh_typed(n, True, 0)), ("zh-dictated", 2, lambda n: frame_zh_dictated(n, 0)),
                      ("zh-dictated-c", 2, lambda n: frame_zh_dictated(n, 2))],
    ("heldout", "en"): [("en-typed-c", 1, lambda n: frame_en_typed(n, False, 2)), ("en-dictated-b", 1, lambda n: frame_en_dictated(n, 1))],
    ("heldout", "zh"): [("zh-typed-c", 1, lambda n: frame_zh_typed(n, False, 2)), ("zh-dictated-b", 1, lambda n: frame_zh_dictated(n, 1))],
}


def render(c, frame_fn):
    """-> (note text, {section: text}, symptom items in reading order, value items in reading order)."""
    lang = c["language"]
    blocks = frame_fn(Note(c, random.Random(c["seed"] + 1)))
    sep = " " if lang == "en" else ""
    lines, sections, items = [], {}, []

    def add(sec, t):
        prev = sections.get(sec)
        if prev is None:
            sections[sec] = t
        else:
            j = "" if ord(prev[-1]) > 0x2E80 or ord(t[0]) > 0x2E80 else " "
            sections[sec] = prev + j + t

    for head, sec, sents in blocks:
        texts = [t for t, _ in sents]
        for _, its in sents:
            items += its
        if head is None:
            for t, s in zip(texts, classify(texts, True)):
                add(s, t)
            lines.append(sep.join(texts))
        else:
            if sec == "chiefComplaint":
                assert len(texts) == 1
            add(sec, sep.join(texts))
            lines.append(head + sep.join(texts))
    text = "\n".join(lines)
    return text, sections, items


def structured(items):
    """Fusion's extraction over our items: symptoms deduplicated by name and polarity (first mention)."""
    syms, seen, vitals, labs = [], set(), [], []
    for it in items:
        if it[0] == "sym":
            key = (it[1], it[2])
            if key not in seen:
                seen.add(key)
                syms.append(key)
        else:
            (vitals if it[1] in VITALS else labs).append((it[1], it[2]))
    return syms, vitals, labs


def user_prompt(c, text_sections, items):
    """PromptBuilder.build's user text."""
    sp = c["specialty"]
    syms, vitals, labs = structured(items)
    durations = c["_durations"]

    def sym(name, neg):
        d = durations.get(name) if not neg else None
        return ("no " if neg else "") + name + (f" ({d})" if d else "")

    def values(vs):
        if not vs:
            return "none recorded"
        return "; ".join(f"{MEASURES[k][0]} {_fmt(v, MEASURES[k][2])} {MEASURES[k][1]}" for k, v in vs)

    u = f"Specialty: {sp}\nNote language: {c['language']}\nCandidates: {'; '.join(CANDIDATES[sp])}\n\n"
    u += "Symptoms and signs: " + ("none recorded" if not syms else "; ".join(sym(n, neg) for n, neg in syms)) + "\n"
    u += "Vital signs: " + values(vitals) + "\n"
    u += "Laboratory: " + values(labs) + "\n\n"
    note = "".join(f"{title}: {text_sections[key]}\n" for key, title in SECTION_TITLES if key in text_sections)
    u += "Note:\n" + (note[:4000] + " […]" if len(note) > 4000 else note)
    return u


def make_example(c, frame_name, frame_fn):
    text, sections, items = render(c, frame_fn)
    n, unit = c["duration"]
    c["_durations"] = {s: ISO[unit].format(n) for s in [x for x, neg, _ in c["symptoms"] if not neg][:0]}
    # durations: the chief-complaint symptoms carry the complaint's duration
    note = Note(c, random.Random(c["seed"] + 1))
    c["_durations"] = {s: ISO[unit].format(n) for s in note.cc}
    user = user_prompt(c, sections, items)
    return {"id": c["id"], "split": c["split"], "specialty": c["specialty"], "language": c["language"], "frame": frame_name,
            "text": text, "system": SYSTEM, "user": user, "adapter": ADAPTER[c["specialty"]], "dx": c["dx"],
            "answer": answer(c)}


def generate(split, specialty, language, n, seed, vague_share=0.06, diagnoses=None):
    """n examples of one specialty and language; diagnoses (default: all candidates) balanced."""
    d = Drawer(seed, split)
    frames = FRAMES[(split, language)]
    out = []
    dxs = diagnoses or CANDIDATES[specialty]
    for i in range(n):
        vague = d.r.random() < vague_share
        dx = dxs[i % len(dxs)]
        c = d.case(specialty, dx, language, vague=vague)
        c["seed"] = d.r.randrange(1 << 30)
        c["split"] = split
        c["id"] = f"{split}-{specialty[:4]}-{language}-{i:05d}"
        name, _, fn = d.r.choices(frames, weights=[w for _, w, _ in frames])[0]
        out.append(make_example(c, name, fn))
    return out


if __name__ == "__main__":
    for ex in generate(sys.argv[1] if len(sys.argv) > 1 else "train", sys.argv[2] if len(sys.argv) > 2 else "respiratory",
                       sys.argv[3] if len(sys.argv) > 3 else "en", int(sys.argv[4]) if len(sys.argv) > 4 else 3, 1):
        print(ex["frame"], ex["dx"])
        print(ex["text"])
        print("---")
        print(ex["user"])
        print(ex["answer"])
        print("==========")
