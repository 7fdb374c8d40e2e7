package org.mededge.asr.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.SpeechRegion;

/**
 * Voice activity detection running beside recognition: a worker thread scores the audio frame by
 * frame while this iterator hands out each recognition window as soon as the scores reach far enough
 * past it that it can no longer change ({@link VoiceActivity#settleSamples}). The recognizer works on
 * the first window while the VAD scores the rest. The windows handed out are exactly those the full
 * scores give ({@link VoiceActivity#windows}).
 */
public final class WindowFeed implements Iterator<SpeechRegion>, AutoCloseable {
    private final float[] audio;
    private final float[] probs;
    private final AsrConfig.Vad cfg;
    private final int maxSamples;
    private final int breakSamples;
    private final int settle;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<SpeechRegion> handed = new ArrayList<>();
    private final Object lock = new Object();
    private final Thread worker;
    private volatile boolean finished;
    private volatile RuntimeException failure;
    private volatile long vadNanos;
    private SpeechRegion next;

    private WindowFeed(SileroVad vad, float[] audio, AsrConfig.Vad cfg, int maxSamples, int breakSamples) {
        this.audio = audio;
        this.breakSamples = breakSamples;
        this.probs = new float[SileroVad.frames(audio.length)];
        this.cfg = cfg;
        this.maxSamples = maxSamples;
        this.settle = VoiceActivity.settleSamples(cfg);
        this.worker = Thread.ofPlatform().name("mededge-vad").daemon(true).unstarted(() -> {
            long t0 = System.nanoTime();
            try {
                vad.score(audio, probs, done, cancelled::get);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                vadNanos = System.nanoTime() - t0;
                finished = true;
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        });
    }

    /** Starts scoring {@code audio} (16 kHz mono) for windows of at most {@code maxSamples}. */
    public static WindowFeed start(SileroVad vad, float[] audio, AsrConfig.Vad cfg, int maxSamples) {
        return start(vad, audio, cfg, maxSamples, 0);
    }

    /** As {@link #start(SileroVad, float[], AsrConfig.Vad, int)}; a pause of {@code breakSamples} or more (when > 0) ends a window. */
    public static WindowFeed start(SileroVad vad, float[] audio, AsrConfig.Vad cfg, int maxSamples, int breakSamples) {
        WindowFeed f = new WindowFeed(vad, audio, cfg, maxSamples, breakSamples);
        f.worker.start();
        return f;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        while (true) {
            boolean complete = finished;
            if (failure != null) {
                throw failure;
            }
            int d = done.get();
            VoiceActivity va = VoiceActivity.of(complete ? probs : Arrays.copyOf(probs, d),
                    complete ? audio.length : Math.min(audio.length, d * SileroVad.FRAME), cfg);
            List<SpeechRegion> windows = va.windows(maxSamples, breakSamples);
            int k = handed.size();
            if (k < windows.size()) {
                SpeechRegion w = windows.get(k);
                if (complete || (long) d * SileroVad.FRAME >= (long) w.start() + maxSamples + settle) {
                    next = w;
                    return true;
                }
            } else if (complete) {
                return false;
            }
            synchronized (lock) {
                if (!finished) {
                    try {
                        lock.wait(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AsrException(AsrError.ASR_FAILED, "interrupted while detecting speech");
                    }
                }
            }
        }
    }

    @Override
    public SpeechRegion next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SpeechRegion w = next;
        next = null;
        handed.add(w);
        return w;
    }

    /** The windows handed out so far, in order. */
    public List<SpeechRegion> handed() {
        return List.copyOf(handed);
    }

    /** The complete speech map, once scoring has finished (waits for it). */
    public VoiceActivity activity() {
        join();
        if (failure != null) {
            throw failure;
        }
        return VoiceActivity.of(probs, audio.length, cfg);
    }

    /** Time the VAD itself spent scoring, in milliseconds (it overlaps recognition). */
    public long vadMs() {
        join();
        return Math.round(vadNanos / 1e6);
    }

    private void join() {
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsrException(AsrError.ASR_FAILED, "interrupted while detecting speech");
        }
    }

    /** Stops scoring early (when recognition failed) and waits for the worker. */
    @Override
    public void close() {
        cancelled.set(true);
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
