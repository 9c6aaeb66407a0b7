"""Ogg Opus decoded as it arrives, for playback: Ogg pages are split into Opus packets here and each packet is
decoded by PyAV's Opus decoder at once, so an Opus stream is heard while it downloads (not after it ends).

Chained streams (one Ogg stream per piece of a long text, each with its own OpusHead) restart the decoder.
The decoder drops each stream's pre-skip itself (libavcodec reads it from the OpusHead given as extradata);
the end is trimmed to the last page's granule position, as an Ogg demuxer does (RFC 7845).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from eleven_cli.audio.ogg import OPUS_RATE  # granule positions and pre-skip count 48 kHz samples
from eleven_cli.errors import BrokenAudioError, UsageError

_HEADER = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, sequence, crc, segments
_CONTINUED, _BOS, _EOS = 0x01, 0x02, 0x04


class OggOpusDecoder:
    """`feed(bytes)` returns s16 mono PCM at `rate` for every Opus packet completed so far; `close()` the rest."""

    def __init__(self, rate: int) -> None:
        try:
            import av
        except ImportError:
            raise UsageError("playing Opus needs PyAV", hint="pip install av, or use an mp3/pcm format") from None
        self._av = av
        self.rate = rate
        self._buf = bytearray()
        self._packet = bytearray()  # a packet continued across pages
        self._codec: Any = None
        self._resampler: Any = None
        self._serial: int | None = None
        self._packets = 0  # of the current stream: 0 is OpusHead, 1 OpusTags, then audio
        self._out = 0  # output samples of the current stream so far
        self._pre_skip = 0

    def feed(self, data: bytes) -> bytes:
        self._buf += data
        out = bytearray()
        while True:
            page = self._next_page()
            if page is None:
                return bytes(out)
            out += self._page(*page)

    def close(self) -> bytes:
        """Whatever the decoder still holds (a stream cut short without its end page)."""
        out = self._drain()
        self._codec = None
        return out

    # --- Ogg pages and packets ----------------------------------------------------------------
    def _next_page(self) -> tuple[int, int, int, bytes, list[int]] | None:
        at = self._buf.find(b"OggS")
        if at < 0:
            del self._buf[: max(0, len(self._buf) - 3)]  # keep a capture pattern cut in half
            return None
        if at:
            del self._buf[:at]
        if len(self._buf) < _HEADER.size:
            return None
        _, _, flags, granule, serial, _, _, nseg = _HEADER.unpack_from(self._buf)
        lacing = list(self._buf[_HEADER.size : _HEADER.size + nseg])
        if len(lacing) < nseg:
            return None
        start = _HEADER.size + nseg
        end = start + sum(lacing)
        if len(self._buf) < end:
            return None
        body = bytes(self._buf[start:end])
        del self._buf[:end]
        return flags, granule, serial, body, lacing

    def _page(self, flags: int, granule: int, serial: int, body: bytes, lacing: list[int]) -> bytes:
        before = b""
        if serial != self._serial or flags & _BOS:  # a new (chained) stream: finish the old one, start afresh
            before = self._drain()
            self._serial, self._packets, self._codec, self._out = serial, 0, None, 0
            self._packet.clear()
        elif not flags & _CONTINUED:
            self._packet.clear()
        out = bytearray()
        pos = 0
        for size in lacing:
            self._packet += body[pos : pos + size]
            pos += size
            if size < 255:
                out += self._opus_packet(bytes(self._packet))
                self._packet.clear()
        if flags & _EOS:  # the stream ends here: flush, then trim to the end the granule position gives
            out += self._drain()
            self._codec = None
            if granule >= 0:
                keep = max(0, -(-(granule - self._pre_skip) * self.rate // OPUS_RATE))  # rounded up
                excess = min(len(out) // 2, max(0, self._out - keep))
                if excess:
                    del out[len(out) - excess * 2 :]
                    self._out -= excess
        return before + bytes(out)

    # --- Opus ---------------------------------------------------------------------------------
    def _opus_packet(self, packet: bytes) -> bytes:
        self._packets += 1
        if self._packets == 1:
            if not packet.startswith(b"OpusHead") or len(packet) < 19:
                raise BrokenAudioError("the response is Ogg but not Opus (no OpusHead)")
            self._start(packet)
            return b""
        if self._packets == 2 or self._codec is None:  # OpusTags
            return b""
        return self._emit(self._codec.decode(self._av.Packet(packet)))

    def _start(self, head: bytes) -> None:
        av = self._av
        self._pre_skip = struct.unpack_from("<H", head, 10)[0]
        self._codec = av.CodecContext.create("opus", "r")
        self._codec.extradata = head
        self._codec.sample_rate = OPUS_RATE
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate)

    def _emit(self, frames: list[Any]) -> bytes:
        out = bytearray()
        for frame in frames:
            for f in self._resampler.resample(frame):
                out += bytes(f.planes[0])[: f.samples * 2]
        self._out += len(out) // 2
        return bytes(out)

    def _drain(self) -> bytes:
        """What the decoder and the resampler still hold."""
        if self._codec is None:
            return b""
        out = bytearray(self._emit(self._codec.decode(None)))
        tail = b"".join(bytes(f.planes[0])[: f.samples * 2] for f in self._resampler.resample(None))
        self._out += len(tail) // 2
        return bytes(out) + tail


def decoder(rate: int) -> Callable[[bytes | None], bytes]:
    """A push-style decoder: call with bytes as they arrive, then with None for what is left."""
    dec = OggOpusDecoder(rate)
    return lambda data: dec.feed(data) if data is not None else dec.close()
