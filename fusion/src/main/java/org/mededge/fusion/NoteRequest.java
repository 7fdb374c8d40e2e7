package org.mededge.fusion;

/**
 * A note to structure: free text as a doctor typed or dictated it.
 *
 * @param language  "zh", "en" (or zh-CN, en-US, ...), or null to detect
 * @param specialty respiratory, cardiology, radiology, general, or null for general
 */
public record NoteRequest(String text, String language, String specialty) {
}
