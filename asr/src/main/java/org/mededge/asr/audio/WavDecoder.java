package org.mededge.asr.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AudioClip;

/**
 * RIFF/WAVE with PCM samples: 8-bit unsigned, 16/24/32-bit signed integer, 32/64-bit float, in plain
 * or WAVE_FORMAT_EXTENSIBLE headers, 1 to 8 channels (averaged to mono), 8 to 48 kHz. Every header
 * field is checked against the others and against the bytes present; a WAVE file with another codec
 * (A-law, mu-law, ADPCM, MP3) is reported as {@link #isPcm not PCM} so that FFmpeg can take it.
 */
public final class WavDecoder {
    static final int PCM = 1;
    static final int FLOAT = 3;
    static final int EXTENSIBLE = 0xFFFE;
    /** a data size that streaming writers leave when they cannot seek back: "to the end" */
    private static final long STREAMING = 0xFFFFFFFFL;

    private WavDecoder() {
    }

    /** The format chunk's essentials. */
    record Format(int tag, int channels, int sampleRate, int bits, int blockAlign) {
    }

    public static boolean isWave(byte[] b) {
        return b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'A' && b[10] == 'V' && b[11] == 'E';
    }

    /** True when the WAVE file holds PCM or float samples this decoder reads itself. */
    public static boolean isPcm(byte[] b) {
        Format f = scan(b, null);
        return f.tag() == PCM || f.tag() == FLOAT;
    }

    /** Decodes to mono at the file's own rate; refuses audio longer than {@code maxDurationMs} before decoding it. */
    public static AudioClip decode(byte[] b, long maxDurationMs) {
        long[] data = new long[2];
        Format f = scan(b, data);
        if (f.tag() != PCM && f.tag() != FLOAT) {
            throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "WAV codec 0x" + Integer.toHexString(f.tag())
                    + " is not PCM; send PCM or float WAV, Ogg/Opus or WebM");
        }
        int offset = (int) data[0];
        long size = data[1];
        long frames = size / f.blockAlign();
        if (frames == 0) {
            throw new AsrException(AsrError.ASR_AUDIO_EMPTY, "the WAV file holds no audio samples");
        }
        long durationMs = frames * 1000 / f.sampleRate();
        if (durationMs > maxDurationMs) {
            throw tooLong(durationMs, maxDurationMs);
        }
        ByteBuffer in = ByteBuffer.wrap(b, offset, (int) size).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) frames];
        int ch = f.channels();
        int bytes = f.bits() / 8;
        boolean isFloat = f.tag() == FLOAT;
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < ch; c++) {
                sum += sample(in, bytes, isFloat);
            }
            out[i] = (float) (sum / ch);
        }
        return new AudioClip(out, f.sampleRate());
    }

    static AsrException tooLong(long durationMs, long maxDurationMs) {
        return new AsrException(AsrError.ASR_AUDIO_TOO_LONG, "the audio lasts more than " + (maxDurationMs / 1000)
                + " s (the configured maximum); split the dictation");
    }

    private static double sample(ByteBuffer in, int bytes, boolean isFloat) {
        switch (bytes) {
            case 1:
                return ((in.get() & 0xFF) - 128) / 128.0;
            case 2:
                return in.getShort() / 32768.0;
            case 3: {
                int v = (in.get() & 0xFF) | (in.get() & 0xFF) << 8 | in.get() << 16;
                return v / 8388608.0;
            }
            case 4:
                if (isFloat) {
                    float v = in.getFloat();
                    return Float.isFinite(v) ? Math.max(-1f, Math.min(1f, v)) : v; // NaN/inf: refused by AudioDecoder
                }
                return in.getInt() / 2147483648.0;
            default: {
                double v = in.getDouble();
                return Double.isFinite(v) ? Math.max(-1, Math.min(1, v)) : v;
            }
        }
    }

    /** Walks the chunks; fills data[0] (offset) and data[1] (size) of the data chunk when given. */
    private static Format scan(byte[] b, long[] data) {
        if (!isWave(b)) {
            throw new AsrException(b.length < 12 ? AsrError.ASR_AUDIO_TRUNCATED : AsrError.ASR_AUDIO_UNREADABLE,
                    "not a RIFF/WAVE file");
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        Format fmt = null;
        int pos = 12;
        while (true) {
            if (pos + 8 > b.length) {
                throw new AsrException(fmt == null ? AsrError.ASR_AUDIO_TRUNCATED : AsrError.ASR_AUDIO_TRUNCATED,
                        fmt == null ? "the WAV file ends before its format chunk" : "the WAV file ends before its data chunk");
            }
            String id = new String(b, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long size = bb.getInt(pos + 4) & 0xFFFFFFFFL;
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + size > b.length) {
                    throw new AsrException(body + 16 > b.length ? AsrError.ASR_AUDIO_TRUNCATED : AsrError.ASR_AUDIO_UNREADABLE,
                            "the WAV format chunk is " + (size < 16 ? "too short" : "cut off"));
                }
                fmt = format(bb, body, size);
            } else if (id.equals("data")) {
                if (fmt == null) {
                    throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV data chunk comes before its format chunk");
                }
                long available = b.length - body;
                if (size == STREAMING) {
                    size = available - available % fmt.blockAlign();
                } else if (size > available) {
                    throw new AsrException(AsrError.ASR_AUDIO_TRUNCATED, "the WAV header declares " + size
                            + " bytes of audio but only " + available + " arrived; the upload is incomplete");
                } else if (size % fmt.blockAlign() != 0 && (fmt.tag() == PCM || fmt.tag() == FLOAT)) {
                    throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV data size " + size
                            + " is not a whole number of " + fmt.blockAlign() + "-byte frames");
                }
                if (data != null) {
                    data[0] = body;
                    data[1] = size;
                }
                return fmt;
            } else if (body + size > b.length) {
                throw new AsrException(AsrError.ASR_AUDIO_TRUNCATED, "the WAV file ends inside its '" + id.strip() + "' chunk");
            }
            long next = body + size + (size & 1);
            if (next > Integer.MAX_VALUE) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "a WAV chunk size is impossible");
            }
            pos = (int) next;
        }
    }

    private static Format format(ByteBuffer bb, int at, long size) {
        int tag = bb.getShort(at) & 0xFFFF;
        int channels = bb.getShort(at + 2) & 0xFFFF;
        long rate = bb.getInt(at + 4) & 0xFFFFFFFFL;
        long byteRate = bb.getInt(at + 8) & 0xFFFFFFFFL;
        int blockAlign = bb.getShort(at + 12) & 0xFFFF;
        int bits = bb.getShort(at + 14) & 0xFFFF;
        if (tag == EXTENSIBLE) {
            if (size < 40) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV extensible format chunk is too short");
            }
            tag = bb.getShort(at + 24) & 0xFFFF; // first two bytes of the sub-format GUID
        }
        if (channels < 1) {
            throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV header declares no channels");
        }
        if (channels > 8) {
            throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "the WAV file has " + channels + " channels; at most 8 are read");
        }
        if (rate < 8000 || rate > 48000) {
            throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "sample rate " + rate + " Hz is outside 8000..48000 Hz");
        }
        if (tag == PCM || tag == FLOAT) {
            boolean okBits = tag == PCM ? (bits == 8 || bits == 16 || bits == 24 || bits == 32) : (bits == 32 || bits == 64);
            if (!okBits) {
                throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, (tag == PCM ? "integer" : "float") + " PCM with "
                        + bits + " bits per sample is not supported (8/16/24/32 integer, 32/64 float)");
            }
            if (blockAlign != channels * bits / 8 || byteRate != rate * blockAlign) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV header contradicts itself (block align "
                        + blockAlign + ", byte rate " + byteRate + " for " + channels + " x " + bits + " bits at " + rate + " Hz)");
            }
        } else if (blockAlign == 0) {
            throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the WAV header declares a zero block size");
        }
        return new Format(tag, channels, (int) rate, bits, blockAlign);
    }
}
