package org.mededge.fusion.safety;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mededge.fusion.ClinicalValue;
import org.mededge.fusion.Flag;
import org.mededge.fusion.ImagingFinding;
import org.mededge.fusion.FlagCode;
import org.mededge.fusion.Symptom;

/**
 * Findings that need action now, each flagged RED_FLAG with an urgent, plain instruction in the
 * report's language. Rules read the structured fields (already plausibility-checked) and, for
 * wording the fields do not carry (pain radiation, sudden onset), the note text.
 */
public final class RedFlags {
    private RedFlags() {
    }

    /** Upper reference limit used for troponin I: a common contemporary assay's 99th percentile. */
    public static final BigDecimal TROPONIN_I_URL_NG_ML = new BigDecimal("0.04");

    private static final Pattern RADIATION = Pattern.compile(
            "(?i)radiat\\w*\\s+(?:in)?to\\s+(?:the\\s+|his\\s+|her\\s+|both\\s+)?(?:left\\s+(?:arm|shoulder|side of the neck)|jaw|neck|left\\s+upper\\s+(?:arm|limb))"
                    + "|(?:放射至|放射到|放射向|向)[^，。,;；]{0,6}(?:左(?:肩|臂|上肢|手)|下颌|颈部|下巴)");
    private static final Pattern RADIATION_NEGATED = Pattern.compile(
            "(?i)(?:no|without|denies|non-?)\\s*(?:\\w+\\s+){0,2}$|(?:无|不伴|未|否认)[^，。,;；]{0,4}$");
    private static final Pattern SUDDEN_HEADACHE = Pattern.compile(
            "(?i)(?:sudden(?:[- ]onset)?|abrupt(?:[- ]onset)?|thunderclap)[\\s,]+(?:onset\\s+(?:of\\s+)?)?(?:severe\\s+|excruciating\\s+|intense\\s+)?headache"
                    + "|worst\\s+headache\\s+of\\s+(?:his|her|my|their|the patient's)\\s+life"
                    + "|突(?:发|然)[^，。,;；]{0,4}(?:剧烈|严重|爆炸样)?头痛|雷击样头痛|一生中最(?:剧烈|严重)的头痛");
    private static final List<String> STROKE_SIGNS = List.of(
            "facial droop", "slurred speech", "unilateral limb weakness", "hemiplegia", "aphasia");

    /** @param text the note (normalized text is fine) */
    public static List<Flag> check(List<ClinicalValue> vitals, List<ClinicalValue> labs, List<Symptom> symptoms,
                                   String text, String language) {
        boolean zh = "zh".equals(language);
        List<Flag> flags = new ArrayList<>();

        boolean chestPain = positive(symptoms, "chest pain") || positive(symptoms, "chest tightness");
        boolean sweating = positive(symptoms, "diaphoresis");
        boolean radiation = radiates(text);
        if (chestPain && (sweating || radiation)) {
            String with = zh ? (sweating && radiation ? "大汗及放射痛" : sweating ? "大汗" : "向左臂、下颌或颈部放射")
                    : (sweating && radiation ? "sweating and radiation" : sweating ? "sweating" : "radiation to the arm, jaw or neck");
            flags.add(new Flag(FlagCode.RED_FLAG, zh
                    ? "胸痛伴" + with + "：警惕急性冠脉综合征。10 分钟内完成 12 导联心电图并立即评估，不要让患者离开。"
                    : "Chest pain with " + with + ": possible acute coronary syndrome. Record a 12-lead ECG within 10 minutes and assess now; do not let the patient leave.",
                    "symptoms"));
        }
        for (ClinicalValue l : labs) {
            if (l.code().equals("10839-9") && l.surelyAbove(TROPONIN_I_URL_NG_ML)) {
                flags.add(new Flag(FlagCode.RED_FLAG, zh
                        ? "肌钙蛋白 I " + l.valueText() + " ng/mL 高于参考上限（" + TROPONIN_I_URL_NG_ML
                        + " ng/mL）：按心肌损伤处理，立即复查心电图并评估。"
                        : "Troponin I " + l.valueText() + " ng/mL is above the reference limit ("
                        + TROPONIN_I_URL_NG_ML + " ng/mL): treat as myocardial injury; repeat the ECG and assess now.",
                        "labs.10839-9"));
            }
        }
        for (ClinicalValue v : vitals) {
            if (v.code().equals("59408-5") && v.surelyBelow(new BigDecimal(90))) {
                flags.add(new Flag(FlagCode.RED_FLAG, zh
                        ? "血氧饱和度 " + v.valueText() + "% 低于 90%：立即吸氧（目标 94–98%，有二氧化碳潴留风险者 88–92%）并评估。"
                        : "Oxygen saturation " + v.valueText() + " % is below 90 %: give oxygen now (target 94–98 %, 88–92 % if at risk of CO2 retention) and assess.",
                        "vitals.59408-5"));
            }
            if (v.code().equals("9279-1") && v.surelyAbove(new BigDecimal(30))) {
                flags.add(new Flag(FlagCode.RED_FLAG, zh
                        ? "呼吸频率 " + v.valueText() + " 次/分 超过 30：呼吸窘迫，立即评估气道、吸氧并请上级医师。"
                        : "Respiratory rate " + v.valueText() + "/min is above 30: respiratory distress. Assess airway and breathing now, give oxygen and call a senior.",
                        "vitals.9279-1"));
            }
            if (v.code().equals("8480-6") && v.surelyBelow(new BigDecimal(90))) {
                flags.add(new Flag(FlagCode.RED_FLAG, zh
                        ? "收缩压 " + v.valueText() + " mmHg 低于 90：警惕休克，立即建立静脉通路并评估。"
                        : "Systolic pressure " + v.valueText() + " mmHg is below 90: possible shock. Get IV access and assess now.",
                        "vitals.8480-6"));
            }
        }
        if (positive(symptoms, "headache") && SUDDEN_HEADACHE.matcher(text).find()) {
            flags.add(new Flag(FlagCode.RED_FLAG, zh
                    ? "突发剧烈头痛：警惕蛛网膜下腔出血。立即行头颅 CT 平扫。"
                    : "Sudden severe headache: possible subarachnoid haemorrhage. Arrange a non-contrast CT head now.",
                    "symptoms"));
        }
        List<String> stroke = symptoms.stream().filter(s -> !s.negated() && STROKE_SIGNS.contains(s.name()))
                .map(Symptom::text).toList();
        if (!stroke.isEmpty()) {
            String signs = String.join(zh ? "、" : ", ", stroke);
            flags.add(new Flag(FlagCode.RED_FLAG, zh
                    ? "卒中征象（" + signs + "）：立即启动卒中流程，记录最后正常时间，查血糖，紧急头颅 CT。"
                    : "Stroke signs (" + signs + "): activate the stroke pathway now, record the time last known well, check glucose and get an urgent CT head.",
                    "symptoms"));
        }
        return flags;
    }

    /** Imaging findings that need action now, by label (lower case, any model), besides those a model declares critical. */
    private static final List<String> CRITICAL_IMAGING = List.of("pneumothorax", "pneumoperitoneum", "tension pneumothorax");

    /**
     * A positive imaging finding that needs urgent action (pneumothorax): RED_FLAG with a plain
     * instruction; a finding from a model not declared clinical says so in the same words.
     */
    public static List<Flag> imaging(List<ImagingFinding> findings, String language) {
        boolean zh = "zh".equals(language);
        List<Flag> flags = new ArrayList<>();
        for (ImagingFinding f : findings) {
            String label = f.label().toLowerCase(java.util.Locale.ROOT);
            if (!f.critical() && CRITICAL_IMAGING.stream().noneMatch(label::contains)) {
                continue;
            }
            String p = Math.round(f.probability() * 100) + " %";
            String mark = f.clinical() ? "" : (zh ? "；" + ImagingFinding.NOT_CLINICAL_ZH : "; " + ImagingFinding.NOT_CLINICAL_EN);
            flags.add(new Flag(FlagCode.RED_FLAG, zh
                    ? "影像模型提示" + f.label() + "（概率 " + p + mark + "）：立即阅片确认；若确认且患者不稳定，立即减压并请上级医师。"
                    : f.label() + " suggested by the imaging model (probability " + p + mark + "): look at the image now; if it is"
                    + " confirmed and the patient is unstable, decompress and call a senior.", "imaging." + f.label()));
        }
        return flags;
    }

    private static boolean positive(List<Symptom> symptoms, String name) {
        return symptoms.stream().anyMatch(s -> s.name().equals(name) && !s.negated());
    }

    private static boolean radiates(String text) {
        Matcher m = RADIATION.matcher(text);
        while (m.find()) {
            String before = text.substring(Math.max(0, m.start() - 24), m.start());
            if (!RADIATION_NEGATED.matcher(before).find()) {
                return true;
            }
        }
        return false;
    }
}
