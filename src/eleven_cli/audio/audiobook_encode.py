"""Pass 2 of a book: the chapters' lossless PCM read back in chunks, the book's gain applied, and
encoded once into AAC (PyAV's encoder) in MP4 (our muxer, audio/mp4.py) or MP3 (lameenc), with no seams
between pieces and memory that does not grow with the book."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from eleven_cli.audio.audiobook_timeline import ChapterMark
from eleven_cli.extras import need

CHUNK = 1 << 16  # frames read and encoded at a time (~3 s at 24 kHz): memory stays flat


def scaled_chunks(pcm: Path, frames_after: int, gain_db: float) -> Iterator[object]:
    """float32 samples of a raw int16 file times the gain, then `frames_after` frames of silence."""
    np = need("numpy")
    gain = 10 ** (gain_db / 20) / 32768.0
    with open(pcm, "rb") as fh:
        while True:
            data = fh.read(CHUNK * 2)
            if not data:
                break
            x = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float32)
            x *= gain
            yield x
    while frames_after > 0:
        n = min(frames_after, CHUNK)
        yield np.zeros(n, dtype=np.float32)
        frames_after -= n


def to_int16(x: object) -> bytes:
    np = need("numpy")
    return np.clip(np.rint(np.asarray(x) * 32768.0), -32768, 32767).astype("<i2").tobytes()


def mp3_bitrate(kbps: int, rate: int) -> int:
    """The bitrate LAME takes at this sample rate (MPEG-2.5 tops out at 64 kbps, MPEG-2 at 160)."""
    top = 64 if rate < 16000 else 160 if rate < 32000 else 320
    return min(kbps, top)


class Mp3Encoder:
    def __init__(self, rate: int, kbps: int = 96) -> None:
        lameenc = need("lameenc")
        self.enc = lameenc.Encoder()
        self.enc.set_bit_rate(mp3_bitrate(kbps, rate))
        self.enc.set_in_sample_rate(rate)
        self.enc.set_channels(1)
        self.enc.set_quality(5)

    def encode(self, x: object) -> bytes:
        return bytes(self.enc.encode(to_int16(x)))

    def flush(self) -> bytes:
        return bytes(self.enc.flush())


def encode_m4b(fh: BinaryIO, parts: Sequence[tuple[Path, int]], marks: Sequence[ChapterMark], rate: int,
               gain_db: float, bitrate: int = 64000, on_seconds: object = None, scratch: Path | None = None) -> None:
    """AAC (PyAV's encoder) in MP4 (.m4b) with one chapter per mark, into an empty open file, written by
    our own muxer (audio/mp4.py) whose memory does not grow with the book: a QuickTime chapter track
    (Apple Books, VLC) and a Nero `chpl` (ffprobe). `scratch`: where the frame sizes wait for the index."""
    from eleven_cli.audio.mp4 import M4bWriter

    av = need("av")
    np = need("numpy")
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate = rate
    codec.layout = "mono"
    codec.format = "fltp"
    codec.bit_rate = bitrate
    codec.time_base = Fraction(1, rate)
    box = M4bWriter(fh, rate, [(m.title, round(m.start * 1000)) for m in marks], scratch)
    priming: int | None = None

    def put(packets: list) -> None:  # type: ignore[type-arg]
        nonlocal priming
        for p in packets:
            if priming is None:
                priming = max(0, -(p.pts or 0))
            box.add(bytes(p), p.duration or codec.frame_size)

    done = 0
    try:
        for path, after in parts:
            for x in scaled_chunks(path, after, gain_db):
                frame = av.AudioFrame.from_ndarray(np.asarray(x, dtype=np.float32).reshape(1, -1), format="flt",
                                                   layout="mono")
                frame.sample_rate = rate
                frame.pts = done
                frame.time_base = Fraction(1, rate)
                put(codec.encode(frame))
                done += frame.samples
                if callable(on_seconds):
                    on_seconds(done / rate)
        put(codec.encode(None))
    except BaseException:
        box.abort()
        raise
    box.close(bytes(codec.extradata or b""), priming or 0)


def encode_mp3(fh: BinaryIO, parts: Sequence[tuple[Path, int]], rate: int, gain_db: float, kbps: int = 96,
               on_seconds: object = None) -> None:
    """MP3 frames of all parts, one encoder for the whole (no seams), appended to an open file."""
    enc = Mp3Encoder(rate, kbps)
    done = 0
    for path, after in parts:
        for x in scaled_chunks(path, after, gain_db):
            fh.write(enc.encode(x))
            done += len(x)  # type: ignore[arg-type]
            if callable(on_seconds):
                on_seconds(done / rate)
    fh.write(enc.flush())


def db(x: float) -> str:
    return f"{x:+.1f} dB" if math.isfinite(x) else "-inf dB"
