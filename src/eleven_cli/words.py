"""Counts in words: thousands separators and the right plural, for every message the CLI and library print."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 item`, `2 items`, `1,000 items`, `1 speaker`; `words` for an irregular plural."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def noun(n: int, word: str, words: str | None = None) -> str:
    """The word alone in the number's form: `item` for 1, `items` otherwise."""
    return word if n == 1 else (words or word + "s")


def json_kind(value: object) -> str:
    """What a JSON value is, in words, for a message about the wrong one (`the number 42`, `null`, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object with " + (", ".join(repr(k) for k in list(value)[:3]) or "no keys")
    return type(value).__name__
