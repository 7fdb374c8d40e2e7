package org.mededge.asr.whisper;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Walks a whisper.cpp ggml file in Java before native code sees it: header, mel filters,
 * vocabulary and every tensor's header and extent. whisper.cpp trusts these fields (a corrupt tensor
 * header can overrun its buffers, an f32 conv weight aborts the process at the first decode), so a
 * file that fails here is refused with the reason instead of being handed to it.
 */
final class GgmlCheck {
    static final int MAGIC = 0x67676d6c;

    /** What the header says, for provenance and the engine's limits. */
    record Info(int nVocab, int audioCtx, int audioState, int textCtx, int nMels, int ftype, int tensors, boolean multilingual) {
    }

    private GgmlCheck() {
    }

    /** @throws IllegalArgumentException with a reason a user can act on */
    static Info check(Path file, boolean weightsExpected) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file " + file.getFileName() + " is missing");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Reader r = new Reader(ch);
            if (r.i32() != MAGIC) {
                throw bad("it is not a whisper.cpp ggml file (wrong magic number)");
            }
            int[] hp = new int[11];
            for (int i = 0; i < hp.length; i++) {
                hp[i] = r.i32();
            }
            int nVocab = hp[0];
            int audioCtx = hp[1];
            int audioState = hp[2];
            int audioHead = hp[3];
            int audioLayer = hp[4];
            int textCtx = hp[5];
            int textState = hp[6];
            int textHead = hp[7];
            int textLayer = hp[8];
            int nMels = hp[9];
            int ftype = hp[10] % 1000;
            if (nVocab < 1 || nVocab > 1_000_000 || audioCtx < 1 || audioCtx > 1500 || audioState < 1 || audioHead < 1
                    || audioState % audioHead != 0 || audioLayer < 1 || audioLayer > 128 || textCtx < 1 || textCtx > 4096
                    || textState < 1 || textHead < 1 || textState % textHead != 0 || textLayer < 1 || textLayer > 128
                    || (nMels != 80 && nMels != 128)) {
                throw bad("its hyper-parameters are implausible (corrupt header)");
            }
            int nMel = r.i32();
            int nFft = r.i32();
            if (nMel != nMels || nFft < 1 || nFft > 1024) {
                throw bad("its mel filterbank header is inconsistent");
            }
            r.skip(4L * nMel * nFft);
            int tokens = r.i32();
            if (tokens < 0 || tokens > nVocab) {
                throw bad("its vocabulary size " + tokens + " is impossible");
            }
            for (int i = 0; i < tokens; i++) {
                int len = r.i32();
                if (len < 0 || len > 4096) {
                    throw bad("its vocabulary is corrupt");
                }
                r.skip(len);
            }
            int count = 0;
            while (r.remaining() > 0) {
                int nDims = r.i32();
                int nameLen = r.i32();
                int type = r.i32();
                if (nDims < 1 || nDims > 4 || nameLen < 1 || nameLen > 256) {
                    throw bad("tensor " + count + " has a corrupt header");
                }
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    int ne = r.i32();
                    if (ne < 1) {
                        throw bad("tensor " + count + " has a corrupt shape");
                    }
                    elements *= ne;
                }
                String name = r.text(nameLen);
                long size = dataSize(type, elements);
                if (size < 0) {
                    // a tensor type this check does not know: whisper.cpp still validates it; stop walking here
                    return new Info(nVocab, audioCtx, audioState, textCtx, nMels, ftype, count + 1, nVocab >= 51865);
                }
                if (name.equals("encoder.conv1.weight") && type != 1) {
                    throw bad("its conv weights are not f16 (type " + type + "); whisper.cpp aborts on them: export with ftype 1");
                }
                r.skip(size);
                count++;
            }
            if (count == 0 && weightsExpected) {
                throw bad("it holds no weights (only a header and vocabulary)");
            }
            return new Info(nVocab, audioCtx, audioState, textCtx, nMels, ftype, count, nVocab >= 51865);
        } catch (EOFException e) {
            throw bad("it is truncated");
        } catch (IOException e) {
            throw new IllegalArgumentException("model file " + file.getFileName() + " cannot be read: " + e.getClass().getSimpleName());
        }
    }

    /** Bytes of tensor data, or -1 for a type not listed here. */
    private static long dataSize(int type, long elements) {
        return switch (type) {
            case 0 -> elements * 4;
            case 1 -> elements * 2;
            case 2 -> blocks(elements, 18);  // q4_0
            case 3 -> blocks(elements, 20);  // q4_1
            case 6 -> blocks(elements, 22);  // q5_0
            case 7 -> blocks(elements, 24);  // q5_1
            case 8 -> blocks(elements, 34);  // q8_0
            default -> -1;
        };
    }

    private static long blocks(long elements, int bytesPer32) {
        return elements % 32 != 0 ? Long.MAX_VALUE / 2 : elements / 32 * bytesPer32;
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("the model file is refused: " + why);
    }

    /** Little-endian reads with an end-of-file check on every field. */
    private static final class Reader {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        private long pos;
        private final long size;

        Reader(FileChannel ch) throws IOException {
            this.ch = ch;
            this.size = ch.size();
        }

        long remaining() {
            return size - pos;
        }

        int i32() throws IOException {
            return read(4).getInt();
        }

        String text(int n) throws IOException {
            byte[] b = new byte[n];
            read(n).get(b);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }

        void skip(long n) throws IOException {
            if (n < 0 || n > remaining()) {
                throw new EOFException();
            }
            pos += n;
        }

        private ByteBuffer read(int n) throws IOException {
            if (n > remaining()) {
                throw new EOFException();
            }
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new EOFException();
                }
            }
            pos += n;
            return buf.flip();
        }
    }
}
