"""Speech synthesis (espeak-ng + sox) and the log-mel front end, matched to whisper.cpp.

The mel filterbank is computed here (Slaney-style mel scale and area normalization, 80 bands,
n_fft 400 at 16 kHz) and the exporter writes this same matrix into the ggml file, so the
features whisper.cpp computes at run time are the features the model was trained on:
reflect-pad 200 samples at the start, zero-pad at the end, periodic Hann window of 400,
hop 160, power spectrum (201 bins) x filterbank, log10 with floor 1e-10, clamp to max - 8,
then (x + 4) / 4.
"""
import subprocess

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80

EN_VOICES = ["en-us", "en-us+m3", "en-us+f2", "en", "en+f3", "en-gb-x-rp", "en-029", "en-us+m7"]
ZH_VOICES = ["cmn", "cmn+f2", "cmn+m3", "cmn+f4", "cmn+m7", "cmn+f3"]


def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    logstep = np.log(6.4) / 27.0
    lin = f / f_sp
    log = min_log_hz / f_sp + np.log(np.maximum(f, 1e-9) / min_log_hz) / logstep
    return np.where(f >= min_log_hz, log, lin)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmax=8000.0):
    """[n_mels, n_fft//2+1] triangular filters, area-normalized (2 / bandwidth)."""
    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_pts = np.linspace(_hz_to_mel(0.0), _hz_to_mel(fmax), n_mels + 2)
    hz_pts = _mel_to_hz(mel_pts)
    fb = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        lo, c, hi = hz_pts[i], hz_pts[i + 1], hz_pts[i + 2]
        up = (fft_freqs - lo) / (c - lo)
        down = (hi - fft_freqs) / (hi - c)
        fb[i] = np.maximum(0, np.minimum(up, down)) * (2.0 / (hi - lo))
    return fb.astype(np.float32)


FILTERS = mel_filterbank()
HANN = (0.5 * (1 - np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT))).astype(np.float32)


def log_mel(samples, n_frames):
    """samples: float32 in [-1, 1], at most (n_frames*HOP - 200) long. Returns [80, n_frames]."""
    samples = np.asarray(samples, dtype=np.float32)
    total = (n_frames - 1) * HOP + N_FFT
    padded = np.zeros(total, dtype=np.float32)
    padded[:200] = samples[1:201][::-1]
    n = min(len(samples), total - 200)
    padded[200:200 + n] = samples[:n]
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    frames = padded[idx] * HANN
    spec = np.fft.rfft(frames, axis=1)
    power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    mel = FILTERS @ power.T
    mel = np.log10(np.maximum(mel, 1e-10))
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)


def synthesize(text, lang, voice, rate, pitch):
    """espeak-ng to WAV on stdout, sox to 16 kHz mono 16-bit raw. Returns int16 samples."""
    esp = subprocess.Popen(["espeak-ng", "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", text],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    # -R: sox's dither (resampling to 16 bit) from a fixed seed, or every synthesis differs in the low bits
    sox = subprocess.run(["sox", "-V1", "-R", "-t", "wav", "-", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
                          "-e", "signed-integer", "-t", "raw", "-", "vol", "0.9"],
                         stdin=esp.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    esp.wait()
    pcm = np.frombuffer(sox.stdout, dtype=np.int16)
    return trim(pcm)


def trim(pcm, thresh=200, margin=800):
    """Cut espeak's leading/trailing silence down to a 50 ms margin."""
    loud = np.nonzero(np.abs(pcm.astype(np.int32)) > thresh)[0]
    if len(loud) == 0:
        return pcm
    return pcm[max(0, loud[0] - margin): loud[-1] + margin]


def voice_for(rng, lang):
    voice = rng.choice(EN_VOICES if lang == "en" else ZH_VOICES)
    rate = rng.randint(135, 195) if lang == "en" else rng.randint(130, 190)
    pitch = rng.randint(25, 75)
    return voice, rate, pitch


def augment(rng, pcm_list, max_samples, gap_range=(0.15, 0.6)):
    """Join utterances with short pauses, add a lead-in, gain and Gaussian noise at a random SNR.
    rng: numpy Generator. Returns float32 samples."""
    parts = [np.zeros(int(rng.uniform(0.0, 0.4) * SAMPLE_RATE), dtype=np.float32)]
    for i, p in enumerate(pcm_list):
        if i:
            parts.append(np.zeros(int(rng.uniform(*gap_range) * SAMPLE_RATE), dtype=np.float32))
        parts.append(p.astype(np.float32) / 32768.0)
    parts.append(np.zeros(int(rng.uniform(0.05, 0.3) * SAMPLE_RATE), dtype=np.float32))
    x = np.concatenate(parts)[:max_samples]
    peak = np.abs(x).max() + 1e-9
    x = x / peak * rng.uniform(0.15, 0.95)
    if rng.random() < 0.8:
        rms = np.sqrt(np.mean(x ** 2)) + 1e-9
        snr = rng.uniform(12, 40)
        x = x + rng.standard_normal(len(x)).astype(np.float32) * (rms / (10 ** (snr / 20)))
    return np.clip(x, -1, 1).astype(np.float32)
