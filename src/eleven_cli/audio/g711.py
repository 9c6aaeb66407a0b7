"""G.711 μ-law and A-law, both ways, for s16 little-endian mono (the stdlib `audioop` is gone in 3.13)."""

from __future__ import annotations

from array import array
from functools import cache

_BIAS = 0x84
_CLIP = 32635


def _ulaw_byte(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    if sample < 0:
        sample = -sample
    sample = min(sample, _CLIP) + _BIAS
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _alaw_byte(sample: int) -> int:
    sign = 0x80 if sample >= 0 else 0
    if sample < 0:
        sample = -sample - 1
    sample = min(sample, 32767)
    if sample >= 256:
        exponent = 7
        mask = 0x4000
        while exponent > 1 and not sample & mask:
            exponent -= 1
            mask >>= 1
        mantissa = (sample >> (exponent + 3)) & 0x0F
        value = (exponent << 4) | mantissa
    else:
        value = sample >> 4
    return (sign | value) ^ 0x55


def _ulaw_sample(byte: int) -> int:
    byte = ~byte & 0xFF
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    value = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return -value if sign else value


def _alaw_sample(byte: int) -> int:
    byte ^= 0x55
    sign = byte & 0x80
    exponent = (byte >> 4) & 0x07
    mantissa = byte & 0x0F
    value = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return value if sign else -value


@cache
def _encode_table(law: str) -> bytes:
    fn = _ulaw_byte if law == "ulaw" else _alaw_byte
    return bytes(fn(s - 65536 if s >= 32768 else s) for s in range(65536))


@cache
def _decode_table(law: str) -> array:
    fn = _ulaw_sample if law == "ulaw" else _alaw_sample
    return array("h", (fn(b) for b in range(256)))


def encode(pcm: bytes, law: str) -> bytes:
    """s16le mono -> one G.711 byte per sample (`law` is "ulaw" or "alaw")."""
    samples = array("H")
    samples.frombytes(pcm[: len(pcm) // 2 * 2])
    table = _encode_table(law)
    return bytes(table[s] for s in samples)


def decode(data: bytes, law: str) -> bytes:
    """G.711 bytes -> s16le mono."""
    table = _decode_table(law)
    return array("h", (table[b] for b in data)).tobytes()
