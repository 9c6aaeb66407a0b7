"""A text-to-speech request from what the caller gave, with the profile's defaults filling the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eleven_cli.api.types import SynthesisRequest
from eleven_cli.errors import UsageError

DEFAULT_MODEL = "eleven_multilingual_v2"
DEFAULT_VOICE = "JBFqnCBsd6RMkjVDRZzb"  # George, the docs' default; change with `eleven config set voice`

# voice_settings field -> the profile key (and the friendlier name a caller may use)
SETTINGS = {"stability": "stability", "similarity_boost": "similarity", "style": "style",
            "use_speaker_boost": "speaker_boost", "speed": "speed"}
NORMALIZE = ("auto", "on", "off")
# Models the service refuses request stitching for (previous_text, next_text, previous/next_request_ids):
# long text is still split for them, each piece sent on its own.
NO_CONTINUITY_MODELS = frozenset({"eleven_v3"})


def parse_dictionaries(items: Sequence[str | tuple[str, str | None]] | None) -> list[tuple[str, str | None]]:
    """Pronunciation dictionaries as ID or ID:VERSION (or (id, version) pairs); at most 3."""
    out: list[tuple[str, str | None]] = []
    for item in items or []:
        if isinstance(item, tuple):
            ident, version = item[0], item[1]
        else:
            ident, _, version = item.partition(":")
        if not ident.strip():
            raise UsageError(f"bad --dict {item!r}: use ID or ID:VERSION")
        out.append((ident.strip(), (version or "").strip() or None))
    if len(out) > 3:
        raise UsageError(f"{len(out)} pronunciation dictionaries given; the API takes at most 3")
    return out


def voice_settings(given: Mapping[str, Any] | None, profile: Mapping[str, Any]) -> dict[str, Any]:
    """voice_settings from `given` (API or profile names; None = not given), else the profile's."""
    given = dict(given or {})
    out: dict[str, Any] = {}
    for api_name, key in SETTINGS.items():
        value = given.pop(api_name, None)
        alias = given.pop(key, None)
        value = value if value is not None else alias
        value = value if value is not None else profile.get(key)
        if value is not None:
            out[api_name] = value
    if given:
        raise UsageError(f"unknown voice setting {next(iter(given))!r}",
                         hint=f"use {', '.join(SETTINGS)}")
    return out


def build(text: str, profile: Mapping[str, Any], *, model: str | None = None,
          settings: Mapping[str, Any] | None = None, language: str | None = None, seed: int | None = None,
          previous_text: str | None = None, next_text: str | None = None,
          dictionaries: Sequence[str | tuple[str, str | None]] | None = None, normalize: str | None = None,
          latency: int | None = None, logging: bool = True,
          previous_request_ids: Sequence[str] = ()) -> SynthesisRequest:
    """A validated request body; what is not given comes from the profile, then the API's defaults."""
    normalize = normalize if normalize is not None else profile.get("normalize")
    if normalize is not None and str(normalize) not in NORMALIZE:
        raise UsageError(f"bad normalize {normalize!r}: use auto, on or off")
    latency = latency if latency is not None else profile.get("latency")
    model_id = model or profile.get("model") or DEFAULT_MODEL
    if model_id in NO_CONTINUITY_MODELS and (previous_text or next_text or previous_request_ids):
        raise UsageError(f"{model_id} does not take --previous-text or --next-text (the service refuses them)",
                         hint="drop them, or use another model such as eleven_multilingual_v2")
    return SynthesisRequest(
        text=text,
        model_id=model_id,
        voice_settings=voice_settings(settings, profile),
        language_code=language or profile.get("language"),
        seed=seed,
        previous_text=previous_text,
        next_text=next_text,
        previous_request_ids=list(previous_request_ids),
        dictionaries=parse_dictionaries(dictionaries),
        apply_text_normalization=str(normalize) if normalize is not None else None,
        enable_logging=logging,
        optimize_streaming_latency=latency,
    )
