"""Shell completion values: voices and models from the cache (never a request), formats, config keys,
profiles and output devices. Typer calls these with the word being completed."""

from __future__ import annotations

from typing import Any


def _configured() -> tuple[str | None, str | None]:
    """The base URL and key in effect (flags are not known while completing: environment and profile)."""
    try:
        from eleven_cli.config import ConfigFile, resolve

        r = resolve(ConfigFile.load(), profile=None, api_key=None, base_url=None, region=None)
        return r.base_url, r.api_key
    except Exception:  # noqa: BLE001 - completion must never fail loudly
        return None, None


def _cached(kind: str) -> list[dict[str, Any]]:
    from eleven_cli.client import cached_catalog

    return cached_catalog(kind, *_configured())


def _matching(values: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    low = incomplete.casefold()
    seen: dict[str, str] = {}
    for value, help_text in values:
        if value.casefold().startswith(low) and value not in seen:
            seen[value] = help_text
    return sorted(seen.items(), key=lambda x: x[0].casefold())


def voices(incomplete: str) -> list[tuple[str, str]]:
    entries = [(str(v.get("name")), str(v.get("voice_id"))) for v in _cached("voices") if v.get("name")]
    return _matching(entries + [(vid, name) for name, vid in entries], incomplete)


def models(incomplete: str) -> list[tuple[str, str]]:
    return _matching([(str(m["model_id"]), str(m.get("name") or "")) for m in _cached("models") if
                      m.get("model_id")], incomplete)


def formats(incomplete: str) -> list[tuple[str, str]]:
    from eleven_cli.formats import FORMATS

    return [(name, "") for name in FORMATS if name.startswith(incomplete)]


def config_keys(incomplete: str) -> list[tuple[str, str]]:
    from eleven_cli.config import KEYS

    return [(key, "") for key in KEYS if key.startswith(incomplete)]


def profiles(incomplete: str) -> list[tuple[str, str]]:
    try:
        from eleven_cli.config import ConfigFile

        names = sorted(ConfigFile.load().profiles)
    except Exception:  # noqa: BLE001
        names = []
    return [(name, "") for name in names if name.startswith(incomplete)]


def devices(incomplete: str) -> list[tuple[str, str]]:
    try:
        from eleven_cli.audio.player import output_devices

        found = output_devices()
    except Exception:  # noqa: BLE001 - no PortAudio, no sound server: nothing to offer
        return []
    return _matching([(str(d["name"]), f"device {d['index']}") for d in found], incomplete)
