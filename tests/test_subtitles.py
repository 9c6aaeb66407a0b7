"""The pure subtitle module: property tests over arbitrary Unicode and timings, and golden files."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from eleven_cli.api.alignment import to_alignment
from eleven_cli.api.types import Alignment
from eleven_cli.subtitles import MIN_CUE, build_cues, to_srt, to_vtt, words_from

GOLDEN = Path(__file__).parent / "golden"


def even(text: str, per_char: float = 0.06, start: float = 0.0) -> Alignment:
    return Alignment(list(text), [start + i * per_char for i in range(len(text))],
                     [start + (i + 1) * per_char for i in range(len(text))])


@st.composite
def alignments(draw: st.DrawFn) -> Alignment:
    text = draw(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
    gaps = draw(st.lists(st.floats(0, 0.5, allow_nan=False), min_size=len(text), max_size=len(text)))
    lens = draw(st.lists(st.floats(0, 0.3, allow_nan=False), min_size=len(text), max_size=len(text)))
    starts, ends, t = [], [], draw(st.floats(0, 5, allow_nan=False))
    for g, d in zip(gaps, lens, strict=True):
        t += g
        starts.append(t)
        ends.append(t + d)
    return Alignment(list(text), starts, ends)


@settings(max_examples=400, deadline=None)
@given(alignments(), st.integers(8, 80), st.integers(1, 3), st.floats(0.5, 10), st.none() | st.integers(1, 12))
def test_cue_invariants(alignment: Alignment, max_chars: int, max_lines: int, max_duration: float,
                        per_cue: int | None) -> None:
    words = words_from(alignment)
    cues = build_cues(words, max_chars, max_lines, max_duration, per_cue)
    # every word exactly once, in order
    covered = [i for c in cues for i in range(c.first_word, c.first_word + c.words)]
    assert covered == list(range(len(_split(words, max_chars))))
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start + 1e-9  # no overlap, in order
        assert a.start <= b.start
    for c in cues:
        assert c.end - c.start >= MIN_CUE - 1e-9
        assert c.lines and all(line.strip() for line in c.lines)
    # no character of the text is lost (whitespace aside)
    joined = "".join("".join(c.lines) for c in cues).replace("\n", "")
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", alignment.text)


def _split(words, max_chars):
    from eleven_cli.subtitles import _split_long

    return _split_long(words, max_chars)


@settings(max_examples=200, deadline=None)
@given(alignments())
@example(Alignment(["\r"], [0.0], [0.0]))  # nothing to say: an empty but valid file
def test_srt_and_vtt_are_well_formed(alignment: Alignment) -> None:
    cues = build_cues(words_from(alignment))
    srt = to_srt(cues)
    stamp = r"\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}"
    blocks = [b for b in srt.split("\n\n") if b.strip()]
    assert len(blocks) == len(cues)
    for n, block in enumerate(blocks, 1):
        lines = block.split("\n")
        assert lines[0] == str(n) and re.fullmatch(stamp, lines[1])
    vtt = to_vtt(cues)
    assert vtt.startswith("WEBVTT\n\n")
    assert len(re.findall(r"\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}", vtt)) == len(cues)


def test_words_keep_punctuation_cjk_emoji_and_marks() -> None:
    words = [w.text for w in words_from(even("Hello, world! (Quoted) «fin»"))]
    assert words == ["Hello,", "world!", "(Quoted)", "«fin»"]
    cjk = [w.text for w in words_from(even("你好，世界。「日本」"))]
    assert cjk == ["你", "好，", "世", "界。", "「日", "本」"]
    emoji = words_from(even("Family: 👨\u200d👩\u200d👧 flag 🇫🇷🇩🇪 ok"))
    assert [w.text for w in emoji] == ["Family:", "👨\u200d👩\u200d👧", "flag", "🇫🇷🇩🇪", "ok"]
    marks = words_from(even("cafe\u0301 nai\u0308ve"))
    assert [w.text for w in marks] == ["cafe\u0301", "nai\u0308ve"]


def test_cues_prefer_sentence_and_clause_breaks() -> None:
    text = ("The first sentence is here. And then, after a pause, a second sentence follows it "
            "to make the cue long enough.")
    cues = build_cues(words_from(even(text)), max_chars=42, max_lines=2)
    assert cues[0].text.endswith("here.")


def test_one_normaliser_for_http_and_websocket_shapes() -> None:
    http = to_alignment({"characters": ["a", "b"], "character_start_times_seconds": [0.1, 0.2],
                         "character_end_times_seconds": [0.2, 0.3]}, offset=1.0)
    ws = to_alignment({"chars": ["a", "b"], "charStartTimesMs": [100, 200], "charDurationsMs": [100, 100]},
                      offset=1.0)
    assert http is not None and ws is not None
    assert http.characters == ws.characters
    assert all(abs(x - y) < 1e-9 for x, y in zip(http.starts + http.ends, ws.starts + ws.ends, strict=True))
    assert to_alignment(None) is None and to_alignment({"chars": "x"}) is None


def test_golden_files() -> None:
    text = ("Captions should be readable. They break at sentences, and at clauses when a line grows long; "
            "they never overlap, and each one stays on screen long enough to read it.")
    cues = build_cues(words_from(even(text, 0.065)))
    assert to_srt(cues) == (GOLDEN / "sample.srt").read_text(encoding="utf-8")
    assert to_vtt(cues) == (GOLDEN / "sample.vtt").read_text(encoding="utf-8")
