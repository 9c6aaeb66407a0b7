"""Narrating a whole book into one audiobook: `client.book(source, ...)`.

Each chapter is spoken paragraph by paragraph (with the text around each paragraph as continuity where
the model takes it), as PCM, a lossless intermediate: chapters run concurrently under the batch's
adaptive limiter, every piece is verified and cached (an interrupted or failed run resumes without
paying twice), pauses go between paragraphs and chapters, and the book is measured, normalised to a
loudness target and encoded once at the end (eleven_cli.audio.audiobook), then verified and written
atomically. Nothing here prints: progress is events (`BookEvent`) handed to a callback or yielded.
"""

from __future__ import annotations

import hashlib
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eleven_cli.book.model import Book, Chapter
from eleven_cli.errors import ElevenError, Interrupted, RejectedError, UsageError
from eleven_cli.timing import Alignment

TRIM_EVERY = 32  # paragraphs between two returns of freed memory (eleven_cli.memory)
CHARS_PER_SECOND = 15.0  # speech runs about 900 characters a minute: the estimate of hours of audio


@dataclass(frozen=True)
class ParagraphDone:
    chapter: int
    done: int  # paragraphs of the book done (this run and cached)
    total: int
    characters: int  # billed for this paragraph (0 when it came from the cache)
    seconds: float  # of audio
    cached: bool


@dataclass(frozen=True)
class ChapterDone:
    index: int
    title: str
    seconds: float
    loudness: str  # as narrated, e.g. "-19.8 LUFS, -4.1 dBTP"


@dataclass(frozen=True)
class Assembling:
    seconds: float  # encoded so far
    total: float


@dataclass
class BookResult:
    outputs: list[str]
    chapters: list[dict[str, Any]]
    seconds: float
    characters: int  # billed this run
    cached_paragraphs: int
    loudness: str
    gain_db: float
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"outputs": self.outputs, "chapters": self.chapters, "duration_seconds": round(self.seconds, 3),
                "characters": self.characters, "cached_paragraphs": self.cached_paragraphs,
                "loudness": self.loudness, "gain_db": round(self.gain_db, 2), "warnings": self.warnings}


@dataclass(frozen=True)
class BookDone:
    result: BookResult


@dataclass(frozen=True)
class Note:
    text: str  # something to know (a lexicon rule this model will not hear)


BookEvent = ParagraphDone | ChapterDone | Assembling | BookDone | Note


def _parts(chapter: Chapter, titles: bool) -> list[str]:
    """What a chapter speaks: its title (as a first paragraph, when wanted), then its paragraphs."""
    out = [p.strip() for p in chapter.paragraphs if p.strip()]
    if titles and chapter.title.strip():
        out.insert(0, chapter.title.strip())
    return out


class Narration:
    """A book not yet narrated (see the module's docstring): `plan()`, then `save(out)` or `stream(out)`."""

    def __init__(self, client: Any, book: Book, *, voice: str | None = None, model: str | None = None,
                 rate: int = 24000, paragraph_pause: float = 0.6, chapter_pause: float = 2.0,
                 sentence_pause: float = 0.0,
                 loudness: tuple[float, float] | None = (-18.0, -3.0), titles: bool = True, jobs: int = 3,
                 bitrate: int | None = None, genre: str = "Audiobook", cover: tuple[bytes, str] | None = None,
                 lexicon: str | Path | None = None, **options: Any) -> None:
        if not book.chapters:
            raise UsageError("the book has no chapters to narrate")
        self.client = client
        self.book = book
        self.rate = rate
        self.paragraph_pause, self.chapter_pause = paragraph_pause, chapter_pause
        self.sentence_pause = sentence_pause
        self.loudness = loudness
        self.titles = titles
        self.jobs = max(1, jobs)
        self.bitrate = bitrate
        self.genre = genre
        self.cover = cover or ((book.cover, book.cover_mime or "") if book.cover else None)
        self.given = {"voice": voice, "model": model, **options}
        self.opts = client.options(**self.given)
        self.opts.check_for("text-to-speech")
        self.voice_id = client.voice_id(voice)
        client.check_model(self.opts, model_given=model is not None,
                           language_given=options.get("language") is not None)
        self.parts = {c.index: _parts(c, titles) for c in book.chapters}
        self.rules: list[Any] = []
        if lexicon is not None:  # read now: a bad line is a usage error before anything is sent
            from eleven_cli.book.lexicon import read_lexicon

            self.rules = read_lexicon(lexicon)
        self.characters = sum(len(p) for parts in self.parts.values() for p in parts)

    # --- before spending --------------------------------------------------------------------
    def plan(self) -> dict[str, Any]:
        """Chapters with characters, estimated credits and hours, and the account's remaining
        characters (when it says): spends nothing."""
        model = self.opts.model_id
        rows = []
        for c in self.book.chapters:
            chars = sum(len(p) for p in self.parts[c.index])
            rows.append({"chapter": c.index, "title": c.title, "characters": chars,
                         "credits": round(self.client.credits_for(model, chars), 1),
                         "hours": round(chars / CHARS_PER_SECOND / 3600, 3)})
        remaining = None
        try:
            sub = self.client.subscription()
            remaining = max(0, sub.character_limit - sub.character_count) if sub.character_limit else None
        except ElevenError:
            pass  # offline or not allowed: the plan stands without it
        return {"title": self.book.title, "author": self.book.author, "model_id": model, "voice_id": self.voice_id,
                "chapters": rows, "characters": self.characters,
                "credits": round(self.client.credits_for(model, self.characters), 1),
                "hours": round(self.characters / CHARS_PER_SECOND / 3600, 3), "remaining_characters": remaining}

    def check_quota(self) -> None:
        """RejectedError when the book needs more credits than the account has left this period."""
        plan = self.plan()
        left = plan["remaining_characters"]
        if left is not None and plan["credits"] > left:
            raise RejectedError(f"the book needs about {plan['credits']:,.0f} credits and the account has "
                                f"{left:,} left this period; nothing was sent")

    # --- narrating --------------------------------------------------------------------------
    def _cache_folder(self, out: Path) -> Path:
        key = hashlib.sha256(f"{out.resolve()}\0{self.book.title}\0{self.voice_id}\0{self.opts}".encode())
        root = self.client.cache_dir or out.resolve().parent / ".eleven-cache"
        return Path(root) / "books" / key.hexdigest()[:16]

    def stream(self, out: str | Path, **kw: Any) -> Iterator[BookEvent]:
        """The events of `save(out)` as they happen (the narration runs in a thread of its own)."""
        events: queue.Queue[Any] = queue.Queue()
        done = object()

        def work() -> None:
            try:
                self.save(out, on_event=events.put, **kw)
            except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
                events.put(exc)
            events.put(done)

        thread = threading.Thread(target=work, name="eleven-book", daemon=True)
        thread.start()
        while True:
            item = events.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def run(self, out: str | Path, on_event: Callable[[BookEvent], None] | None = None, **kw: Any) -> BookResult:
        """`save(out)`, handing every event to `on_event` as it happens."""
        return self.save(out, on_event=on_event, **kw)

    def save(self, out: str | Path, *, srt: str | None = None, vtt: str | None = None,
             chapters_file: str | None = None, kind: str | None = None, max_credits: float | None = None,
             on_event: Callable[[BookEvent], None] | None = None) -> BookResult:
        """Narrate the book into `out` (.m4b, .mp3, or a folder with kind="dir"), with captions and a
        chapters file when asked. Interrupted or failed, it keeps what was narrated for the next run."""
        from eleven_cli.audio.audiobook import Assembler, LoudnessTarget
        from eleven_cli.audio.audiobook_tags import BookTags
        from eleven_cli.audio.audiobook_timeline import chapters_vtt
        from eleven_cli.batch import Limiter
        from eleven_cli.book.captions import CaptionSpill
        from eleven_cli.extras import check

        check()  # the [book] extra is all there, before anything is spent
        emit = on_event or (lambda e: None)
        out = Path(out)
        cache = self._cache_folder(out)
        total = sum(len(p) for p in self.parts.values())
        counts = {"done": 0, "billed": 0, "cached": 0}
        spent = [0.0]
        lock = threading.Lock()
        limiter = Limiter(self.jobs, self.jobs)
        stop = threading.Event()
        client = self.client.derive(max_credits=None, on_retry=lambda m: (limiter.back_off() if "429" in m else None),
                                    run_id=_run_id(), command="book")
        voice_name = self._voice_name()
        tags = BookTags(self.book.title, author=self.book.author, narrator=voice_name, year=self.book.year,
                        genre=self.genre, language=self.book.language,
                        cover=self.cover[0] if self.cover else None, cover_mime=self.cover[1] if self.cover else None)
        target = LoudnessTarget(*self.loudness) if self.loudness else None
        spill = CaptionSpill(cache / "captions")  # each chapter's alignment, on disk until the captions
        say = self._pronunciation(client, emit)
        captions = bool(srt or vtt)
        timed = captions or self.sentence_pause > 0  # sentence pauses are cut where the timing says
        continuity = self.opts.continuity
        model = self.opts.model_id

        def speak(text: str, before: str | None, after: str | None) -> Any:
            extra: dict[str, Any] = {"previous_text": say.text(before) if before else None,
                                     "next_text": say.text(after) if after else None} if continuity else {}
            if say.dictionaries:
                extra["dictionaries"] = list(self.given.get("dictionaries") or []) + say.dictionaries
            speech = client.speech(say.text(text), format=f"pcm_{self.rate}", timestamps=timed, pieces_dir=cache,
                                   **{**self.given, **extra})
            speech.keep_pieces = True  # the book's pieces go when the book is written
            speech.log_output = str(out)
            speech.remember = False
            data = speech.audio()
            if self.sentence_pause > 0 and speech.result is not None and speech.result.alignment is not None:
                data = _sentence_pauses(data, speech.result.alignment, self.rate, self.sentence_pause)
            return data, speech.result

        def narrate(chapter: Chapter, book: Assembler) -> None:
            parts = self.parts[chapter.index]
            timing = Alignment()
            with book.chapter(chapter.index, chapter.title) as writer:
                for n, text in enumerate(parts):
                    if stop.is_set():
                        raise Interrupted("interrupted")
                    if n:
                        writer.pause(self.paragraph_pause)
                    cost = client.credits_for(model, len(text))
                    with lock:
                        if max_credits is not None and spent[0] + cost > max_credits:
                            stop.set()
                            raise RejectedError(f"the book would pass the limit of {max_credits:,g} credits "
                                                f"({spent[0]:,.0f} taken); what was narrated is kept")
                        spent[0] += cost
                    if not limiter.acquire(stop):
                        raise Interrupted("interrupted")
                    ok = False
                    try:
                        offset = writer.frames / self.rate
                        data, result = speak(text, parts[n - 1][-300:] if n else None,
                                             parts[n + 1][:300] if n + 1 < len(parts) else None)
                        ok = True
                    finally:
                        limiter.release(ok)
                    writer.write(data)
                    if result.alignment is not None:
                        if timing.characters:  # a paragraph break: no caption runs across it
                            timing.extend(Alignment(["\n", "\n"], [timing.ends[-1]] * 2, [offset] * 2))
                        timing.extend(result.alignment, offset)
                    cached = result.cached_pieces == result.pieces
                    with lock:
                        counts["done"] += 1
                        counts["billed"] += result.characters
                        counts["cached"] += cached
                        done = counts["done"]
                    if done % TRIM_EVERY == 0:
                        from eleven_cli.memory import trim

                        trim()  # the worker threads' freed audio buffers go back to the system
                    emit(ParagraphDone(chapter.index, done, total, result.characters, result.duration, cached))
            if captions:
                spill.put(chapter.index, timing)
            m = writer.measurement
            emit(ChapterDone(chapter.index, chapter.title, writer.frames / self.rate, m.describe() if m else ""))

        with Assembler(out, rate=self.rate, tags=tags, kind=kind or None,  # type: ignore[arg-type]
                       loudness=target, chapter_pause=self.chapter_pause, bitrate=self.bitrate) as book:
            pool = ThreadPoolExecutor(max_workers=min(self.jobs, len(self.book.chapters)),
                                      thread_name_prefix="eleven-chapter")
            futures = [pool.submit(narrate, c, book) for c in self.book.chapters]
            try:
                finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
                failed = next((f for f in futures if f.done() and f.exception() is not None), None)
                if failed is not None:
                    stop.set()
                    wait(futures)
                    raise failed.exception()  # type: ignore[misc]
            except KeyboardInterrupt:
                stop.set()
                wait(futures)
                raise Interrupted(f"interrupted: {counts['done']:,} of {total:,} paragraphs are kept; run the "
                                  "same command again to go on without paying for them twice") from None
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            assembled = book.finish(on_seconds=lambda s: emit(Assembling(s, 0.0)))
        marks = assembled.chapters
        if captions:
            from eleven_cli.book.captions import book_cues, write_book_captions

            write_book_captions(book_cues((m.start, spill.get(m.index)) for m in marks), srt=srt, vtt=vtt)
        if chapters_file:
            from eleven_cli.atomic import write_file

            write_file(chapters_file, chapters_vtt(marks).encode())
        shutil.rmtree(cache, ignore_errors=True)  # written and verified: the pieces are no longer needed
        result = BookResult([str(p) for p in assembled.outputs],
                            [{"chapter": m.index, "title": m.title, "start": round(m.start, 3),
                              "seconds": round(m.end - m.start, 3)} for m in marks],
                            assembled.seconds, counts["billed"], counts["cached"], assembled.loudness.describe(),
                            assembled.gain_db, list(self.book.warnings) + assembled.warnings)
        emit(BookDone(result))
        return result

    def _pronunciation(self, client: Any, emit: Callable[[BookEvent], None]) -> Any:
        """The lexicon as the model hears it: a pronunciation dictionary on the account (made once, found
        again by its content's hash) sent with each request, or its replacements in the text."""
        from eleven_cli.book.pronounce import Pronunciation, prepare

        if not self.rules:
            return Pronunciation()
        done = prepare(client.http, self.opts.model_id, self.rules)
        for note in done.notes:
            emit(Note(note))
        return done

    def _voice_name(self) -> str | None:
        try:
            return next((v.name for v in self.client.catalog.voices() if v.voice_id == self.voice_id), None)
        except ElevenError:
            return None


def _sentence_pauses(pcm: bytes, alignment: Alignment, rate: int, seconds: float) -> bytes:
    """`pcm` with `seconds` of silence after each sentence but the last (where the alignment says a sentence
    ends: . ! ? or … before a space), and the alignment moved to match."""
    chars = alignment.characters
    cuts = [i for i, c in enumerate(chars[:-1]) if c in ".!?…" and chars[i + 1].isspace()]
    if not cuts:
        return pcm
    gap = bytes(2 * round(seconds * rate))
    out, at, shift = bytearray(), 0, 0.0
    moved = list(zip(alignment.starts, alignment.ends, strict=True))
    for n, cut in enumerate(cuts, 1):
        end = alignment.ends[cut]
        frame = min(len(pcm) // 2, round(end * rate)) * 2
        out += pcm[at:frame] + gap
        at = frame
        shift = n * seconds
        nxt = cuts[n] + 1 if n < len(cuts) else len(chars)
        for k in range(cut + 1, nxt):
            moved[k] = (moved[k][0] + shift, moved[k][1] + shift)
    out += pcm[at:]
    alignment.starts[:] = [s for s, _ in moved]
    alignment.ends[:] = [e for _, e in moved]
    return bytes(out)


def _run_id() -> str:
    from eleven_cli.spendlog import new_run_id

    return new_run_id()
