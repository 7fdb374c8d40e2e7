package org.mededge.asr.audio;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBL;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBLP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_U8;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_U8P;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

import org.mededge.asr.AsrError;
import org.mededge.asr.AsrException;
import org.mededge.asr.AudioClip;

/**
 * Compressed audio (WebM/Matroska and Ogg with Opus or Vorbis, MP4/M4A with AAC, MP3, FLAC, and
 * WAV with non-PCM codecs) through FFmpeg's libraries: the only class that touches FFmpeg. The
 * upload is read from memory through a custom I/O context (nothing is written to disk), only the
 * listed container formats and audio decoders may run, and decoding stops as soon as the audio
 * exceeds the maximum duration, so a small file that expands to hours cannot exhaust memory.
 */
public final class FfmpegDecoder {
    static final String FORMATS = "matroska,webm,ogg,mov,mp4,m4a,3gp,mp3,flac,wav,aac";
    static final String DECODERS = "opus,libopus,vorbis,aac,mp3,mp3float,flac,pcm_alaw,pcm_mulaw,pcm_s16le,pcm_s24le,"
            + "pcm_s32le,pcm_f32le,pcm_u8,adpcm_ms,adpcm_ima_wav,gsm_ms";
    private static final int IO_BUFFER = 1 << 16;
    private static final int AVSEEK_SIZE = 0x10000;
    private static final int AVSEEK_FORCE = 0x20000;

    private static final Map<Long, Source> SOURCES = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static volatile String unavailable = "not loaded";
    private static Read_packet_Pointer_BytePointer_int read;
    private static Seek_Pointer_long_int seek;

    private FfmpegDecoder() {
    }

    /** An upload being read by FFmpeg. */
    private static final class Source {
        final byte[] bytes;
        int pos;

        Source(byte[] bytes) {
            this.bytes = bytes;
        }
    }

    /**
     * Loads FFmpeg's natives once; on failure the reason is kept and compressed uploads are answered
     * 415 with it, while WAV keeps working.
     *
     * @return null when ready, else why not
     */
    public static synchronized String load() {
        if (read != null) {
            return null;
        }
        try {
            av_log_set_level(AV_LOG_QUIET);
            read = new Read_packet_Pointer_BytePointer_int() {
                @Override
                public int call(Pointer opaque, BytePointer buf, int size) {
                    Source s = SOURCES.get(new LongPointer(opaque).get(0));
                    int n = s == null ? 0 : Math.min(size, s.bytes.length - s.pos);
                    if (n <= 0) {
                        return AVERROR_EOF;
                    }
                    buf.position(0).put(s.bytes, s.pos, n);
                    s.pos += n;
                    return n;
                }
            };
            seek = new Seek_Pointer_long_int() {
                @Override
                public long call(Pointer opaque, long offset, int whence) {
                    Source s = SOURCES.get(new LongPointer(opaque).get(0));
                    if (s == null) {
                        return -1;
                    }
                    if ((whence & AVSEEK_SIZE) != 0) {
                        return s.bytes.length;
                    }
                    long target = switch (whence & ~AVSEEK_FORCE) {
                        case 0 -> offset;
                        case 1 -> s.pos + offset;
                        case 2 -> s.bytes.length + offset;
                        default -> -1;
                    };
                    if (target < 0 || target > s.bytes.length) {
                        return -1;
                    }
                    s.pos = (int) target;
                    return target;
                }
            };
            unavailable = null;
            return null;
        } catch (LinkageError | RuntimeException e) {
            read = null;
            unavailable = "FFmpeg natives could not be loaded (" + e.getClass().getSimpleName() + ")";
            return unavailable;
        }
    }

    /** Null when FFmpeg is loaded, else the reason compressed audio cannot be decoded. */
    public static String unavailable() {
        return unavailable;
    }

    /** Decodes the first audio stream to mono float at its own rate. */
    public static AudioClip decode(byte[] bytes, long maxDurationMs) {
        String why = load();
        if (why != null) {
            throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "compressed audio cannot be decoded on this appliance: "
                    + why + "; send PCM WAV");
        }
        long id = IDS.incrementAndGet();
        SOURCES.put(id, new Source(bytes));
        LongPointer opaque = new LongPointer(1).put(0, id);
        AVIOContext io = null;
        AVFormatContext fmt = null;
        AVCodecContext ctx = null;
        AVPacket pkt = null;
        AVFrame frame = null;
        try {
            BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER));
            io = avio_alloc_context(buffer, IO_BUFFER, 0, opaque, read, null, seek);
            fmt = avformat_alloc_context();
            fmt.pb(io);
            AVDictionary opts = new AVDictionary(null);
            av_dict_set(opts, "format_whitelist", FORMATS, 0);
            av_dict_set(opts, "codec_whitelist", DECODERS, 0);
            int rc = avformat_open_input(fmt, (String) null, null, opts);
            av_dict_free(opts);
            if (rc < 0) {
                fmt = null; // freed by avformat_open_input
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the body is not audio in a supported container"
                        + " (WAV, WebM, Ogg, MP4/M4A, MP3, FLAC)");
            }
            if (avformat_find_stream_info(fmt, (AVDictionary) null) < 0) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the audio container could not be read");
            }
            int stream = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
            if (stream < 0) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the upload has no audio stream");
            }
            AVCodecParameters par = fmt.streams(stream).codecpar();
            AVCodec codec = avcodec_find_decoder(par.codec_id());
            if (codec == null || !DECODERS.contains(codec.name().getString())) {
                throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "the audio codec is not supported; send Opus, AAC,"
                        + " MP3, FLAC or PCM");
            }
            ctx = avcodec_alloc_context3(codec);
            if (avcodec_parameters_to_context(ctx, par) < 0 || avcodec_open2(ctx, codec, (AVDictionary) null) < 0) {
                throw new AsrException(AsrError.ASR_AUDIO_UNREADABLE, "the audio stream's decoder could not be opened");
            }
            pkt = av_packet_alloc();
            frame = av_frame_alloc();
            Sink sink = new Sink(maxDurationMs);
            boolean damaged = false;
            while (av_read_frame(fmt, pkt) >= 0) {
                try {
                    if (pkt.stream_index() == stream && avcodec_send_packet(ctx, pkt) >= 0) {
                        drain(ctx, frame, sink);
                    } else if (pkt.stream_index() == stream) {
                        damaged = true;
                    }
                } finally {
                    av_packet_unref(pkt);
                }
            }
            avcodec_send_packet(ctx, null);
            drain(ctx, frame, sink);
            if (sink.length == 0) {
                throw new AsrException(damaged ? AsrError.ASR_AUDIO_UNREADABLE : AsrError.ASR_AUDIO_EMPTY,
                        damaged ? "the audio stream could not be decoded" : "the upload holds no audio samples");
            }
            return new AudioClip(java.util.Arrays.copyOf(sink.samples, sink.length), sink.rate);
        } finally {
            if (frame != null) {
                av_frame_free(frame);
            }
            if (pkt != null) {
                av_packet_free(pkt);
            }
            if (ctx != null) {
                avcodec_free_context(ctx);
            }
            if (fmt != null) {
                avformat_close_input(fmt);
            }
            if (io != null) {
                av_free(io.buffer());
                avio_context_free(io);
            }
            opaque.close();
            SOURCES.remove(id);
        }
    }

    private static void drain(AVCodecContext ctx, AVFrame frame, Sink sink) {
        while (avcodec_receive_frame(ctx, frame) >= 0) {
            sink.add(frame);
        }
    }

    /** Accumulates mono samples and enforces the duration limit while decoding. */
    private static final class Sink {
        final long maxDurationMs;
        float[] samples = new float[1 << 16];
        int length;
        int rate;

        Sink(long maxDurationMs) {
            this.maxDurationMs = maxDurationMs;
        }

        void add(AVFrame f) {
            int n = f.nb_samples();
            int ch = f.ch_layout().nb_channels();
            int r = f.sample_rate();
            if (n <= 0 || ch <= 0) {
                return;
            }
            if (ch > 8) {
                throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "the audio has " + ch + " channels; at most 8 are read");
            }
            if (rate == 0) {
                if (r < 8000 || r > 48000) {
                    throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "sample rate " + r + " Hz is outside 8000..48000 Hz");
                }
                rate = r;
            } else if (r != rate) {
                throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "the sample rate changes inside the stream");
            }
            if ((length + (long) n) * 1000 / rate > maxDurationMs) {
                throw WavDecoder.tooLong((length + (long) n) * 1000 / rate, maxDurationMs);
            }
            if (length + n > samples.length) {
                samples = java.util.Arrays.copyOf(samples, Math.max(length + n, samples.length * 2));
            }
            int format = f.format();
            float[] tmp = new float[n];
            for (int c = 0; c < ch; c++) {
                read(f, format, c, ch, n, tmp);
                for (int i = 0; i < n; i++) {
                    samples[length + i] += tmp[i] / ch;
                }
            }
            length += n;
        }

        /** Channel {@code c} of the frame as floats, copied in bulk (one native call per plane). */
        private static void read(AVFrame f, int format, int c, int ch, int n, float[] out) {
            boolean planar = format == AV_SAMPLE_FMT_FLTP || format == AV_SAMPLE_FMT_S16P || format == AV_SAMPLE_FMT_S32P
                    || format == AV_SAMPLE_FMT_DBLP || format == AV_SAMPLE_FMT_U8P;
            BytePointer plane = f.data(planar ? c : 0);
            int stride = planar ? 1 : ch;
            int first = planar ? 0 : c;
            int count = planar ? n : n * ch;
            if (format == AV_SAMPLE_FMT_FLT || format == AV_SAMPLE_FMT_FLTP) {
                float[] a = new float[count];
                new FloatPointer(plane).get(a, 0, count);
                for (int i = 0; i < n; i++) {
                    float v = a[i * stride + first];
                    out[i] = Float.isFinite(v) ? Math.max(-1f, Math.min(1f, v)) : 0f;
                }
            } else if (format == AV_SAMPLE_FMT_S16 || format == AV_SAMPLE_FMT_S16P) {
                short[] a = new short[count];
                new ShortPointer(plane).get(a, 0, count);
                for (int i = 0; i < n; i++) {
                    out[i] = a[i * stride + first] / 32768f;
                }
            } else if (format == AV_SAMPLE_FMT_S32 || format == AV_SAMPLE_FMT_S32P) {
                int[] a = new int[count];
                new IntPointer(plane).get(a, 0, count);
                for (int i = 0; i < n; i++) {
                    out[i] = (float) (a[i * stride + first] / 2147483648.0);
                }
            } else if (format == AV_SAMPLE_FMT_DBL || format == AV_SAMPLE_FMT_DBLP) {
                double[] a = new double[count];
                new DoublePointer(plane).get(a, 0, count);
                for (int i = 0; i < n; i++) {
                    double v = a[i * stride + first];
                    out[i] = Double.isFinite(v) ? (float) Math.max(-1, Math.min(1, v)) : 0f;
                }
            } else if (format == AV_SAMPLE_FMT_U8 || format == AV_SAMPLE_FMT_U8P) {
                byte[] a = new byte[count];
                plane.get(a, 0, count);
                for (int i = 0; i < n; i++) {
                    out[i] = ((a[i * stride + first] & 0xFF) - 128) / 128f;
                }
            } else {
                throw new AsrException(AsrError.ASR_AUDIO_UNSUPPORTED, "the decoder's sample format is not supported");
            }
        }
    }
}
