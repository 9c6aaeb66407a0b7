"""The library's entry point: a Client configured as the CLI is (flags > environment > profile).

    from eleven_cli import Client
    client = Client()                                   # key, base URL, region, CA from env + config
    client.speech("Hello.", voice="George").save("hello.mp3")
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import weakref
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eleven_cli.errors import ElevenError, UsageError

if TYPE_CHECKING:
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.api.http import Client as HttpClient
    from eleven_cli.api.types import Meta, Model, Subscription, Voice
    from eleven_cli.book.narrate import Narration
    from eleven_cli.config import ConfigFile
    from eleven_cli.events import Result
    from eleven_cli.live import LiveSpeech
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
                 transport: Any = None, log: bool = False, log_text: bool = True, command: str = "library",
                 run_id: str | None = None, max_credits: float | None = None,
                 on_warning: Callable[[str], None] | None = None) -> None:
        """`config=False`: never read the CLI's config file (the environment and arguments still count);
        a ConfigFile: use that one. `transport`: an httpx transport for every HTTP request (e.g.
        httpx.MockTransport in tests, or a proxy's). `log`: remember every generation in the local log
        (eleven_cli.spendlog; `log_text=False` keeps only a hash of the text), as `command`, grouped by
        `run_id`; the log never fails a synthesis (`on_warning` hears why it could not write).
        `max_credits`: a synthesis whose estimate (characters x the model's cost factor) is over it is a
        UsageError before any request."""
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
            "transport": transport, "log": log, "log_text": log_text, "command": command, "run_id": run_id,
            "max_credits": max_credits, "on_warning": on_warning}
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

    def prepare(self) -> None:
        """Get the first request's connection ready (TCP and TLS, in the background) while the caller gets
        ready itself (an audio device, a decoder); the request goes out on it. Sends nothing."""
        self.http.preconnect()

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
            self._http = None

    # --- spend: the budget before, the log after ---------------------------------------------
    def credits_for(self, model_id: str, characters: int) -> float:
        """What `characters` cost on `model_id` (its cost factor from the cached model list, else 1)."""
        try:
            model = self.catalog.model(model_id)
        except ElevenError:
            model = None
        return characters * ((model.cost_factor if model else None) or 1.0)

    def check_budget(self, model_id: str, characters: int) -> None:
        """UsageError when the estimate is over `max_credits` (nothing has been sent)."""
        limit = self._options["max_credits"]
        if limit is None:
            return
        estimate = self.credits_for(model_id, characters)
        if estimate > limit:
            raise UsageError(f"this would cost about {estimate:,.0f} credits ({characters:,} characters on "
                             f"{model_id}), over the limit of {limit:,g}; nothing was sent")

    def record(self, result: Result, text: str, voice_name: str | None = None, run_id: str | None = None) -> None:
        """Remember a finished generation in the local log when asked (`log=True`); never raises."""
        o = self._options
        if not o["log"]:
            return
        from eleven_cli.spendlog import Generation, record

        row = Generation.from_result(result, command=o["command"], text=text, keep_text=o["log_text"],
                                     voice_name=voice_name, run_id=run_id or o["run_id"],
                                     profile=self.resolved.profile,
                                     base_url=self.base_url)
        record(row, warn=o["on_warning"])

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
        from eleven_cli.text import spoken

        text = spoken(text)  # what is sent is what is billed: no terminal escapes, no newline from `echo`
        if not text:
            raise UsageError("the text has nothing to speak (only whitespace or control characters)")
        opts = self.options(voice=voice, model=model, format=format, settings=settings, **options)
        voice_id = self.voice_id(voice)
        self.check_model(opts, model_given=model is not None, language_given=options.get("language") is not None)
        limit = min(self.catalog.max_characters(opts.model_id), MAX_PIECE) if len(text) > FREE_LIMIT else len(text)

        def script(fmt: str) -> SpeechScript:
            return SpeechScript(text, voice_id, opts, fmt, limit)

        return self._speech(script, opts, format, timestamps, streaming, pieces_dir)

    def check_model(self, opts: SpeechOptions, *, model_given: bool = True, language_given: bool = True) -> None:
        """A model the account has, and a language it speaks, from the cached catalogue (refreshed once
        when a name is not in it): a UsageError with the likely name, before anything is spent."""
        from_profile = not model_given and bool(self.profile.get("model"))
        if not (model_given or from_profile or opts.language):
            return  # the default model, no language: nothing to look up
        with self._profile_value("model") if from_profile else contextlib.nullcontext():
            model = self.catalog.checked_model(opts.model_id)
        if opts.language and model.languages:
            with self._profile_value("language") if not language_given else contextlib.nullcontext():
                self.catalog.check_language(model, opts.language)

    def _speech(self, script: Callable[[str], Script], opts: SpeechOptions, format: str | None, timestamps: bool,
                streaming: bool, pieces_dir: Path | None) -> Speech:
        from eleven_cli.longform import PieceCache
        from eleven_cli.speech import Speech

        cache = PieceCache(pieces_dir) if pieces_dir is not None else None
        from eleven_cli.formats import get_format

        return Speech(self, script, get_format(self.format(opts.format)), timestamps=timestamps, streaming=streaming,
                      cache=cache, format_given=format is not None)

    # --- a book ------------------------------------------------------------------------------
    def book(self, source: str | Path | bytes, voice: str | None = None, model: str | None = None, *,
             chapters: str | Sequence[int] | None = None, all: bool = False, chapter_pattern: str | None = None,
             cover: str | Path | None = None, name: str | None = None, **options: Any) -> Narration:
        """A whole book (an EPUB, Markdown or plain text: a path, or bytes) narrated into one audiobook:
        `plan()` (chapters, characters, credits, hours), then `save("book.m4b")` (or .mp3, or a folder
        with kind="dir") or `stream(out)` for its progress events. `chapters` picks some ("3-7,9" or
        numbers); `options` are the synthesis options (eleven_cli.options) and the narration's own
        (rate, paragraph_pause, chapter_pause, loudness=(-18, -3) or None, titles, jobs, genre)."""
        from eleven_cli.book.cover import load_cover
        from eleven_cli.book.narrate import Narration
        from eleven_cli.book.source import parse_selection, read_book

        book = read_book(source, name=name, all=all, chapter_pattern=chapter_pattern)
        if chapters is not None:
            picked = (parse_selection(chapters, len(book.chapters)) if isinstance(chapters, str)
                      else sorted(set(chapters)))
            book = book.select(picked)
        art = load_cover(cover) if cover is not None else None
        return Narration(self, book, voice=voice, model=model, cover=art, **options)

    # --- live speech -------------------------------------------------------------------------
    def live(self, texts: Iterable[Any] | AsyncIterable[Any], voice: str | None = None, model: str | None = None,
             format: str | None = None, settings: Mapping[str, Any] | None = None, *,
             schedule: Sequence[int] | None = None, auto_mode: bool = False, sync_alignment: bool = False,
             inactivity_timeout: int | None = None, flush_on_newline: bool = True, token: bool = False,
             timestamps: bool = False, timeout: float | None = None, **options: Any) -> LiveSpeech:
        """Speech of text as it is written, over the stream-input WebSocket: `texts` is an iterable or
        an async iterable (e.g. a language model's tokens) of strings, (text, flush) pairs, or None for
        a keep-alive; each piece is sent as it comes. The same face as `speech` (save, audio, stream,
        play, run and their asyncio forms); it runs once. `schedule`: characters buffered before each
        generation (each 50..500); `flush_on_newline`: generate at each newline; `auto_mode`,
        `sync_alignment`, `inactivity_timeout` (1..180 s; keep-alives are sent before it expires) as the
        API has them; `token`: connect with a single-use token, so the key never reaches the socket;
        `timestamps`: keep the whole alignment in the Result (for captions). A dropped connection is
        reopened and the text whose audio did not fully arrive is sent again."""
        from eleven_cli.api.ws import Session, WsOptions
        from eleven_cli.formats import get_format
        from eleven_cli.live import LiveSpeech, check_schedule
        from eleven_cli.options import LIVE

        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, Iterable | AsyncIterable):
            raise UsageError(f"live text must be an iterable or an async iterable, not {type(texts).__name__}")
        if inactivity_timeout is not None and not (isinstance(inactivity_timeout, int) and
                                                   1 <= inactivity_timeout <= 180):
            raise UsageError(f"bad inactivity_timeout {inactivity_timeout!r}: a whole number of seconds, 1..180")
        opts = self.options(voice=voice, model=model, format=format, settings=settings, **options)
        opts.check_for(LIVE, "live speech")
        fmt = get_format(self.format(opts.format))
        wopts = WsOptions(self.voice_id(voice), opts, fmt.name, schedule=check_schedule(schedule),
                          auto_mode=auto_mode, sync_alignment=sync_alignment, inactivity_timeout=inactivity_timeout)
        wait = timeout or self.timeout

        def connect(how: WsOptions) -> Session:
            tok = self.single_use_token() if token else None
            return Session(self.base_url, self.api_key, how, token=tok, timeout=wait, ca_bundle=self.ca_bundle,
                           trace=self.trace)

        live = LiveSpeech(connect, texts, wopts, fmt, format_given=format is not None,
                          flush_on_newline=flush_on_newline, retries=self.retries, timestamps=timestamps,
                          timeout=wait)
        live.recorder = lambda result: self.record(result, "")  # the text is not kept: a session stays flat
        return live

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
        from eleven_cli.text import spoken

        if isinstance(turns, str):
            script_turns = dlg.parse_script(turns)
        elif isinstance(turns, Mapping) and "inputs" in turns or isinstance(turns, Sequence) and any(
                isinstance(t, Mapping) for t in turns):
            script_turns = dlg.parse_turns(turns, "the dialogue")
        elif isinstance(turns, Sequence):
            script_turns = [_turn(t) for t in turns]
        else:
            raise UsageError(f"a dialogue takes a script or a list of turns, not {type(turns).__name__}")
        script_turns = [dataclasses.replace(t, text=spoken(t.text)) for t in script_turns if spoken(t.text)]
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
        from eleven_cli.spendlog import new_run_id

        speech.run_id = new_run_id()  # a dialogue's requests are one run in the log
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
