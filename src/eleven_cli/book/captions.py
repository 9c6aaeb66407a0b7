"""A book's captions: each chapter's cues and alignment moved to where the chapter starts in the book,
the alignments kept on disk until then (CaptionSpill)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from eleven_cli.captions import CaptionStyle
from eleven_cli.subtitles import Cue
from eleven_cli.timing import Alignment


def offset_cues(parts: Iterable[tuple[float, Sequence[Cue]]]) -> list[Cue]:
    """Cues of each chapter (built from its own alignment, times from the chapter's start) moved to
    the chapter's offset in the book: one list for `to_srt` / `to_vtt`."""
    out: list[Cue] = []
    words = 0
    for offset, cues in parts:
        for cue in cues:
            out.append(Cue(cue.start + offset, cue.end + offset, cue.lines, cue.first_word + words, cue.words,
                           cue.speaker))
        words += sum(c.words for c in cues)
    return out


def join_alignments(parts: Sequence[tuple[float, Alignment | None]]) -> Alignment:
    """One alignment for the book from each chapter's (times from the chapter's start) at its offset;
    a space between chapters so that words do not run together."""
    book = Alignment()
    for offset, alignment in parts:
        if alignment is None or not alignment.characters:
            continue
        if book.characters:
            end = book.ends[-1]
            book.extend(Alignment([" "], [end], [max(end, offset)]))
        book.extend(alignment, offset)
    return book


class CaptionSpill:
    """Each chapter's alignment (a character's text and times: ~70 bytes in lists, 35 MB for a book of
    500,000 characters) in a file of its own in `folder` from when the chapter is narrated until the
    captions are written, a chapter at a time, so that memory does not grow with the book."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:05d}.json"

    def put(self, index: int, alignment: Alignment) -> None:
        from eleven_cli.atomic import write_file

        self.folder.mkdir(parents=True, exist_ok=True)
        doc = {"characters": alignment.characters, "starts": alignment.starts, "ends": alignment.ends}
        write_file(self._path(index), json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def get(self, index: int) -> Alignment | None:
        try:
            doc = json.loads(self._path(index).read_bytes())
        except FileNotFoundError:
            return None
        return Alignment(doc["characters"], doc["starts"], doc["ends"])


def book_cues(parts: Iterable[tuple[float, Alignment | None]], style: CaptionStyle = CaptionStyle()) -> list[Cue]:
    """The book's caption cues: each chapter's built from its own alignment (audio tags left out, as
    `write_captions` does), moved to the chapter's offset; no cue runs across two chapters."""
    from eleven_cli.subtitles import build_cues, without_tags, words_from

    return offset_cues([(offset, build_cues(words_from(without_tags(a)), style.max_chars, style.max_lines,
                                            style.max_duration, style.words_per_cue) if a else [])
                        for offset, a in parts])


def write_book_captions(cues: list[Cue], *, srt: str | None = None, vtt: str | None = None) -> None:
    """The cues as SubRip and WebVTT files, written atomically (`-`: standard output)."""
    from eleven_cli.atomic import write_file
    from eleven_cli.subtitles import to_srt, to_vtt

    for path, render in ((srt, to_srt), (vtt, to_vtt)):
        if not path:
            continue
        text = render(cues)
        if str(path) == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_file(path, text.encode("utf-8"))
