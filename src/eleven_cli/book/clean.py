"""The one cleaning every source goes through: what is left is what a narrator says.

Unicode NFC; control, format and private-use characters removed (soft hyphens, zero-width spaces,
bidi marks; the joiners that scripts need are kept); every kind of space and line break inside a
paragraph becomes one space; typographic quotes, dashes and ellipses are kept as they are (they
shape the reading). A paragraph without a letter or digit (`* * *`, a rule, a lone image) is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_KEEP_FORMAT = {"\u200c", "\u200d"}  # zero-width non-joiner and joiner: part of Persian, Indic, emoji spelling
_SPACES = re.compile(r"\s+")


def _char(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat == "Zs" or cat in ("Zl", "Zp") or ch in "\t\n\r\v\f":
        return " "
    if cat in ("Cc", "Co", "Cs", "Cn") or (cat == "Cf" and ch not in _KEEP_FORMAT):
        return ""
    return ch


def clean_paragraph(text: str) -> str:
    """One paragraph as spoken: normalised, no control characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii() or any(ord(c) < 32 or c == "\x7f" for c in text):
        text = "".join(_char(c) for c in text)
    return _SPACES.sub(" ", text).strip()


def speakable(paragraph: str) -> bool:
    return any(c.isalnum() for c in paragraph)


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Clean each paragraph, drop those with nothing to say, and join them with one blank line."""
    out = []
    for p in paragraphs:
        p = clean_paragraph(p)
        if speakable(p):
            out.append(p)
    return "\n\n".join(out)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text whose paragraphs are separated by blank lines."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def clean_title(title: str) -> str:
    return clean_paragraph(title).rstrip(" .:;,")
