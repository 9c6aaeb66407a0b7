"""Ogg Opus decoded as it arrives (audio/opus_stream.py) against PyAV's own Ogg demuxer on the whole file:
the same samples, for any way the bytes are cut, for one stream and for a chain of streams (the pieces of a
long text, as playback receives them)."""

import random
from array import array

import httpx
import pytest

from conftest import Mock, decode_pcm
from eleven_cli.audio.opus_stream import OggOpusDecoder
from eleven_cli.errors import BrokenAudioError

av = pytest.importorskip("av")
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def _opus(mock: Mock, text: str, fmt: str = "opus_48000_64") -> bytes:
    r = httpx.post(f"{mock.url}/v1/text-to-speech/{GEORGE}/stream", params={"output_format": fmt},
                   headers={"xi-api-key": mock.key}, json={"text": text, "model_id": "eleven_multilingual_v2"})
    r.raise_for_status()
    assert r.content[:4] == b"OggS"
    return r.content


def _reference(data: bytes, rate: int) -> array:
    """PyAV's demuxer and decoder on the whole file."""
    return array("h", decode_pcm(data, rate))


def _streamed(data: bytes, rate: int, rng: random.Random) -> tuple[array, int]:
    """Decoded in random cuts; also how many bytes of PCM came out before the last cut arrived."""
    dec = OggOpusDecoder(rate)
    out = bytearray()
    i = early = 0
    while i < len(data):
        n = rng.choice([1, 7, 27, 200, 1500, 4096])
        out += dec.feed(data[i : i + n])
        i += n
        if i < len(data):
            early = len(out)
    out += dec.close()
    return array("h", bytes(out)), early


def _close(a: array, b: array) -> None:
    assert abs(len(a) - len(b)) <= 1, (len(a), len(b))
    n = min(len(a), len(b))
    # The same samples up to the resampler's rounding, which depends on how the frames reach it (up to 27 LSB
    # was seen at 44.1 kHz: -62 dB; a shift by one sample differs by thousands).
    assert max(abs(x - y) for x, y in zip(a[:n], b[:n], strict=True)) <= 48


@pytest.mark.parametrize("rate", [24000, 44100, 48000, 16000])
def test_one_stream_decodes_as_the_demuxer_does(mock: Mock, rate: int) -> None:
    data = _opus(mock, "Opus is decoded page by page while it downloads, and ends where the file says.")
    ref = _reference(data, rate)
    assert len(ref) > rate  # more than a second of sound
    for seed in range(3):
        got, early = _streamed(data, rate, random.Random(seed))
        _close(got, ref)
        assert early // 2 > len(got) // 2  # over half the samples were out before the last bytes came in


def test_a_chain_of_streams_decodes_piece_by_piece(mock: Mock) -> None:
    pieces = [_opus(mock, "The first piece of a long text."), _opus(mock, "And the second piece, after it.")]
    ref = _reference(pieces[0], 24000) + _reference(pieces[1], 24000)
    got, _ = _streamed(b"".join(pieces), 24000, random.Random(7))
    assert abs(len(got) - len(ref)) <= 2
    first = len(_reference(pieces[0], 24000))
    _close(got[:first], ref[:first])
    _close(got[first:], ref[first:])


def test_ogg_that_is_not_opus_is_broken_audio() -> None:
    dec = OggOpusDecoder(24000)
    with pytest.raises(BrokenAudioError):
        dec.feed(b"OggS\x00\x02" + bytes(20) + b"\x01\x13" + b"OpusHeaX" + bytes(11))
