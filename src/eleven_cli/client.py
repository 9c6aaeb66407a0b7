"""The library's entry point: a Client configured as the CLI is (flags > environment > profile).

    from eleven_cli import Client
    client = Client()                                   # key, base URL, region, CA from env + config
    client.speech("Hello.", voice="George").save("hello.mp3")
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eleven_cli.errors import UsageError

if TYPE_CHECKING:
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.api.http import Client as HttpClient
    from eleven_cli.api.types import Meta, Model, Subscription, Voice
    from eleven_cli.config import ConfigFile
    from eleven_cli.longform import PieceCache
    from eleven_cli.options import SpeechOptions
    from eleven_cli.script import Script
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
                 wait: Callable[[float], None] | None = None, config: ConfigFile | bool | None = None,
                 transport: Any = None) -> None:
        """`config=False`: never read the CLI's config file (the environment and arguments still count);
        a ConfigFile: use that one. `transport`: an httpx transport for every HTTP request (e.g.
        httpx.MockTransport in tests, or a proxy's)."""
        from eleven_cli.config import ConfigFile, config_path, resolve
        from eleven_cli.config import cache_dir as default_cache

        if config is False:
            self.config = ConfigFile(config_path(), {})
        else:  # the CLI hands over the file it already read
            self.config = config if isinstance(config, ConfigFile) else ConfigFile.load()
        self._options: dict[str, Any] = {
            "api_key": api_key, "base_url": base_url, "region": region, "profile": profile, "timeout": timeout,
            "retries": retries, "ca_bundle": ca_bundle, "cache_dir": cache_dir, "trace": trace,
            "on_retry": on_retry, "on_headers": on_headers, "wait": wait, "config": self.config,
            "transport": transport}
        resolved = resolve(self.config, profile=profile, api_key=api_key, base_url=base_url, region=region,
                           keyring=config is not False)
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
                                    on_headers=o["on_headers"], wait=o["wait"], transport=o["transport"])
            # A client dropped without close() (or `with`) still closes its connections: no unclosed socket.
            weakref.finalize(self, self._http.close)
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
    def models(self, fresh: bool = True) -> list[Model]:
        """The account's models (`fresh=False`: from the on-disk cache while it is young)."""
        return self.catalog.models(fresh=fresh)

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
        from eleven_cli.options import DEFAULT_VOICE

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
                             hint=f"change it with `eleven config set {key} ...` or pass {key}=...",
                             cli_hint=f"change it with `eleven config set {key} ...` or pass --{key}") from None

    def format(self, name: str | None = None) -> str:
        from eleven_cli.formats import DEFAULT_FORMAT, get_format

        return get_format(name or self.profile.get("format") or DEFAULT_FORMAT).name

    # --- speech ------------------------------------------------------------------------------
    def options(self, **given: Any) -> SpeechOptions:
        """The options of a synthesis: `given` (eleven_cli.options names; None = not given) over the
        profile's settings; every value checked here, before any request."""
        from eleven_cli.options import SpeechOptions

        return SpeechOptions.merge(given, self.profile, profile_name=self.resolved.profile)

    def speech(self, text: str, voice: str | None = None, model: str | None = None, format: str | None = None,
               settings: Mapping[str, Any] | None = None, *, timestamps: bool = False, streaming: bool = False,
               pieces_dir: Path | None = None, **options: Any) -> Speech:
        """Speech of `text` (any length: split below the model's limit, stitched into one file).
        `options` are those of eleven_cli.options (language, seed, normalize, language_normalization,
        latency, logging, dictionaries, previous_text, next_text, and the voice settings, which may also
        come as `settings`). Unset ones come from the profile, then the API's defaults. Finished pieces of
        a long text wait in `pieces_dir` (default: the user cache) until the output is stored."""
        from eleven_cli.script import SpeechScript

        if not isinstance(text, str) or not text.strip():
            raise UsageError("no text to speak" if isinstance(text, str) else
                             f"the text must be a string, not {type(text).__name__}")
        text = text.strip()  # what is sent is what is billed: no newline from `echo` or a file
        opts = self.options(voice=voice, model=model, format=format, settings=settings, **options)
        voice_id = self.voice_id(voice)
        if model is None and self.profile.get("model"):
            with self._profile_value("model"):
                self.catalog.max_characters(opts.model_id)  # a model the account has (cached list)
        limit = min(self.catalog.max_characters(opts.model_id), MAX_PIECE) if len(text) > FREE_LIMIT else len(text)

        def script(fmt: str) -> SpeechScript:
            return SpeechScript(text, voice_id, opts, fmt, limit)

        return self._speech(script, opts, format, timestamps, streaming, pieces_dir)

    def _speech(self, script: Callable[[str], Script], opts: SpeechOptions, format: str | None, timestamps: bool,
                streaming: bool, pieces_dir: Path | None) -> Speech:
        from eleven_cli.longform import PieceCache
        from eleven_cli.speech import Speech

        cache = PieceCache(pieces_dir) if pieces_dir is not None else None
        from eleven_cli.formats import get_format

        return Speech(self, script, get_format(self.format(opts.format)), timestamps=timestamps, streaming=streaming,
                      cache=cache, format_given=format is not None)

    # --- dialogue ----------------------------------------------------------------------------
    def dialogue_models(self) -> list[str]:
        """The account's models that can perform a dialogue (the Eleven v3 family)."""
        from eleven_cli.dialogue import DIALOGUE_FAMILY

        return [m.model_id for m in self.catalog.models() if m.can_do_text_to_speech and
                m.model_id.startswith(DIALOGUE_FAMILY)]

    def dialogue(self, turns: Sequence[Any] | Mapping[str, Any] | str, cast: Mapping[str, str] | None = None,
                 model: str | None = None, format: str | None = None, *, timestamps: bool = False,
                 streaming: bool = False, pieces_dir: Path | None = None, **options: Any) -> Speech:
        """A multi-voice performance of a script: `turns` as dialogue.Turn, (speaker, text) pairs, dicts
        with speaker (or the API's voice_id) and text, the API's {"inputs": [...]}, or the text of a script.
        Speakers take their voice from `cast`, then the profile's [cast] table, then a voice of the same
        name. Long scripts are split (at most 10 voices and 2,000 characters a request) and stitched into
        one file, as `speech` does. `options` are those of eleven_cli.options that the text-to-dialogue API
        takes (stability, seed, language, normalize, dictionaries)."""
        from eleven_cli import dialogue as dlg

        if isinstance(turns, str):
            script_turns = dlg.parse_script(turns)
        elif isinstance(turns, Mapping) and "inputs" in turns or isinstance(turns, Sequence) and any(
                isinstance(t, Mapping) for t in turns):
            script_turns = dlg.parse_turns(turns, "the dialogue")
        elif isinstance(turns, Sequence):
            script_turns = [_turn(t) for t in turns]
        else:
            raise UsageError(f"a dialogue takes a script or a list of turns, not {type(turns).__name__}")
        if not script_turns:
            raise UsageError("the script has no turns")
        model_id = model or dlg.DEFAULT_DIALOGUE_MODEL
        able = self.dialogue_models()
        if model_id not in able:
            raise UsageError(f"model {model_id} cannot perform a dialogue",
                             hint=f"models that can: {', '.join(able) or 'none on this account'}")
        # The profile's model and voice settings are a single voice's: a dialogue takes only what fits it.
        profile = {k: v for k, v in self.profile.items() if k in ("stability", "language", "normalize", "format")}
        from eleven_cli.options import DIALOGUE, SpeechOptions

        opts = SpeechOptions.merge({"model": model_id, "format": format, **options}, profile,
                                   profile_name=self.resolved.profile)
        if any(t.voice for t in script_turns):  # the API's shape: label each turn with its voice's name
            names = {v.voice_id: v.name for v in self.catalog.voices()}
            script_turns = [dlg.Turn(names.get(t.voice, t.speaker), t.text, t.voice) if t.voice else t
                            for t in script_turns]
        voices = dlg.cast_of(script_turns, cast or {}, self.profile.get("cast") or {}, self.catalog.resolve_voice)
        inputs = [(t.text, voices[t.speaker]) for t in script_turns]

        def script(fmt: str) -> dlg.DialogueScript:
            return dlg.DialogueScript(inputs, list(range(len(script_turns))), opts, fmt)

        opts.check_for(DIALOGUE, "a dialogue")  # before any request
        speech = self._speech(script, opts, format, timestamps, streaming, pieces_dir)
        speech.turns = script_turns
        speech.cast = voices
        return speech


def _turn(item: Any) -> Any:
    from eleven_cli.dialogue import Turn

    if isinstance(item, Turn):
        return item
    if isinstance(item, tuple | list) and len(item) == 2 and all(isinstance(x, str) for x in item):
        return Turn(item[0], item[1])
    raise UsageError(f"a dialogue turn must be a Turn, a (speaker, text) pair or a dict: got {item!r:.60}")


def cached_catalog(kind: str, base_url: str | None, api_key: str | None) -> list[dict[str, Any]]:
    """What the on-disk catalogue holds for `kind` (models, voices), however old, without any request."""
    from eleven_cli.api.catalog import cached
    from eleven_cli.config import cache_dir

    return cached(cache_dir(), kind, base_url, api_key)


def prepare_tls(ca_bundle: str | None) -> None:
    """Start loading the CA store in the background, for a client about to talk TLS."""
    from eleven_cli.api import tls

    tls.prepare(ca_bundle)
