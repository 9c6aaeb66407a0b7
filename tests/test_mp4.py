"""Our .m4b muxer (audio/mp4.py) read back by ffmpeg (PyAV) and mutagen, and our reader of it
(audio/mp4_read.py) against theirs: chapters, duration, every frame, 64-bit layouts, broken files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
av = pytest.importorskip("av")
mutagen_mp4 = pytest.importorskip("mutagen.mp4")

from bookmaker import png  # noqa: E402
from eleven_cli.audio import mp4  # noqa: E402
from eleven_cli.audio.audiobook_encode import encode_m4b  # noqa: E402
from eleven_cli.audio.audiobook_tags import BookTags, tag_mp4  # noqa: E402
from eleven_cli.audio.audiobook_timeline import ChapterMark  # noqa: E402
from eleven_cli.audio.audiobook_verify import read_chapters  # noqa: E402
from eleven_cli.audio.mp4_read import read_m4b  # noqa: E402
from eleven_cli.errors import BrokenAudioError  # noqa: E402

RATE = 24000


def tone(path: Path, seconds: float, rate: int = RATE) -> None:
    t = np.arange(int(seconds * rate)) / rate
    path.write_bytes((0.2 * np.sin(2 * np.pi * 330 * t) * 32767).astype("<i2").tobytes())


def book(tmp_path: Path, titles: list[str], seconds: float = 1.5, rate: int = RATE) -> tuple[Path, list[ChapterMark]]:
    """An .m4b of one tone a chapter, as Assembler.finish writes it (no pause between chapters)."""
    parts, marks, start = [], [], 0.0
    for i, title in enumerate(titles, 1):
        tone(tmp_path / f"{i}.pcm", seconds, rate)
        parts.append((tmp_path / f"{i}.pcm", 0))
        marks.append(ChapterMark(i, title, start, seconds))
        start += seconds
    out = tmp_path / "book.m4b"
    with open(out, "wb") as fh:
        encode_m4b(fh, parts, marks, rate, 0.0, scratch=tmp_path)
    return out, marks


def ffmpeg_view(path: Path) -> tuple[list[tuple[str, float]], float, int]:
    """Chapters, duration and decoded samples (less the encoder's priming) as ffmpeg sees them."""
    with av.open(str(path)) as box:
        chapters = [(c["metadata"]["title"], float(c["start"] * c["time_base"])) for c in box.chapters()]
        stream = box.streams.audio[0]
        assert stream.codec_context.name == "aac" and stream.rate in (RATE, 48000)
        samples = sum(f.samples for f in box.decode(stream))
        return chapters, box.duration / 1_000_000, samples


def test_ffmpeg_mutagen_and_our_reader_agree_on_chapters_and_duration(tmp_path: Path) -> None:
    titles = ["One", "Deux: l\u2019\u00e9t\u00e9", "\u4e09 / Three"]
    out, marks = book(tmp_path, titles)
    chapters, duration, samples = ffmpeg_view(out)
    assert chapters == [(m.title, pytest.approx(m.start, abs=0.001)) for m in marks]
    assert duration == pytest.approx(4.5, abs=0.01)
    assert samples - 1024 == pytest.approx(4.5 * RATE, abs=1024)  # every frame decodes (the last is padded)
    info = read_m4b(out)
    assert info.chapters == info.nero == [(m.title, pytest.approx(m.start, abs=0.001)) for m in marks]
    assert info.seconds == pytest.approx(4.5, abs=1e-6)  # the frames' durations less the priming, exactly
    f = mutagen_mp4.MP4(str(out))
    assert [c.title for c in f.chapters] == titles and f.info.length == pytest.approx(4.5, abs=0.05)
    assert f.info.codec == "mp4a.40.2" and f.info.sample_rate == RATE and f.info.channels == 1


def test_tags_and_cover_from_mutagen_keep_the_file_readable(tmp_path: Path) -> None:
    out, marks = book(tmp_path, ["A", "B"])
    assert tag_mp4(str(out), BookTags("T", author="Ada", narrator="R", cover=png(), cover_mime="image/png")) == []
    chapters, duration, _ = ffmpeg_view(out)
    assert [t for t, _ in chapters] == ["A", "B"] and duration == pytest.approx(3.0, abs=0.01)
    assert read_m4b(out).chapters == [("A", 0.0), ("B", pytest.approx(1.5))]
    assert bytes(mutagen_mp4.MP4(str(out)).tags["covr"][0]) == png()


def test_more_chapters_than_nero_holds_and_long_titles(tmp_path: Path) -> None:
    titles = [f"Chapter {i}" for i in range(1, 301)]
    titles[0] = "\u00e9" * 200  # 400 bytes: cut to 255 bytes (on a character) in chpl, whole in the track
    out, marks = book(tmp_path, titles, seconds=0.05)
    info = read_m4b(out)
    assert [t for t, _ in info.chapters] == titles
    assert len(info.nero) == 255 and info.nero[0][0] == "\u00e9" * 127 and info.nero[1:] == info.chapters[1:255]
    chapters, _, _ = ffmpeg_view(out)
    assert len(chapters) == 300 and chapters[-1] == ("Chapter 300", pytest.approx(marks[-1].start, abs=0.001))
    assert chapters[0][0] == titles[0]  # ffmpeg takes the chapter track's title over chpl's
    found, _ = read_chapters(out)  # the final check of a book agrees: the cut Nero title is not a mismatch
    assert [t for t, _ in found] == titles


def test_sixty_four_bit_layout_reads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 4 GB (or 2^32 samples: 50 h at 24 kHz) the mdat size, chunk offsets and times take 64 bits;
    shown here by lowering the limit so that a small file takes the 64-bit forms."""
    monkeypatch.setattr(mp4, "_U32", 1000)
    out, marks = book(tmp_path, ["One", "Two"], seconds=2.0, rate=48000)
    data = out.read_bytes()
    assert data[28:36] == b"\x00\x00\x00\x01mdat" and b"co64" in data  # (the chapter texts, at 44, keep stco)
    chapters, duration, _ = ffmpeg_view(out)
    assert chapters == [("One", 0.0), ("Two", pytest.approx(2.0, abs=0.001))]
    assert duration == pytest.approx(4.0, abs=0.01)
    info = read_m4b(out)
    assert info.chapters == [("One", 0.0), ("Two", pytest.approx(2.0))] and info.seconds == pytest.approx(4.0)


def test_broken_files_are_refused(tmp_path: Path) -> None:
    out, _ = book(tmp_path, ["One"])
    data = out.read_bytes()
    cut = tmp_path / "cut.m4b"
    cut.write_bytes(data[: len(data) - 300])  # the index at the end cut short
    with pytest.raises(BrokenAudioError):
        read_m4b(cut)
    at = data.index(b"mdat") - 4  # audio cut out of the middle: the index points past the end
    short = tmp_path / "short.m4b"
    moov = data.index(b"moov") - 4
    size = int.from_bytes(data[at:at + 4], "big") - 5000
    short.write_bytes(data[:at] + size.to_bytes(4, "big") + data[at + 4:moov - 5000] + data[moov:])
    with pytest.raises(BrokenAudioError, match="past the end"):
        read_m4b(short)
    (tmp_path / "text.m4b").write_text("not an mp4 at all, just some text")
    with pytest.raises(BrokenAudioError):
        read_m4b(tmp_path / "text.m4b")


def test_making_a_book_loads_no_scipy(tmp_path: Path) -> None:
    """scipy.signal alone is 80 MB of memory: the book's loudness and muxing need numpy only."""
    code = f"""
import sys
import numpy as np
from eleven_cli.audio.audiobook import Assembler
from eleven_cli.audio.audiobook_tags import BookTags
with Assembler({str(tmp_path / "b.m4b")!r}, rate=24000, tags=BookTags("T")) as book:
    with book.chapter(1, "One") as ch:
        ch.write((np.sin(np.arange(48000) / 10) * 3000).astype("<i2").tobytes())
    result = book.finish()
assert result.loudness.integrated > -40, result.loudness
print(sorted(m for m in sys.modules if m.split(".")[0] == "scipy"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
