"""Containers without codecs: RIFF WAV headers and MP3 frame walking (for stitching and checks)."""

from __future__ import annotations

import struct


def wav_header(rate: int, data_bytes: int, channels: int = 1, bits: int = 16) -> bytes:
    """A 44-byte canonical RIFF/WAVE header for PCM data of `data_bytes` bytes."""
    block = channels * bits // 8
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data" + struct.pack("<I", data_bytes)
    )


def wav_data(wav: bytes) -> tuple[int, bytes]:
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


_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],  # MPEG-1 layer III
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],  # MPEG-2/2.5 layer III
}
_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


def mp3_frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG layer III frame starting with `header`, or None if not a frame."""
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
    kbps = _BITRATES[1 if version == 3 else 2][br_idx]
    coef = 144 if version == 3 else 72
    return coef * kbps * 1000 // rate + padding


def mp3_frames(data: bytes) -> bytes:
    """The MPEG audio frames of an MP3 file: ID3v2/ID3v1 tags and Xing/Info/LAME frames removed."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        pos = 10 + size
    out = bytearray()
    first = True
    while pos + 4 <= len(data):
        length = mp3_frame_length(data[pos : pos + 4])
        if length is None:
            pos += 1
            continue
        frame = data[pos : pos + length]
        if first and (b"Xing" in frame[:64] or b"Info" in frame[:64]):
            first = False
            pos += length
            continue
        first = False
        out += frame
        pos += length
    return bytes(out)
