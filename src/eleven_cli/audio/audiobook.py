"""A whole book's audio, assembled in two passes without ever holding it in memory.

Pass 1: each chapter's PCM (int16 mono at one rate) is written to a lossless file in a temporary
folder beside the output while its loudness is measured. Pass 2 (`finish`): the book's loudness
gives one gain (to the target, true peak under the ceiling), and every chapter is read back,
scaled and encoded once into the output, which is written atomically: an `.m4b` (AAC, chapter
markers, tags, cover), an `.mp3` (ID3v2 CHAP/CTOC chapters, tags, cover), or a folder of one MP3
per chapter (`01 Title.mp3`, numbered and tagged) with an `.m3u` playlist. The temporary folder
is removed on success and on failure.

    with Assembler("book.m4b", rate=24000, tags=BookTags("The Keeper", author="Ada")) as book:
        for chapter in chapters:                      # in any order, or concurrently: each has its own file
            with book.chapter(chapter.index, chapter.title) as ch:
                for i, pcm in enumerate(pieces):      # PCM as it is synthesised
                    if i:
                        ch.pause(pauses.paragraph)
                    ch.write(pcm)
            print(ch.measurement.describe())          # that chapter's loudness, as narrated
        result = book.finish()                        # measure the whole, encode, tag, verify, rename
    result.chapters, result.loudness, result.gain_db, result.outputs
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from eleven_cli.atomic import AtomicFile, write_file
from eleven_cli.audio.audiobook_tags import BookTags, id3_tags, tag_mp4, write_id3
from eleven_cli.audio.audiobook_timeline import ChapterMark, silence
from eleven_cli.audio.loudness import (
    DEFAULT_CEILING,
    DEFAULT_TARGET,
    LoudnessMeter,
    Measurement,
    combine,
    normalisation_gain,
)
from eleven_cli.errors import ElevenError, UsageError

Kind = Literal["m4b", "mp3", "dir"]


@dataclass(frozen=True)
class LoudnessTarget:
    integrated: float = DEFAULT_TARGET  # LUFS
    true_peak: float = DEFAULT_CEILING  # dBTP


@dataclass
class AssemblyResult:
    outputs: list[Path]  # the book file, or the chapter files and the playlist
    chapters: list[ChapterMark]  # starts and durations in the output, loudness as narrated
    seconds: float
    loudness: Measurement  # the whole book as narrated (before the gain)
    gain_db: float  # applied to every chapter alike
    warnings: list[str] = field(default_factory=list)


def output_kind(path: str | Path) -> Kind:
    """What `-o PATH` makes: `.m4b`/`.m4a` AAC in MP4, `.mp3`; a folder for `-d`."""
    suffix = Path(path).suffix.lower()
    if suffix in (".m4b", ".m4a", ".mp4"):
        return "m4b"
    if suffix == ".mp3":
        return "mp3"
    raise UsageError(f"{path}: an audiobook is written as .m4b or .mp3 (or to a folder with -d)")


def safe_filename(title: str, limit: int = 80) -> str:
    """A chapter title as a file name that every common file system takes."""
    name = unicodedata.normalize("NFC", title)
    name = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in name)
    name = re.sub(r'[/\\:*?"<>|]+', " ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name.encode("utf-8")) > limit:
        name = name.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip(" .")
    return name or "Chapter"


class ChapterWriter:
    """One chapter's PCM into its own lossless file, measured as it goes."""

    def __init__(self, path: Path, index: int, title: str, rate: int) -> None:
        self.path = path
        self.index = index
        self.title = title
        self.rate = rate
        self.meter = LoudnessMeter(rate)
        self.fh = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._odd = b""
        self.measurement: Measurement | None = None

    def write(self, pcm: bytes) -> None:
        """int16 little-endian mono PCM at the book's rate (pieces of any length, odd ones too)."""
        if self._odd:
            pcm = self._odd + pcm
        even = len(pcm) // 2 * 2
        self._odd = pcm[even:]
        if even:
            data = pcm[:even]
            try:
                self.fh.write(data)
            except OSError as exc:
                raise ElevenError(f"cannot write the book's audio beside its output: {exc.strerror or exc}",
                                  hint="free some disk space") from None
            self.meter.add(data)

    def pause(self, seconds: float) -> None:
        if seconds > 0:
            self.write(silence(seconds, self.rate))

    @property
    def frames(self) -> int:
        return self.meter.frames

    def close(self) -> Measurement:
        if self.measurement is None:
            self.fh.close()
            self.measurement = self.meter.measure()
        return self.measurement

    def __enter__(self) -> ChapterWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Assembler:
    """The book's chapters in, one output file (or folder) out: see the module's docstring."""

    def __init__(self, out: str | Path, *, rate: int, tags: BookTags, kind: Kind | None = None,
                 loudness: LoudnessTarget | None = LoudnessTarget(), chapter_pause: float = 2.0,
                 bitrate: int | None = None, verify: bool = True) -> None:
        self.out = Path(out)
        self.kind: Kind = kind or output_kind(self.out)
        self.rate = rate
        self.tags = tags
        self.target = loudness
        self.chapter_pause = chapter_pause
        self.bitrate = bitrate
        self.verify = verify
        parent = (self.out.parent if str(self.out.parent) else Path("."))
        if self.kind == "dir":
            parent = self.out.resolve().parent
        try:
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".book", dir=parent))
        except OSError as exc:
            raise UsageError(f"cannot write {self.out}: {(exc.strerror or str(exc)).lower()}") from None
        self.writers: dict[int, ChapterWriter] = {}
        self._lock = threading.Lock()

    def chapter(self, index: int, title: str) -> ChapterWriter:
        """A writer for chapter `index` (book order is by index, whatever order they are written in).
        Writing it again replaces what was written (a retried chapter)."""
        with self._lock:
            old = self.writers.pop(index, None)
            if old is not None:
                old.close()
            w = ChapterWriter(self.tmp / f"{index:05d}.pcm", index, title, self.rate)
            self.writers[index] = w
            return w

    def plan(self) -> tuple[list[ChapterMark], list[tuple[Path, int]]]:
        """Where each chapter lands in the output, and what pass 2 reads: (file, frames of pause after)."""
        marks: list[ChapterMark] = []
        parts: list[tuple[Path, int]] = []
        writers = [self.writers[i] for i in sorted(self.writers)]
        start = 0
        pause = round(self.chapter_pause * self.rate)
        for n, w in enumerate(writers):
            m = w.close()
            after = pause if n + 1 < len(writers) else 0
            frames = w.frames + after
            marks.append(ChapterMark(w.index, w.title, start / self.rate, frames / self.rate, m.integrated,
                                     m.true_peak))
            parts.append((w.path, after))
            start += frames
        return marks, parts

    def measure(self) -> tuple[Measurement, float]:
        """The whole book as narrated, and the gain that pass 2 applies."""
        for w in self.writers.values():
            w.close()
        whole = combine([self.writers[i].meter for i in sorted(self.writers)])
        if self.target is None:
            return whole, 0.0
        return whole, normalisation_gain(whole, self.target.integrated, self.target.true_peak)

    def finish(self, on_seconds: Callable[[float], None] | None = None) -> AssemblyResult:
        """Encode, tag, verify and move the result into place; then remove the temporary folder."""
        from eleven_cli.audio.audiobook_encode import encode_m4b, encode_mp3
        from eleven_cli.audio.audiobook_verify import verify_audiobook

        if not self.writers:
            raise UsageError("the book has no chapters to write")
        if any(w.frames == 0 for w in self.writers.values()):
            empty = next(w for w in self.writers.values() if w.frames == 0)
            raise UsageError(f"chapter {empty.index} (\u201c{empty.title}\u201d) has no audio")
        marks, parts = self.plan()
        whole, gain = self.measure()
        seconds = marks[-1].end
        warnings: list[str] = []
        outputs: list[Path]
        try:
            if self.kind == "m4b":
                with AtomicFile(self.out) as af:
                    assert af.fh is not None
                    encode_m4b(af.fh, parts, marks, self.rate, gain, self.bitrate or 64000, on_seconds, self.tmp)
                    af.fh.flush()
                    warnings += tag_mp4(af.tmp, self.tags)
                    if self.verify:
                        verify_audiobook(af.tmp, marks, seconds, kind="m4b")
                    af.commit()
                outputs = [self.out]
            elif self.kind == "mp3":
                with AtomicFile(self.out) as af:
                    assert af.fh is not None
                    write_id3(af.fh, id3_tags(self.tags, marks))
                    encode_mp3(af.fh, parts, self.rate, gain, (self.bitrate or 96000) // 1000, on_seconds)
                    af.fh.flush()
                    if self.verify:
                        verify_audiobook(af.tmp, marks, seconds, kind="mp3")
                    af.commit()
                outputs = [self.out]
            else:
                outputs = self._write_folder(marks, parts, gain, on_seconds)
        except OSError as exc:
            raise ElevenError(f"cannot write {self.out}: {exc.strerror or exc}") from None
        finally:
            self.cleanup()
        return AssemblyResult(outputs, marks, seconds, whole, gain, warnings)

    def _write_folder(self, marks: list[ChapterMark], parts: list[tuple[Path, int]], gain: float,
                      on_seconds: Callable[[float], None] | None) -> list[Path]:
        from eleven_cli.audio.audiobook_encode import encode_mp3
        from eleven_cli.audio.audiobook_verify import verify_audiobook

        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot make the folder {self.out}: {(exc.strerror or str(exc)).lower()}") from None
        width = max(2, len(str(len(marks))))
        outputs: list[Path] = []
        playlist = ["#EXTM3U", f"#PLAYLIST:{self.tags.title}"]
        done = 0.0
        for n, (mark, (path, after)) in enumerate(zip(marks, parts, strict=True), 1):
            name = f"{n:0{width}d} {safe_filename(mark.title)}.mp3"
            target = self.out / name
            with AtomicFile(target) as af:
                assert af.fh is not None
                write_id3(af.fh, id3_tags(self.tags, track=(n, len(marks)), title=mark.title))
                offset = done

                def progress(s: float, offset: float = offset) -> None:
                    if on_seconds is not None:
                        on_seconds(offset + s)

                encode_mp3(af.fh, [(path, after)], self.rate, gain, (self.bitrate or 96000) // 1000, progress)
                af.fh.flush()
                if self.verify:
                    verify_audiobook(af.tmp, [ChapterMark(mark.index, mark.title, 0.0, mark.duration)],
                                     mark.duration, kind="mp3", chapters_in_file=False)
                af.commit()
            done += mark.duration
            marks[n - 1] = ChapterMark(mark.index, mark.title, mark.start, mark.duration, mark.loudness,
                                       mark.true_peak, [name])
            outputs.append(target)
            who = f"{self.tags.author} - " if self.tags.author else ""
            playlist += [f"#EXTINF:{math.ceil(mark.duration)},{who}{mark.title}", name]
        m3u = self.out / f"{safe_filename(self.tags.title)}.m3u"
        write_file(m3u, ("\n".join(playlist) + "\n").encode("utf-8"))
        outputs.append(m3u)
        return outputs

    def cleanup(self) -> None:
        for w in self.writers.values():
            with contextlib.suppress(OSError):
                w.fh.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Assembler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
