package org.mededge.asr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.mededge.asr.audio.Resampler;
import org.mededge.asr.audio.SileroVad;
import org.mededge.asr.audio.WavDecoder;
import org.mededge.asr.stream.StreamConfig;
import org.mededge.asr.stream.StreamingDictation;
import org.mededge.asr.text.DictationText;
import org.mededge.asr.whisper.WhisperRecognizer;

/**
 * Live dictation with the real engines: Silero VAD and the project's demo Whisper, on the committed
 * held-out dictations (firmware-scripts/models/demo/heldout, 7-12 s each, two utterances with a pause)
 * and jfk-en.wav, fed in 100 ms chunks. The stream must give the transcript batch dictation gives for
 * the same audio, with partials before the end that only ever add stable words.
 */
class StreamingDictationTest {
    private static final int CHUNK = 1600;   // 100 ms
    private static final AsrOptions EN = new AsrOptions("en", "general", 1, true);
    private static final AsrOptions ZH = new AsrOptions("zh", "general", 1, true);
    /** every partial decoded, however fast the audio comes: the events do not depend on the machine's speed */
    private static final StreamConfig EVERY_PARTIAL = StreamConfig.defaults().withPartials(500, 120_000);

    private static SileroVad vad;
    private static WhisperRecognizer whisper;
    private static Dictation dictation;
    private static String skip;

    @BeforeAll
    static void load() {
        TestAudio.Installed i = TestAudio.install("silero-vad", "whisper-demo");
        if (i.exit() != 0) {
            skip = "whisper-demo is not installable; streaming tests skipped:\n" + i.output();
            return;
        }
        AsrConfig config = AsrConfig.defaults().withPool(1, 2, Duration.ofSeconds(120));
        vad = SileroVad.load(i.model("silero-vad", "6.2").resolve("silero_vad.onnx"));
        whisper = WhisperRecognizer.load(TestEngines.whisperSpec(i.model("whisper-demo", "4")), config);
        dictation = new Dictation(config, vad, whisper, DictationText.load(null));
    }

    @BeforeEach
    void demoModelInstalled() {
        assumeTrue(skip == null, skip);
    }

    @AfterAll
    static void close() {
        if (dictation != null) {
            dictation.close();
        }
    }

    /** Every event of a stream, in order, with the time it arrived. */
    static final class Recorder implements StreamingDictation.Listener {
        final List<Object> events = new CopyOnWriteArrayList<>();
        final List<Long> arrivals = new CopyOnWriteArrayList<>();
        volatile AsrException failure;

        @Override
        public void partial(StreamingDictation.Partial p) {
            events.add(p);
            arrivals.add(System.nanoTime());
        }

        @Override
        public void finalSegment(StreamingDictation.Final f) {
            events.add(f);
            arrivals.add(System.nanoTime());
        }

        @Override
        public void failed(AsrException e) {
            failure = e;
        }

        List<StreamingDictation.Partial> partials() {
            return events.stream().filter(e -> e instanceof StreamingDictation.Partial).map(e -> (StreamingDictation.Partial) e).toList();
        }

        List<Segment> finals() {
            return events.stream().filter(e -> e instanceof StreamingDictation.Final).map(e -> ((StreamingDictation.Final) e).segment())
                    .toList();
        }
    }

    static Path heldout(String name) {
        return TestAudio.repo().resolve("firmware-scripts/models/demo/heldout").resolve(name);
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] samples16k(String heldout) {
        return Resampler.to16k(WavDecoder.decode(bytes(heldout(heldout)), Long.MAX_VALUE)).samples();
    }

    /** Word error rate of {@code hyp} against {@code ref} (words without case and punctuation; Han characters as words), in %. */
    static double wer(String ref, String hyp) {
        List<String> r = units(ref);
        List<String> h = units(hyp);
        int[] prev = new int[h.size() + 1];
        int[] cur = new int[h.size() + 1];
        for (int j = 0; j <= h.size(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= r.size(); i++) {
            cur[0] = i;
            for (int j = 1; j <= h.size(); j++) {
                int sub = prev[j - 1] + (r.get(i - 1).equals(h.get(j - 1)) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return r.isEmpty() ? (h.isEmpty() ? 0 : 100) : 100.0 * prev[h.size()] / r.size();
    }

    static List<String> units(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[\\p{P}]", " ").replaceAll("(\\p{IsHan})", " $1 ");
        return Arrays.stream(t.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    /** Feeds the audio in 100 ms chunks, as fast as accept takes them or at real-time pace; returns the wall time of the last chunk. */
    static long feed(StreamingDictation s, float[] audio, boolean realTime) throws InterruptedException {
        long t0 = System.nanoTime();
        long last = t0;
        for (int at = 0; at < audio.length; at += CHUNK) {
            int end = Math.min(audio.length, at + CHUNK);
            if (realTime) {
                long due = t0 + (long) end * 1_000_000_000L / 16000;   // a microphone's chunk exists once spoken
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            last = System.nanoTime();
            s.accept(Arrays.copyOfRange(audio, at, end));
        }
        return last;
    }

    /** The properties every stream's events must have, whatever the audio. */
    static void assertWellFormed(Recorder r, Transcript t) {
        String stable = "";
        long segment = -1;
        long finalEnd = 0;
        String previousFinal = null;
        for (Object e : r.events) {
            if (e instanceof StreamingDictation.Partial p) {
                if (p.segmentStartMs() != segment) {
                    segment = p.segmentStartMs();
                    stable = "";
                    assertTrue(segment >= finalEnd, "a partial of a segment that starts before the last final ends: " + p);
                }
                assertTrue(p.stable().startsWith(stable), "stable text changed: '" + stable + "' -> '" + p.stable() + "'");
                stable = p.stable();
            } else {
                Segment s = ((StreamingDictation.Final) e).segment();
                assertTrue(s.startMs() >= finalEnd, "finals overlap or go back in time: " + r.finals());
                assertTrue(s.endMs() >= s.startMs());
                assertFalse(s.text().equals(previousFinal), "the same final text sent twice: " + s.text());
                previousFinal = s.text();
                assertFalse(s.text().isBlank());
                finalEnd = s.endMs();
                segment = -1;
            }
        }
        assertEquals(r.finals(), t.segments(), "stop() gives the finals delivered");
        assertTrue(finalEnd <= t.durationMs());
    }

    private void streamedEqualsBatch(String clip, AsrOptions options) throws Exception {
        float[] audio = samples16k(clip);
        Transcript batch = dictation.transcribe(bytes(heldout(clip)), "audio/wav", options).transcript();
        Recorder r = new Recorder();
        Transcript streamed;
        try (StreamingDictation s = dictation.stream(options, EVERY_PARTIAL, r)) {
            feed(s, audio, false);
            streamed = s.stop();
        }
        assertWellFormed(r, streamed);
        assertEquals(r.finals().size(), new HashSet<>(r.finals().stream().map(Segment::text).toList()).size(),
                "no final text twice: " + r.finals());
        long durationMs = audio.length * 1000L / 16000;
        System.out.printf(Locale.ROOT, "%s: %d partials, %d finals%n  batch:    %s%n  streamed: %s%n", clip, r.partials().size(),
                r.finals().size(), batch.text(), streamed.text());
        assertTrue(r.partials().stream().anyMatch(p -> p.audioMs() < durationMs && !p.text().isEmpty()),
                "a partial heard before the end of the audio");
        double wer = wer(batch.text(), streamed.text());
        assertTrue(wer <= 2.0, "streamed vs batch WER " + wer + " %");
        assertEquals(batch.language(), streamed.language());
        assertEquals(batch.durationMs(), streamed.durationMs());
        assertEquals(batch.model(), streamed.model());
        assertNotNull(streamed.text());
    }

    @Test
    void englishHeldOutDictationsStreamedAsFastAsPossibleGiveTheBatchTranscript() throws Exception {
        for (int i = 1; i <= 4; i++) {
            streamedEqualsBatch("heldout-en-" + i + ".wav", EN);
        }
    }

    @Test
    void mandarinHeldOutDictationsStreamedGiveTheBatchTranscript() throws Exception {
        for (int i = 1; i <= 4; i++) {
            streamedEqualsBatch("heldout-zh-" + i + ".wav", ZH);
        }
    }

    /** A short clip at the pace of a microphone, with the default settings: text appears while the audio still comes. */
    @Test
    void atRealTimePaceAPartialArrivesBeforeTheLastChunkIsSent() throws Exception {
        String clip = "heldout-en-1.wav";
        float[] audio = samples16k(clip);
        Transcript batch = dictation.transcribe(bytes(heldout(clip)), "audio/wav", EN).transcript();
        Recorder r = new Recorder();
        long lastChunk;
        Transcript streamed;
        try (StreamingDictation s = dictation.stream(EN, r)) {
            lastChunk = feed(s, audio, true);
            streamed = s.stop();
        }
        assertWellFormed(r, streamed);
        for (int i = 0; i < r.events.size(); i++) {
            System.out.printf(Locale.ROOT, "  +%5d ms  %s%n", (r.arrivals.get(i) - lastChunk) / 1_000_000, r.events.get(i));
        }
        assertFalse(r.partials().isEmpty());
        int first = r.events.indexOf(r.partials().get(0));
        assertTrue(r.arrivals.get(first) < lastChunk, "the first partial arrived only after the last chunk");
        assertTrue(r.events.get(0) instanceof StreamingDictation.Partial, "a partial before the first final");
        assertTrue(wer(batch.text(), streamed.text()) <= 2.0, batch.text() + " | " + streamed.text());
        // two utterances 0.74 s apart: one stream segment (the pause is shorter than endSilenceMs), two recognition
        // windows (the demo model's windows end at 700 ms pauses), so two finals, as batch has two segments
        assertEquals(batch.segments().size(), r.finals().size(), r.finals().toString());
    }

    @Test
    void silenceAndNoiseGiveNoPartialsAndNoFinals() throws Exception {
        float[] quiet = new float[16000 * 4];
        float[] noise = TestAudio.noise(0.2, 16000, 4, 11);
        for (float[] audio : new float[][] {quiet, noise}) {
            Recorder r = new Recorder();
            Transcript t;
            try (StreamingDictation s = dictation.stream(EN, EVERY_PARTIAL, r)) {
                feed(s, audio, false);
                t = s.stop();
            }
            assertEquals(List.of(), r.events);
            assertEquals("", t.text());
            assertEquals(List.of(), t.segments());
            assertEquals(4000, t.durationMs());
        }
    }

    /** Speech between long silences: each utterance is final on its own, and the silence costs nothing. */
    @Test
    void longSilencesBetweenUtterancesEndSegments() throws Exception {
        float[] speech = samples16k("heldout-en-3.wav");
        float[] audio = new float[speech.length * 2 + 16000 * 6];
        System.arraycopy(speech, 0, audio, 16000 * 3, speech.length);
        System.arraycopy(speech, 0, audio, 16000 * 6 + speech.length, speech.length);
        Recorder r = new Recorder();
        Transcript t;
        try (StreamingDictation s = dictation.stream(EN, EVERY_PARTIAL, r)) {
            feed(s, audio, false);
            t = s.stop();
        }
        assertWellFormed(r, t);
        long endpointsBeforeTheEnd = r.events.stream().filter(e -> e instanceof StreamingDictation.Final f
                && f.endpointMs() < audio.length / 16 - 2000).count();
        assertTrue(endpointsBeforeTheEnd >= 2, "the first utterance's finals came at its end of speech: " + r.events);
        Transcript once = dictation.transcribe(bytes(heldout("heldout-en-3.wav")), "audio/wav", EN).transcript();
        assertTrue(r.finals().get(0).startMs() >= 2900, "times count from the stream's start: " + r.finals());
        assertTrue(r.finals().get(r.finals().size() - 1).startMs() > 6000 + speech.length / 16, r.finals().toString());
        // the same words twice; the second time after 3 s of silence
        assertTrue(wer(once.text() + " " + once.text(), t.text()) <= 2.0, t.text());
    }

    /** A segment that reaches maxSegmentMs is cut at a quiet frame; nothing is lost or finalized twice. */
    @Test
    void aTooLongSegmentIsCutAndEveryFinalStaysUnderTheLimit() throws Exception {
        float[] audio = samples16k("heldout-en-2.wav");   // 10 s, one pause of about 0.8 s
        Recorder r = new Recorder();
        Transcript t;
        try (StreamingDictation s = dictation.stream(EN, EVERY_PARTIAL.withMaxSegment(5000, 2500), r)) {
            feed(s, audio, false);
            t = s.stop();
        }
        assertWellFormed(r, t);
        assertTrue(r.finals().size() >= 2, r.finals().toString());
        for (Segment seg : r.finals()) {
            assertTrue(seg.endMs() - seg.startMs() <= 5200, seg.toString());
        }
        Transcript batch = dictation.transcribe(bytes(heldout("heldout-en-2.wav")), "audio/wav", EN).transcript();
        System.out.println("cut at 5 s: " + t.text() + "\n   batch:  " + batch.text());
        // a cut where batch has none may change a word or two at the cut, not more
        assertTrue(wer(batch.text(), t.text()) <= 25.0, t.text());
    }

    /** 16-bit PCM at 44.1 kHz, as a client sends it, in pieces of odd sizes: the transcript of the same WAV uploaded. */
    @Test
    void pcm16At44kIsResampledAsAnUploadIs() throws Exception {
        float[] at16 = WavDecoder.decode(bytes(heldout("heldout-en-4.wav")), Long.MAX_VALUE).samples();
        float[] at44 = Resampler.resample(new AudioClip(at16, 16000), 44_100).samples();
        ByteBuffer pcm = ByteBuffer.allocate(at44.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : at44) {
            pcm.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        byte[] bytes = pcm.array();
        byte[] wav = wavOf(bytes, 44_100);
        Transcript batch = dictation.transcribe(wav, "audio/wav", EN).transcript();
        Recorder r = new Recorder();
        Transcript streamed;
        try (StreamingDictation s = dictation.stream(EN, EVERY_PARTIAL, r)) {
            int at = 0;
            for (int n = 0; at < bytes.length; n++) {
                int size = Math.min(bytes.length - at, 8821 + 2 * (n % 3));   // about 100 ms, odd byte counts
                s.acceptPcm16(bytes, at, size, 44_100);
                at += size;
            }
            AsrException other = assertThrows(AsrException.class, () -> s.acceptPcm16(new byte[4], 0, 4, 48_000));
            assertEquals(AsrError.ASR_OPTION_INVALID, other.error(), "the rate is the stream's");
            streamed = s.stop();
        }
        assertWellFormed(r, streamed);
        assertEquals(batch.durationMs(), streamed.durationMs());
        assertTrue(wer(batch.text(), streamed.text()) <= 2.0, batch.text() + " | " + streamed.text());
    }

    private static byte[] wavOf(byte[] pcm16, int rate) {
        ByteBuffer b = ByteBuffer.allocate(44 + pcm16.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + pcm16.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(pcm16.length).put(pcm16);
        return b.array();
    }

    /** Audio sent far faster than it is processed is refused beyond the bound, with a stable code; the stream goes on. */
    @Test
    void aFloodBeyondTheBacklogBoundIsRefused() throws Exception {
        float[] jfk = TestAudio.pcm16k("jfk-en.wav");
        Recorder r = new Recorder();
        try (StreamingDictation s = dictation.stream(EN, StreamConfig.defaults().withMaxBacklogMs(3000), r)) {
            AsrException refused = null;
            long sent = 0;
            for (int i = 0; i < 600 && refused == null; i++) {   // up to 60 s of speech at once
                int at = (i * CHUNK) % (jfk.length - CHUNK);
                try {
                    s.accept(Arrays.copyOfRange(jfk, at, at + CHUNK));
                    sent += CHUNK;
                } catch (AsrException e) {
                    refused = e;
                }
            }
            long waiting = s.backlogMs();
            assertNotNull(refused, "60 s of audio at once were all taken");
            assertEquals(AsrError.ASR_STREAM_OVERRUN, refused.error());
            assertEquals(429, refused.error().status());
            assertTrue(waiting <= 3000, "the backlog stays within its bound: " + waiting + " ms");
            assertTrue(sent < 16000 * 20, "refused long before 60 s: " + sent / 16 + " ms taken");
            System.out.println("flood: " + sent / 16 + " ms taken, then refused: " + refused.getMessage());
            // once the worker caught up, audio is taken again
            for (int i = 0; i < 300 && s.backlogMs() > 500; i++) {
                Thread.sleep(50);
            }
            s.accept(new float[CHUNK]);
            s.stop();
        }
        assertEquals(null, r.failure);
    }

    @Test
    void misuseIsRefused() {
        Recorder r = new Recorder();
        StreamingDictation s = dictation.stream(EN, r);
        assertEquals(AsrError.ASR_AUDIO_UNREADABLE, assertThrows(AsrException.class,
                () -> s.accept(new float[] {0f, Float.NaN})).error());
        assertEquals(AsrError.ASR_OPTION_INVALID, assertThrows(AsrException.class, () -> s.acceptPcm16(new byte[2], 0, 2, 96_000))
                .error());
        s.stop();
        assertThrows(IllegalStateException.class, () -> s.accept(new float[10]));
        s.close();
        s.close();
        assertEquals(AsrError.ASR_OPTION_INVALID, assertThrows(AsrException.class,
                () -> dictation.stream(EN.with(null, "dermatology"), r)).error(), "options are checked when the stream opens");
    }

    /** The incremental VAD scores a recording in chunks exactly as batch scores it whole. */
    @Test
    void chunkedVadScoresEqualBatchScores() {
        float[] jfk = TestAudio.pcm16k("jfk-en.wav");
        float[] whole = vad.probabilities(jfk);
        float[] chunked = new float[whole.length];
        try (SileroVad.Scorer s = vad.scorer()) {
            int f = 0;
            for (; (f + 1) * SileroVad.FRAME <= jfk.length; f++) {
                chunked[f] = s.next(jfk, f * SileroVad.FRAME);
            }
            if (f < whole.length) {
                chunked[f] = s.next(Arrays.copyOfRange(jfk, f * SileroVad.FRAME, jfk.length), 0);
            }
        }
        assertArrayEquals(whole, chunked);
    }
}
