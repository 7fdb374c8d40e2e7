package org.mededge.asr;

import java.util.Locale;

/**
 * Per-request recognition options: a copy of the configured defaults with the request's overrides.
 * A request never changes the defaults or another request's options.
 *
 * @param language            auto, zh or en
 * @param specialty           which medical vocabulary primes the decoder (initial prompt)
 * @param beamSize            1 = greedy
 * @param temperatureFallback re-decode at higher temperature when a window decodes badly
 */
public record AsrOptions(String language, String specialty, int beamSize, boolean temperatureFallback) {
    public AsrOptions {
        language = language == null || language.isBlank() ? "auto" : language.trim().toLowerCase(Locale.ROOT);
        if (!AsrConfig.LANGUAGES.contains(language)) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "language '" + language + "' is not supported; use auto, zh or en");
        }
        specialty = specialty == null || specialty.isBlank() ? "general" : specialty.trim().toLowerCase(Locale.ROOT);
        if (!specialty.matches("[a-z0-9-]{1,40}")) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "specialty must be a short lower-case name such as cardiology");
        }
        if (beamSize < 1 || beamSize > 16) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "beam size must be 1..16, was " + beamSize);
        }
    }

    public static AsrOptions defaults(AsrConfig c) {
        return new AsrOptions(c.language(), c.specialty(), c.beamSize(), c.temperatureFallback());
    }

    /** A copy with the given overrides; null keeps the default. */
    public AsrOptions with(String language, String specialty) {
        return new AsrOptions(language == null ? this.language : language, specialty == null ? this.specialty : specialty,
                beamSize, temperatureFallback);
    }
}
