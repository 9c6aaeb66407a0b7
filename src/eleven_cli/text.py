"""Text: decoding input bytes, and splitting long text below a model's per-request limit."""

from __future__ import annotations

import re
from typing import BinaryIO

from eleven_cli.errors import UsageError

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a clear limit instead of unbounded memory


# Terminal escapes (CSI, OSC and two-character ESC sequences) and the C0/C1 control characters other
# than newline and tab: never spoken, so never sent or billed.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def spoken(text: str) -> str:
    """`text` as it is sent: terminal escapes and control characters removed, ends stripped."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text)).strip()


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
