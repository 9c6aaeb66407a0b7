"""The audio of a book: loudness against references, the two-pass assembly into .m4b, .mp3 and a
folder, read back (chapters, tags, cover, duration, loudness), and the timeline helpers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
av = pytest.importorskip("av")
mutagen = pytest.importorskip("mutagen")
pyloudnorm = pytest.importorskip("pyloudnorm")

from bookmaker import png  # noqa: E402
from eleven_cli.api.types import Alignment  # noqa: E402
from eleven_cli.audio.audiobook import Assembler, output_kind, safe_filename  # noqa: E402
from eleven_cli.audio.audiobook_tags import BookTags  # noqa: E402
from eleven_cli.audio.audiobook_timeline import (  # noqa: E402
    ChapterMark,
    Pauses,
    chapters_vtt,
    parse_pauses,
    silence,
    with_pauses,
)
from eleven_cli.audio.audiobook_verify import read_chapters, verify_audiobook  # noqa: E402
from eleven_cli.audio.loudness import (  # noqa: E402
    LoudnessMeter,
    Measurement,
    _interpolator,
    _k_weighting,
    _KFilter,
    combine,
    normalisation_gain,
)
from eleven_cli.book.captions import (  # noqa: E402
    CaptionSpill,
    book_cues,
    join_alignments,
    offset_cues,
    write_book_captions,
)
from eleven_cli.errors import BrokenAudioError, UsageError  # noqa: E402
from eleven_cli.subtitles import Cue  # noqa: E402

RATE = 24000


def speechlike(seconds: float, rate: int = RATE, level: float = 0.1, seed: int = 0) -> np.ndarray:
    """A tone and noise under a syllable-rate envelope, with a gap of silence: float in [-1, 1]."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    env = 0.5 * (1 + np.sin(2 * np.pi * 3.0 * t)) * (0.85 + 0.15 * np.sin(2 * np.pi * 0.2 * t))
    voice = np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 1100 * t) + 0.01 * rng.standard_normal(len(t))
    x = level * env * voice
    x[len(x) // 3: len(x) // 3 + rate] = 0
    return x


def pcm(x: np.ndarray) -> bytes:
    return np.clip(np.round(x * 32768), -32768, 32767).astype("<i2").tobytes()


def measure(data: bytes, rate: int = RATE, step: int = 12345) -> Measurement:
    m = LoudnessMeter(rate)
    for i in range(0, len(data), step * 2):
        m.add(data[i:i + step * 2])
    return m.measure()


def decode(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as box:
        stream = box.streams.audio[0]
        frames = [f.to_ndarray().astype(np.float32).reshape(-1) for f in box.decode(stream)]
        return np.concatenate(frames), stream.rate


# --- loudness

@pytest.mark.parametrize("rate", [44100, 48000])
def test_integrated_loudness_matches_pyloudnorm(rate: int) -> None:
    data = pcm(speechlike(12, rate))
    ref = pyloudnorm.Meter(rate).integrated_loudness(np.frombuffer(data, "<i2") / 32768.0)
    assert measure(data, rate).integrated == pytest.approx(ref, abs=0.1)


@pytest.mark.parametrize("rate", [8000, 24000, 48000])
def test_k_weighting_and_interpolator_are_scipys_without_scipy(rate: int) -> None:
    """numpy's FFT convolution with the cut impulse response gives what scipy.signal.sosfilt gives on
    the biquads, fed in pieces of any size (and with a DC offset, which the high pass removes)."""
    signal = pytest.importorskip("scipy.signal")
    x = np.random.default_rng(rate).standard_normal(rate * 3) * 0.2 + 0.05
    reference = signal.sosfilt(np.array(_k_weighting(rate)), x)
    k = _KFilter(rate)
    sizes = [1, 255, 256, 3000, 40000, 1, 100_000]
    got, at = [], 0
    while at < len(x):
        n = sizes[len(got) % len(sizes)]
        got.append(k(x[at:at + n]))
        at += n
    assert np.abs(np.concatenate(got) - reference).max() < 1e-9
    fir = signal.firwin(96, 0.95 / 4, window=("kaiser", 8.0)) * 4
    assert np.abs(_interpolator() - np.stack([fir[p::4][::-1] for p in (1, 2, 3)], axis=1)).max() < 1e-15


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100, 48000])
def test_a_1khz_sine_reads_as_the_standard_says_at_any_rate(rate: int) -> None:
    # EBU Tech 3341 case 1: a 1 kHz sine at -23 dBFS in both stereo channels is -23.0 LUFS; mono is 3 dB less
    t = np.arange(rate * 10) / rate
    got = measure(pcm(10 ** (-23 / 20) * np.sin(2 * np.pi * 1000 * t)), rate).integrated
    assert got == pytest.approx(-23 - 10 * math.log10(2), abs=0.1)


def test_measuring_in_pieces_of_any_size_gives_the_same() -> None:
    data = pcm(speechlike(6))
    whole = measure(data, step=len(data))
    for step in (1, 777, 4800, 100_000):
        part = measure(data[:48_000], step=step) if step == 1 else measure(data, step=step)
        if step != 1:
            assert part.integrated == pytest.approx(whole.integrated, abs=1e-9)
            assert part.true_peak == pytest.approx(whole.true_peak, abs=1e-9)
    odd = LoudnessMeter(RATE)  # one sample at a time for the first second
    for i in range(0, 48_000, 2):
        odd.add(data[i:i + 2])
    odd.add(data[48_000:])
    assert odd.measure().integrated == pytest.approx(whole.integrated, abs=1e-9)


def test_true_peak_finds_the_peak_between_samples() -> None:
    rate = 48000
    t = np.arange(rate) / rate
    x = 0.5 * np.sin(2 * np.pi * rate / 4 * t + math.pi / 4)  # every sample at 0.354, the wave at 0.5
    m = measure(pcm(x), rate)
    assert 20 * math.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.01)
    assert m.true_peak == pytest.approx(-6.02, abs=0.15)


def test_silence_gates_out_and_gets_no_gain() -> None:
    m = measure(silence(3, RATE))
    assert m.integrated == -math.inf and m.true_peak == -math.inf and m.seconds == 3
    assert normalisation_gain(m) == 0.0
    assert measure(pcm(speechlike(0.3))).integrated == -math.inf  # under one 400 ms block


def test_gain_is_the_smaller_of_loudness_and_peak() -> None:
    assert normalisation_gain(Measurement(-24.0, -20.0, 1)) == pytest.approx(6.0)  # loudness decides
    assert normalisation_gain(Measurement(-24.0, -5.0, 1)) == pytest.approx(2.0)  # the -3 dBTP ceiling decides
    assert normalisation_gain(Measurement(-10.0, -1.0, 1), target=-16) == pytest.approx(-6.0)


def test_chapters_measured_apart_combine_into_the_book() -> None:
    a, b = pcm(speechlike(8, level=0.05, seed=1)), pcm(speechlike(5, level=0.2, seed=2))
    ma, mb = LoudnessMeter(RATE), LoudnessMeter(RATE)
    ma.add(a)
    mb.add(b)
    book = combine([ma, mb])
    # the same but for the few blocks that straddle the join
    assert book.integrated == pytest.approx(measure(a + b).integrated, abs=0.25)
    assert book.true_peak == max(ma.measure().true_peak, mb.measure().true_peak)
    assert book.seconds == pytest.approx(13)


# --- assembly

TAGS = BookTags("The Keeper", author="Ada Example", narrator="Rachel", year=2021, cover=png(), cover_mime="image/png")
CHAPTERS = [("One", 4.0, 0.05), ("Two: the Sea / Night", 6.0, 0.08), ("Three", 3.0, 0.06)]


def assemble(out: Path, kind=None, tags: BookTags = TAGS, **kw) -> object:
    with Assembler(out, rate=RATE, tags=tags, kind=kind, **kw) as book:
        for index in (2, 1, 3):  # written out of order, as concurrent chapters finish
            title, seconds, level = CHAPTERS[index - 1]
            with book.chapter(index, title) as ch:
                ch.write(pcm(speechlike(seconds / 2, level=level, seed=index)))
                ch.pause(0.6)
                ch.write(pcm(speechlike(seconds / 2, level=level, seed=index + 10)))
        return book.finish()


def expected_marks(pause: float = 2.0) -> list[tuple[str, float]]:
    out, start = [], 0.0
    for title, seconds, _ in CHAPTERS:
        out.append((title, start))
        start += seconds + 0.6 + pause
    return out


def test_m4b_has_chapters_tags_cover_and_the_target_loudness(tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    result = assemble(out)
    total = sum(s for _, s, _ in CHAPTERS) + 3 * 0.6 + 2 * 2.0
    assert result.outputs == [out] and result.seconds == pytest.approx(total)
    found, duration = read_chapters(out)
    assert [t for t, _ in found] == [t for t, _ in expected_marks()]
    assert [s for _, s in found] == pytest.approx([s for _, s in expected_marks()], abs=0.01)
    assert duration == pytest.approx(total, abs=0.1)
    with av.open(str(out)) as box:  # what ffprobe lists
        assert [c["metadata"]["title"] for c in box.chapters()] == [t for t, _ in expected_marks()]
        assert box.streams.audio[0].codec_context.name == "aac"
        assert box.metadata["artist"] == "Ada Example" and box.metadata["composer"] == "Rachel"
    tags = mutagen.mp4.MP4(str(out)).tags
    assert tags["\xa9nam"] == ["The Keeper"] and tags["\xa9day"] == ["2021"] and tags["stik"] == [2]
    assert bytes(tags["covr"][0]) == png()
    assert [c.title for c in mutagen.mp4.MP4(str(out)).chapters] == [t for t, _ in expected_marks()]  # Nero chpl
    # the whole book at -18 LUFS (the quiet and loud chapters keep their difference)
    samples, rate = decode(out)
    assert measure(pcm(samples), rate).integrated == pytest.approx(-18.0, abs=0.5)
    assert result.gain_db == pytest.approx(-18.0 - result.loudness.integrated, abs=0.01)  # not the ceiling
    assert result.gain_db == normalisation_gain(result.loudness)
    assert result.chapters[0].loudness < result.chapters[1].loudness
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_loud_book_is_held_under_the_true_peak_ceiling(tmp_path: Path) -> None:
    out = tmp_path / "loud.mp3"
    with Assembler(out, rate=RATE, tags=BookTags("Loud")) as book:
        with book.chapter(1, "Loud") as ch:
            x = speechlike(4, level=0.02)
            x[::RATE // 2] += 0.5  # sharp clicks over quiet speech: a high peak for its loudness
            ch.write(pcm(x))
        result = book.finish()
    assert result.loudness.integrated + result.gain_db < -18.0  # the ceiling, not the target, decided
    samples, rate = decode(out)
    assert measure(pcm(samples), rate).true_peak <= -3.0 + 0.5  # the encoder may add a little


def test_mp3_has_id3_chapters_tags_and_cover(tmp_path: Path) -> None:
    out = tmp_path / "book.mp3"
    result = assemble(out, chapter_pause=1.0)
    f = mutagen.mp3.MP3(str(out))
    assert f.tags["TIT2"].text == ["The Keeper"] and f.tags["TPE1"].text == ["Ada Example"]
    assert f.tags["TCOM"].text == ["Rachel"] and str(f.tags["TDRC"].text[0]) == "2021"
    assert f.tags["APIC:Cover"].data == png() and f.tags["APIC:Cover"].mime == "image/png"
    ctoc = f.tags.getall("CTOC")[0]
    assert ctoc.child_element_ids == ["ch1", "ch2", "ch3"]
    chaps = sorted(f.tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.sub_frames["TIT2"].text[0], c.start_time / 1000) for c in chaps] == [
        (t, pytest.approx(s, abs=0.001)) for t, s in expected_marks(pause=1.0)]
    assert chaps[-1].end_time / 1000 == pytest.approx(result.seconds, abs=0.001)
    assert f.info.length == pytest.approx(result.seconds, abs=0.15)
    samples, rate = decode(out)  # LAME at 24 kHz smears the pauses' edges: looser than AAC
    assert measure(pcm(samples), rate).integrated == pytest.approx(-18.0, abs=1.0)


def test_folder_has_numbered_tagged_files_and_a_playlist(tmp_path: Path) -> None:
    out = tmp_path / "keeper"
    result = assemble(out, kind="dir", chapter_pause=0.5)
    names = ["01 One.mp3", "02 Two the Sea Night.mp3", "03 Three.mp3"]
    assert [p.name for p in result.outputs] == [*names, "The Keeper.m3u"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "The Keeper.m3u"])
    for n, (name, mark) in enumerate(zip(names, result.chapters, strict=True), 1):
        f = mutagen.mp3.MP3(str(out / name))
        assert f.tags["TRCK"].text == [f"{n}/3"] and f.tags["TIT2"].text == [mark.title]
        assert f.tags["TALB"].text == ["The Keeper"] and "APIC:Cover" in f.tags
        assert f.info.length == pytest.approx(mark.duration, abs=0.15)
        assert mark.files == [name]
    playlist = (out / "The Keeper.m3u").read_text().splitlines()
    assert playlist[0] == "#EXTM3U" and [ln for ln in playlist if not ln.startswith("#")] == names
    assert "#EXTINF:8,Ada Example - Two: the Sea / Night" in playlist
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_no_loudness_keeps_the_level(tmp_path: Path) -> None:
    result = assemble(tmp_path / "b.m4b", loudness=None)
    assert result.gain_db == 0.0
    samples, rate = decode(tmp_path / "b.m4b")
    assert measure(pcm(samples), rate).integrated == pytest.approx(result.loudness.integrated, abs=0.5)


def test_a_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    with pytest.raises(RuntimeError), Assembler(out, rate=RATE, tags=TAGS) as book:
        with book.chapter(1, "One") as ch:
            ch.write(pcm(speechlike(1)))
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UsageError, match="has no audio"), Assembler(out, rate=RATE, tags=TAGS) as book:
        book.chapter(1, "One").close()
        book.finish()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UsageError, match=r"\.m4b or \.mp3"):
        output_kind("book.ogg")


def test_gif_cover_is_left_out_of_m4b_with_a_warning(tmp_path: Path) -> None:
    gif = b"GIF89a" + b"\x00" * 20
    result = assemble(tmp_path / "b.m4b", tags=BookTags("G", cover=gif, cover_mime="image/gif"))
    assert result.warnings and "JPEG or PNG" in result.warnings[0]
    assert "covr" not in mutagen.mp4.MP4(str(tmp_path / "b.m4b")).tags


def test_verify_rejects_a_book_that_is_not_what_was_narrated(tmp_path: Path) -> None:
    out = tmp_path / "book.m4b"
    result = assemble(out)
    verify_audiobook(out, result.chapters, result.seconds)
    with pytest.raises(BrokenAudioError, match="lasts"):
        verify_audiobook(out, result.chapters, result.seconds + 5)
    with pytest.raises(BrokenAudioError, match="chapter markers"):
        verify_audiobook(out, result.chapters[:2], result.seconds)
    moved = [ChapterMark(m.index, m.title, m.start + (1 if m.index == 2 else 0), m.duration) for m in result.chapters]
    with pytest.raises(BrokenAudioError, match="starts at"):
        verify_audiobook(out, moved, result.seconds)
    (tmp_path / "junk.m4b").write_bytes(b"not audio at all")
    with pytest.raises(BrokenAudioError):
        verify_audiobook(tmp_path / "junk.m4b", result.chapters, result.seconds)


# --- timeline

def test_pauses_and_silence() -> None:
    assert parse_pauses("paragraph=0.8,chapter=3") == Pauses(0.0, 0.8, 3.0)
    assert parse_pauses("sentence=0.2s") == Pauses(0.2, 0.6, 2.0)
    for bad in ("para=1", "chapter=-1", "chapter=x", "chapter=100"):
        with pytest.raises(UsageError):
            parse_pauses(bad)
    assert silence(0.5, 24000) == bytes(24000)
    joined = with_pauses([b"\x01\x00" * 10, b"\x02\x00" * 10], 0.001, 24000)
    assert len(b"".join(joined)) == 40 + 48


def test_chapters_vtt() -> None:
    vtt = chapters_vtt([ChapterMark(1, "One", 0.0, 61.5), ChapterMark(2, "Two  -->  x", 61.5, 3600)])
    assert vtt.splitlines() == ["WEBVTT", "", "1", "00:00:00.000 --> 00:01:01.500", "One", "",
                                "2", "00:01:01.500 --> 01:01:01.500", "Two \u2192 x"]


def test_captions_of_chapters_are_joined_at_their_offsets() -> None:
    cues = offset_cues([(0.0, [Cue(0.1, 1.0, ("Hello",), 0, 1)]), (10.0, [Cue(0.2, 2.0, ("Again", "here"), 0, 2)])])
    assert [(c.start, c.end, c.first_word) for c in cues] == [(0.1, 1.0, 0), (10.2, 12.0, 1)]
    book = join_alignments([(0.0, Alignment(list("Hi"), [0.0, 0.1], [0.1, 0.2])), (5.0, None),
                            (5.0, Alignment(list("Yo"), [0.0, 0.2], [0.2, 0.4]))])
    assert book.text == "Hi Yo" and book.starts == [0.0, 0.1, 0.2, 5.0, 5.2]


def timed(text: str, step: float = 0.1) -> Alignment:
    return Alignment(list(text), [i * step for i in range(len(text))], [(i + 1) * step for i in range(len(text))])


def test_book_captions_come_from_chapters_spilled_to_disk(tmp_path: Path) -> None:
    spill = CaptionSpill(tmp_path / "captions")
    spill.put(1, timed("Hello there. [laughs] Bye"))
    spill.put(3, timed("Again \u00e9t\u00e9"))
    assert spill.get(3) == timed("Again \u00e9t\u00e9") and spill.get(2) is None
    cues = book_cues((start, spill.get(i)) for i, start in ((1, 0.0), (2, 3.0), (3, 10.0)))
    assert [c.lines for c in cues] == [("Hello there. Bye",), ("Again \u00e9t\u00e9",)]  # the tag left out
    assert cues[1].start == pytest.approx(10.0) and cues[1].first_word == 3  # at the chapter, numbered on
    write_book_captions(cues, srt=str(tmp_path / "b.srt"), vtt=str(tmp_path / "b.vtt"))
    srt = (tmp_path / "b.srt").read_text().split("\n\n")
    assert [b.splitlines()[0] for b in srt] == ["1", "2"] and "00:00:10,000 --> 00:00:10,900" in srt[1]
    assert (tmp_path / "b.vtt").read_text().startswith("WEBVTT")


def test_safe_filenames() -> None:
    assert safe_filename('A/B: "C"? ') == "A B C"
    assert safe_filename("...") == "Chapter"
    assert len(safe_filename("\u00e9" * 100).encode()) <= 80
