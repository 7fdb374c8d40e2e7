package org.mededge.asr.audio;

import java.util.ArrayList;
import java.util.List;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.SpeechRegion;

/**
 * Frame probabilities turned into speech regions with the reference Silero rules: speech starts at a
 * frame at or above the threshold, ends after {@code minSilenceMs} below threshold - 0.15; bursts
 * shorter than {@code minSpeechMs} are dropped; each region is padded by {@code speechPadMs} (split
 * evenly when two regions are closer than twice that).
 *
 * @param probs   speech probability per 512-sample frame
 * @param regions speech, in samples of 16 kHz audio
 */
public record VoiceActivity(float[] probs, int samples, List<SpeechRegion> regions) {
    public VoiceActivity {
        regions = List.copyOf(regions);
    }

    public static VoiceActivity of(float[] probs, int samples, AsrConfig.Vad cfg) {
        int rate = SpeechRegion.RATE;
        double thr = cfg.threshold();
        double neg = Math.max(thr - 0.15, 0.01);
        int minSpeech = cfg.minSpeechMs() * rate / 1000;
        int minSilence = cfg.minSilenceMs() * rate / 1000;
        int pad = cfg.speechPadMs() * rate / 1000;
        List<int[]> found = new ArrayList<>();
        boolean triggered = false;
        int start = 0;
        int tempEnd = -1;
        for (int i = 0; i < probs.length; i++) {
            int cur = i * SileroVad.FRAME;
            float p = probs[i];
            if (p >= thr && tempEnd >= 0) {
                tempEnd = -1;
            }
            if (p >= thr && !triggered) {
                triggered = true;
                start = cur;
                continue;
            }
            if (p < neg && triggered) {
                if (tempEnd < 0) {
                    tempEnd = cur;
                }
                if (cur - tempEnd < minSilence) {
                    continue;
                }
                if (tempEnd - start > minSpeech) {
                    found.add(new int[] {start, tempEnd});
                }
                tempEnd = -1;
                triggered = false;
            }
        }
        if (triggered && samples - start > minSpeech) {
            found.add(new int[] {start, samples});
        }
        for (int i = 0; i < found.size(); i++) {
            int[] s = found.get(i);
            if (i == 0) {
                s[0] = Math.max(0, s[0] - pad);
            }
            if (i < found.size() - 1) {
                int[] next = found.get(i + 1);
                int silence = next[0] - s[1];
                if (silence < 2 * pad) {
                    s[1] += silence / 2;
                    next[0] = Math.max(0, next[0] - silence / 2);
                } else {
                    s[1] = Math.min(samples, s[1] + pad);
                    next[0] = Math.max(0, next[0] - pad);
                }
            } else {
                s[1] = Math.min(samples, s[1] + pad);
            }
        }
        List<SpeechRegion> regions = found.stream().map(s -> new SpeechRegion(s[0], s[1])).toList();
        return new VoiceActivity(probs, samples, regions);
    }

    public boolean hasSpeech() {
        return !regions.isEmpty();
    }

    /** Mean speech probability of the frames overlapping [from, to) samples; 0 for an empty span. */
    public double meanProbability(int from, int to) {
        int f0 = Math.max(0, from / SileroVad.FRAME);
        int f1 = Math.min(probs.length, (to + SileroVad.FRAME - 1) / SileroVad.FRAME);
        if (f1 <= f0) {
            return 0;
        }
        double sum = 0;
        for (int f = f0; f < f1; f++) {
            sum += probs[f];
        }
        return sum / (f1 - f0);
    }

    /**
     * Recognition windows of at most {@code maxSamples}, planned front to back: consecutive speech
     * regions are merged while they fit; a region that does not fit starts the next window; a region
     * longer than the limit is cut at its least speech-like frame in the second half of each window (a
     * breath), or hard at the limit when there is none. A window depends only on the frames up to
     * {@code maxSamples} (plus {@link #settleSamples}) after its start, so it can be recognized while
     * the rest of the audio is still being scored.
     */
    public List<SpeechRegion> windows(int maxSamples) {
        return windows(maxSamples, 0);
    }

    /**
     * As {@link #windows(int)}, and a pause of at least {@code breakSamples} between two speech regions
     * (when > 0) ends a window, for models that never heard a longer pause inside one.
     */
    public List<SpeechRegion> windows(int maxSamples, int breakSamples) {
        List<SpeechRegion> windows = new ArrayList<>();
        int ws = -1;
        int we = -1;
        for (SpeechRegion r : regions) {
            if (ws >= 0 && r.end() - ws <= maxSamples && (breakSamples <= 0 || r.start() - we < breakSamples)) {
                we = r.end();
                continue;
            }
            if (ws >= 0) {
                windows.add(new SpeechRegion(ws, we));
            }
            int s = r.start();
            while (r.end() - s > maxSamples) {
                int cut = quietestFrameBoundary(s + maxSamples / 2, s + maxSamples);
                windows.add(new SpeechRegion(s, cut));
                s = cut;
            }
            ws = s;
            we = r.end();
        }
        if (ws >= 0) {
            windows.add(new SpeechRegion(ws, we));
        }
        return windows;
    }

    /**
     * How far past a window's start plus its maximum length the scores must reach before the window
     * can no longer change: a region ending near the limit must have closed (minimum silence), a burst
     * there must have proved itself speech (minimum speech), and padding settled.
     */
    public static int settleSamples(AsrConfig.Vad cfg) {
        return (cfg.minSilenceMs() + cfg.minSpeechMs() + 2 * cfg.speechPadMs()) * SpeechRegion.RATE / 1000 + 2 * SileroVad.FRAME;
    }

    private int quietestFrameBoundary(int from, int to) {
        int best = to;
        float lowest = Float.MAX_VALUE;
        for (int f = (from + SileroVad.FRAME - 1) / SileroVad.FRAME; (f + 1) * SileroVad.FRAME <= to && f < probs.length; f++) {
            if (probs[f] < lowest) {
                lowest = probs[f];
                best = f * SileroVad.FRAME;
            }
        }
        return best;
    }
}
