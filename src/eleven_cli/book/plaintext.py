"""Plain text: chapters at heading lines, paragraphs at blank lines.

A heading is a short line of its own that begins with Chapter, Part, Book, Prologue, Epilogue, ...
and a number (digits, Roman numerals or words: `Chapter 12`, `CHAPTER TWELVE`, `Part II`), or a
lone Roman numeral between blank lines, or a line that matches the caller's pattern. A short line
straight under a heading (no blank line between) is its subtitle: "Chapter 1: The Beginning".
Hard-wrapped lines are rejoined into paragraphs and words hyphenated at line ends are joined
again; a text whose lines are long (one paragraph per line) keeps each line as a paragraph. The
lines before the first heading give the title (the first line) and the author (`by ...` or
`Author: ...`); whatever else is there is read as an opening chapter.
"""

from __future__ import annotations

import re
from pathlib import Path

from eleven_cli.book.clean import clean_paragraph, clean_title, join_paragraphs
from eleven_cli.book.model import Book, Chapter
from eleven_cli.errors import UsageError

_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                 r"hundred|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
                 r"last|final")
_NUMBER = rf"(?:\d+|[IVXLCDM]+\b|(?:{_NUMBER_WORDS})(?:[\s-]+(?:{_NUMBER_WORDS}))*)"
HEADING = re.compile(
    rf"^(?:(?:chapter|chap\.|part|book|volume|act|section|letter)\s+{_NUMBER}\b\.?(?:\s*[.:—–-]\s*\S.*|\s+\S.*)?"
    r"|(?:prologue|epilogue|preface|foreword|introduction|afterword|interlude|appendix|postscript|conclusion)"
    r"(?:\s*[.:—–-]?\s*\S.*)?)$",
    re.IGNORECASE)
_ROMAN = re.compile(r"^[IVXLC]{1,7}\.?$")
_MAX_HEADING = 90
_LONG_LINES = 200  # a text with a line this long is not hard-wrapped: each line is a paragraph


def _is_heading(line: str, prev_blank: bool, next_blank: bool, pattern: re.Pattern[str] | None) -> bool:
    s = line.strip()
    if not s or len(s) > _MAX_HEADING:
        return False
    if pattern is not None:
        return pattern.search(s) is not None
    if not prev_blank:
        return False
    if HEADING.match(s):
        return not s.rstrip().endswith((",", ";")) and (next_blank or len(s.split()) <= 8)
    return bool(_ROMAN.match(s)) and next_blank


def _subtitle(lines: list[str], i: int, pattern: re.Pattern[str] | None) -> bool:
    """Whether line `i`, straight under a heading, is its subtitle: short, then a blank line, and not
    a sentence (unless in capitals, as old books set them)."""
    if i >= len(lines) or not lines[i].strip() or len(lines[i].strip()) > 60:
        return False
    if i + 1 < len(lines) and lines[i + 1].strip():
        return False
    line = lines[i].strip()
    if _is_heading(line, True, True, pattern):
        return False
    shouting = line.isupper() and sum(c.isalpha() for c in line) >= 4
    return shouting or not line.endswith((".", "!", "?", "\"", "\u201d"))


def _paragraphs(lines: list[str], wrapped: bool) -> list[str]:
    """Blocks between blank lines (or, in a text that is not hard-wrapped, every line), lines rejoined."""
    paragraphs: list[str] = []
    block: list[str] = []

    def close() -> None:
        if block:
            paragraphs.append(_rejoin(block))
            block.clear()

    indents = sum(1 for ln in lines if re.match(r"^(?: {2,}|\t)\S", ln))
    for line in lines:
        if not line.strip():
            close()
        elif not wrapped or (block and indents >= 2 and re.match(r"^(?: {2,}|\t)\S", line)):
            close()  # one paragraph per line, or an indented line that begins a paragraph
            block.append(line)
        else:
            block.append(line)
    close()
    return paragraphs


def _rejoin(lines: list[str]) -> str:
    out = lines[0].strip()
    for line in lines[1:]:
        nxt = line.strip()
        if re.search(r"[^\W\d_]-$", out) and nxt[:1].islower():  # exam- / ple
            out = out[:-1] + nxt
        elif re.search(r"[^\W\d_]-$|[—–]$", out):  # Jean- / Paul, said— / and: a word that goes on
            out += nxt
        else:
            out += " " + nxt
    return out


def read_text(text: str, name: str, chapter_pattern: str | None = None) -> Book:
    try:
        pattern = re.compile(chapter_pattern, re.IGNORECASE) if chapter_pattern else None
    except re.error as exc:
        raise UsageError(f"--chapter-pattern is not a valid regular expression: {exc}") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    wrapped = max((len(ln) for ln in lines), default=0) < _LONG_LINES
    heads: list[tuple[int, int]] = []  # (line index of the heading, line index where its text begins)
    i = 0
    while i < len(lines):
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        if _is_heading(lines[i], prev_blank, next_blank, pattern):
            start = i + 1
            # a short subtitle straight under it, then a blank line
            if _subtitle(lines, start, pattern):
                start += 1
            heads.append((i, start))
            i = start
        else:
            i += 1

    title = ""
    author = None
    end = heads[0][0] if heads else len(lines)
    preamble = lines[:end]
    rest: list[str] = []
    if heads:
        for line in preamble:
            s = line.strip()
            m = re.match(r"^(?:by|author:)\s+(.+)$", s, re.IGNORECASE)
            if not s:
                rest.append(line)
            elif not title and len(s) <= 100 and not s.endswith((".", ",")):
                title = re.sub(r"^title:\s*", "", s, flags=re.IGNORECASE)
            elif m and author is None:
                author = clean_paragraph(m.group(1))
            else:
                rest.append(line)
    title = clean_title(title) or Path(name).stem
    chapters: list[Chapter] = []
    opening = join_paragraphs(_paragraphs(rest if heads else lines, wrapped))
    if opening:
        chapters.append(Chapter(1, title, opening))
    for n, (h, start) in enumerate(heads):
        stop = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        head = clean_title(lines[h])
        if start > h + 1:
            head = f"{head}: {clean_title(lines[h + 1])}"
        body = join_paragraphs(_paragraphs(lines[start:stop], wrapped))
        if not body:
            nxt_is_part = n + 1 < len(heads) and re.match(r"^(part|book|volume)\b", lines[h].strip(), re.IGNORECASE)
            if nxt_is_part:  # a part's title over its first chapter
                lines[heads[n + 1][0]] = f"{head}: {lines[heads[n + 1][0]].strip()}"
                continue
            raise UsageError(f"{name}: the chapter \u201c{head}\u201d has no text")
        chapters.append(Chapter(len(chapters) + 1, head, body))
    if not chapters:
        raise UsageError(f"{name} has no text to read")
    return Book(title, chapters, author)
