"""Where things are in a book's audio: pauses, chapter starts, a WebVTT chapters file, and
captions of the chapters joined at their offsets. Pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from eleven_cli.errors import UsageError


@dataclass(frozen=True)
class Pauses:
    """Seconds of silence between sentences, paragraphs and chapters (`--pause paragraph=0.6,chapter=2.0`)."""
    sentence: float = 0.0
    paragraph: float = 0.6
    chapter: float = 2.0


def parse_pauses(spec: str, base: Pauses = Pauses()) -> Pauses:
    """`paragraph=0.6,chapter=2.0` (seconds; `sentence`, `paragraph`, `chapter`) over `base`."""
    values = {"sentence": base.sentence, "paragraph": base.paragraph, "chapter": base.chapter}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = re.fullmatch(r"(\w+)\s*=\s*(\d+(?:\.\d*)?|\.\d+)s?", part)
        if not m or m.group(1) not in values:
            raise UsageError(f"--pause {spec!r}: expected sentence=, paragraph= or chapter= with seconds, "
                             "such as paragraph=0.6,chapter=2.0")
        seconds = float(m.group(2))
        if seconds > 60:
            raise UsageError(f"--pause {spec!r}: {m.group(1)} pause of {seconds:g} s is over a minute")
        values[m.group(1)] = seconds
    return Pauses(**values)


def silence(seconds: float, rate: int) -> bytes:
    """`seconds` of int16 mono silence at `rate`."""
    return bytes(2 * max(0, round(seconds * rate)))


def with_pauses(pieces: Sequence[bytes], seconds: float, rate: int) -> list[bytes]:
    """PCM pieces (paragraphs) with `seconds` of silence between each two."""
    gap = silence(seconds, rate)
    out: list[bytes] = []
    for i, piece in enumerate(pieces):
        if i and gap:
            out.append(gap)
        out.append(piece)
    return out


@dataclass(frozen=True)
class ChapterMark:
    """A chapter as placed in the book's audio (seconds from the start of the book)."""
    index: int
    title: str
    start: float
    duration: float
    loudness: float = float("-inf")  # LUFS, as narrated (before the book's gain)
    true_peak: float = float("-inf")  # dBTP, as narrated
    files: list[str] = field(default_factory=list)  # for a folder output: the chapter's file

    @property
    def end(self) -> float:
        return self.start + self.duration


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def chapters_vtt(chapters: Sequence[ChapterMark]) -> str:
    """A WebVTT chapters file (`<track kind="chapters">`): one cue per chapter, its title as the text."""
    lines = ["WEBVTT", ""]
    for ch in chapters:
        title = " ".join(ch.title.split()).replace("-->", "\u2192")
        lines += [f"{ch.index}", f"{_stamp(ch.start)} --> {_stamp(ch.end)}", title, ""]
    return "\n".join(lines)
