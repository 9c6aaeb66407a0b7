"""From a validated TTS request to paced, encoded audio and alignment chunks."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import anyio

from eleven_cli.formats import Format
from eleven_mock.encode import Encoder
from eleven_mock.engine import RATE, Speech, Voicing, synthesize
from eleven_mock.spoken import normalize  # noqa: F401 - the routes import it from here

SEGMENT_SECONDS = 0.25


@dataclass
class Job:
    text: str
    voicing: Voicing
    speed: float
    fmt: Format


def voicing_for(voice: dict[str, Any], body: dict[str, Any], model: dict[str, Any]) -> Voicing:
    """The espeak voicing of a voice, shaped by the request's settings and language."""
    base: Voicing = voice["_voicing"]
    settings = body.get("voice_settings") or {}
    stability = settings.get("stability")
    rng = base.range if stability is None else int(max(0, min(100, base.range * (1.5 - stability))))
    name = base.espeak
    lang = body.get("language_code")
    if lang and lang != "en":
        variant = name.split("+", 1)[1] if "+" in name else ""
        name = lang + ("+" + variant if variant else "")
    return Voicing(name, base.pitch, rng, base.wpm)


def alignment(text: str, starts: list[float], ends: list[float], lo: int = 0,
              hi: int | None = None) -> dict[str, Any]:
    """The HTTP alignment object for characters lo..hi (seconds, 3 decimals)."""
    hi = len(text) if hi is None else hi
    return {
        "characters": list(text[lo:hi]),
        "character_start_times_seconds": [round(t, 3) for t in starts[lo:hi]],
        "character_end_times_seconds": [round(t, 3) for t in ends[lo:hi]],
    }


def speak(job: Job) -> Speech:
    return synthesize(job.text, job.voicing, job.speed)


def segments(speech: Speech) -> Iterator[tuple[float, float, bytes]]:
    """(start s, end s, s16 bytes) pieces of SEGMENT_SECONDS each."""
    raw = speech.samples.tobytes()
    step = int(SEGMENT_SECONDS * RATE) * 2
    for i in range(0, len(raw), step):
        yield i / 2 / RATE, min(len(raw), i + step) / 2 / RATE, raw[i : i + step]


def first_chunk(speech: Speech) -> float:
    """Seconds of audio in the first streamed chunk: `--ttfb` is when it arrives, the rest follows at --rtf."""
    return min(SEGMENT_SECONDS, len(speech.samples) / RATE)


async def pace(t0: float, ttfb: float, rtf: float, audio_time: float) -> None:
    """Sleep until the moment the service would have sent audio up to `audio_time` seconds past the
    first chunk (which arrives `ttfb` after the request)."""
    delay = t0 + ttfb + rtf * audio_time - time.monotonic()
    if delay > 0:
        await anyio.sleep(delay)


async def audio_stream(job: Job, speech: Speech, ttfb: float, rtf: float, t0: float,
                       whole: bool) -> AsyncIterator[bytes]:
    """Encoded audio bytes, paced; `whole` sends the file in one piece after generating it all."""
    from eleven_cli.audio.riff import header as wav_header

    enc = Encoder(job.fmt, page_ms=None if whole else 20)  # a live Ogg stream hands over short pages
    if whole:
        await pace(t0, ttfb, rtf, speech.duration - first_chunk(speech))
        # Fed a piece at a time (the same bytes as all at once): one frame of a whole long file makes the
        # resampler and encoders allocate tens of megabytes that the process keeps.
        body = b"".join([enc.feed(pcm) for _start, _end, pcm in segments(speech)]) + enc.flush()
        if job.fmt.codec == "wav":
            body = wav_header(job.fmt.rate, len(body)) + body
        yield body
        return
    for _start, end, pcm in segments(speech):
        await pace(t0, ttfb, rtf, end - first_chunk(speech))
        out = enc.feed(pcm)
        if out:
            yield out
    tail = enc.flush()
    if tail:
        yield tail


async def timestamp_stream(job: Job, speech: Speech, ttfb: float, rtf: float,
                           t0: float) -> AsyncIterator[dict[str, Any]]:
    """NDJSON chunks: audio for each piece with the characters that start within it."""
    text = job.text
    ntext, ns, ne = normalize(text, speech.starts, speech.ends)
    enc = Encoder(job.fmt, page_ms=20)
    done = ndone = 0
    pieces = list(segments(speech))
    for idx, (_start, end, pcm) in enumerate(pieces):
        await pace(t0, ttfb, rtf, end - first_chunk(speech))
        audio = enc.feed(pcm)
        last = idx == len(pieces) - 1
        if last:
            audio += enc.flush()
        if not audio:
            continue
        hi = len(text) if last else next((i for i in range(done, len(text)) if speech.starts[i] >= end),
                                          len(text))
        nhi = len(ntext) if last else next((i for i in range(ndone, len(ntext)) if ns[i] >= end), len(ntext))
        yield {
            "audio_base64": base64.b64encode(audio).decode(),
            "alignment": alignment(text, speech.starts, speech.ends, done, hi) if hi > done else None,
            "normalized_alignment": alignment(ntext, ns, ne, ndone, nhi) if nhi > ndone else None,
        }
        done, ndone = hi, nhi
    if not pieces:
        tail = enc.flush()
        yield {"audio_base64": base64.b64encode(tail).decode(), "alignment": None,
               "normalized_alignment": None}
