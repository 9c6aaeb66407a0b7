"""Ogg Opus as whole files: strict duration (every page whole, the last one end-of-stream), a streaming
counter, and several streams remuxed into one (decoding as it arrives: audio/opus_stream.py)."""

from __future__ import annotations

import io
import struct

from eleven_cli.errors import BrokenAudioError as BrokenAudio
from eleven_cli.errors import UsageError

OPUS_RATE = 48000  # granule positions and pre-skip count 48 kHz samples


def seconds(data: bytes) -> float:
    """Seconds of an Ogg Opus stream whose pages are all whole, the last one marked end-of-stream."""
    pos, granule, pre_skip, last_flags, pages = 0, -1, 0, 0, 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or len(data) < pos + 27:
            raise BrokenAudio(f"the Ogg audio is corrupt or truncated at byte {pos}")
        flags = data[pos + 5]
        nsegs = data[pos + 26]
        if len(data) < pos + 27 + nsegs:
            raise BrokenAudio("the Ogg audio was truncated in a page header")
        body = sum(data[pos + 27 : pos + 27 + nsegs])
        end = pos + 27 + nsegs + body
        if end > len(data):
            raise BrokenAudio("the Ogg audio was truncated mid-page")
        if pages == 0:
            head = data[pos + 27 + nsegs : end]
            if head[:8] != b"OpusHead":
                raise BrokenAudio("the Ogg stream is not Opus")
            pre_skip = struct.unpack("<H", head[10:12])[0] if len(head) >= 12 else 0
        page_granule = struct.unpack("<q", data[pos + 6 : pos + 14])[0]
        if page_granule >= 0:
            granule = page_granule
        last_flags = flags
        pages += 1
        pos = end
    if not pages:
        raise BrokenAudio("the Ogg response is empty")
    if not last_flags & 4:
        raise BrokenAudio("the Ogg audio was truncated (no end-of-stream page)")
    return max(0, granule - pre_skip) / OPUS_RATE


class Counter:
    """Seconds in an Ogg Opus stream arriving in pieces: the newest page's granule position minus the pre-skip."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._tail = b""
        self._pre_skip: int | None = None

    def add(self, data: bytes) -> float:
        buf = self._tail + data
        head = buf.find(b"OpusHead")
        if head >= 0 and len(buf) >= head + 12 and self._pre_skip is None:
            self._pre_skip = struct.unpack("<H", buf[head + 10 : head + 12])[0]
        last = buf.rfind(b"OggS")
        if last >= 0 and len(buf) >= last + 14:
            granule = struct.unpack("<q", buf[last + 6 : last + 14])[0]
            if granule > 0:
                self.seconds = max(self.seconds, (granule - (self._pre_skip or 0)) / OPUS_RATE)
        self._tail = buf[-4096:]
        return self.seconds


def remux(parts: list[bytes]) -> bytes:
    """The Opus packets of several Ogg streams as one stream with continuous timestamps (needs PyAV)."""
    try:
        import av
    except ImportError:
        raise UsageError("joining long Opus output needs PyAV", hint="pip install av, or use mp3") from None
    out = io.BytesIO()
    with av.open(out, "w", format="ogg") as box:
        stream = None
        end = 0  # where the previous part's last packet ended, in the output's time base
        for part in parts:
            with av.open(io.BytesIO(part), "r") as src:
                source = src.streams.audio[0]
                if stream is None:
                    stream = box.add_stream_from_template(source)
                offset: int | None = None
                for packet in src.demux(source):
                    if packet.dts is None or packet.pts is None:
                        continue
                    if offset is None:  # each part starts where the previous one ended
                        offset = end - packet.pts if end else 0
                    packet.pts += offset
                    packet.dts += offset
                    end = max(end, packet.pts + (packet.duration or 0))
                    packet.stream = stream
                    box.mux(packet)
    return out.getvalue()
