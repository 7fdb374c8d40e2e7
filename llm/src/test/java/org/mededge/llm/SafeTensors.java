package org.mededge.llm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads float32 tensors from a .safetensors file (as PEFT and Hugging Face save them); test helper. */
final class SafeTensors {
    record Tensor(long[] shape, float[] data) {
        int rows() {
            return (int) shape[0];
        }

        int cols() {
            return (int) shape[1];
        }
    }

    private SafeTensors() {
    }

    static Map<String, Tensor> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(b.array(), 8, n, StandardCharsets.UTF_8));
        Map<String, Tensor> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            if (!e.getValue().get("dtype").asText().equals("F32")) {
                throw new IOException(e.getKey() + " is not F32");
            }
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            int begin = e.getValue().get("data_offsets").get(0).asInt();
            int end = e.getValue().get("data_offsets").get(1).asInt();
            float[] data = new float[(end - begin) / 4];
            b.position(8 + n + begin);
            b.asFloatBuffer().get(data);
            out.put(e.getKey(), new Tensor(shape, data));
        }
        return out;
    }
}
