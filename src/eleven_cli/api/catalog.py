"""Models and voices with an on-disk cache (TTL), and voice lookup by id or name."""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from eleven_cli.api.http import Client
from eleven_cli.api.types import Model, Voice
from eleven_cli.digest import sha256_hex
from eleven_cli.errors import ElevenError, UsageError

VOICE_TTL = 3600.0
MODEL_TTL = 6 * 3600.0
_ID = re.compile(r"^[A-Za-z0-9]{20}$")


def cache_tag(base_url: str, api_key: str | None) -> str:
    """The cache files' name for one base URL and key (the key itself is never written)."""
    return sha256_hex(f"{base_url.rstrip('/')}\0{api_key or ''}".encode())[:16]


def cached(cache_dir: Path, name: str, base_url: str | None, api_key: str | None) -> list[dict[str, Any]]:
    """What the cache holds for `name` (models, voices), however old, without any request: the
    configuration's own file, else every one (for shell completion)."""
    files = [cache_dir / f"{name}-{cache_tag(base_url, api_key)}.json"] if base_url else []
    if not files or not files[0].exists():
        files = sorted(cache_dir.glob(f"{name}-*.json"))
    out: list[dict[str, Any]] = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out += [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
    return out


class Catalog:
    """Cached `/v1/models` and `/v1/voices` for one base URL and key (the key is only hashed)."""

    def __init__(self, client: Client, cache_dir: Path | None) -> None:
        self.client = client
        self.cache_dir = cache_dir
        self._tag = cache_tag(client.base_url, client.api_key)
        self._models: list[Model] | None = None
        self._voices: list[Voice] | None = None
        self._voices_from_cache = False

    def _path(self, name: str) -> Path | None:
        return self.cache_dir / f"{name}-{self._tag}.json" if self.cache_dir else None

    def _load(self, name: str, ttl: float) -> list[dict[str, Any]] | None:
        path = self._path(name)
        if path is None or os.environ.get("ELEVEN_NO_CACHE"):
            return None
        try:
            if time.time() - path.stat().st_mtime > ttl:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, list) else None
        except (OSError, ValueError):
            return None

    def _save(self, name: str, data: list[dict[str, Any]]) -> None:
        path = self._path(name)
        if path is None:
            return
        from eleven_cli.atomic import write_file

        with contextlib.suppress(OSError, ElevenError):  # a cache that cannot be written is no cache
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_file(path, json.dumps(data).encode(), mode=0o600, durable=False)

    def models(self, fresh: bool = False) -> list[Model]:
        """The account's models: from the cache while it is young, from the API when `fresh`."""
        if self._models is None or fresh:
            cached = None if fresh else self._load("models", MODEL_TTL)
            if cached is not None:
                self._models = [Model.parse(m) for m in cached]
            else:
                self._models = self.client.models()
                self._save("models", [m.raw for m in self._models])
        return self._models

    def voices(self, fresh: bool = False) -> list[Voice]:
        if self._voices is None or fresh:
            cached = None if fresh else self._load("voices", VOICE_TTL)
            self._voices_from_cache = cached is not None
            if cached is not None:
                self._voices = [Voice.parse(v) for v in cached]
            else:
                self._voices = self.client.voices()
                self._save("voices", [v.raw for v in self._voices])
        return self._voices

    def model(self, model_id: str) -> Model | None:
        return next((m for m in self.models() if m.model_id == model_id), None)

    def max_characters(self, model_id: str, default: int = 5000) -> int:
        """The per-request text limit of a model, from /v1/models (cached)."""
        return self.checked_model(model_id).max_characters or default

    def checked_model(self, model_id: str) -> Model:
        """A model of the account (the cached list, refreshed once when it is not there), else a
        UsageError naming the likely one."""
        model = self.model(model_id)
        if model is None:
            model = next((m for m in self.models(fresh=True) if m.model_id == model_id), None)
        if model is None:
            known = [m.model_id for m in self.models() if m.can_do_text_to_speech]
            import difflib  # only to suggest a near name

            close = difflib.get_close_matches(model_id, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else f"available models: {', '.join(known)}"
            raise UsageError(f"unknown model {model_id!r}", hint=hint)
        return model

    @staticmethod
    def check_language(model: Model, code: str) -> None:
        """UsageError when `model` does not speak `code` (an ISO 639-1 code), suggesting the code meant."""
        if code.lower() in (c.lower() for c in model.languages):
            return
        names = {str(x.get("name") or "").casefold(): str(x.get("language_id"))
                 for x in model.raw.get("languages") or [] if isinstance(x, dict)}
        meant = names.get(code.casefold())
        if meant is None:
            import difflib

            close = difflib.get_close_matches(code.casefold(), list(names) + [c.lower() for c in model.languages],
                                              n=1, cutoff=0.6)
            meant = names.get(close[0], close[0]) if close else None
        hint = f"did you mean {meant!r}?" if meant else f"it takes {', '.join(sorted(model.languages))}"
        raise UsageError(f"model {model.model_id} does not take language {code!r}", hint=hint)

    def resolve_voice(self, name: str) -> str:
        """A voice id as given, or the id of the one voice whose id or name matches (case-insensitive);
        a stale cache is refreshed once before giving up."""
        if _ID.match(name):
            return name
        voices = self.voices()
        found = _match(voices, name)
        if found is None and self._voices_from_cache:
            voices = self.voices(fresh=True)
            found = _match(voices, name)
        if found is not None:
            return found
        names = sorted({v.name for v in voices})
        import difflib  # only to suggest a near name

        folded = {n.casefold(): n for n in names}  # "allice" is nearest Alice, whatever the case
        close = [folded[n] for n in difflib.get_close_matches(name.casefold(), list(folded), n=4, cutoff=0.5)]
        close += [n for n in names if name.casefold() in n.casefold() and n not in close]
        hint = ("did you mean: " + ", ".join(close[:5])) if close else "run `eleven voices` to list them"
        raise UsageError(f"no voice named {name!r}", hint=hint)


def _match(voices: list[Voice], name: str) -> str | None:
    if any(v.voice_id == name for v in voices):
        return name
    by_name = [v for v in voices if v.name.casefold() == name.casefold()]
    if len(by_name) > 1:
        listed = ", ".join(f"{v.name} ({v.voice_id})" for v in by_name)
        raise UsageError(f"voice name {name!r} is ambiguous: {listed}", hint="pass the voice id")
    return by_name[0].voice_id if by_name else None
