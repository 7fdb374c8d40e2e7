package org.mededge.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.mededge.llm.ort.OrtTextGenerator;

/** Generation on the tiny decoder: greedy and seeded sampling, stop strings, streaming, limits, deadline, cancellation. */
class GenerationTest {
    private static OrtTextGenerator engine;

    @BeforeAll
    static void load() {
        engine = TinyModels.load(TinyModels.FP32);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static GenerationRequest base(int max) {
        return GenerationRequest.of("You are a clinical scribe.", "Patient reports chest pain for three hours.", max);
    }

    @Test
    void greedyIsDeterministicAndStopsAtMaxNewTokens() {
        Generation a = engine.generate(base(40));
        Generation b = engine.generate(base(40));
        assertEquals(a.text(), b.text());
        assertTrue(a.finishReason() == FinishReason.LENGTH || a.finishReason() == FinishReason.STOP, a.toString());
        if (a.finishReason() == FinishReason.LENGTH) {
            assertEquals(40, a.generatedTokens());
        }
        assertEquals(engine.promptIds("You are a clinical scribe.", "Patient reports chest pain for three hours.").length,
                a.promptTokens());
        assertTrue(a.timeToFirstTokenMs() <= a.totalMs());
        assertFalse(a.text().isEmpty());
    }

    @Test
    void samplingIsReproducibleWithASeedAndVariesAcrossSeeds() {
        Set<String> texts = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) {
            Sampling s = new Sampling(1.0, 0.95, 50, 1.1, seed);
            String first = engine.generate(base(30).withSampling(s)).text();
            assertEquals(first, engine.generate(base(30).withSampling(s)).text(), "seed " + seed + " reproduces");
            texts.add(first);
        }
        assertTrue(texts.size() >= 4, "different seeds give different samples: " + texts.size());
        assertFalse(texts.contains(engine.generate(base(30)).text()) && texts.size() == 1);
    }

    @Test
    void topKOfOneIsGreedy() {
        String greedy = engine.generate(base(25)).text();
        assertEquals(greedy, engine.generate(base(25).withSampling(new Sampling(0.8, 1.0, 1, 1.0, 42))).text());
    }

    @Test
    void repetitionPenaltyChangesTheOutput() {
        String plain = engine.generate(base(60)).text();
        String penalized = engine.generate(base(60).withSampling(new Sampling(0, 1, 0, 1.8, 0))).text();
        assertFalse(plain.equals(penalized), "a strong repetition penalty changes a 60-token greedy output");
    }

    @Test
    void stopStringsCutTheTextEvenAcrossTokensAndAreNeverStreamed() {
        String full = engine.generate(base(60)).text();
        assertTrue(full.length() > 20, full);
        String stop = full.substring(12, 16);
        int at = full.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        Generation g = engine.generate(base(60).withStop(List.of("never-appears", stop)).withOnToken(streamed::append));
        assertEquals(FinishReason.STOP, g.finishReason());
        assertEquals(full.substring(0, at), g.text());
        assertEquals(g.text(), streamed.toString(), "streamed pieces add up to the text, without the stop string");
    }

    @Test
    void streamedPiecesConcatenateToTheText() {
        List<String> pieces = new ArrayList<>();
        Generation g = engine.generate(base(50).withOnToken(pieces::add));
        assertEquals(g.text(), String.join("", pieces));
        assertTrue(pieces.size() > 5, "streamed in pieces: " + pieces.size());
    }

    @Test
    void theDeadlineEndsAGenerationWithWhatItHas() {
        long t0 = System.nanoTime();
        Generation g = engine.generate(base(1900).withDeadline(Duration.ofMillis(150)));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(FinishReason.DEADLINE, g.finishReason(), g.toString());
        assertTrue(g.generatedTokens() < 1900);
        assertTrue(ms < 5000, "stopped promptly: " + ms + " ms");
    }

    @Test
    void cancellationFromAnotherThreadStopsTheGeneration() throws Exception {
        Cancellation cancel = new Cancellation();
        AtomicInteger pieces = new AtomicInteger();
        Generation g = engine.generate(base(1900).withCancellation(cancel).withOnToken(p -> {
            if (pieces.incrementAndGet() == 5) {
                Thread t = new Thread(cancel::cancel);
                t.start();
            }
        }));
        assertEquals(FinishReason.CANCELLED, g.finishReason());
        assertTrue(g.generatedTokens() < 1900);
        Cancellation already = new Cancellation();
        already.cancel();
        Generation none = engine.generate(base(50).withCancellation(already));
        assertEquals(FinishReason.CANCELLED, none.finishReason());
        assertEquals("", none.text());
    }

    @Test
    void aFailingStreamConsumerCancelsInsteadOfCrashing() {
        Generation g = engine.generate(base(100).withOnToken(p -> {
            throw new IllegalStateException("client went away");
        }));
        assertEquals(FinishReason.CANCELLED, g.finishReason());
    }

    @Test
    void tooLongAPromptOrTooManyTokensAreRefusedWithTheNumbers() {
        String note = "The patient reports chest pain radiating to the left arm. ".repeat(300);
        LlmException e = assertThrows(LlmException.class, () -> engine.generate(GenerationRequest.of(null, note, 100)));
        assertEquals(LlmError.LLM_INVALID_REQUEST, e.error());
        assertTrue(e.getMessage().contains("at most 2048"), e.getMessage());
        LlmException big = assertThrows(LlmException.class, () -> engine.generate(base(5000)));
        assertTrue(big.getMessage().contains("limit of 2048"), big.getMessage());
    }

    @Test
    void closedEngineRefusesWork() {
        OrtTextGenerator g = TinyModels.load(TinyModels.INT8);
        assertFalse(g.generate(base(5)).text().isEmpty());
        g.close();
        g.close();
        assertThrows(LlmException.class, () -> g.generate(base(5)));
    }
}
