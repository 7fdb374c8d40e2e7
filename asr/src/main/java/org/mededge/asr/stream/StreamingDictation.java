package org.mededge.asr.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.mededge.asr.AsrConfig;
import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AsrOptions;
import org.mededge.asr.Dictation;
import org.mededge.asr.Segment;
import org.mededge.asr.SpeechRecognizer;
import org.mededge.asr.SpeechRecognizer.RawSegment;
import org.mededge.asr.SpeechRegion;
import org.mededge.asr.Transcript;
import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.audio.VoiceActivity;
import org.mededge.asr.text.SegmentGuards;

/**
 * A live dictation: 16 kHz mono audio arrives in chunks while the doctor speaks, and the text comes
 * back as it is heard. Made by {@link Dictation#stream}; one per stream.
 *
 * <p>The pipeline is batch dictation's, run as the audio arrives. Silero VAD scores every 512-sample
 * frame as it is complete, its state carried across chunks, so the frame probabilities are exactly
 * those batch dictation computes for the same recording. The speech found since the last segment
 * ended is the open segment. Every {@link StreamConfig#partialIntervalMs} of new audio, the open
 * segment is decoded from its start (cut into the recognizer's windows as batch cuts it) and a
 * {@link Partial} is delivered: its words split by LocalAgreement-2 into a stable prefix, which later
 * partials of the segment never change, and a tentative tail. When the VAD hears
 * {@link StreamConfig#endSilenceMs} of silence after speech, or the segment reaches
 * {@link StreamConfig#maxSegmentMs} (then it is cut at its least speech-like frame of the last
 * {@link StreamConfig#cutSearchMs}), the segment is decoded once more, whole, and delivered as
 * {@link Final}s, one per recognized segment, with times in ms from the stream's start. Partials and
 * finals pass the same {@link SegmentGuards} (silence, annotations, repeats, loops, confidence) and
 * text post-processing (voice commands, corrections) as batch dictation. A final never repeats the
 * text of the one before it, and each stretch of audio is finalized once. {@link #stop()} finishes the
 * open segment and returns the {@link Transcript} batch dictation gives for the same audio. A
 * segment's final may differ from its partials' stable prefix when the whole-segment decode hears a
 * word otherwise: the final is authoritative.
 *
 * <p>Silence never reaches the recognizer. A window decoded for a partial is remembered by its exact
 * span within the open segment, and a later decode of the same span (a later partial, or the final)
 * reuses it, so each decode costs about one window, the one still growing.
 *
 * <p>Sharing the engine: the recognizer's decoder states are one pool for batch dictations and
 * streams. Each partial or final decode borrows a state only for that decode (a few hundred ms of one
 * window with the demo model) and gives it back; a stream never holds one between decodes. A partial
 * is skipped, not queued, when every state is busy (the next one will be tried after more audio), so a
 * stream never takes a queue place for a partial ahead of a batch dictation; a final waits for a
 * state as a batch dictation does (up to the configured queue wait, then ASR_BUSY).
 *
 * <p>Threads: {@link #accept} is called from one thread (the connection's) and never waits for the
 * recognizer: it only queues the chunk. One worker thread per stream (a platform thread: whisper.cpp
 * and ONNX Runtime run in native code, which would pin a virtual thread's carrier for the whole decode)
 * scores, decodes, and calls the {@link Listener}, so events arrive in order, one at a time.
 *
 * <p>Memory: the stream holds the open segment's audio (at most maxSegmentMs) and at most
 * {@link StreamConfig#maxBacklogMs} of audio received but not yet processed; a chunk beyond that is
 * refused with ASR_STREAM_OVERRUN (the stream stays usable). The stream as a whole lasts at most the
 * engine's maximum duration ({@link AsrConfig#maxDuration()}), then ASR_AUDIO_TOO_LONG.
 */
public final class StreamingDictation implements AutoCloseable {
    private static final int RATE = SpeechRegion.RATE;
    private static final int FRAME = SileroVad.FRAME;
    private static final AtomicInteger IDS = new AtomicInteger();
    /** the samples of the chunk that ends the stream */
    private static final float[] END = new float[0];

    /**
     * The open segment so far.
     *
     * @param segmentStartMs where the open segment starts, ms from the stream's start
     * @param audioMs        how much of the stream the hypothesis heard
     * @param stable         the words no later partial of this segment changes
     * @param tentative      the words after them, as heard now (starts with its separating space)
     * @param latencyMs      from the arrival of the newest audio it heard to its delivery
     */
    public record Partial(long segmentStartMs, long audioMs, String stable, String tentative, long latencyMs) {
        public String text() {
            return stable + tentative;
        }
    }

    /**
     * A final segment.
     *
     * @param segment    its text after guards and post-processing, times in ms from the stream's start
     * @param endpointMs where the VAD ended the segment: end of speech plus endSilenceMs, a cut, or the stream's end
     * @param latencyMs  from the arrival of the audio that completed the endpoint to the delivery
     */
    public record Final(Segment segment, long endpointMs, long latencyMs) {
    }

    /**
     * What a stream has done so far, for metrics.
     *
     * @param audioMs         audio processed
     * @param busyMs          the worker's time on it (VAD, decodes, guards, events; not waiting for audio)
     * @param decodeMs        of which the recognizer computed, and
     * @param queueMs         of which it waited for a decoder state
     * @param partials        partials delivered
     * @param partialsSkipped chunks after which a partial was due but not decoded: every decoder state was busy or
     *                        the worker lagged (it is tried again after the next chunk)
     * @param finals          finals delivered
     */
    public record Stats(long audioMs, long busyMs, long decodeMs, long queueMs, int partials, int partialsSkipped, int finals) {
        /** The worker's time per second of audio: below 1 the stream keeps up with real time. */
        public double realTimeFactor() {
            return audioMs == 0 ? 0 : (double) busyMs / audioMs;
        }
    }

    /** Receives a stream's events, in order, on the stream's worker thread; it should return quickly. */
    public interface Listener {
        void partial(Partial partial);

        void finalSegment(Final segment);

        /** The stream failed (the recognizer stayed busy, an engine failed); accept and stop then throw this. */
        default void failed(AsrException error) {
        }
    }

    /** A chunk of 16 kHz audio and when it was accepted (System.nanoTime). */
    private record Chunk(float[] samples, long acceptedNanos) {
    }

    private final Dictation dictation;
    private final SpeechRecognizer recognizer;
    private final SegmentGuards guards;
    private final AsrConfig.Vad vadConfig;
    private final AsrOptions options;
    private final String prompt;
    private final Listener listener;
    private final SileroVad.Scorer scorer;
    private final int maxWindow;
    private final int breakSamples;
    /** samples kept before the present while no segment is open: a burst shorter than minSpeechMs may be starting */
    private final int keep;
    private final int partialInterval;
    private final int partialMaxLag;
    private final int endSilence;
    private final int maxSegment;
    private final int cutSearch;
    private final long maxBacklog;
    private final long maxSamples;
    private final Thread worker;

    // between the caller and the worker
    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private final AtomicLong backlog = new AtomicLong();
    private final List<Segment> finals = new CopyOnWriteArrayList<>();
    private volatile AsrException failure;
    private volatile boolean cancelled;

    // the caller's thread (stopped: any thread)
    private volatile boolean stopped;
    private long accepted;
    private Pcm16Input pcm;

    // the worker only: the audio kept, stream samples [base, base + len), base a multiple of FRAME
    private float[] audio = new float[RATE * 4];
    private int len;
    private long base;
    private float[] probs = new float[audio.length / FRAME];
    private int frames;
    private long segmentStart = -1;
    private long lastPartialAt;
    private LocalAgreement agreement;
    private Partial lastPartial;
    private String lastFinalKey;
    private final Map<SpeechRegion, List<RawSegment>> decoded = new HashMap<>();
    private long busyNanos;
    private long decodeMs;
    private long queueMs;
    private int partials;
    private int partialsSkipped;
    private int finalCount;
    private volatile Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0);

    private StreamingDictation(Dictation dictation, SileroVad vad, SpeechRecognizer recognizer, SegmentGuards guards,
                               AsrConfig asr, AsrOptions options, String prompt, StreamConfig config, Listener listener) {
        this.dictation = dictation;
        this.recognizer = recognizer;
        this.guards = guards;
        this.vadConfig = asr.vad();
        this.options = options;
        this.prompt = prompt;
        this.listener = listener;
        this.maxWindow = (int) (Math.min(vadConfig.maxWindowMs(), recognizer.maxWindowMs()) * RATE / 1000);
        this.breakSamples = (int) (recognizer.windowBreakPauseMs() * RATE / 1000);
        this.keep = VoiceActivity.settleSamples(vadConfig);
        this.partialInterval = samples(config.partialIntervalMs());
        this.partialMaxLag = samples(config.partialMaxLagMs());
        this.endSilence = samples(config.endSilenceMs());
        this.maxSegment = samples(config.maxSegmentMs());
        this.cutSearch = samples(config.cutSearchMs());
        this.maxBacklog = samples(config.maxBacklogMs());
        this.maxSamples = asr.maxDuration().toMillis() * RATE / 1000;
        this.scorer = vad.scorer();
        this.worker = Thread.ofPlatform().name("mededge-stream-" + IDS.incrementAndGet()).daemon(true).unstarted(this::run);
    }

    /**
     * Starts a stream on these engines; {@link Dictation#stream} calls it with its own.
     *
     * @param prompt the specialty's initial prompt (checked by the caller)
     */
    public static StreamingDictation start(Dictation dictation, SileroVad vad, SpeechRecognizer recognizer, SegmentGuards guards,
                                           AsrConfig asr, AsrOptions options, String prompt, StreamConfig config,
                                           Listener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener");
        }
        StreamingDictation s = new StreamingDictation(dictation, vad, recognizer, guards, asr, options, prompt, config, listener);
        s.worker.start();
        return s;
    }

    /**
     * Takes the next chunk of 16 kHz mono samples in [-1, 1] (copied; the caller may reuse the array).
     * Never waits for the recognizer.
     *
     * @throws AsrException ASR_STREAM_OVERRUN when more than maxBacklogMs of audio would wait to be
     *                      processed (the chunk is not kept: send at real-time pace, resend it later);
     *                      ASR_AUDIO_TOO_LONG past the engine's maximum duration; ASR_AUDIO_UNREADABLE for
     *                      samples that are not numbers; the stream's failure once it failed
     * @throws IllegalStateException after stop() or close()
     */
    public void accept(float[] chunk) {
        admit(chunk.length);
        for (float v : chunk) {
            if (!Float.isFinite(v)) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the audio holds samples that are not numbers (NaN or"
                        + " infinite): the encoder is broken; restart the recording");
            }
        }
        enqueue(chunk.clone());
    }

    /**
     * Takes the next bytes of 16-bit little-endian mono PCM at {@code sampleRate} (8-48 kHz, the same
     * for the whole stream), resampled to 16 kHz as batch dictation resamples an upload; a trailing odd
     * byte waits for its pair. Otherwise as {@link #accept(float[])}.
     *
     * @throws AsrException ASR_OPTION_INVALID for an unsupported rate or one that changed mid-stream
     */
    public void acceptPcm16(byte[] pcm16, int offset, int length, int sampleRate) {
        if (pcm == null) {
            pcm = new Pcm16Input(sampleRate);
        } else if (pcm.rate() != sampleRate) {
            throw new AsrException(AsrError.ASR_OPTION_INVALID, "the stream's PCM is at " + pcm.rate() + " Hz; a chunk at "
                    + sampleRate + " Hz cannot join it");
        }
        admit(pcm.outputSamples(length + 1L));   // checked before the resampler takes the bytes
        float[] out = pcm.push(pcm16, offset, length);
        if (out.length > 0) {
            enqueue(out);
        }
    }

    private void admit(long samples) {
        if (stopped) {
            throw new IllegalStateException("the stream was stopped");
        }
        AsrException f = failure;
        if (f != null) {
            throw f;
        }
        if (accepted + samples > maxSamples) {
            throw new AsrException(AsrError.ASR_AUDIO_TOO_LONG, "the dictation has reached the configured maximum of "
                    + maxSamples / RATE + " s; stop it and start another");
        }
        long waiting = backlog.get();
        if (waiting + samples > maxBacklog) {
            throw new AsrException(AsrError.ASR_STREAM_OVERRUN, "audio arrives faster than it is recognized: "
                    + waiting * 1000 / RATE + " ms wait already (at most " + maxBacklog * 1000 / RATE
                    + " ms); send audio at real-time pace; this chunk was not kept, resend it after a pause");
        }
    }

    private void enqueue(float[] samples) {
        accepted += samples.length;
        backlog.addAndGet(samples.length);
        queue.add(new Chunk(samples, System.nanoTime()));
    }

    /**
     * Ends the stream: processes what was accepted, finishes the open segment as final, and returns the
     * transcript batch dictation gives for the same audio (segments, text joined and post-processed the
     * same way, language, model). Waits for the worker (it decodes the last segment). Safe to call
     * twice; the second call returns the same transcript.
     *
     * @throws AsrException the stream's failure, when it failed ({@link #finals()} still holds the finals so far)
     */
    public Transcript stop() {
        if (!stopped) {
            stopped = true;
            if (pcm != null) {
                float[] rest = pcm.flush();
                if (rest.length > 0) {
                    accepted += rest.length;
                    backlog.addAndGet(rest.length);
                    queue.add(new Chunk(rest, System.nanoTime()));
                }
            }
            queue.add(new Chunk(END, System.nanoTime()));
        }
        join();
        AsrException f = failure;
        if (f != null) {
            throw f;
        }
        return dictation.transcript(finals, Math.round(accepted * 1000.0 / RATE), options);
    }

    /** The final segments delivered so far, in order (thread-safe). */
    public List<Segment> finals() {
        return List.copyOf(finals);
    }

    /** Audio accepted but not yet processed, in ms. */
    public long backlogMs() {
        return backlog.get() * 1000 / RATE;
    }

    /** Abandons the stream without finishing the open segment (no more events); frees it. Safe twice. */
    @Override
    public void close() {
        stopped = true;
        if (worker.isAlive()) {
            cancelled = true;
            queue.clear();
            queue.add(new Chunk(END, System.nanoTime()));
            worker.interrupt();   // a final waiting for a decoder state gives up
        }
        join();
    }

    private void join() {
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AsrException(AsrError.ASR_FAILED, "interrupted while finishing the dictation");
        }
    }

    // ---- the worker ----

    private void run() {
        try (scorer) {
            while (true) {
                Chunk c = queue.take();
                if (cancelled) {
                    return;
                }
                if (c.samples() == END) {
                    long t0 = System.nanoTime();
                    finish(c.acceptedNanos());
                    account(t0);
                    return;
                }
                // the chunk leaves the backlog as it joins the open segment's audio (bounded by maxSegmentMs)
                backlog.addAndGet(-c.samples().length);
                long t0 = System.nanoTime();
                ingest(c);
                account(t0);
            }
        } catch (InterruptedException e) {
            fail(new AsrException(AsrError.ASR_FAILED, "the dictation was interrupted"));
        } catch (AsrException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new AsrException(AsrError.ASR_FAILED, "the live dictation failed: " + e.getClass().getSimpleName(), e));
        }
    }

    private void account(long t0) {
        busyNanos += System.nanoTime() - t0;
        stats = new Stats(Math.round((base + len) * 1000.0 / RATE), ms(busyNanos), decodeMs, queueMs, partials, partialsSkipped,
                finalCount);
    }

    /** What the stream has done so far (thread-safe; updated after each chunk). */
    public Stats stats() {
        return stats;
    }

    private void fail(AsrException e) {
        failure = e;
        if (!cancelled) {
            try {
                listener.failed(e);
            } catch (RuntimeException ignored) {
                // the stream has failed already; a listener that fails as well changes nothing
            }
        }
    }

    /** Appends the chunk, scores the frames now complete, and acts on what the VAD says. */
    private void ingest(Chunk c) {
        float[] x = c.samples();
        if (len + x.length > audio.length) {
            audio = Arrays.copyOf(audio, Math.max(len + x.length, audio.length * 2));
        }
        System.arraycopy(x, 0, audio, len, x.length);
        len += x.length;
        if (probs.length < len / FRAME + 1) {
            probs = Arrays.copyOf(probs, Math.max(len / FRAME + 1, probs.length * 2));
        }
        while ((frames + 1) * FRAME <= len) {
            probs[frames] = scorer.next(audio, frames * FRAME);
            frames++;
        }
        step(frames * FRAME, false, c.acceptedNanos());
    }

    /** The stream's end: the last partial frame is scored zero-padded, as batch scores a clip's last frame. */
    private void finish(long stoppedNanos) {
        if (frames * FRAME < len) {
            probs[frames] = scorer.next(Arrays.copyOfRange(audio, frames * FRAME, len), 0);
            frames++;
        }
        step(len, true, stoppedNanos);
    }

    /**
     * One decision on the audio scored so far ({@code scored} samples of the buffer): end the open
     * segment (silence after it, the stream's end), cut it (too long), or decode a partial of it.
     */
    private void step(int scored, boolean end, long acceptedNanos) {
        VoiceActivity va = VoiceActivity.of(Arrays.copyOf(probs, frames), scored, vadConfig);
        List<SpeechRegion> regions = va.regions();
        if (regions.isEmpty()) {
            // (a burst that looked like speech for a moment and proved shorter than minSpeechMs leaves nothing)
            resetSegment();
            if (!end) {
                trimTo(scored - keep);
            }
            return;
        }
        if (segmentStart < 0) {
            segmentStart = base + regions.get(0).start();
            lastPartialAt = segmentStart;
            agreement = new LocalAgreement();
            lastPartial = null;
        }
        SpeechRegion last = regions.get(regions.size() - 1);
        if (end || scored - last.end() >= endSilence) {
            finalizeSegment(va, base + scored, acceptedNanos);
            if (!end) {
                // never keep a sliver of the finalized speech: it would be heard again
                trimTo(Math.max(scored - keep, (last.end() + FRAME - 1) / FRAME * FRAME));
            }
        } else if (base + scored - segmentStart >= maxSegment) {
            int cut = quietestFrame(Math.max((int) (segmentStart - base) + FRAME, scored - cutSearch), scored);
            finalizeSegment(VoiceActivity.of(Arrays.copyOf(probs, cut / FRAME), cut, vadConfig), base + cut, acceptedNanos);
            trimTo(cut);
        } else if (base + scored - lastPartialAt >= partialInterval) {
            if (backlog.get() <= partialMaxLag && recognizer.statesInUse() < recognizer.states()) {
                lastPartialAt = base + scored;
                partial(va, scored, acceptedNanos);
            } else {
                partialsSkipped++;   // tried again after the next chunk
            }
        }
    }

    private void partial(VoiceActivity va, int scored, long acceptedNanos) {
        List<SpeechRegion> windows = va.windows(maxWindow, breakSamples);
        List<Segment> segments = guards.apply(windows, decode(windows), va);
        String text = dictation.transcript(segments, 0, options).text();
        LocalAgreement.Split split = agreement.update(text);
        Partial p = new Partial(segmentStart * 1000 / RATE, (base + scored) * 1000 / RATE, split.stable(), split.tentative(),
                ms(System.nanoTime() - acceptedNanos));
        if ((lastPartial == null && p.text().isEmpty()) || (lastPartial != null && lastPartial.stable().equals(p.stable())
                && lastPartial.tentative().equals(p.tentative()))) {
            return;    // nothing heard yet, or nothing new
        }
        lastPartial = p;
        if (!cancelled) {
            partials++;
            listener.partial(p);
        }
    }

    private void finalizeSegment(VoiceActivity va, long endpoint, long acceptedNanos) {
        List<SpeechRegion> windows = va.windows(maxWindow, breakSamples);
        List<Segment> segments = guards.apply(windows, decode(windows), va);
        long baseMs = base * 1000 / RATE;  // exact: base is a multiple of 512 samples = 32 ms
        for (Segment s : segments) {
            // the guards drop a segment repeating the one before within one decode; this does it across segments
            String key = s.text().toLowerCase(Locale.ROOT).replaceAll("[\\p{P}\\s]", "");
            if (key.equals(lastFinalKey)) {
                continue;
            }
            lastFinalKey = key;
            Segment abs = new Segment(s.startMs() + baseMs, s.endMs() + baseMs, s.text(), s.avgLogProb(), s.noSpeechProb(),
                    s.lowConfidence());
            finals.add(abs);
            finalCount++;
            if (!cancelled) {
                listener.finalSegment(new Final(abs, endpoint * 1000 / RATE, ms(System.nanoTime() - acceptedNanos)));
            }
        }
        resetSegment();
    }

    private void resetSegment() {
        decoded.clear();
        segmentStart = -1;
        agreement = null;
        lastPartial = null;
    }

    /** What the recognizer hears in each window; windows decoded before (the same span) are not decoded again. */
    private List<List<RawSegment>> decode(List<SpeechRegion> windows) {
        List<SpeechRegion> missing = new ArrayList<>();
        for (SpeechRegion w : windows) {
            if (!decoded.containsKey(w)) {
                missing.add(w);
            }
        }
        if (!missing.isEmpty()) {
            // one decoder state borrowed for this decode only
            SpeechRecognizer.Recognition r = recognizer.recognize(audio, missing.iterator(), options, prompt);
            decodeMs += r.recognizeMs();
            queueMs += r.queueWaitMs();
            for (int i = 0; i < missing.size(); i++) {
                decoded.put(missing.get(i), r.windows().get(i));
            }
        }
        decoded.keySet().retainAll(windows);
        return windows.stream().map(decoded::get).toList();
    }

    /** The start of the least speech-like frame whose start lies in [from, to) (buffer samples). */
    private int quietestFrame(int from, int to) {
        int best = to - FRAME;
        float lowest = Float.MAX_VALUE;
        for (int f = (from + FRAME - 1) / FRAME; f * FRAME < to && f < frames; f++) {
            if (probs[f] < lowest) {
                lowest = probs[f];
                best = f * FRAME;
            }
        }
        return best;
    }

    /** Forgets the audio before buffer sample {@code at} (rounded down to a frame); only outside an open segment or at a cut. */
    private void trimTo(int at) {
        int drop = Math.min(Math.max(0, at) / FRAME, frames) * FRAME;
        if (drop == 0) {
            return;
        }
        System.arraycopy(audio, drop, audio, 0, len - drop);
        len -= drop;
        System.arraycopy(probs, drop / FRAME, probs, 0, frames - drop / FRAME);
        frames -= drop / FRAME;
        base += drop;
        decoded.clear();   // spans are relative to the buffer
    }

    private static int samples(int ms) {
        return (int) ((long) ms * RATE / 1000);
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
