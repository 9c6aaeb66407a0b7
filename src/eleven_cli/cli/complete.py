"""Shell completion values: voices and models from the cache (never a request), formats, config keys,
profiles and output devices. Each source takes the word being completed and matches it whatever its
case (`geo` offers George); `shell(source)` makes one click's completion callback, quoting for bash the
values that hold spaces or other characters the shell would split on (zsh and fish quote what they
insert themselves)."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from typing import Any

# Typer (pinned below 0.29) still honours click's `shell_complete`, but warns that only its own
# `autocompletion` is supported; that one drops every value not starting with the word as typed, case and all.
warnings.filterwarnings("ignore", message="In Typer, only the parameter 'autocompletion'", category=DeprecationWarning)

Source = Callable[[str], list[tuple[str, str]]]
_BASH_SPECIAL = re.compile(r"""([\s'"\\$`!&;|<>()*?\[\]{}#~])""")


def shell(source: Source) -> Callable[[Any, Any, str], list[Any]]:
    """A click `shell_complete` callback from a source (Typer's own `autocompletion` filters case-sensitively)."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        bash = os.environ.get("_ELEVEN_COMPLETE") == "complete_bash"
        return [CompletionItem(_BASH_SPECIAL.sub(r"\\\1", value) if bash else value, help=help_text or None)
                for value, help_text in source(incomplete)]

    return complete


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
    """Only models that can speak text (not speech-to-speech ones)."""
    return _matching([(str(m["model_id"]), str(m.get("name") or "")) for m in _cached("models") if
                      m.get("model_id") and m.get("can_do_text_to_speech", True)], incomplete)


def formats(incomplete: str) -> list[tuple[str, str]]:
    from eleven_cli.formats import FORMATS

    return _matching([(name, "") for name in FORMATS], incomplete)


def config_keys(incomplete: str) -> list[tuple[str, str]]:
    from eleven_cli.config import KEYS

    return _matching([(key, "") for key in KEYS], incomplete)


def profiles(incomplete: str) -> list[tuple[str, str]]:
    try:
        from eleven_cli.config import ConfigFile

        names = sorted(ConfigFile.load().profiles)
    except Exception:  # noqa: BLE001
        names = []
    return _matching([(name, "") for name in names], incomplete)


def devices(incomplete: str) -> list[tuple[str, str]]:
    try:
        from eleven_cli.audio.player import output_devices

        found = output_devices()
    except Exception:  # noqa: BLE001 - no PortAudio, no sound server: nothing to offer
        return []
    return _matching([(str(d["name"]), f"device {d['index']}") for d in found], incomplete)


def regions(incomplete: str) -> list[tuple[str, str]]:
    from eleven_cli.config import REGIONS

    return _matching(list(REGIONS.items()), incomplete)
