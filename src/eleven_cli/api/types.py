"""Typed views of the wire data; every parser ignores unknown fields and tolerates missing ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eleven_cli.timing import Alignment

__all__ = ["Alignment", "Meta", "Model", "Subscription", "TimedChunk", "Voice", "WireRequest"]


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str
    can_do_text_to_speech: bool
    can_do_voice_conversion: bool
    max_characters: int | None
    cost_factor: float | None
    languages: list[str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, d: dict[str, Any]) -> Model:
        rates = d.get("model_rates") or {}
        factor = rates.get("character_cost_multiplier", d.get("token_cost_factor"))
        limit = d.get("maximum_text_length_per_request") or d.get("max_characters_request_subscribed_user")
        return cls(
            model_id=str(d["model_id"]),
            name=str(d.get("name") or d["model_id"]),
            can_do_text_to_speech=bool(d.get("can_do_text_to_speech", True)),
            can_do_voice_conversion=bool(d.get("can_do_voice_conversion", False)),
            max_characters=int(limit) if isinstance(limit, int | float) else None,
            cost_factor=float(factor) if isinstance(factor, int | float) else None,
            languages=[str(x.get("language_id")) for x in d.get("languages") or [] if isinstance(x, dict)],
            raw=d,
        )


@dataclass(frozen=True)
class Voice:
    voice_id: str
    name: str
    category: str
    labels: dict[str, str]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, d: dict[str, Any]) -> Voice:
        labels = d.get("labels") or {}
        return cls(str(d["voice_id"]), str(d.get("name") or d["voice_id"]), str(d.get("category") or ""),
                   {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}, d)


@dataclass(frozen=True)
class Subscription:
    tier: str
    character_count: int
    character_limit: int
    next_reset_unix: int | None
    status: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def parse(cls, d: dict[str, Any]) -> Subscription:
        return cls(str(d.get("tier", "unknown")), int(d.get("character_count") or 0),
                   int(d.get("character_limit") or 0), d.get("next_character_count_reset_unix"),
                   d.get("status"), d)


@dataclass
class Meta:
    """What the response headers say about a synthesis."""

    request_id: str | None = None
    characters: int | None = None
    history_item_id: str | None = None
    current_concurrency: int | None = None
    max_concurrency: int | None = None
    ttfb: float | None = None  # seconds from sending to the first body byte
    first_byte_at: float | None = None  # wall-clock time of the first body byte

    @classmethod
    def from_headers(cls, headers: Any) -> Meta:
        def num(name: str) -> int | None:
            raw = headers.get(name)
            try:
                return int(float(raw)) if raw is not None else None
            except ValueError:
                return None

        chars = num("x-character-count")
        if chars is None:
            chars = num("character-cost")
        return cls(headers.get("request-id"), chars, headers.get("history-item-id"),
                   num("current-concurrent-requests"), num("maximum-concurrent-requests"))


@dataclass
class TimedChunk:
    """One piece of a with-timestamps response: audio bytes and their alignment (absolute seconds),
    and for a dialogue which voice speaks which characters (`voice_segments`, as sent)."""

    audio: bytes
    alignment: Alignment | None
    normalized: Alignment | None
    segments: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class WireRequest:
    """One synthesis request as it is sent: the endpoint's path (without the /stream and
    /with-timestamps suffixes, which say how the answer comes), its JSON body and its query."""

    path: str
    body: dict[str, Any]
    query: dict[str, str]

    def url_path(self, *, streaming: bool, timestamps: bool) -> str:
        return self.path + ("/stream" if streaming else "") + ("/with-timestamps" if timestamps else "")
