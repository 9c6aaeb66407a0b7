"""The codec table (audio/codecs.py): every format has a codec; the per-piece filter holds across any chunking;
streaming counters agree with the strict duration and resume after a rollback; a file's writer gives the same
bytes whether its destination can seek (patched header) or not (held, written at the end)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eleven_cli.audio import mp3, riff
from eleven_cli.audio.codecs import CODECS, codec_of, duration_counter, part_filter, stitch, writer
from eleven_cli.formats import FORMATS
from eleven_mock.encode import Encoder

FRAME = b"\xff\xfb\x90\x00" + b"\x00" * 413  # MPEG-1 layer III, 44.1 kHz, 128 kbit/s: 417 bytes, 1152 samples
ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"TAG!!"  # a 15-byte ID3v2 tag
XING = b"\xff\xfb\x90\x00" + b"\x00" * 32 + b"Xing" + b"\x00" * 377


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def test_every_format_has_a_codec_and_each_codec_is_one_object() -> None:
    assert {f.codec for f in FORMATS.values()} == set(CODECS)
    assert all(codec_of(f) is CODECS[f.codec] for f in FORMATS.values())


def test_the_mp3_table_lives_in_one_place() -> None:
    assert mp3.frame(FRAME) == mp3.Frame(417, 1152 / 44100)
    assert mp3.frame(b"\xff\xf3\x60\xc4") == mp3.Frame(72 * 48 * 1000 // 22050, 576 / 22050)  # MPEG-2, 22.05 kHz
    assert mp3.frame(b"\xff\xfb\xf0\x00") is None and mp3.frame(b"\x00\x00\x00\x00") is None
    assert mp3.id3_size(ID3 + FRAME) == 15 and mp3.id3_size(b"ID3\x04") is None and mp3.id3_size(FRAME) == 0


@given(st.lists(st.integers(0, 2000), max_size=6))
def test_a_later_mp3_piece_loses_its_tag_and_info_frame_however_it_is_chunked(cuts: list[int]) -> None:
    piece = ID3 + XING + FRAME * 3
    filt = part_filter(FORMATS["mp3_44100_128"], first=False)
    out = b"".join(filt.feed(c) for c in _chunks(piece, cuts)) + filt.flush()
    assert out == FRAME * 3 == mp3.frames(piece)
    first = part_filter(FORMATS["mp3_44100_128"], first=True)
    assert b"".join(first.feed(c) for c in _chunks(piece, cuts)) + first.flush() == piece


@given(st.lists(st.integers(0, 200), max_size=6))
def test_every_wav_piece_reaches_the_file_as_pcm(cuts: list[int]) -> None:
    pcm = bytes(range(100)) * 2
    for first in (True, False):
        filt = part_filter(FORMATS["wav_16000"], first=first)
        piece = riff.header(16000, len(pcm)) + pcm
        assert b"".join(filt.feed(c) for c in _chunks(piece, cuts)) + filt.flush() == pcm


@pytest.mark.parametrize("name", ["mp3_44100_128", "pcm_16000", "ulaw_8000", "alaw_8000", "opus_48000_64"])
def test_a_streaming_count_agrees_with_the_strict_duration_and_resumes(name: str) -> None:
    fmt = FORMATS[name]
    enc = Encoder(fmt)
    data = enc.feed(b"\x10\x00" * 22050) + enc.flush()  # one second of the mock's 22.05 kHz samples
    strict = codec_of(fmt).seconds(data, fmt)
    counter = duration_counter(fmt)
    for i in range(0, len(data), 1000):
        counter.add(data[i : i + 1000])
    assert abs(counter.seconds - strict) < 0.03, (counter.seconds, strict)
    half = len(data) // 2
    resumed = duration_counter(fmt, seconds=1.5, size=half)
    assert resumed.seconds == pytest.approx(1.5 if codec_of(fmt).name in ("mp3", "opus") else half
                                            / codec_of(fmt).sample_bytes / fmt.rate)


class Pipe:
    """A destination that cannot seek (stdout, a FIFO, a device)."""

    seekable = False

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def patch(self, offset: int, data: bytes) -> None:
        raise AssertionError("a pipe cannot be patched")

    def truncate(self, size: int) -> bool:
        return False


class Seekable(Pipe):
    seekable = True

    def patch(self, offset: int, data: bytes) -> None:
        self.data[offset : offset + len(data)] = data

    def truncate(self, size: int) -> bool:
        del self.data[size:]
        return True


@pytest.mark.parametrize("name", ["wav_24000", "mp3_44100_128", "pcm_24000", "ulaw_8000"])
def test_a_file_is_the_same_bytes_on_a_pipe_and_on_a_disk(name: str) -> None:
    fmt = FORMATS[name]
    outs = []
    for dest in (Pipe(), Seekable()):
        w = writer(fmt, dest)
        w.begin(1)
        for chunk in (b"\x01\x02" * 300, b"\x03\x04" * 200):
            w.audio(chunk)
        w.finish()
        outs.append(bytes(dest.data))
    assert outs[0] == outs[1]
    if name.startswith("wav"):
        assert riff.data(outs[0]) == (24000, b"\x01\x02" * 300 + b"\x03\x04" * 200)


def test_a_rolled_back_wav_is_sized_for_what_stayed() -> None:
    fmt = FORMATS["wav_16000"]
    for dest in (Pipe(), Seekable()):
        w = writer(fmt, dest)
        w.audio(b"\x05\x00" * 100)
        assert w.truncate(120)
        w.audio(b"\x06\x00" * 10)
        w.finish()
        assert riff.data(bytes(dest.data)) == (16000, (b"\x05\x00" * 100)[:120] + b"\x06\x00" * 10)
    raw = writer(FORMATS["mp3_44100_128"], Pipe())
    raw.audio(FRAME)
    assert not raw.truncate(0)  # a pipe cannot take audio back


def test_several_opus_pieces_become_one_stream() -> None:
    pytest.importorskip("av")
    fmt = FORMATS["opus_48000_64"]
    pieces = []
    for _ in range(2):
        enc = Encoder(fmt)
        pieces.append(enc.feed(b"\x10\x00" * 22050) + enc.flush())
    dest = Seekable()
    w = writer(fmt, dest)
    w.begin(2)
    for p in pieces:
        w.audio(p)  # written through only for a single piece
        w.piece(p)
    w.finish()
    joined = bytes(dest.data)
    assert joined.count(b"OpusHead") == 1 and stitch(pieces, fmt).count(b"OpusHead") == 1  # (serials differ)
    seconds = codec_of(fmt).seconds(joined, fmt)
    assert abs(seconds - 2.0) < 0.05 and seconds == codec_of(fmt).seconds(stitch(pieces, fmt), fmt)
