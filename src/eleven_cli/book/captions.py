"""A book's captions: each chapter's cues and alignment moved to where the chapter starts in the book."""

from __future__ import annotations

from collections.abc import Sequence

from eleven_cli.subtitles import Cue
from eleven_cli.timing import Alignment


def offset_cues(parts: Sequence[tuple[float, Sequence[Cue]]]) -> list[Cue]:
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
