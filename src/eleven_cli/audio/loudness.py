"""Loudness of a stream of PCM: ITU-R BS.1770-4 integrated loudness (LUFS) and true peak (dBTP).

Measured as the audio goes by, with memory bounded by the length of the audio in 100 ms steps
(one number per step: 36,000 per hour), never the samples: K-weighting (a high shelf and a high
pass, designed for any sample rate from the constants that give the standard's 48 kHz
coefficients), mean squares over 100 ms hops, 400 ms blocks with 75 % overlap made of four hops,
an absolute gate at -70 LUFS and a relative gate 10 LU under the loudness of what passes it.

Numpy alone does the filtering (scipy.signal costs 80 MB of memory to import): the two biquads'
impulse response, run out in plain Python once per rate and cut where what is left of its energy is
under 1e-20 of the whole (2,300 taps at 24 kHz; the cut moves the output by under 1e-9 of full
scale), convolved by FFT overlap-add, the tail of each block carried into the next.

True peak is read at 4x oversampling (a 96-tap Kaiser-windowed sinc interpolator, four phases). To keep
the cost off speech, which is mostly far below its peak, the interpolated values are computed only
next to samples within 6 dB of the highest true peak so far; a band-limited signal's inter-sample
peaks do not exceed the samples beside them by more than that.

    meter = LoudnessMeter(24000)
    for chunk in pcm_chunks: meter.add(chunk)     # int16 little-endian mono bytes, or an int16 array
    m = meter.measure()                           # Measurement(integrated=-21.3, true_peak=-4.2, seconds=...)
    book = combine([meter1, meter2, ...])         # the whole, gated over all chapters' blocks
    gain_db = normalisation_gain(book, target=-18.0, ceiling=-3.0)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eleven_cli.extras import need

DEFAULT_TARGET = -18.0  # LUFS, integrated
DEFAULT_CEILING = -3.0  # dBTP
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
_PHASES = 4
_TAPS_PER_PHASE = 24
_CHUNK = 32768  # samples filtered at once
_BATCH = 8192  # interpolated points computed at once (8192 x 24 samples: 1.5 MB)
_TAIL_ENERGY = 1e-20  # of the K-weighting's impulse response: what is cut off
_DIRECT = 256  # pieces shorter than this are convolved directly, longer ones by FFT


@dataclass(frozen=True)
class Measurement:
    integrated: float  # LUFS; -inf when nothing passes the gates (silence, or shorter than 400 ms)
    true_peak: float  # dBTP; -inf for digital silence
    seconds: float

    def describe(self) -> str:
        lufs = f"{self.integrated:.1f} LUFS" if math.isfinite(self.integrated) else "silent"
        peak = f"{self.true_peak:.1f} dBTP" if math.isfinite(self.true_peak) else "-inf dBTP"
        return f"{lufs}, true peak {peak}"


def _k_weighting(rate: int) -> list[list[float]]:
    """The K-weighting filter at `rate` as two biquads (b0, b1, b2, 1, a1, a2), as libebur128 derives them."""
    f0, gain, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return [shelf, highpass]


@lru_cache(maxsize=8)
def _k_response(rate: int):  # type: ignore[no-untyped-def]
    """The K-weighting's impulse response at `rate` (the biquads run on an impulse for one second, by
    which the 38 Hz high pass has decayed by 10^-100), cut where less than `_TAIL_ENERGY` of its
    energy is left, and its spectrum for an FFT of (fft size, block length)."""
    np = need("numpy")
    h = [1.0] + [0.0] * (rate - 1)
    for b0, b1, b2, _, a1, a2 in _k_weighting(rate):
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(h):
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1, y2, y1 = x1, x, y1, y
            h[n] = y
    ir = np.array(h)
    left = np.cumsum((ir * ir)[::-1])[::-1]  # energy from each tap to the end
    taps = int(np.argmax(left < _TAIL_ENERGY * left[0]))
    ir = ir[:taps]
    size = 1 << (4 * taps).bit_length()
    return ir, np.fft.rfft(ir, size), size, size - taps + 1


class _KFilter:
    """The K-weighting as a convolution with its (cut) impulse response, fed in pieces of any size:
    `tail` is what the pieces so far add to the samples still to come."""

    def __init__(self, rate: int) -> None:
        np = need("numpy")
        self._np = np
        self.ir, self.spectrum, self.size, self.block = _k_response(rate)
        self.tail = np.zeros(len(self.ir) - 1)

    def __call__(self, x: Any) -> Any:
        np = self._np
        if len(x) < _DIRECT:
            return self._carry(np.convolve(x, self.ir), len(x))
        out = [self._carry(np.fft.irfft(np.fft.rfft(x[at:at + self.block], self.size) * self.spectrum, self.size),
                           len(x[at:at + self.block]))
               for at in range(0, len(x), self.block)]
        return np.concatenate(out) if len(out) > 1 else out[0]

    def _carry(self, full: Any, n: int) -> Any:
        """The first `n` samples of a piece's full convolution `full` (n + taps - 1 or more samples long),
        with the earlier pieces' tail added; what follows them becomes the tail."""
        t = len(self.tail)
        full[:t] += self.tail
        self.tail = full[n:n + t].copy()
        return full[:n]


def _interpolator():  # type: ignore[no-untyped-def]
    """Phases 1..3 of a 4x interpolating FIR (phase 0 is the samples themselves), as a (taps, 3) matrix
    applied to windows of `_TAPS_PER_PHASE` samples ending at the sample before the point: a lowpass at
    0.95 of the original Nyquist, a sinc under a Kaiser window (beta 8) scaled to unit gain at DC,
    as scipy.signal.firwin(96, 0.95 / 4, window=("kaiser", 8.0)) designs it, times 4."""
    np = need("numpy")
    n = _PHASES * _TAPS_PER_PHASE
    cutoff = 0.95 / _PHASES  # of the Nyquist frequency at 4x
    m = np.arange(n) - (n - 1) / 2
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(n, 8.0)
    h = h / h.sum() * _PHASES
    # y[4n + p] = sum_k h[4k + p] x[n - k]: phase p's taps reversed give a dot product with x[n-23..n]
    return np.stack([h[p::_PHASES][::-1] for p in range(1, _PHASES)], axis=1)


class LoudnessMeter:
    """Integrated loudness and true peak of mono int16 PCM fed in pieces of any size."""

    def __init__(self, rate: int) -> None:
        np = need("numpy")
        self._np = np
        self.rate = rate
        self.hop = max(1, round(rate / 10))
        self._filter = _KFilter(rate)
        self.hops = array("d")  # mean square of the K-weighted signal over each 100 ms
        self._partial_sum = 0.0
        self._partial_n = 0
        self.frames = 0
        self.peak = 0.0  # true peak so far, linear (1.0 = full scale)
        self._fir = _interpolator()
        self._history = np.zeros(_TAPS_PER_PHASE, dtype=np.float64)

    def add(self, pcm: bytes | object) -> None:
        np = self._np
        x: Any = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) else pcm
        for at in range(0, len(x), _CHUNK):  # bounded temporaries, however long the piece
            self._add(x[at:at + _CHUNK])

    def _add(self, x: Any) -> None:
        np = self._np
        xf: Any = np.asarray(x, dtype=np.float64) / 32768.0
        self.frames += len(xf)
        self._true_peak(xf)
        y = self._filter(xf)
        sq = y * y
        start = 0
        if self._partial_n:
            take = min(self.hop - self._partial_n, len(sq))
            self._partial_sum += float(sq[:take].sum())
            self._partial_n += take
            start = take
            if self._partial_n == self.hop:
                self.hops.append(self._partial_sum / self.hop)
                self._partial_sum, self._partial_n = 0.0, 0
        whole = (len(sq) - start) // self.hop
        if whole:
            block = sq[start:start + whole * self.hop].reshape(whole, self.hop)
            self.hops.extend(block.mean(axis=1).tolist())
        rest = sq[start + whole * self.hop:]
        if len(rest):
            self._partial_sum += float(rest.sum())
            self._partial_n += len(rest)

    def _true_peak(self, x: object) -> None:
        np = self._np
        xa = np.asarray(x)
        sample_peak = float(np.abs(xa).max())
        self.peak = max(self.peak, sample_peak)
        padded = np.concatenate([self._history, xa])
        self._history = padded[-_TAPS_PER_PHASE:]
        # points between sample n and n+1 (phases 1-3) depend on x[n-11..n+12]: consider those where
        # either neighbour is within 6 dB of the peak so far
        big = np.abs(padded) >= self.peak * 0.5
        half = _TAPS_PER_PHASE // 2
        near = big[half - 1: len(padded) - half] | big[half: len(padded) - half + 1]
        idx = np.nonzero(near)[0]
        if len(idx) == 0 or self.peak == 0.0:
            return
        view = np.lib.stride_tricks.sliding_window_view(padded, _TAPS_PER_PHASE)
        for at in range(0, len(idx), _BATCH):  # a bounded matrix at a time, however loud or long the piece
            windows = view[idx[at:at + _BATCH]]
            self.peak = max(self.peak, float(np.abs(windows @ self._fir).max()))

    def measure(self) -> Measurement:
        return Measurement(integrated_loudness([self]), _db(self.peak), self.frames / self.rate)


def _blocks(meter: LoudnessMeter):  # type: ignore[no-untyped-def]
    np = need("numpy")
    hops = np.frombuffer(meter.hops, dtype=np.float64) if len(meter.hops) else np.zeros(0)
    if len(hops) < 4:
        return np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(hops)])
    return (c[4:] - c[:-4]) / 4.0


def integrated_loudness(meters: Sequence[LoudnessMeter]) -> float:
    """BS.1770-4 gated loudness over the 400 ms blocks of all `meters` (each one's blocks its own:
    chapters measured apart, then gated as one book)."""
    np = need("numpy")
    parts = [_blocks(m) for m in meters]
    z = np.concatenate(parts) if parts else np.zeros(0)
    if len(z) == 0:
        return -math.inf
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z)
    z = z[loud > ABSOLUTE_GATE]
    if len(z) == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(z.mean())) + RELATIVE_GATE
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) > relative]
    return -0.691 + 10 * math.log10(float(z.mean())) if len(z) else -math.inf


def combine(meters: Sequence[LoudnessMeter]) -> Measurement:
    """The whole of several meters' audio (a book's chapters)."""
    frames = sum(m.frames for m in meters)
    rate = meters[0].rate if meters else 1
    return Measurement(integrated_loudness(meters), _db(max((m.peak for m in meters), default=0.0)), frames / rate)


def normalisation_gain(measured: Measurement, target: float = DEFAULT_TARGET,
                       ceiling: float = DEFAULT_CEILING) -> float:
    """The gain in dB that brings `measured` to `target` LUFS without its true peak passing `ceiling`
    dBTP: the smaller of the two. 0 for silence."""
    if not math.isfinite(measured.integrated):
        return 0.0
    gain = target - measured.integrated
    if math.isfinite(measured.true_peak):
        gain = min(gain, ceiling - measured.true_peak)
    return gain


def _db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else -math.inf
