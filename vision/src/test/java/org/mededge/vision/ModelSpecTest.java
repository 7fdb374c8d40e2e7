package org.mededge.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.mededge.vision.io.TestFiles;

/** model.yaml declarations: the committed manifests parse; mistakes are refused naming the key. */
class ModelSpecTest {

    private static Map<String, Object> manifest(String name) {
        Map<String, Object> yaml = new HashMap<>(TestModels.yaml(TestFiles.repo().resolve("firmware-scripts/models/manifests/" + name + ".yaml")));
        yaml.put("name", name);
        yaml.put("version", "1");
        yaml.put("files", List.of(Map.of("path", "model.onnx")));
        return yaml;
    }

    @Test
    void theChestXrayManifestDeclaresTorchXrayVisionsContract() {
        ModelSpec s = ModelSpec.from(manifest("xrv-densenet121-res224-all"), Path.of("/x/xrv/1"), null);
        assertTrue(s.clinical());
        assertEquals(18, s.labels().size());
        assertEquals(new ModelSpec.Input("input", 1, 224, 224), s.input());
        assertEquals(ModelSpec.Colour.GREY, s.preprocessing().colour());
        assertEquals(ModelSpec.Resize.CENTRE_CROP, s.preprocessing().resize());
        assertEquals(-1024, s.preprocessing().scale()[0]);
        assertEquals(1024, s.preprocessing().scale()[1]);
        assertEquals(ModelSpec.Activation.SIGMOID, s.postprocessing().activation());
        ModelSpec.Label first = s.labels().get(0);
        assertEquals(new ModelSpec.Label("Atelectasis", "RID28493", 0.07422872), first);
        assertEquals("RID5352", s.labels().get(s.labelIndex("pneumothorax")).radlexId());
        assertTrue(s.labels().get(s.labelIndex("pneumothorax")).critical(), "pneumothorax is declared critical: a red flag");
        assertEquals(1, s.labels().stream().filter(ModelSpec.Label::critical).count());
        assertNull(s.labels().get(s.labelIndex("Cardiomegaly")).radlexId(), "no verified RadLex class: none invented");
    }

    @Test
    void testModelsAreNotClinical() {
        for (String name : new String[] {"mobilenetv2-int8", "mnist", "vision-shapes-demo"}) {
            Map<String, Object> yaml = manifest(name);
            if (name.equals("mobilenetv2-int8")) {
                yaml.put("labels", Map.of("list", List.of(Map.of("name", "a"), Map.of("name", "b"), Map.of("name", "c"),
                        Map.of("name", "d"), Map.of("name", "e"))));
            }
            assertFalse(ModelSpec.from(yaml, Path.of("/x", name, "1"), null).clinical(), name);
        }
        assertEquals("bald eagle", ModelSpec.wordnetName("n01614925 bald eagle, American eagle, Haliaeetus leucocephalus"));
        assertEquals("pelican", ModelSpec.wordnetName("n02051845 pelican"));
    }

    @Test
    void mistakesAreRefusedNamingTheKey() {
        refused(m -> m.put("preprocessing", Map.of("colour", "purple")), "preprocessing.colour 'purple' is not one of");
        refused(m -> m.put("preprocessing", Map.of("colour", "rgb")), "does not fit an input with 1 channel");
        refused(m -> m.put("preprocessing", Map.of("mean", List.of(0.5, 0.5))), "'mean' must be a list of 1 numbers");
        refused(m -> m.put("preprocessing", Map.of("std", List.of(0))), "std must not contain 0");
        refused(m -> m.put("postprocessing", Map.of("activation", "relu")), "postprocessing.activation 'relu'");
        refused(m -> m.put("postprocessing", Map.of("topK", 5)), "topK must be 0..");
        refused(m -> m.remove("labels"), "has no 'labels'");
        refused(m -> m.put("labels", Map.of("list", List.of(Map.of("name", "a", "radlex", "12345")))), "is not a RadLex id");
        refused(m -> m.put("labels", Map.of("list", List.of(Map.of("name", "a", "threshold", 1.5)))), "threshold must be in [0, 1]");
        refused(m -> m.put("inputs", List.of(Map.of("name", "x", "shape", List.of(1, 1, 64)))), "must have 4 dimensions");
        refused(m -> m.put("inputs", List.of(Map.of("name", "x", "shape", List.of(1, 1, 64, 64), "dtype", "float16"))), "float32 only");
        refused(m -> m.put("files", List.of(Map.of("path", "weights.bin"))), "neither an .onnx nor a TorchScript");
    }

    private void refused(java.util.function.Consumer<Map<String, Object>> change, String expected) {
        Map<String, Object> yaml = manifest("vision-shapes-demo");
        change.accept(yaml);
        VisionException e = assertThrows(VisionException.class, () -> ModelSpec.from(yaml, Path.of("/x/m/1"), null));
        assertEquals(VisionError.VISION_MODEL_INVALID, e.error());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("model.yaml of vision-shapes-demo"), e.getMessage());
    }
}
