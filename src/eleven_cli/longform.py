"""Long text: split below the model's limit, synthesise piece by piece with continuity hints,
keep finished pieces in a cache (so a rerun spends nothing twice), stitch, offset alignments."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from eleven_cli.alignment import to_alignment
from eleven_cli.api.http import Client
from eleven_cli.api.types import Alignment, Meta, SynthesisRequest
from eleven_cli.audio.duration import duration
from eleven_cli.audio.stitch import stitch
from eleven_cli.formats import Format
from eleven_cli.text import split_text


@dataclass
class Result:
    """A finished synthesis, possibly of several requests."""

    audio: bytes
    fmt: Format
    metas: list[Meta] = field(default_factory=list)
    alignment: Alignment | None = None
    normalized: Alignment | None = None
    cached_pieces: int = 0
    streamed_seconds: float | None = None  # set when the audio went straight to a writer
    cache: PieceCache | None = None
    cache_keys: list[str] = field(default_factory=list)

    def forget_cache(self) -> None:
        """Drop the cached pieces once the output is safely written."""
        if self.cache is not None:
            self.cache.drop(self.cache_keys)

    @property
    def characters(self) -> int:
        return sum(m.characters or 0 for m in self.metas)

    @property
    def request_ids(self) -> list[str]:
        return [m.request_id for m in self.metas if m.request_id]

    @property
    def duration(self) -> float:
        if self.streamed_seconds is not None:
            return self.streamed_seconds
        return duration(self.audio, self.fmt)

    @property
    def ttfb(self) -> float | None:
        return self.metas[0].ttfb if self.metas else None


class PieceCache:
    """Finished pieces on disk, keyed by everything that shapes their audio."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def key(self, base_url: str, voice_id: str, req: SynthesisRequest, fmt: Format, timestamps: bool) -> str:
        body = req.body()
        body.pop("previous_request_ids", None)  # these change per run; the text context does not
        blob = json.dumps([base_url, voice_id, body, req.query(fmt.name), timestamps], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def get(self, key: str) -> tuple[bytes, dict] | None:
        if self.folder is None:
            return None
        try:
            audio = (self.folder / f"{key}.audio").read_bytes()
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return audio, meta
        except (OSError, ValueError):
            return None

    def put(self, key: str, audio: bytes, meta: dict) -> None:
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for suffix, data in ((".json", json.dumps(meta).encode()), (".audio", audio)):
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".piece.")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.folder / f"{key}{suffix}")

    @contextlib.contextmanager
    def writer(self, key: str) -> Iterator[Callable[[bytes], None]]:
        """Collect a piece on disk as it streams; it is kept only if the stream completes."""
        if self.folder is None:
            yield lambda data: None
            return
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".piece.")
        except OSError:
            yield lambda data: None
            return
        fh = os.fdopen(fd, "wb")

        def keep(data: bytes) -> None:
            fh.write(data)

        try:
            yield keep
            fh.close()
            os.replace(tmp, self.folder / f"{key}.audio")
        finally:
            if not fh.closed:
                fh.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def note(self, key: str, meta: dict) -> None:
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            (self.folder / f"{key}.json").write_text(json.dumps(meta), encoding="utf-8")

    def drop(self, keys: list[str]) -> None:
        if self.folder is None:
            return
        for key in keys:
            for suffix in (".audio", ".json"):
                with contextlib.suppress(OSError):
                    (self.folder / f"{key}{suffix}").unlink()


class pieces_of:  # noqa: N801 - used like a generator function
    """The requests for one text: split below `limit` at natural boundaries, each with the text
    around it and the request ids before it (read from `previous_ids` as the caller appends them)."""

    def __init__(self, req: SynthesisRequest, limit: int, previous_ids: list[str]) -> None:
        text = req.text
        self.pieces = [p for p in split_text(text, limit) if p.strip()] if len(text) > limit else [text]
        self.req = req
        self.previous_ids = previous_ids

    @property
    def count(self) -> int:
        return len(self.pieces)

    def __iter__(self) -> Iterator[tuple[int, SynthesisRequest]]:
        pieces, req = self.pieces, self.req
        for i, piece in enumerate(pieces):
            sub = dataclasses.replace(req, text=piece)
            if len(pieces) > 1:
                sub.previous_text = (pieces[i - 1][-300:] if i else req.previous_text) or None
                sub.next_text = (pieces[i + 1][:300] if i + 1 < len(pieces) else req.next_text) or None
                sub.previous_request_ids = self.previous_ids[-3:]
            yield i, sub


def synthesize(client: Client, voice_id: str, req: SynthesisRequest, fmt: Format, limit: int, *,
               timestamps: bool = False, cache: PieceCache | None = None,
               progress: Callable[[int, int], None] | None = None) -> Result:
    """Speak `req.text`, split into requests of at most `limit` characters when it is longer."""
    previous_ids: list[str] = list(req.previous_request_ids)
    steps = pieces_of(req, limit, previous_ids)
    cache = cache if (cache is not None and steps.count > 1) else PieceCache(None)
    result = Result(b"", fmt)
    parts: list[bytes] = []
    keys: list[str] = []
    offset = 0.0
    if timestamps:
        result.alignment, result.normalized = Alignment(), Alignment()
    for i, sub in steps:
        if progress:
            progress(i, steps.count)
        key = cache.key(client.base_url, voice_id, sub, fmt, timestamps)
        keys.append(key)
        hit = cache.get(key)
        if hit is not None:
            audio, info = hit
            meta = Meta(request_id=info.get("request_id"), characters=0)
            align, norm = to_alignment(info.get("alignment")), to_alignment(info.get("normalized"))
            result.cached_pieces += 1
        elif timestamps:
            chunk, meta = client.with_timestamps(voice_id, sub, fmt.name)
            audio, align, norm = chunk.audio, chunk.alignment, chunk.normalized
        else:
            audio, meta = client.convert(voice_id, sub, fmt.name)
            align = norm = None
        if hit is None:
            cache.put(key, audio, {"request_id": meta.request_id, "characters": meta.characters,
                                   "alignment": _plain(align), "normalized": _plain(norm)})
        result.metas.append(meta)
        if meta.request_id:
            previous_ids.append(meta.request_id)
        parts.append(audio)
        if timestamps and result.alignment is not None and result.normalized is not None:
            if align:
                result.alignment.extend(align, offset)
            if norm:
                result.normalized.extend(norm, offset)
        offset += duration(audio, fmt)
    result.audio = stitch(parts, fmt)
    if progress:
        progress(steps.count, steps.count)
    result.cache, result.cache_keys = cache, keys
    return result


def _plain(a: Alignment | None) -> dict | None:
    if a is None:
        return None
    return {"characters": a.characters, "character_start_times_seconds": a.starts,
            "character_end_times_seconds": a.ends}


class PartFilter:
    """Streams one generated piece into a growing file of the same format: drops the per-piece
    container headers that must appear only once (ID3/Xing in MP3, the RIFF header in WAV)."""

    def __init__(self, fmt: Format, first: bool) -> None:
        self.fmt = fmt
        self.keep_all = first and fmt.codec != "wav"
        self._head = b""
        self._passing = self.keep_all or fmt.codec in ("pcm", "ulaw", "alaw")

    def feed(self, data: bytes) -> bytes:
        if self._passing:
            return data
        self._head += data
        if self.fmt.codec == "wav":
            at = self._head.find(b"data")
            if at < 0 or len(self._head) < at + 8:
                return b""
            out, self._head = self._head[at + 8 :], b""
            self._passing = True
            return out
        # MP3: skip an ID3v2 tag, then a Xing/Info frame, then pass everything.
        head = self._head
        if head[:3] == b"ID3":
            if len(head) < 10:
                return b""
            size = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
            if len(head) < size:
                return b""
            head = head[size:]
        from eleven_cli.audio.containers import mp3_frame_length

        length = mp3_frame_length(head[:4]) if len(head) >= 4 else None
        if length is None and len(head) < 4:
            self._head = head
            return b""
        if length is not None and len(head) < length:
            self._head = head
            return b""
        if length is not None and (b"Xing" in head[:64] or b"Info" in head[:64]):
            head = head[length:]
        self._head = b""
        self._passing = True
        return head

    def flush(self) -> bytes:
        out, self._head = self._head, b""
        return out if self.fmt.codec != "wav" else b""


def synthesize_to(client: Client, voice_id: str, req: SynthesisRequest, fmt: Format, limit: int,
                  write: Callable[[bytes], None], *, cache: PieceCache | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Result:
    """Like `synthesize`, but each piece streams straight into `write` (memory stays flat however
    long the text): for every format but Opus, whose pieces must be remuxed together."""
    from eleven_cli.audio.duration import DurationCounter

    previous_ids: list[str] = list(req.previous_request_ids)
    steps = pieces_of(req, limit, previous_ids)
    cache = cache if (cache is not None and steps.count > 1) else PieceCache(None)
    result = Result(b"", fmt)
    counter = DurationCounter(fmt if fmt.codec != "wav" else _pcm_of(fmt))
    for i, sub in steps:
        if progress:
            progress(i, steps.count)
        key = cache.key(client.base_url, voice_id, sub, fmt, False)
        result.cache_keys.append(key)
        part = PartFilter(fmt, first=i == 0)
        hit = cache.get(key)
        if hit is not None:
            data = part.feed(hit[0]) + part.flush()
            write(data)
            counter.add(data)
            meta = Meta(request_id=hit[1].get("request_id"), characters=0)
            result.cached_pieces += 1
        else:
            with cache.writer(key) as keep, client.stream(voice_id, sub, fmt.name, path_suffix="") as streamed:
                for chunk in streamed.chunks:
                    keep(chunk)
                    data = part.feed(chunk)
                    if data:
                        write(data)
                        counter.add(data)
                tail = part.flush()
                if tail:
                    write(tail)
                    counter.add(tail)
                meta = streamed.meta
                cache.note(key, {"request_id": meta.request_id, "characters": meta.characters})
        result.metas.append(meta)
        if meta.request_id:
            previous_ids.append(meta.request_id)
    if progress:
        progress(steps.count, steps.count)
    result.cache = cache
    result.streamed_seconds = counter.seconds
    return result


def _pcm_of(fmt: Format) -> Format:
    from eleven_cli.formats import FORMATS

    return FORMATS[f"pcm_{fmt.rate}"]
