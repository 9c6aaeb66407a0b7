"""Incremental encoders for every output format: feed 22,050 Hz s16 samples, get container bytes.

Resampling goes through PyAV's libswresample; MP3 through LAME (lameenc); Opus through libopus in
an Ogg container (PyAV); G.711 through our own tables. Each encoder is stateful, so a stream (HTTP
or WebSocket) is one continuous, valid file however it is cut into chunks.
"""

from __future__ import annotations

import io
from typing import Any

from eleven_cli.audio import g711
from eleven_cli.formats import Format
from eleven_mock.engine import RATE


class _Resampler:
    def __init__(self, rate: int) -> None:
        import av

        self.rate = rate
        self._av = av
        self._rs = None if rate == RATE else av.AudioResampler(format="s16", layout="mono", rate=rate)
        self._pts = 0

    def _frames_bytes(self, frames: list[Any]) -> bytes:
        out = bytearray()
        for f in frames:
            out += bytes(f.planes[0])[: f.samples * 2]
        return bytes(out)

    def feed(self, pcm: bytes) -> bytes:
        if self._rs is None or not pcm:
            return pcm if self._rs is None else b""
        n = len(pcm) // 2
        frame = self._av.AudioFrame(format="s16", layout="mono", samples=n)
        frame.planes[0].update(pcm)
        frame.sample_rate = RATE
        frame.pts = self._pts
        self._pts += n
        return self._frames_bytes(self._rs.resample(frame))

    def flush(self) -> bytes:
        if self._rs is None:
            return b""
        return self._frames_bytes(self._rs.resample(None))


class Encoder:
    """Turns 22,050 Hz s16 mono into one format's bytes, chunk by chunk."""

    def __init__(self, fmt: Format, page_ms: int | None = None) -> None:
        self.fmt = fmt
        self._rs = _Resampler(fmt.rate)
        self._header_sent = False
        self._pcm_total = 0
        self._lame: Any = None
        self._ogg: _OggOpus | None = None
        if fmt.codec == "mp3":
            self._lame = self._new_lame()
        elif fmt.codec == "opus":
            self._ogg = _OggOpus(fmt.bitrate or 64, page_ms)

    def _new_lame(self) -> Any:
        import lameenc

        lame = lameenc.Encoder()
        lame.set_bit_rate(self.fmt.bitrate)
        lame.set_in_sample_rate(self.fmt.rate)
        lame.set_out_sample_rate(self.fmt.rate)
        lame.set_channels(1)
        lame.set_quality(5)
        return lame

    def _encode_pcm(self, pcm: bytes) -> bytes:
        codec = self.fmt.codec
        if codec == "mp3":
            return bytes(self._lame.encode(pcm)) if pcm else b""
        if codec == "opus":
            assert self._ogg is not None
            return self._ogg.feed(pcm)
        if codec in ("ulaw", "alaw"):
            return g711.encode(pcm, codec)
        return pcm

    def feed(self, samples: bytes) -> bytes:
        """Encode more input samples (s16le at 22,050 Hz); returns whatever bytes are ready."""
        return self._encode_pcm(self._rs.feed(samples))

    def _lame_flush(self) -> bytes:
        try:
            return bytes(self._lame.flush())
        except RuntimeError:  # LAME has nothing to flush before its first samples
            return b""

    def end_segment(self) -> bytes:
        """Everything fed so far, out now, while the stream goes on (a WebSocket generation ends):
        MP3 as complete frames (LAME's tail, then a fresh encoder: frames are independent), Opus
        padded to a whole frame in whole Ogg pages whose granule positions count all audio so far."""
        out = self._encode_pcm(self._rs.flush())
        self._rs = _Resampler(self.fmt.rate)
        if self.fmt.codec == "mp3":
            out += self._lame_flush()
            self._lame = self._new_lame()
        elif self.fmt.codec == "opus":
            assert self._ogg is not None
            out += self._ogg.end_segment()
        return out

    def flush(self) -> bytes:
        """Finish the stream: pending samples, encoder tail, container trailer."""
        out = self._encode_pcm(self._rs.flush())
        if self.fmt.codec == "mp3":
            out += self._lame_flush()
        elif self.fmt.codec == "opus":
            assert self._ogg is not None
            out += self._ogg.close()
        return out



class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.buf += bytes(b)
        return len(b)

    def take(self) -> bytes:
        out = bytes(self.buf)
        self.buf.clear()
        return out


class _OggOpus:
    """libopus at 48 kHz in an Ogg container, written as packets are produced."""

    FRAME = 960  # 20 ms at 48 kHz: libopus's frame here

    def __init__(self, kbps: int, page_ms: int | None = None) -> None:
        import av

        self._av = av
        self._sink = _Sink()
        # Short pages (page_ms) let a live stream hand over each packet's page at once.
        options = {"page_duration": str(page_ms * 1000)} if page_ms else {}
        self._box = av.open(self._sink, mode="w", format="ogg", options=options)
        self._stream = self._box.add_stream("libopus", rate=48000)
        self._stream.bit_rate = kbps * 1000
        self._stream.layout = "mono"
        self._pts = 0

    def feed(self, pcm: bytes) -> bytes:
        if pcm:
            n = len(pcm) // 2
            frame = self._av.AudioFrame(format="s16", layout="mono", samples=n)
            frame.planes[0].update(pcm[: n * 2])
            frame.sample_rate = 48000
            frame.pts = self._pts
            self._pts += n
            for packet in self._stream.encode(frame):
                self._box.mux(packet)
        return self._sink.take()

    def end_segment(self) -> bytes:
        """Pad to a whole frame and one more (the muxer holds the newest page until another packet
        arrives), so every sample fed so far is in a written page."""
        pad = (-self._pts) % self.FRAME + self.FRAME
        return self.feed(b"\0\0" * pad)

    def close(self) -> bytes:
        for packet in self._stream.encode(None):
            self._box.mux(packet)
        self._box.close()
        return self._sink.take()
