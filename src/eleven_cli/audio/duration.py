"""Seconds of audio in a byte stream, counted as it arrives (whole files: audio/verify.py)."""

from __future__ import annotations

import struct

from eleven_cli.audio.containers import mp3_frame_length
from eleven_cli.formats import Format


class DurationCounter:
    """Seconds of audio in a byte stream that arrives in arbitrary pieces."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.seconds = 0.0
        self._tail = b""
        self._bytes = 0

    def add(self, data: bytes) -> float:
        codec = self.fmt.codec
        self._bytes += len(data)
        if codec in ("pcm", "wav"):
            self.seconds = self._bytes / 2 / self.fmt.rate
        elif codec in ("ulaw", "alaw"):
            self.seconds = self._bytes / self.fmt.rate
        elif codec == "mp3":
            buf = self._tail + data
            pos = 0
            while pos + 4 <= len(buf):
                length = mp3_frame_length(buf[pos : pos + 4])
                if not length:
                    pos += 1
                    continue
                if pos + length > len(buf):
                    break
                version = (buf[pos + 1] >> 3) & 3
                rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}[version]
                self.seconds += (1152 if version == 3 else 576) / rates[(buf[pos + 2] >> 2) & 3]
                pos += length
            self._tail = buf[pos:]
        else:  # Ogg Opus: the granule position of the newest page, minus the pre-skip
            buf = self._tail + data
            head = buf.find(b"OpusHead")
            if head >= 0 and len(buf) >= head + 12 and not hasattr(self, "_pre_skip"):
                self._pre_skip = struct.unpack("<H", buf[head + 10 : head + 12])[0]
            last = buf.rfind(b"OggS")
            if last >= 0 and len(buf) >= last + 14:
                granule = struct.unpack("<q", buf[last + 6 : last + 14])[0]
                if granule > 0:
                    self.seconds = max(self.seconds, (granule - getattr(self, "_pre_skip", 0)) / 48000)
            self._tail = buf[-4096:]
        return self.seconds
