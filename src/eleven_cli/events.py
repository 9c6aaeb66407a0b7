"""What a synthesis yields as it goes (typed events), and what it comes to (a Result).

    Started      once: how many pieces (requests) and characters
    Audio        audio bytes as they arrive; concatenated they form one file of the format
                 (for WAV: the PCM payload, a header goes around it; for Opus: see PieceDone.audio)
    Timing       the alignment of a piece, in seconds from the start of the whole speech
    Retrying     a piece failed its check (or the connection) before any of it was handed on
    PieceDone    a piece is complete and verified: billed characters, seconds, request id
    Finished     the Result
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eleven_cli.api.types import Alignment

__all__ = ["Alignment", "Audio", "Event", "Finished", "PieceDone", "Result", "Retrying", "Started", "Timing"]


@dataclass(frozen=True)
class Started:
    pieces: int
    characters: int


@dataclass(frozen=True)
class Audio:
    data: bytes
    piece: int


@dataclass(frozen=True)
class Timing:
    alignment: Alignment
    normalized: Alignment | None
    piece: int
    segments: list[dict[str, Any]] = field(default_factory=list)  # a dialogue's voice segments


@dataclass(frozen=True)
class Retrying:
    piece: int
    attempt: int
    reason: str


@dataclass(frozen=True)
class PieceDone:
    index: int
    count: int
    text_characters: int
    characters: int  # billed (0 when it came from the cache)
    seconds: float
    request_id: str | None
    cached: bool
    audio: bytes = field(repr=False)  # the piece as the server sent it (one whole file of the format)


@dataclass
class Result:
    """A finished synthesis, possibly of several requests."""

    format: str
    voice_id: str
    model_id: str
    characters: int = 0
    duration: float = 0.0
    request_ids: list[str] = field(default_factory=list)
    history_item_ids: list[str] = field(default_factory=list)  # the account's history (audio to download later)
    pieces: int = 0
    cached_pieces: int = 0
    ttfb: float | None = None  # seconds from sending the first request to its first byte
    first_byte_at: float | None = None  # wall-clock time of that byte
    alignment: Alignment | None = None
    normalized: Alignment | None = None
    segments: list[dict[str, Any]] | None = None  # a dialogue's: voice, turn, times, character span
    output: str | None = None
    audio: bytes | None = field(default=None, repr=False)  # set by Speech.audio()

    def summary(self) -> dict[str, Any]:
        """The cost line's fields (what `--json` prints)."""
        return {
            "characters": self.characters, "request_ids": self.request_ids,
            "duration_seconds": round(self.duration, 3),
            "ttfb_ms": round(self.ttfb * 1000) if self.ttfb is not None else None,
            "output": self.output, "format": self.format, "voice_id": self.voice_id, "model_id": self.model_id,
            "requests": self.pieces, "cached_pieces": self.cached_pieces,
            "history_item_ids": self.history_item_ids,
        }


@dataclass(frozen=True)
class Finished:
    result: Result


Event = Started | Audio | Timing | Retrying | PieceDone | Finished
