"""Read a SOURCE (EPUB, Markdown or plain text; a path, or the bytes of stdin) into a `Book`.

    book = read_book("novel.epub")                      # by suffix, else by content
    book = read_book(sys.stdin.buffer.read(), name="-")  # `-`: the caller reads stdin
    chosen = book.select(parse_selection("3-7,9", len(book.chapters)))
    Path("book.md").write_text(export_markdown(book))    # read_book("book.md") gives the same chapters

Every failure is a one-line UsageError (exit 2): a file that cannot be read, a broken EPUB, a book
without chapters, a chapter without text, a cover that is not an image.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from eleven_cli.book.epub import read_epub
from eleven_cli.book.markdown import _FRONT, export_markdown, read_markdown
from eleven_cli.book.model import Book, Chapter
from eleven_cli.book.plaintext import read_text
from eleven_cli.errors import UsageError

Kind = Literal["epub", "markdown", "text"]
__all__ = ["Book", "Chapter", "Kind", "decode_text", "detect_kind", "export_markdown", "parse_selection",
           "read_book"]

_MD_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mdx"}
_TEXT_SUFFIXES = {".txt", ".text"}


def decode_text(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252 (old e-texts)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UsageError(f"{name} is not valid UTF-16 text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise UsageError(f"{name} is not text (nor an EPUB)")
    return data.decode("cp1252", errors="replace")


def detect_kind(data: bytes, name: str) -> Kind:
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix == ".epub":
        return "epub"
    if suffix in _MD_SUFFIXES:
        return "markdown"
    if suffix in _TEXT_SUFFIXES:
        return "text"
    head = data[:65536].decode("utf-8", errors="replace")
    if _FRONT.match(head) or re.search(r"^#{1,2} \S", head, re.MULTILINE):
        return "markdown"
    return "text"


def read_book(source: str | Path | bytes, *, name: str | None = None, kind: Kind | None = None,
              all: bool = False, chapter_pattern: str | None = None) -> Book:
    """A book from a path or from bytes (stdin; `name` is what messages call it, `-` by default).
    `kind` overrides detection; `all` keeps an EPUB's cover, navigation, copyright and notes pages;
    `chapter_pattern` (a regular expression) says where a plain text's chapters begin."""
    base: Path | None = None
    if isinstance(source, bytes):
        data = source
        name = name or "-"
    else:
        path = Path(source)
        name = name or str(path)
        base = path.parent
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            raise UsageError(f"{name} is a folder, not a book") from None
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {(exc.strerror or str(exc)).lower()}") from None
    if not data.strip():
        raise UsageError(f"{name} is empty")
    kind = kind or detect_kind(data, name)
    if kind == "epub":
        book = read_epub(data, name, all=all)
    elif kind == "markdown":
        book = read_markdown(decode_text(data, name), name, base)
    else:
        book = read_text(decode_text(data, name), name, chapter_pattern)
    return book


def parse_selection(spec: str, count: int) -> list[int]:
    """Chapter numbers (1-based, sorted, each once) from `3-7,9`, `1`, `12-` (to the end) or `-3` (up to 3)."""
    chosen: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        m = re.fullmatch(r"(\d*)(-?)(\d*)", part)
        if not part or not m or (not m.group(1) and not m.group(3)) or (not m.group(2) and m.group(3)):
            raise UsageError(f"--chapters {spec!r}: expected numbers and ranges such as 3-7,9")
        first = int(m.group(1)) if m.group(1) else 1
        last = (int(m.group(3)) if m.group(3) else count) if m.group(2) else first
        if first < 1 or last < first:
            raise UsageError(f"--chapters {spec!r}: {part} is not a range of chapters (they are 1 to {count})")
        if last > count:
            raise UsageError(f"--chapters {spec!r}: the book has {count} chapter{'s' if count != 1 else ''}")
        chosen.update(range(first, last + 1))
    return sorted(chosen)
