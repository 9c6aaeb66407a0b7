"""The library's entry point: a Client configured as the CLI is (flags > environment > profile).

    from eleven_cli import Client
    client = Client()                                   # key, base URL, region, CA from env + config
    client.speech("Hello.", voice="George").save("hello.mp3")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eleven_cli.errors import UsageError

if TYPE_CHECKING:
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.api.http import Client as HttpClient
    from eleven_cli.api.types import Meta, Model, Subscription, SynthesisRequest, Voice
    from eleven_cli.config import ConfigFile
    from eleven_cli.longform import PieceCache
    from eleven_cli.speech import Speech

FREE_LIMIT = 2500  # below every model's per-request limit: no need to look the limit up
# A piece is held whole while it is verified: pieces of at most this many characters (about ten minutes
# of speech) keep memory bounded however large a model's own limit is.
MAX_PIECE = 10000
_DEFAULT = object()


class Client:
    """An ElevenLabs client. Every failure it raises is an eleven_cli.ElevenError subclass whose
    `exit_code` is the CLI's (2 usage, 3 auth, 4 rejected, 5 unavailable, 6 network, 7 audio)."""

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *, region: str | None = None,
                 profile: str | None = None, timeout: float | None = None, retries: int = 3,
                 ca_bundle: str | None = None, cache_dir: Path | None | Any = _DEFAULT,
                 trace: Callable[[str], None] | None = None, on_retry: Callable[[str], None] | None = None,
                 on_headers: Callable[[Meta], None] | None = None,
                 wait: Callable[[float], None] | None = None, config: ConfigFile | None = None) -> None:
        from eleven_cli.config import ConfigFile, resolve
        from eleven_cli.config import cache_dir as default_cache

        self.config = config or ConfigFile.load()  # the CLI hands over the file it already read
        self._options: dict[str, Any] = {
            "api_key": api_key, "base_url": base_url, "region": region, "profile": profile, "timeout": timeout,
            "retries": retries, "ca_bundle": ca_bundle, "cache_dir": cache_dir, "trace": trace,
            "on_retry": on_retry, "on_headers": on_headers, "wait": wait, "config": self.config}
        resolved = resolve(self.config, profile=profile, api_key=api_key, base_url=base_url, region=region)
        self.resolved = resolved
        from eleven_cli.api.transport import check_transport

        check_transport(resolved.base_url)
        self.profile: dict[str, Any] = dict(resolved.settings)  # defaults for voice, model, format, settings
        self.timeout = timeout or float(self.profile.get("timeout", 60.0))
        self.ca_bundle = ca_bundle or os.environ.get("SSL_CERT_FILE") or None
        self.trace = trace
        self.cache_dir: Path | None = default_cache() if cache_dir is _DEFAULT else cache_dir
        self._http: HttpClient | None = None
        self._catalog: Catalog | None = None

    def derive(self, **changes: Any) -> Client:
        """A new client configured as this one, but for `changes` (e.g. other hooks or retries)."""
        return Client(**{**self._options, **changes})

    @property
    def retries(self) -> int:
        return int(self._options["retries"])

    @property
    def on_retry(self) -> Callable[[str], None] | None:
        return self._options["on_retry"]

    @property
    def base_url(self) -> str:
        return self.resolved.base_url

    @property
    def api_key(self) -> str | None:
        return self.resolved.api_key

    @property
    def http(self) -> HttpClient:
        """The HTTP layer (built on first use: `eleven --help` never pays for httpx)."""
        if self._http is None:
            from eleven_cli.api.http import Client as HttpClient

            o = self._options
            self._http = HttpClient(self.base_url, self.api_key, timeout=self.timeout, retries=self.retries,
                                    trace=self.trace, ca_bundle=self.ca_bundle, on_retry=o["on_retry"],
                                    on_headers=o["on_headers"], wait=o["wait"])
        return self._http

    @property
    def catalog(self) -> Catalog:
        """Models and voices, cached on disk for a while."""
        if self._catalog is None:
            from eleven_cli.api.catalog import Catalog

            self._catalog = Catalog(self.http, self.cache_dir)
        return self._catalog

    @property
    def piece_cache(self) -> PieceCache:
        from eleven_cli.longform import PieceCache

        return PieceCache(self.cache_dir / "pieces" if self.cache_dir else None)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what the account has ----------------------------------------------------------------
    def models(self) -> list[Model]:
        return self.http.models()

    def voices(self, search: str | None = None, show_legacy: bool = True) -> list[Voice]:
        """Every voice, or those whose name, description or labels match `search` (all pages)."""
        return self.http.search_voices(search) if search else self.http.voices(show_legacy=show_legacy)

    def user(self) -> dict[str, Any]:
        return self.http.user()

    def subscription(self) -> Subscription:
        return self.http.subscription()

    def single_use_token(self) -> str:
        return self.http.single_use_token()

    def voice_id(self, voice: str | None = None) -> str:
        """The id of a voice given by id or name (the profile's voice, else George, when None)."""
        from eleven_cli.request import DEFAULT_VOICE

        if voice or not self.profile.get("voice"):
            return self.catalog.resolve_voice(voice or DEFAULT_VOICE)
        with self._profile_value("voice"):
            return self.catalog.resolve_voice(str(self.profile["voice"]))

    @contextlib.contextmanager
    def _profile_value(self, key: str) -> Iterator[None]:
        """A usage error caused by a profile's setting says which profile and which key."""
        try:
            yield
        except UsageError as exc:
            where = f"the {key} setting of profile {self.resolved.profile!r}"
            raise UsageError(f"{exc.message} (from {where})",
                             hint=f"change it with `eleven config set {key} ...` or pass --{key}") from None

    def format(self, name: str | None = None) -> str:
        from eleven_cli.formats import DEFAULT_FORMAT, get_format

        return get_format(name or self.profile.get("format") or DEFAULT_FORMAT).name

    # --- speech ------------------------------------------------------------------------------
    def request(self, text: str, *, voice: str | None = None, **options: Any) -> SynthesisRequest:
        """A validated request body for `text`; unset options come from the profile (see `speech`)."""
        from eleven_cli import request

        return request.build(text, self.profile, **options)

    def speech(self, text: str, voice: str | None = None, model: str | None = None, format: str | None = None,
               settings: Mapping[str, Any] | None = None, *, language: str | None = None, seed: int | None = None,
               previous_text: str | None = None, next_text: str | None = None,
               dictionaries: Sequence[str] | None = None, normalize: str | None = None,
               latency: int | None = None, logging: bool = True, timestamps: bool = False,
               streaming: bool = False, previous_request_ids: Sequence[str] = (),
               pieces_dir: Path | None = None) -> Speech:
        """Speech of `text` (any length: split below the model's limit, stitched into one file).
        Unset arguments come from the profile, then the API's defaults. Finished pieces of a long
        text wait in `pieces_dir` (default: the user cache) until the output is stored."""
        from eleven_cli.formats import get_format
        from eleven_cli.pipeline import Job
        from eleven_cli.speech import Speech

        if not isinstance(text, str) or not text.strip():
            raise UsageError("no text to speak")
        text = text.strip()  # what is sent is what is billed: no newline from `echo` or a file
        req = self.request(text, model=model, settings=settings, language=language, seed=seed,
                            previous_text=previous_text, next_text=next_text, dictionaries=dictionaries,
                            normalize=normalize, latency=latency, logging=logging,
                            previous_request_ids=previous_request_ids)
        fmt = get_format(self.format(format))
        voice_id = self.voice_id(voice)
        if model is None and self.profile.get("model"):
            with self._profile_value("model"):
                self.catalog.max_characters(req.model_id)  # a model the account has (cached list)
        limit = min(self.catalog.max_characters(req.model_id), MAX_PIECE) if len(text) > FREE_LIMIT else len(text)
        from eleven_cli.longform import PieceCache

        cache = PieceCache(pieces_dir) if pieces_dir is not None else None
        return Speech(self, Job(voice_id, req, fmt, limit, timestamps=timestamps, streaming=streaming), cache)

    # --- dialogue ----------------------------------------------------------------------------
    def dialogue_models(self) -> list[str]:
        """The account's models that can perform a dialogue (the Eleven v3 family)."""
        return [m.model_id for m in self.catalog.models() if m.can_do_text_to_speech and
                m.model_id.startswith(DIALOGUE_FAMILY)]

    def dialogue(self, turns: Sequence[Any] | str, cast: Mapping[str, str] | None = None, model: str | None = None,
                 format: str | None = None, *, stability: float | None = None, seed: int | None = None,
                 language: str | None = None, normalize: str | None = None,
                 dictionaries: Sequence[str] | None = None, timestamps: bool = False, streaming: bool = False,
                 pieces_dir: Path | None = None) -> Speech:
        """A multi-voice performance of a script: `turns` as dialogue.Turn, (speaker, text) pairs, dicts
        with speaker and text, or the text of a script. Speakers take their voice from `cast`, then the
        profile's [cast] table, then a voice of the same name. Long scripts are split (at most 10 voices
        and 2,000 characters a request) and stitched into one file, as `speech` does."""
        from eleven_cli import dialogue as dlg
        from eleven_cli.formats import get_format
        from eleven_cli.longform import PieceCache
        from eleven_cli.pipeline import Job
        from eleven_cli.request import parse_dictionaries
        from eleven_cli.speech import Speech

        script = dlg.parse_script(turns) if isinstance(turns, str) else [_turn(t) for t in turns]
        if not script:
            raise UsageError("the script has no turns")
        model_id = model or DIALOGUE_DEFAULT_MODEL
        able = self.dialogue_models()
        if model_id not in able:
            raise UsageError(f"model {model_id} cannot perform a dialogue",
                             hint=f"models that can: {', '.join(able) or 'none on this account'}")
        voices = dlg.cast_of(script, cast or {}, self.profile.get("cast") or {}, self.catalog.resolve_voice)
        normalize = normalize if normalize is not None else self.profile.get("normalize")
        req = dlg.DialogueRequest([(t.text, voices[t.speaker]) for t in script], list(range(len(script))),
                                  model_id=model_id, language_code=language or self.profile.get("language"),
                                  stability=stability if stability is not None else self.profile.get("stability"),
                                  seed=seed, apply_text_normalization=normalize,
                                  dictionaries=parse_dictionaries(dictionaries))
        fmt = get_format(self.format(format))
        job = Job("", req, fmt, dlg.MAX_CHARACTERS, timestamps=timestamps, streaming=streaming)
        speech = Speech(self, job, PieceCache(pieces_dir) if pieces_dir is not None else None)
        speech.turns = script
        speech.cast = voices
        return speech


DIALOGUE_FAMILY = "eleven_v3"
DIALOGUE_DEFAULT_MODEL = "eleven_v3"


def _turn(item: Any) -> Any:
    from eleven_cli.dialogue import Turn

    if isinstance(item, Turn):
        return item
    if isinstance(item, dict) and isinstance(item.get("speaker"), str) and isinstance(item.get("text"), str):
        return Turn(item["speaker"], item["text"])
    if isinstance(item, tuple | list) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return Turn(item[0], item[1])
    raise UsageError(f"a dialogue turn must be a Turn, a (speaker, text) pair or a dict: got {item!r}")
