"""One normalising function for every alignment shape the API sends, to absolute seconds."""

from __future__ import annotations

from typing import Any

from eleven_cli.api.types import Alignment


def to_alignment(obj: Any, offset: float = 0.0) -> Alignment | None:
    """HTTP (`characters`, `character_start_times_seconds`, `character_end_times_seconds`; seconds
    from the request start) or WebSocket (`chars`, `charStartTimesMs`, `charDurationsMs`; ms from
    the chunk start) -> Alignment in seconds, shifted by `offset`. None for null or malformed input."""
    if not isinstance(obj, dict):
        return None
    try:
        if "characters" in obj:
            chars = [str(c) for c in obj["characters"]]
            starts = [float(t) + offset for t in obj["character_start_times_seconds"]]
            ends = [float(t) + offset for t in obj["character_end_times_seconds"]]
        elif "chars" in obj:
            chars = [str(c) for c in obj["chars"]]
            starts = [float(t) / 1000 + offset for t in obj["charStartTimesMs"]]
            ends = [s + float(d) / 1000 for s, d in zip(starts, obj["charDurationsMs"], strict=False)]
        else:
            return None
    except (KeyError, TypeError, ValueError):
        return None
    n = min(len(chars), len(starts), len(ends))
    return Alignment(chars[:n], starts[:n], ends[:n])
