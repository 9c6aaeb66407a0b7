"""RIFF WAVE around 16-bit PCM: the header, reading one back, strict duration, and the sizes patched at the end."""

from __future__ import annotations

import struct

from eleven_cli.errors import BrokenAudioError as BrokenAudio

HEADER_BYTES = 44  # the canonical header written here
_UNKNOWN_SIZES = (0, 0xFFFFFFFF, 0x7FFFFFFF)  # what streamers put in a data chunk of unknown length


def header(rate: int, data_bytes: int, channels: int = 1, bits: int = 16) -> bytes:
    """A 44-byte canonical RIFF/WAVE header for PCM data of `data_bytes` bytes."""
    block = channels * bits // 8
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data" + struct.pack("<I", data_bytes)
    )


def size_patches(data_bytes: int) -> list[tuple[int, bytes]]:
    """(offset, bytes) to write over a canonical header once its data size is known."""
    return [(4, struct.pack("<I", 36 + data_bytes)), (40, struct.pack("<I", data_bytes))]


def data(wav: bytes) -> tuple[int, bytes]:
    """(sample rate, PCM payload) of a RIFF WAV file; raises ValueError when it is not one."""
    if len(wav) < 12 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pos, rate = 12, 0
    while pos + 8 <= len(wav):
        cid, size = wav[pos : pos + 4], struct.unpack("<I", wav[pos + 4 : pos + 8])[0]
        body = wav[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            rate = struct.unpack("<I", body[4:8])[0]
        elif cid == b"data":
            return rate, body
        pos += 8 + size + (size & 1)
    raise ValueError("RIFF/WAVE file without a data chunk")


def seconds(wav: bytes) -> float:
    """Seconds of a RIFF WAV file whose data chunk is all there (a streamed 'unknown size' is allowed)."""
    if len(wav) < 12 or wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise BrokenAudio("the WAV response has no RIFF header")
    pos, rate, block = 12, 0, 2
    while pos + 8 <= len(wav):
        cid, size = wav[pos : pos + 4], struct.unpack("<I", wav[pos + 4 : pos + 8])[0]
        if cid == b"fmt ":
            if len(wav) < pos + 24:
                break
            channels, rate = struct.unpack("<HI", wav[pos + 10 : pos + 16])
            block = max(1, channels * struct.unpack("<H", wav[pos + 22 : pos + 24])[0] // 8)
        elif cid == b"data":
            have = len(wav) - pos - 8
            unknown = size in _UNKNOWN_SIZES
            if not unknown and have < size:
                raise BrokenAudio(f"the WAV audio was truncated ({have} of {size} bytes)")
            if not rate:
                raise BrokenAudio("the WAV file has no format chunk before its data")
            return (have if unknown else size) // block / rate
        pos += 8 + size + (size & 1)
    raise BrokenAudio("the WAV response has no data chunk")


class HeaderFilter:
    """Passes only the PCM of a WAV stream: everything up to and including the data chunk's header goes."""

    def __init__(self) -> None:
        self._head = b""
        self._passing = False

    def feed(self, data: bytes) -> bytes:
        if self._passing:
            return data
        self._head += data
        at = self._head.find(b"data")
        if at < 0 or len(self._head) < at + 8:
            return b""
        out, self._head = self._head[at + 8 :], b""
        self._passing = True
        return out

    def flush(self) -> bytes:
        self._head = b""
        return b""
