"""A finished audiobook read back: its chapters (count, titles, starts) and duration must be those
that were narrated, within a tolerance, before it is called done. An .mp3 is read by mutagen, an
.m4b from its boxes (audio/mp4_read.py), with flat memory whatever the book's length."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from eleven_cli.audio.audiobook_timeline import ChapterMark
from eleven_cli.errors import BrokenAudioError, UsageError
from eleven_cli.extras import need

TOLERANCE = 0.25  # seconds: an encoder's priming and padding, a frame or two


def read_chapters(path: str | Path, kind: str | None = None) -> tuple[list[tuple[str, float]], float]:
    """(title, start in seconds) of each chapter marker, and the duration, of an .m4b or .mp3."""
    p = Path(path)
    kind = kind or ("mp3" if p.suffix.lower() == ".mp3" else "m4b")
    if kind == "mp3":
        mp3 = need("mutagen.mp3")
        try:
            f = mp3.MP3(str(p))
        except Exception as exc:  # mutagen's errors have no common base
            raise BrokenAudioError(f"{p} cannot be read back as MP3: {exc}") from None
        chaps = sorted(f.tags.getall("CHAP") if f.tags else [], key=lambda c: c.start_time)
        found = [(str(c.sub_frames["TIT2"].text[0]) if "TIT2" in c.sub_frames else "", c.start_time / 1000)
                 for c in chaps]
        return found, float(f.info.length)
    from eleven_cli.audio.mp4 import nero_title as cut
    from eleven_cli.audio.mp4_read import read_m4b

    info = read_m4b(p)  # the boxes alone: a demuxer would load the whole per-frame index
    for n, ((title, start), (nero_title, nero_start)) in enumerate(zip(info.chapters, info.nero, strict=False), 1):
        if cut(title) != nero_title or abs(start - nero_start) > 0.001:  # a Nero title holds 255 bytes
            raise BrokenAudioError(f"{p.name}: chapter {n} is {title!r} at {start:.3f} s in the chapter track but "
                                   f"{nero_title!r} at {nero_start:.3f} s in the Nero chapters")
    return info.chapters, info.seconds


def verify_audiobook(path: str | Path, expected_chapters: Sequence[ChapterMark], expected_seconds: float, *,
                     kind: str | None = None, tolerance: float = TOLERANCE, chapters_in_file: bool = True) -> None:
    """Raise BrokenAudioError unless `path` has the expected chapters (titles, starts) and duration
    (`chapters_in_file=False`: a chapter file of a folder, whose duration alone is checked)."""
    if kind == "dir" or Path(path).is_dir():
        raise UsageError("verify each chapter file of a folder on its own")
    found, duration = read_chapters(path, kind)
    name = Path(path).name
    if abs(duration - expected_seconds) > max(tolerance, expected_seconds * 0.002):
        raise BrokenAudioError(f"{name} lasts {duration:.2f} s where {expected_seconds:.2f} s were narrated")
    if not chapters_in_file:
        return
    if len(found) != len(expected_chapters):
        raise BrokenAudioError(f"{name} has {len(found)} chapter markers where {len(expected_chapters)} were written")
    for (title, start), mark in zip(found, expected_chapters, strict=True):
        if abs(start - mark.start) > tolerance:
            raise BrokenAudioError(f"{name}: chapter {mark.index} starts at {start:.2f} s, not {mark.start:.2f} s")
        if title != mark.title:
            raise BrokenAudioError(f"{name}: chapter {mark.index} is titled {title!r}, not {mark.title!r}")
