package org.mededge.asr.audio;

import java.util.Set;

import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AudioClip;

/**
 * Upload bytes to mono float audio at the upload's own rate. PCM WAV is read here; everything else
 * (and WAV with a compressed codec) goes to {@link FfmpegDecoder}. The declared media type must be an
 * audio type; the bytes decide the format, and a WAV media type on bytes that are not WAV is refused.
 */
public final class AudioDecoder {
    public static final Set<String> WAV_TYPES = Set.of("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave");
    /** Media types accepted; application/octet-stream lets the bytes decide. */
    public static final Set<String> MEDIA_TYPES = Set.of("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave",
            "audio/webm", "video/webm", "audio/ogg", "audio/opus", "audio/mpeg", "audio/mp3", "audio/mp4", "audio/m4a",
            "audio/x-m4a", "audio/aac", "audio/flac", "audio/x-flac", "application/octet-stream");

    private AudioDecoder() {
    }

    /** ASR_AUDIO_UNSUPPORTED (415) unless the media type is one this decoder takes: check it before reading a body. */
    public static void requireMediaType(String mediaType) {
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "Content-Type '" + (mediaType.isEmpty() ? "(none)" : mediaType)
                    + "' is not audio; send audio/wav, audio/webm, audio/ogg, audio/mp4, audio/mpeg or audio/flac");
        }
    }

    /**
     * @param mediaType the Content-Type without parameters, lower-case ("" when absent)
     */
    public static AudioClip decode(byte[] body, String mediaType, long maxDurationMs) {
        requireMediaType(mediaType);
        if (body == null || body.length == 0) {
            throw new AsrException(AsrError.ASR_AUDIO_EMPTY, "the request has no audio");
        }
        boolean wave = WavDecoder.isWave(body);
        if (WAV_TYPES.contains(mediaType) && !wave) {
            boolean riffPrefix = body.length < 12 && new String(body, 0, Math.min(4, body.length),
                    java.nio.charset.StandardCharsets.ISO_8859_1).equals("RIFF".substring(0, Math.min(4, body.length)));
            throw new AsrException(riffPrefix ? AsrError.ASR_AUDIO_TRUNCATED : AsrError.ASR_AUDIO_UNREADABLE,
                    riffPrefix ? "the WAV upload ends inside its header" : "Content-Type says WAV but the body is not a RIFF/WAVE file");
        }
        AudioClip clip = wave && WavDecoder.isPcm(body) ? WavDecoder.decode(body, maxDurationMs)
                : FfmpegDecoder.decode(body, maxDurationMs);
        return checked(clip);
    }

    /** Shortest audio that can hold a spoken word; less is refused rather than stored as an empty report. */
    public static final long MIN_DURATION_MS = 100;

    /**
     * Refuses audio that cannot be a dictation: samples that are not numbers (NaN, infinite: a broken
     * encoder or a file that is not audio), or less than {@link #MIN_DURATION_MS} of sound.
     */
    static AudioClip checked(AudioClip clip) {
        float[] s = clip.samples();
        long bad = 0;
        for (float v : s) {
            if (!Float.isFinite(v)) {
                bad++;
            }
        }
        if (bad > 0) {
            throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, bad + " of " + s.length
                    + " samples are not numbers (NaN or infinite): the audio is damaged; record it again");
        }
        if (s.length * 1000L < MIN_DURATION_MS * clip.sampleRate()) {
            throw new AsrException(AsrError.ASR_AUDIO_EMPTY, "the audio lasts " + (s.length * 1000L / clip.sampleRate())
                    + " ms (" + s.length + " samples); a dictation needs at least " + MIN_DURATION_MS + " ms");
        }
        return clip;
    }
}
