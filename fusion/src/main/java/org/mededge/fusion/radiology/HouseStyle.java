package org.mededge.fusion.radiology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one way each language writes a finding. */
final class HouseStyle {
    private HouseStyle() {
    }

    private static final Map<String, String> EN_SITE_PLURAL = Map.of("lower lobe", "lower lobes", "upper lobe", "upper lobes",
            "lung", "lungs", "apex", "apices", "hilum", "hila", "costophrenic angle", "costophrenic angles",
            "middle lobe", "middle lobe", "lingula", "lingula", "pleura", "pleura", "mediastinum", "mediastinum");
    private static final Set<String> FLUIDS = Set.of("pleural effusion", "pericardial effusion", "pneumothorax");

    /** "Right lower lobe: solid nodule, 10 mm." / "Left pleural effusion." / "No pneumothorax." */
    static String en(RadFinding f, List<String> extras) {
        StringBuilder b = new StringBuilder();
        boolean bilateral = "bilateral".equals(f.laterality());
        if (f.site() != null) {
            String site = bilateral ? EN_SITE_PLURAL.getOrDefault(f.site(), f.site()) : f.site();
            b.append(f.laterality() == null ? "" : f.laterality() + " ").append(site).append(": ");
            if (f.negated()) {
                b.append("no ");
            }
        } else if (f.negated()) {
            b.append("no ");
        }
        List<String> words = new ArrayList<>(f.modifiers());
        if (f.site() == null && f.laterality() != null) {
            words.add(f.laterality());
        }
        boolean multiple = words.contains("multiple");
        String term = multiple ? RadiologyNormalizer.EN_PLURAL.getOrDefault(f.term(), f.term()) : f.term();
        words.add(term);
        b.append(String.join(" ", words));
        for (Measurement m : f.measurements()) {
            b.append(", ").append(m.format());
        }
        for (String x : extras) {
            b.append(", ").append(x);
        }
        b.append('.');
        return Character.toUpperCase(b.charAt(0)) + b.substring(1);
    }

    /** "右肺下叶：实性结节，10 mm。" / "左侧胸腔积液。" / "未见气胸。" */
    static String zh(RadFinding f, List<String> extras) {
        StringBuilder b = new StringBuilder();
        String lat = f.laterality() == null ? "" : switch (f.laterality()) {
            case "right" -> "右";
            case "left" -> "左";
            default -> "双";
        };
        if (f.site() != null) {
            RadiologyLexicon.Entry site = RadiologyLexicon.site(f.site());
            String name = site.zh();
            // 右 + 肺下叶 = 右肺下叶; 右 + 胸膜 = 右侧胸膜; 右 + 肺 = 右肺
            String prefix = lat.isEmpty() ? "" : name.startsWith("肺") ? lat : lat + "侧";
            b.append(prefix).append(name).append('：');
        } else if (!lat.isEmpty() && !f.negated()) {
            b.append(lat).append('侧');
        }
        if (f.negated()) {
            b.append("未见");
            if (f.site() == null && !lat.isEmpty()) {
                b.append(lat).append('侧');
            }
        }
        for (String m : f.modifiers()) {
            RadiologyLexicon.Entry e = RadiologyLexicon.modifier(m);
            if (m.equals("small")) {
                // 少量胸腔积液, 小结节, 少许实变: the word Chinese uses with each kind of finding
                b.append(FLUIDS.contains(f.term()) ? "少量" : f.term().equals("nodule") || f.term().equals("mass") ? "小" : "少许");
            } else {
                b.append(e.zh());
            }
        }
        b.append(RadiologyLexicon.term(f.term()).zh());
        for (Measurement m : f.measurements()) {
            b.append('，').append(m.format());
        }
        for (String x : extras) {
            b.append('，').append(x);
        }
        return b.append('。').toString();
    }
}
