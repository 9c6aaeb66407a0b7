"""Text input (words, stdin, files) and splitting long text below a model's per-request limit."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from eleven_cli.errors import UsageError

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a clear limit instead of unbounded memory


def decode(raw: bytes, source: str) -> str:
    """UTF-8 (a BOM is dropped, CRLF becomes LF); invalid UTF-8 or NUL bytes are usage errors."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not valid UTF-8 (byte {exc.start})",
                         hint="convert it, e.g. iconv -f latin1 -t utf-8") from None
    if "\0" in text:
        raise UsageError(f"{source} contains NUL bytes; is it a binary file?")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_stream(stream: BinaryIO, source: str) -> str:
    raw = stream.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise UsageError(f"{source} is larger than {MAX_INPUT_BYTES // 1024 // 1024} MB",
                         hint="split it into files and use `eleven batch`")
    return decode(raw, source)


def read_text(words: list[str], file: str | None, stdin: BinaryIO | None = None,
              stdin_is_tty: bool | None = None) -> str:
    """cli.md: TEXT words; `-` or no TEXT with stdin not a TTY reads stdin; -f PATH (-f - = stdin)."""
    stdin = stdin if stdin is not None else sys.stdin.buffer
    if stdin_is_tty is None:
        stdin_is_tty = sys.stdin.isatty()
    if file is not None and words:
        raise UsageError("give the text as words or with -f/--file, not both")
    if file == "-" or words == ["-"] or (file is None and not words and not stdin_is_tty):
        text = read_stream(stdin, "standard input")
    elif file is not None:
        path = Path(file)
        try:
            with path.open("rb") as fh:
                text = read_stream(fh, str(path))  # type: ignore[arg-type]
        except FileNotFoundError:
            raise UsageError(f"no such file: {file}") from None
        except IsADirectoryError:
            raise UsageError(f"{file} is a directory, not a text file") from None
        except PermissionError:
            raise UsageError(f"cannot read {file}: permission denied") from None
    elif words:
        text = " ".join(words)
    else:
        raise UsageError("no text given", hint='pass it as words (eleven say "Hello"), pipe it in, or use -f FILE')
    if not text.strip():
        raise UsageError("the text is empty or only whitespace")
    return text


_SENTENCE = re.compile(r"(?<=[.!?…。！？])[\"'”’)\]]*\s+")
_CLAUSE = re.compile(r"(?<=[,;:—–、，；：])\s+")


def _pieces(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split after each match, keeping the separators attached to the left piece."""
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(text[last : m.end()])
        last = m.end()
    out.append(text[last:])
    return [p for p in out if p]


def _words(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for token in re.findall(r"\S+\s*|\s+", text):
        while len(token) > limit:  # a "word" longer than the limit (no spaces, e.g. CJK): cut it
            out.append(token[:limit])
            token = token[limit:]
        out.append(token)
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, then sentence, then clause, then
    word boundaries; joined they give back `text` exactly."""
    if limit < 1:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return [text]
    levels = [re.compile(r"(?<=\n)\n+"), _SENTENCE, _CLAUSE]

    def atoms(segment: str, level: int) -> list[str]:
        if len(segment) <= limit:
            return [segment]
        if level == len(levels):
            return _words(segment, limit)
        out: list[str] = []
        for piece in _pieces(segment, levels[level]):
            out += atoms(piece, level + 1)
        return out

    chunks: list[str] = []
    current = ""
    for atom in atoms(text, 0):
        if current and len(current) + len(atom) > limit:
            chunks.append(current)
            current = ""
        current += atom
    if current:
        chunks.append(current)
    # Whitespace-only chunks carry nothing to speak: fold them into a neighbour when it fits.
    merged: list[str] = []
    for chunk in chunks:
        if merged and (not chunk.strip() or not merged[-1].strip()) and len(merged[-1]) + len(chunk) <= limit:
            merged[-1] += chunk
        else:
            merged.append(chunk)
    return merged


def stream_pieces(fd: int, *, flush_on_newline: bool = False,
                  keepalive: float | None = None) -> Iterator[tuple[str, bool] | None]:
    """Read text as it arrives on a file descriptor (never waiting for EOF): yields (piece, flush)
    cut at whitespace so no word is split, or None when `keepalive` seconds pass with no input."""
    import codecs
    import os
    import select

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    pending = ""
    first = True
    while True:
        if keepalive is not None:
            ready, _, _ = select.select([fd], [], [], keepalive)
            if not ready:
                yield None
                continue
        data = os.read(fd, 65536)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise UsageError("standard input is not valid UTF-8") from None
        if "\0" in text:
            raise UsageError("standard input contains NUL bytes; is it a binary stream?")
        if first and text:
            text = text.removeprefix("\ufeff")
            first = False
        pending += text.replace("\r\n", "\n").replace("\r", "\n")
        if not data:
            break
        if flush_on_newline and "\n" in pending:
            cut = pending.rindex("\n") + 1
            yield pending[:cut], True
            pending = pending[cut:]
            continue
        cut = max(pending.rfind(" "), pending.rfind("\n"), pending.rfind("\t")) + 1
        if cut:
            yield pending[:cut], False
            pending = pending[cut:]
    if pending.strip():
        yield pending + " ", False
