package org.mededge.llm.ort;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the header of an ONNX Runtime LoRA adapter file (flatbuffers, schema adapter_schema.fbs,
 * identifier "TORT") so that an adapter can be checked against the model before it is loaded:
 * parameter names, element types and shapes. Bounds are checked; a damaged file is refused.
 */
public record AdapterFile(int formatVersion, int adapterVersion, int modelVersion, List<Param> params) {
    /** ONNX element type 1 = float32. */
    public static final int FLOAT = 1;

    public record Param(String name, int dataType, long[] dims, long dataBytes) {
    }

    public static AdapterFile read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (b.limit() < 8 || b.get(4) != 'T' || b.get(5) != 'O' || b.get(6) != 'R' || b.get(7) != 'T') {
                throw new IOException("not an ONNX Runtime adapter file (no \"TORT\" identifier)");
            }
            int root = deref(b, 0);
            int[] f = fields(b, root);
            int format = scalar(b, root, f, 0);
            List<Param> params = new ArrayList<>();
            if (f.length > 3 && f[3] != 0) {
                int vec = deref(b, root + f[3]);
                int count = b.getInt(vec);
                for (int i = 0; i < count; i++) {
                    int t = deref(b, vec + 4 + 4 * i);
                    int[] pf = fields(b, t);
                    String name = pf.length > 0 && pf[0] != 0 ? string(b, deref(b, t + pf[0])) : "";
                    long[] dims = new long[0];
                    if (pf.length > 1 && pf[1] != 0) {
                        int d = deref(b, t + pf[1]);
                        dims = new long[b.getInt(d)];
                        for (int k = 0; k < dims.length; k++) {
                            dims[k] = b.getLong(d + 4 + 8 * k);
                        }
                    }
                    int type = scalar(b, t, pf, 2);
                    long bytes = pf.length > 3 && pf[3] != 0 ? Integer.toUnsignedLong(b.getInt(deref(b, t + pf[3]))) : 0;
                    params.add(new Param(name, type, dims, bytes));
                }
            }
            return new AdapterFile(format, scalar(b, root, f, 1), scalar(b, root, f, 2), List.copyOf(params));
        } catch (IndexOutOfBoundsException | BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException("damaged ONNX Runtime adapter file (an offset points outside it)");
        }
    }

    private static int deref(ByteBuffer b, int at) {
        long target = at + Integer.toUnsignedLong(b.getInt(at));
        if (target >= b.limit()) {
            throw new IndexOutOfBoundsException();
        }
        return (int) target;
    }

    private static int[] fields(ByteBuffer b, int table) {
        int vt = table - b.getInt(table);
        int n = (Short.toUnsignedInt(b.getShort(vt)) - 4) / 2;
        int[] out = new int[Math.max(0, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = Short.toUnsignedInt(b.getShort(vt + 4 + 2 * i));
        }
        return out;
    }

    private static int scalar(ByteBuffer b, int table, int[] f, int i) {
        return i < f.length && f[i] != 0 ? b.getInt(table + f[i]) : 0;
    }

    private static String string(ByteBuffer b, int at) {
        int len = b.getInt(at);
        byte[] s = new byte[len];
        b.get(at + 4, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
