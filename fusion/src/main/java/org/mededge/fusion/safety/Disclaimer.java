package org.mededge.fusion.safety;

/** The sentence every report carries. */
public final class Disclaimer {
    private Disclaimer() {
    }

    public static final String EN = "AI-generated draft; the treating clinician decides.";
    public static final String ZH = "AI 生成的草稿，由主治医师决定。";

    /** English always, followed by the report's language when that is Chinese. */
    public static String forLanguage(String language) {
        return "zh".equals(language) ? EN + " " + ZH : EN;
    }
}
