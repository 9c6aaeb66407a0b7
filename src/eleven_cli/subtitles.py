"""Alignment -> words -> cues -> SRT / WebVTT / JSON. Pure functions: no I/O.

Words are Unicode-aware: punctuation stays with its word, CJK text (no spaces) splits per
character cluster, combining marks and emoji sequences are never cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from eleven_cli.api.types import Alignment

MIN_CUE = 0.5
_SENTENCE_END = set(".!?…。！？")
_CLAUSE_END = set(",;:—–、，；：")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    space_before: bool
    break_before: bool = False  # a line or paragraph break in the text before it


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    first_word: int  # index of its first word
    words: int  # how many words
    speaker: str | None = None  # who says it (a dialogue's captions)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF
            or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF or 0x3000 <= cp <= 0x303F
            or 0xFF00 <= cp <= 0xFFEF or 0x31F0 <= cp <= 0x31FF or 0x3100 <= cp <= 0x312F)


def _extends(prev: str, ch: str) -> bool:
    """Whether `ch` continues the grapheme cluster that ends with `prev`."""
    cp = ord(ch)
    if unicodedata.category(ch).startswith("M") or ch == "\u200d" or 0xFE00 <= cp <= 0xFE0F:
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
        return True
    if prev and prev[-1] == "\u200d":
        return True
    ri = 0x1F1E6 <= cp <= 0x1F1FF
    if ri and prev:
        run = 0
        for c in reversed(prev):
            if 0x1F1E6 <= ord(c) <= 0x1F1FF:
                run += 1
            else:
                break
        return run % 2 == 1
    return False


def _clusters(chars: list[str], starts: list[float], ends: list[float]) -> list[tuple[str, float, float]]:
    out: list[tuple[str, float, float]] = []
    for ch, s, e in zip(chars, starts, ends, strict=False):
        if not ch:
            continue
        if out and _extends(out[-1][0], ch[0]):
            text, s0, e0 = out[-1]
            out[-1] = (text + ch, s0, max(e0, e))
        else:
            out.append((ch, s, e))
    return out


def _punct(cluster: str) -> str | None:
    cat = unicodedata.category(cluster[0])
    if cat in ("Ps", "Pi"):
        return "open"
    if cat.startswith("P"):
        return "close"
    return None


def words_from(alignment: Alignment) -> list[Word]:
    """Characters with times -> words with times (start of first cluster, end of last)."""
    words: list[Word] = []
    cur: list[tuple[str, float, float]] = []
    space = False
    pending_space = False
    pending_break = False

    def flush() -> None:
        nonlocal cur, space, pending_break
        if cur:
            words.append(Word("".join(c[0] for c in cur), cur[0][1], max(c[2] for c in cur), space,
                              pending_break and bool(words)))
            cur = []
            pending_break = False

    for cluster in _clusters(alignment.characters, alignment.starts, alignment.ends):
        text = cluster[0]
        if text.isspace():
            flush()
            pending_space = True
            pending_break = pending_break or "\n" in text or "\r" in text or "\u2029" in text
            continue
        kind = _punct(text)
        if _is_cjk(text[0]) and kind is None:
            # A CJK character is a word of its own; an opening bracket just before it stays with it.
            if cur and not all(_punct(c[0]) == "open" for c in cur):
                flush()
            if not cur:
                space = pending_space
            cur.append(cluster)
        elif kind == "close" and not cur and words and not pending_space:
            last = words[-1]
            words[-1] = Word(last.text + text, last.start, max(last.end, cluster[2]), last.space_before,
                             last.break_before)
        else:
            cjk_word = cur and any(_is_cjk(c[0][0]) for c in cur)
            if cjk_word and (kind == "open" or (_punct(cur[-1][0]) is None and kind != "close")):
                flush()
            if not cur:
                space = pending_space
            cur.append(cluster)
        pending_space = False
    flush()
    # Times that run backwards (a lossy source) are made monotonic.
    out: list[Word] = []
    floor = 0.0
    for w in words:
        start = max(w.start, floor)
        end = max(w.end, start)
        out.append(Word(w.text, start, end, w.space_before, w.break_before))
        floor = start
    return out


def _join(words: list[Word]) -> str:
    return "".join((" " if w.space_before and i else "") + w.text for i, w in enumerate(words))


def _greedy(words: list[Word], max_chars: int) -> list[str]:
    """Fill each line as far as it goes: the fewest lines a cue can have."""
    lines: list[str] = []
    line = ""
    for w in words:
        piece = w.text
        joined = (line + (" " if w.space_before else "") + piece) if line else piece
        if line and len(joined) > max_chars:
            lines.append(line)
            line = piece
        else:
            line = joined
    if line:
        lines.append(line)
    return lines


def _break_cost(lines: list[list[Word]], max_chars: int) -> float:
    """Lower is better: lines of even length, breaks after sentence or clause ends, no lone word."""
    lengths = [len(_join(line)) for line in lines]
    if max(lengths) > max_chars:
        return float("inf")
    mean = sum(lengths) / len(lengths)
    cost = sum((n - mean) ** 2 for n in lengths) / max_chars
    for line in lines[:-1]:
        end = line[-1].text[-1]
        cost -= 30 if end in _SENTENCE_END else 15 if end in _CLAUSE_END else 0
    total = sum(len(line) for line in lines)
    if total >= 2 * len(lines):
        cost += 100 * sum(len(line) == 1 for line in lines)
    return cost


def _wrap(words: list[Word], max_chars: int) -> list[str]:
    """The cue's lines: as few as greedy filling needs, broken where they read best (balanced,
    at phrase boundaries, never a lone word when the cue could be balanced)."""
    greedy = _greedy(words, max_chars)
    n = len(greedy)
    if n == 1 or len(words) > 40 or n > 3:
        return greedy
    import itertools

    best, best_cost = greedy, float("inf")
    for cuts in itertools.combinations(range(1, len(words)), n - 1):
        bounds = (0, *cuts, len(words))
        lines = [words[bounds[k] : bounds[k + 1]] for k in range(n)]
        cost = _break_cost(lines, max_chars)
        if cost < best_cost:
            best, best_cost = [_join(line) for line in lines], cost
    return best


def _split_long(words: list[Word], max_chars: int) -> list[Word]:
    """Words longer than a line (Thai runs, URLs) are cut into cluster-safe line-sized pieces."""
    out: list[Word] = []
    for w in words:
        if len(w.text) <= max_chars:
            out.append(w)
            continue
        clusters = _clusters(list(w.text), [0.0] * len(w.text), [0.0] * len(w.text))
        pieces, cur = [], ""
        for c, _, _ in clusters:
            if cur and len(cur) + len(c) > max_chars:
                pieces.append(cur)
                cur = ""
            cur += c
        pieces.append(cur)
        span = (w.end - w.start) / len(pieces)
        for i, p in enumerate(pieces):
            out.append(Word(p, w.start + span * i, w.start + span * (i + 1), w.space_before if i == 0 else False))
    return out


def build_cues(words: list[Word], max_chars: int = 42, max_lines: int = 2, max_duration: float = 7.0,
               words_per_cue: int | None = None) -> list[Cue]:
    """Group words into readable cues: in order, not overlapping, every word once, each >= 0.5 s."""
    if max_chars < 1 or max_lines < 1 or max_duration <= 0:
        raise ValueError("max_chars, max_lines and max_duration must be positive")
    words = _split_long(words, max_chars)
    groups: list[list[int]] = []
    cur: list[int] = []
    capacity = max_chars * max_lines

    def too_big(idx: list[int]) -> bool:
        ws = [words[i] for i in idx]
        if words_per_cue and len(idx) > words_per_cue:
            return True
        if len(_greedy(ws, max_chars)) > max_lines:
            return True
        return ws[-1].end - ws[0].start > max_duration

    for i, w in enumerate(words):
        if cur and w.break_before:  # a heading or a paragraph ends its cue, however short
            groups.append(cur)
            cur = []
        if cur and too_big(cur + [i]):
            # Prefer to end the cue at clause punctuation in its second half.
            cut = None
            for j in range(len(cur) - 1, len(cur) // 2 - 1, -1):
                if words[cur[j]].text[-1] in _SENTENCE_END | _CLAUSE_END:
                    cut = j
                    break
            if cut is not None and cut < len(cur) - 1:
                groups.append(cur[: cut + 1])
                cur = cur[cut + 1 :]
                if too_big(cur + [i]):
                    groups.append(cur)
                    cur = []
            else:
                groups.append(cur)
                cur = []
        cur.append(i)
        size = sum(len(words[k].text) + 1 for k in cur)
        if w.text[-1] in _SENTENCE_END and size >= capacity / 3:
            groups.append(cur)
            cur = []
    if cur:
        groups.append(cur)
    # Timing: each cue lasts at least MIN_CUE without reaching into the next; else merge with it.
    while True:
        merged = False
        for k in range(len(groups) - 1):
            start = words[groups[k][0]].start
            nxt = words[groups[k + 1][0]].start
            if nxt - start < MIN_CUE:
                groups[k] = groups[k] + groups.pop(k + 1)
                merged = True
                break
        if not merged:
            break
    cues: list[Cue] = []
    for k, g in enumerate(groups):
        ws = [words[i] for i in g]
        start = ws[0].start
        end = max(ws[-1].end, start + MIN_CUE)
        if k + 1 < len(groups):
            end = min(end, words[groups[k + 1][0]].start)
        cues.append(Cue(start, end, tuple(_wrap(ws, max_chars)), g[0], len(g)))
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(line: str) -> str:
    return line.replace("-->", "→")


def to_srt(cues: list[Cue]) -> str:
    """SubRip: numbered blocks, HH:MM:SS,mmm --> HH:MM:SS,mmm, text, blank line."""
    blocks = []
    for n, c in enumerate(cues, 1):
        lines = [_clean(x) for x in c.lines]
        if c.speaker:  # the usual SubRip convention: the speaker's name in capitals before the words
            lines[0] = f"{c.speaker.upper()}: {lines[0]}"
        blocks.append(f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# An audio tag of the v3 models ([laughs], [whispers], [sarcastic]): performed, not spoken, so not captioned.
_TAG = re.compile(r"\[[^\W\d_][^\[\]\d\n]{0,39}\]")


def without_tags(alignment: Alignment) -> Alignment:
    """The alignment without its audio tags (each character of a `[tag]` dropped with its times)."""
    text = "".join(alignment.characters)
    spans = [m.span() for m in _TAG.finditer(text)]
    if not spans:
        return alignment
    keep: list[int] = []
    pos, k = 0, 0
    for i, ch in enumerate(alignment.characters):
        while k < len(spans) and spans[k][1] <= pos:
            k += 1
        if not (k < len(spans) and spans[k][0] <= pos < spans[k][1]):
            keep.append(i)
        pos += len(ch)
    return Alignment([alignment.characters[i] for i in keep], [alignment.starts[i] for i in keep],
                     [alignment.ends[i] for i in keep])


def speaker_cues(alignment: Alignment, segments: list[dict], names: list[str], max_chars: int = 42,
                 max_lines: int = 2, max_duration: float = 7.0, words_per_cue: int | None = None,
                 labels: bool = True, keep_tags: bool = True) -> list[Cue]:
    """Cues for a dialogue: built within each voice segment, so a cue never mixes two speakers, each
    labelled with its speaker (`names[turn]`) unless `labels` is off; in time order, never overlapping."""
    cues: list[Cue] = []
    for seg in sorted(segments, key=lambda x: (x["start_time_seconds"], x["character_start_index"])):
        lo, hi = seg["character_start_index"], seg["character_end_index"]
        part = Alignment(alignment.characters[lo:hi], alignment.starts[lo:hi], alignment.ends[lo:hi])
        part = part if keep_tags else without_tags(part)
        turn = seg.get("dialogue_input_index")
        who = names[turn] if labels and isinstance(turn, int) and 0 <= turn < len(names) else None
        for c in build_cues(words_from(part), max_chars, max_lines, max_duration, words_per_cue):
            cues.append(Cue(c.start, c.end, c.lines, c.first_word, c.words, who))
    cues.sort(key=lambda c: c.start)
    out: list[Cue] = []
    for k, c in enumerate(cues):
        end = min(c.end, cues[k + 1].start) if k + 1 < len(cues) else c.end
        out.append(Cue(c.start, max(end, c.start), c.lines, c.first_word, c.words, c.speaker))
    return out


def to_vtt(cues: list[Cue]) -> str:
    """WebVTT: the WEBVTT header, then HH:MM:SS.mmm --> HH:MM:SS.mmm cues."""
    out = ["WEBVTT", ""]
    for c in cues:
        text = "\n".join(_escape(_clean(x)) for x in c.lines)
        if c.speaker:  # a WebVTT voice span
            text = f"<v {_escape(c.speaker)}>{text}</v>"
        out += [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}", text, ""]
    return "\n".join(out) if cues else "WEBVTT\n\n"


def to_json(alignment: Alignment, words: list[Word]) -> dict:
    """Characters with start/end and the words derived from them."""
    return {
        "text": alignment.text,
        "characters": [{"char": c, "start": round(s, 3), "end": round(e, 3)}
                       for c, s, e in zip(alignment.characters, alignment.starts, alignment.ends, strict=False)],
        "words": [{"word": w.text, "start": round(w.start, 3), "end": round(w.end, 3)} for w in words],
    }
