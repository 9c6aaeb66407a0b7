"""Counts in words: thousands separators and the right plural, for every message the CLI and library print."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 item`, `2 items`, `1,000 items`, `1 speaker`; `words` for an irregular plural."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def noun(n: int, word: str, words: str | None = None) -> str:
    """The word alone in the number's form: `item` for 1, `items` otherwise."""
    return word if n == 1 else (words or word + "s")
