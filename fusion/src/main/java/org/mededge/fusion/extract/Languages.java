package org.mededge.fusion.extract;

import java.util.Locale;

/** The two languages fusion reads, and detection when a request does not say. */
public final class Languages {
    private Languages() {
    }

    /**
     * "zh" when Chinese characters are at least as many as Latin words (Chinese notes carry
     * abbreviations such as BP, SpO2, WBC), else "en".
     */
    public static String detect(String text) {
        int han = 0;
        int latinWords = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
                han++;
                inWord = false;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                if (!inWord) {
                    latinWords++;
                }
                inWord = true;
            } else {
                inWord = false;
            }
        }
        return han > 0 && han >= latinWords ? "zh" : "en";
    }

    /**
     * A requested language ("zh", "zh-CN", "en-US", "EN") as "zh" or "en"; null for one fusion
     * does not read.
     */
    public static String normalize(String requested) {
        if (requested == null) {
            return null;
        }
        String l = requested.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        if (l.equals("zh") || l.startsWith("zh-") || l.equals("cmn") || l.equals("chinese")) {
            return "zh";
        }
        if (l.equals("en") || l.startsWith("en-") || l.equals("english")) {
            return "en";
        }
        return null;
    }
}
