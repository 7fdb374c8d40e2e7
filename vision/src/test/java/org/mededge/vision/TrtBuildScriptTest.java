package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.mededge.vision.io.TestFiles;
import org.mededge.vision.tensorrt.TensorRtBackends;

/**
 * firmware-scripts/build-trt-engine.sh without a GPU: a stand-in trtexec records its arguments and
 * writes a plan, so the naming per compute capability, the checksum file the gateway checks, the
 * shapes taken from model.yaml, and the "nothing replaced unless it succeeds" rule are all real.
 */
class TrtBuildScriptTest {
    record Run(int exit, String output) {
    }

    private static Run script(Path model, Path trtexec, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", TestFiles.repo().resolve("firmware-scripts/build-trt-engine.sh").toString(),
                model.toString(), "--trtexec", trtexec.toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MEDEDGE_GPU_CC", "87");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
    }

    private static Path fakeTrtexec(Path dir, boolean succeed) throws IOException {
        Path f = dir.resolve(succeed ? "trtexec-ok" : "trtexec-fails");
        Files.writeString(f, "#!/usr/bin/env bash\n"
                + "echo \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
                + (succeed ? "for a in \"$@\"; do case \"$a\" in --saveEngine=*) printf 'PLAN-BYTES' > \"${a#--saveEngine=}\";; esac; done\nexit 0\n"
                           : "echo '[E] Error: unsupported operator'; exit 3\n"));
        assertTrue(f.toFile().setExecutable(true));
        return f;
    }

    @Test
    void buildsAPlanNamedForTheGpuWithItsChecksum(@TempDir Path tmp) throws Exception {
        Path model = TestModels.install("vision-shapes-demo");
        Path work = Files.createDirectories(tmp.resolve("vision-shapes-demo/1"));
        Files.copy(model.resolve("model.onnx"), work.resolve("model.onnx"));
        Files.copy(model.resolve("model.yaml"), work.resolve("model.yaml"));

        Run ok = script(work, fakeTrtexec(tmp, true));
        assertEquals(0, ok.exit(), ok.output());
        Path plan = work.resolve(TensorRtBackends.planName(8, 7));
        assertEquals("model.sm87.plan", plan.getFileName().toString());
        assertEquals("PLAN-BYTES", Files.readString(plan));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(plan)));
        assertEquals(sha + "  model.sm87.plan\n", Files.readString(work.resolve("model.sm87.plan.sha256")));
        String args = Files.readString(tmp.resolve("args.txt"));
        assertTrue(args.contains("--fp16"), args);
        // model.yaml: input "image", 1x1x64x64, dynamic batch (maxBatch 16): TensorRT gets batch 1
        assertTrue(args.contains("--minShapes=image:1x1x64x64") && args.contains("--maxShapes=image:1x1x64x64"), args);

        Run failed = script(work, fakeTrtexec(tmp, false), "--fp32");
        assertEquals(1, failed.exit(), failed.output());
        assertTrue(failed.output().contains("unsupported operator"), "the trtexec log's tail is shown: " + failed.output());
        assertEquals("PLAN-BYTES", Files.readString(plan), "the previous plan is kept");
        assertFalse(Files.exists(work.resolve("model.sm87.plan.partial")));
    }

    @Test
    void refusesWhatIsNotAnInstalledModel(@TempDir Path tmp) throws Exception {
        Run r = script(tmp, fakeTrtexec(tmp, true));
        assertEquals(2, r.exit());
        assertTrue(r.output().contains("model.onnx not found"), r.output());
    }
}
