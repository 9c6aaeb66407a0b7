"""The one piece loop: split → request with continuity → verify → cache → offsets, as typed events.

Every synthesis (say, stream, timestamps, batch, the library) is this generator; files, players
and captions are consumers of its events (eleven_cli.outputs). A piece is handed on either as it
arrives (`live`: first sound as early as possible) or once it is whole and verified, so a broken
response can be retried before any of it reached the user.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from eleven_cli.api.alignment import to_alignment
from eleven_cli.api.http import Client as HttpClient
from eleven_cli.api.types import Alignment, Meta
from eleven_cli.audio import verify
from eleven_cli.audio.codecs import part_filter
from eleven_cli.errors import BrokenAudioError, ElevenError
from eleven_cli.events import Audio, Event, Finished, PieceDone, Result, Retrying, Started, Timing
from eleven_cli.formats import Format
from eleven_cli.longform import PieceCache
from eleven_cli.script import Piece, Script


@dataclass
class Job:
    """What to speak, and how to ask for it."""

    script: Script
    fmt: Format
    timestamps: bool = False  # the with-timestamps endpoints: alignment with the audio
    streaming: bool = False  # the /stream endpoints (else the whole-file ones, still read as they arrive)
    live: bool = False  # hand audio on as it arrives, before the piece is verified


@dataclass
class _Piece:
    audio: bytes
    meta: Meta
    alignment: Alignment | None
    normalized: Alignment | None
    seconds: float
    cached: bool = False
    segments: list[dict[str, Any]] | None = None  # a dialogue's voice_segments (request-relative)

    def record(self) -> dict[str, Any]:
        return {"request_id": self.meta.request_id, "characters": self.meta.characters,
                "alignment": _plain(self.alignment), "normalized": _plain(self.normalized),
                "segments": self.segments}


def _plain(a: Alignment | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"characters": a.characters, "character_start_times_seconds": a.starts,
            "character_end_times_seconds": a.ends}


class Pipeline:
    """Runs one Job; `events()` yields as it goes. Finished pieces stay in the cache until `forget()`
    (call it once the output is safely stored), so an interrupted run resumes where it stopped."""

    def __init__(self, http: HttpClient, job: Job, cache: PieceCache | None = None,
                 replay: dict[str, Any] | None = None, cache_every: bool = False) -> None:
        self.http = http
        self.job = job
        self.cache = cache or PieceCache(None)
        self.replay = replay  # pieces kept in memory from an earlier run of the same job (never billed twice)
        self.cache_every = cache_every  # a text of one piece is cached too (a book's paragraphs)
        self.keys: list[str] = []

    def forget(self) -> None:
        self.cache.drop(self.keys)

    def events(self) -> Iterator[Event]:
        job, script = self.job, self.job.script
        previous_ids: list[str] = []
        count = len(script.texts)
        cache = self.cache if count > 1 or self.cache_every else PieceCache(None)
        result = Result(job.fmt.name, script.voice_id, script.model_id, pieces=count)
        if job.timestamps:
            result.alignment, result.normalized = Alignment(), Alignment()
            result.segments = [] if script.segmented else None
        yield Started(count, sum(len(t) for t in script.texts))
        for sub in script.pieces(previous_ids):
            i = sub.index
            key = sub.cache_key(self.http.base_url, job.timestamps)
            self.keys.append(key)
            piece = self.replay.get(key) if self.replay is not None else None
            piece = piece or self._cached(cache, key, sub)
            if piece is None:
                piece = yield from self._fetch(sub)
                cache.put(key, piece.audio, piece.record())
            if self.replay is not None:
                self.replay[key] = dataclasses.replace(piece, cached=True)
            if piece.cached or not job.live:
                part = part_filter(job.fmt, first=i == 0)
                data, tail = part.feed(piece.audio), part.flush()
                yield Audio(data + tail if tail else data, i)  # no copy of a whole piece when nothing is held
            yield from self._account(result, piece, count, sub)
            if piece.meta.request_id and piece.meta.request_id not in previous_ids[-3:]:
                previous_ids.append(piece.meta.request_id)  # (a piece reused for the same text: once)
        yield Finished(result)

    def _account(self, result: Result, piece: _Piece, count: int, sub: Piece) -> Iterator[Event]:
        """Add a piece to the result: offsets for its timing, billing, ids; yield what it adds.
        The whitespace between two pieces (not sent) goes back into the timing at the seam, so the
        words on either side stay apart and a paragraph break still ends a caption."""
        index, gap = sub.index, sub.gap
        offset = result.duration
        if result.alignment is not None and piece.alignment:
            first_char = len(result.alignment.characters) + len(gap)
            timing = _shifted(piece.alignment, offset, gap)
            result.alignment.extend(timing)
            normalized = None
            if piece.normalized and result.normalized is not None:
                normalized = _shifted(piece.normalized, offset, gap)
                result.normalized.extend(normalized)
            segments = _segments(piece.segments, offset, first_char, sub.turns)
            if result.segments is not None:
                result.segments += segments
            yield Timing(timing, normalized, index, segments)
        meta = piece.meta
        billed = 0 if piece.cached else meta.characters or 0
        result.characters += billed
        result.duration += piece.seconds
        result.cached_pieces += piece.cached
        if meta.request_id:
            result.request_ids.append(meta.request_id)
        if meta.history_item_id and not piece.cached:
            result.history_item_ids.append(meta.history_item_id)
        if result.ttfb is None and not piece.cached:
            result.ttfb, result.first_byte_at = meta.ttfb, meta.first_byte_at
        yield PieceDone(index, count, len(sub.text), billed, piece.seconds, meta.request_id, piece.cached, piece.audio)

    def _cached(self, cache: PieceCache, key: str, sub: Piece) -> _Piece | None:
        """A finished piece from an earlier run, if it is still whole."""
        hit = cache.get(key)
        if hit is None:
            return None
        audio, info = hit
        align, norm = to_alignment(info.get("alignment")), to_alignment(info.get("normalized"))
        try:
            seconds = verify.check(audio, self.job.fmt, sub.text, align)
        except BrokenAudioError:
            cache.drop([key])
            return None
        return _Piece(audio, Meta(request_id=info.get("request_id"), characters=0), align, norm, seconds, True,
                      info.get("segments"))

    def _fetch(self, sub: Piece) -> Generator[Event, None, _Piece]:
        """One request, verified; any retryable failure (dropped or cut short, a body that is not
        audio or not valid JSON, 429/5xx) is retried while nothing of it has been handed on."""
        attempt = 0
        while True:
            handed = False
            try:
                for event in self._request(sub):
                    if isinstance(event, _Piece):
                        return event
                    handed = True
                    yield event
            except ElevenError as exc:
                if handed or not exc.retryable or attempt >= self.http.retries:
                    raise
                yield Retrying(sub.index, attempt + 1, exc.message)
                attempt = self.http.pause(exc, attempt)

    def _request(self, sub: Piece) -> Iterator[Audio | _Piece]:
        job, index = self.job, sub.index
        part = part_filter(job.fmt, first=index == 0) if job.live else None
        audio = bytearray()
        align, norm = Alignment(), Alignment()
        timed = False
        segments: list[dict[str, Any]] = []
        with self.http.synthesize(sub.request, streaming=job.streaming, timestamps=job.timestamps) as (meta, chunks):
            for chunk in chunks:
                segments += chunk.segments or []
                if chunk.alignment is not None:
                    timed = True
                    align.extend(chunk.alignment)
                if chunk.normalized is not None:
                    norm.extend(chunk.normalized)
                if not chunk.audio:
                    continue
                if not audio:
                    verify.not_a_document(chunk.audio, job.fmt)
                audio += chunk.audio
                if part is not None:
                    data = part.feed(chunk.audio)
                    if data:
                        yield Audio(data, index)
        whole = bytes(audio)
        del audio  # one copy of the piece at a time
        seconds = verify.check(whole, job.fmt, sub.text, align if timed else None)
        if part is not None:
            tail = part.flush()
            if tail:
                yield Audio(tail, index)
        yield _Piece(whole, meta, align if timed else None, norm if timed else None, seconds,
                     segments=_merged(segments) if timed and sub.turns is not None else None)


def _merged(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A streamed dialogue sends the segments chunk by chunk: one per (input, voice), spanning them all."""
    out: dict[tuple[Any, Any], dict[str, Any]] = {}
    for seg in segments:
        key = (seg.get("dialogue_input_index"), seg.get("voice_id"))
        if key not in out:
            out[key] = dict(seg)
            continue
        have = out[key]
        for name, pick in (("start_time_seconds", min), ("end_time_seconds", max),
                           ("character_start_index", min), ("character_end_index", max)):
            have[name] = pick(have[name], seg[name])
    return sorted(out.values(), key=lambda x: (x["start_time_seconds"], x["character_start_index"]))


def _segments(segments: list[dict[str, Any]] | None, offset: float, first_char: int,
              turns: tuple[int, ...] | None) -> list[dict[str, Any]]:
    """A piece's voice segments in the whole speech: times and character indexes moved, and the input
    index turned into the script's turn index."""
    out = []
    for seg in segments or []:
        try:
            idx = int(seg["dialogue_input_index"])
            out.append({**seg, "start_time_seconds": float(seg["start_time_seconds"]) + offset,
                        "end_time_seconds": float(seg["end_time_seconds"]) + offset,
                        "character_start_index": int(seg["character_start_index"]) + first_char,
                        "character_end_index": int(seg["character_end_index"]) + first_char,
                        "dialogue_input_index": turns[idx] if turns and 0 <= idx < len(turns) else idx})
        except (KeyError, TypeError, ValueError):
            continue  # a malformed segment is skipped; the audio and timing stand on their own
    return out


def _shifted(a: Alignment, offset: float, gap: str = "") -> Alignment:
    """`a` moved by `offset` seconds, after the characters of `gap` (silent, at the seam)."""
    out = Alignment(list(gap), [offset] * len(gap), [offset] * len(gap))
    out.extend(a, offset)
    return out
