"""Text as it is spoken: the mock's text normalisation, for `normalized_alignment`.

Numbers, currency, times, ordinals, percentages and common abbreviations are written out the way a
speech engine reads them ("$1,234.56" -> "one thousand two hundred thirty-four dollars and fifty-six
cents", "3:45 PM" -> "three forty-five PM", "Dr." -> "Doctor"); runs of whitespace become one space.
Each spoken character is timed within the span of the characters it replaces. The service's exact
wording is not documented; this follows the examples in its docs (apply_text_normalization).
"""

from __future__ import annotations

import re

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORDINAL = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
            "nine": "ninth", "twelve": "twelfth"}
ABBREVIATIONS = {"Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Prof.": "Professor",
                 "St.": "Saint", "Jr.": "Junior", "Sr.": "Senior", "vs.": "versus", "etc.": "et cetera",
                 "e.g.": "for example", "i.e.": "that is", "approx.": "approximately", "No.": "number"}


def number_words(n: int) -> str:
    """An integer in words: 1234 -> "one thousand two hundred thirty-four"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for value, name in _SCALES:
        if n >= value:
            high, rest = divmod(n, value)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    return str(n)  # pragma: no cover


def ordinal_words(n: int) -> str:
    words = number_words(n)
    head, sep, last = words.rpartition(" ") if " " in words else ("", "", words)
    head2, dash, last2 = last.rpartition("-")
    word = last2 if dash else last
    if word in _ORDINAL:
        word = _ORDINAL[word]
    elif word.endswith("y"):
        word = word[:-1] + "ieth"
    else:
        word += "th"
    last = f"{head2}-{word}" if dash else word
    return f"{head}{sep}{last}"


def _digits(raw: str) -> int:
    return int(raw.replace(",", ""))


def _decimal(raw: str) -> str:
    whole, _, frac = raw.partition(".")
    out = number_words(_digits(whole))
    if frac:
        out += " point " + " ".join(_ONES[int(d)] for d in frac)
    return out


def _money(m: re.Match[str]) -> str:
    dollars, cents = _digits(m.group(1)), int(m.group(2) or 0)
    out = f"{number_words(dollars)} dollar{'s' if dollars != 1 else ''}"
    if cents:
        out += f" and {number_words(cents)} cent{'s' if cents != 1 else ''}"
    return out


def _clock(m: re.Match[str]) -> str:
    hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
    out = number_words(hour)
    if minute:
        out += " " + ("oh " + number_words(minute) if minute < 10 else number_words(minute))
    elif not half:
        out += " o'clock"
    if half:
        out += " " + half.replace(".", "").upper()
    return out


_RULES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"\$(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\b"), _money),
    (re.compile(r"\b(\d{1,2}):(\d{2})(?:\s?([AaPp]\.?[Mm]\.?))?(?![\d:])"), _clock),
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal_words(int(m.group(1)))),
    (re.compile(r"\b(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)%"), lambda m: _decimal(m.group(1)) + " percent"),
    (re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b"), lambda m: _decimal(m.group(0))),
    (re.compile("(?<![\\w.])(" + "|".join(re.escape(a) for a in ABBREVIATIONS) + ")(?!\\w)"),
     lambda m: ABBREVIATIONS[m.group(1)]),
]


def replacements(text: str) -> list[tuple[int, int, str]]:
    """(start, end, spoken) for every span of `text` that is not read as written; no overlaps."""
    taken = [False] * len(text)
    found: list[tuple[int, int, str]] = []
    for pattern, say in _RULES:
        for m in pattern.finditer(text):
            a, b = m.span()
            if a == b or any(taken[a:b]):
                continue
            found.append((a, b, say(m)))  # type: ignore[operator]
            for i in range(a, b):
                taken[i] = True
    return sorted(found)


def normalize(text: str, starts: list[float], ends: list[float]) -> tuple[str, list[float], list[float]]:
    """The spoken text, with each character's start and end in seconds."""
    out: list[str] = []
    s2: list[float] = []
    e2: list[float] = []

    def put(ch: str, s: float, e: float) -> None:
        if ch.isspace():
            if out and out[-1] == " ":
                e2[-1] = e
                return
            ch = " "
        out.append(ch)
        s2.append(s)
        e2.append(e)

    pos = 0
    for a, b, spoken in replacements(text):
        for i in range(pos, a):
            put(text[i], starts[i], ends[i])
        t0, t1 = starts[a], max(ends[a:b])
        step = (t1 - t0) / max(1, len(spoken))
        for k, ch in enumerate(spoken):
            put(ch, t0 + k * step, t0 + (k + 1) * step)
        pos = b
    for i in range(pos, len(text)):
        put(text[i], starts[i], ends[i])
    return "".join(out), s2, e2
