"""MPEG layer III, the one place that knows its frame headers: the rate and bitrate tables, the ID3v2 tag
size, frame walking (to join pieces), strict duration (to verify a response) and a streaming counter."""

from __future__ import annotations

from typing import NamedTuple

from eleven_cli.errors import BrokenAudioError as BrokenAudio

_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer III
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits


class Frame(NamedTuple):
    length: int  # bytes, header included
    seconds: float  # of audio it holds


def frame(header: bytes | bytearray) -> Frame | None:
    """The MPEG layer III frame starting with `header` (4 bytes or more), or None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 3
    layer = (header[1] >> 1) & 3
    br_idx = header[2] >> 4
    sr_idx = (header[2] >> 2) & 3
    if version == 1 or layer != 1 or br_idx in (0, 15) or sr_idx == 3:
        return None
    padding = (header[2] >> 1) & 1
    rate = _RATES[version][sr_idx]
    mpeg1 = version == 3
    kbps = _BITRATES[1 if mpeg1 else 2][br_idx]
    return Frame((144 if mpeg1 else 72) * kbps * 1000 // rate + padding, (1152 if mpeg1 else 576) / rate)


def frame_length(header: bytes) -> int | None:
    """Length in bytes of the frame starting with `header`, or None if it is not a frame."""
    found = frame(header)
    return found.length if found else None


def id3_size(data: bytes | bytearray) -> int | None:
    """Bytes of the ID3v2 tag at the start of `data` (0 when there is none; None while its 10-byte
    header is still incomplete)."""
    if not b"ID3".startswith(bytes(data[:3])):
        return 0
    if len(data) < 10:
        return None
    return 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])


def is_info_frame(data: bytes | bytearray) -> bool:
    """A Xing/Info/LAME header frame (no audio of its own; one per file at most)."""
    return b"Xing" in data[:64] or b"Info" in data[:64]


def frames(data: bytes) -> bytes:
    """The MPEG audio frames of an MP3 file: ID3v2/ID3v1 tags and Xing/Info/LAME frames removed."""
    pos = id3_size(data) or 0
    out = bytearray()
    first = True
    while pos + 4 <= len(data):
        found = frame(data[pos : pos + 4])
        if found is None:
            pos += 1
            continue
        chunk = data[pos : pos + found.length]
        if not (first and is_info_frame(chunk)):
            out += chunk
        first = False
        pos += found.length
    return bytes(out)


def seconds(data: bytes) -> float:
    """Seconds of whole MPEG frames; raises BrokenAudio on junk or a frame cut short."""
    pos = id3_size(data) or 0
    total, count = 0.0, 0
    while pos + 4 <= len(data):
        found = frame(data[pos : pos + 4])
        if found is None:
            if data[pos : pos + 3] == b"TAG" and len(data) - pos == 128:  # ID3v1 at the end
                break
            raise BrokenAudio(f"the MP3 audio is corrupt at byte {pos}")
        if pos + found.length > len(data):
            raise BrokenAudio(f"the MP3 audio was truncated mid-frame ({len(data) - pos} of {found.length} "
                              "bytes)")
        total += found.seconds
        count += 1
        pos += found.length
    if 0 < len(data) - pos < 4 and data[pos:] != b"\0" * (len(data) - pos):
        raise BrokenAudio("the MP3 audio was truncated mid-frame")
    if not count:
        raise BrokenAudio("the MP3 response holds no audio frames")
    return total


class Counter:
    """Seconds of whole frames in an MP3 stream arriving in arbitrary pieces."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._tail = b""

    def add(self, data: bytes) -> float:
        buf = self._tail + data
        pos = 0
        while pos + 4 <= len(buf):
            found = frame(buf[pos : pos + 4])
            if found is None:
                pos += 1
                continue
            if pos + found.length > len(buf):
                break
            self.seconds += found.seconds
            pos += found.length
        self._tail = buf[pos:]
        return self.seconds


class HeaderFilter:
    """Drops what must appear once per file from a later piece's stream: its ID3v2 tag and Xing/Info frame."""

    def __init__(self) -> None:
        self._head = b""
        self._passing = False

    def feed(self, data: bytes) -> bytes:
        if self._passing:
            return data
        head = self._head + data
        tag = id3_size(head)
        if tag is None or len(head) < tag:
            self._head = head
            return b""
        head = head[tag:]
        found = frame(head[:4])
        if (found is None and len(head) < 4) or (found is not None and len(head) < found.length):
            self._head = head
            return b""
        if found is not None and is_info_frame(head):
            head = head[found.length :]
        self._head = b""
        self._passing = True
        return head

    def flush(self) -> bytes:
        out, self._head = self._head, b""
        return out
