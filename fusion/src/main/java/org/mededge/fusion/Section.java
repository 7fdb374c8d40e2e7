package org.mededge.fusion;

/** The sections of a structured clinical note; {@link #key()} is the JSON field name. */
public enum Section {
    CHIEF_COMPLAINT("chiefComplaint", "Chief complaint", "主诉"),
    HISTORY_OF_PRESENT_ILLNESS("historyOfPresentIllness", "History of present illness", "现病史"),
    PAST_HISTORY("pastHistory", "Past history", "既往史"),
    MEDICATIONS("medications", "Medications", "用药"),
    ALLERGIES("allergies", "Allergies", "过敏史"),
    PHYSICAL_EXAM("physicalExam", "Physical examination", "体格检查"),
    AUXILIARY_EXAMS("auxiliaryExams", "Investigations", "辅助检查"),
    ASSESSMENT("assessment", "Assessment", "初步诊断"),
    PLAN("plan", "Plan", "处理");

    private final String key;
    private final String english;
    private final String chinese;

    Section(String key, String english, String chinese) {
        this.key = key;
        this.english = english;
        this.chinese = chinese;
    }

    public String key() {
        return key;
    }

    /** The section's title for people, in the report's language ("zh" or "en"). */
    public String title(String language) {
        return "zh".equals(language) ? chinese : english;
    }

    public static Section ofKey(String key) {
        for (Section s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no section " + key);
    }
}
