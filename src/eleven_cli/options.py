"""The options of a synthesis, declared once.

Each `Param` says everything about one option: its command-line flag and help, its range or choices,
its config key, and where it goes on the wire for each kind of endpoint (the four text-to-speech
endpoints, the four text-to-dialogue endpoints, the stream-input WebSocket). From this table come the
Typer options of every synthesis command (cli/options.py), the config keys (config.py), completion
and the man page; `SpeechOptions` is merged once from keyword arguments or flags over the profile,
and renders itself as an HTTP body and query or as the WebSocket's query and first message.

Adding an API parameter is one `Param` here and one field of `SpeechOptions`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eleven_cli.errors import UsageError

DEFAULT_MODEL = "eleven_multilingual_v2"
DEFAULT_VOICE = "JBFqnCBsd6RMkjVDRZzb"  # George, the docs' default; change with `eleven config set voice`
# Models the service refuses request stitching for (previous_text, next_text, previous/next_request_ids):
# long text is still split for them, each piece sent on its own.
NO_CONTINUITY_MODELS = frozenset({"eleven_v3"})

SPEECH, DIALOGUE, LIVE = "text-to-speech", "text-to-dialogue", "stream-input"
ENDPOINTS = (SPEECH, DIALOGUE, LIVE)


@dataclass(frozen=True)
class Param:
    """One option of a synthesis. `wire` maps an endpoint kind to where the value goes there:
    "body:a.b" (JSON body, nested), "query:name", "init:a.b" (the WebSocket's first message) or
    "path" (in the URL, handled by the caller). An endpoint missing from `wire` does not take it."""

    name: str
    flag: str
    help: str
    kind: type = str  # str, int, float, bool, or list (repeatable)
    wire: Mapping[str, str] = field(default_factory=dict)
    metavar: str | None = None
    short: str | None = None
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    key: str | None = None  # the config key (profile setting), if it has one
    complete: str | None = None  # the completion source: voices, models or formats
    off_only: bool = False  # a bool flag that only turns the default (True) off, e.g. --no-logging
    default: Any = None

    @property
    def range_text(self) -> str:
        return f"{_num(self.lo)}..{_num(self.hi)}" if self.lo is not None and self.hi is not None else ""

    def check(self, value: Any, given_as: str | None = None) -> Any:
        """`value` converted and validated; UsageError names the flag (or `given_as`) and the rule."""
        if value is None:
            return None
        flag = given_as or self.flag.split("/")[0]
        name = given_as or f"{self.name}="  # a library caller passed a keyword, not a flag

        def bad(rule: str) -> UsageError:
            return UsageError(f"{name}{'' if name.endswith('=') else ' '}{rule}", cli_message=f"{flag} {rule}")

        try:
            value = _convert(self, value)
        except (TypeError, ValueError):
            raise bad(f"{value!r} is not {_kind_words(self)}") from None
        if self.lo is not None and self.hi is not None and not self.lo <= value <= self.hi:
            raise bad(f"{_num(value)} is out of range {self.range_text}")
        if self.choices and value not in self.choices:
            raise bad(f"{value!r} is not one of {', '.join(self.choices)}")
        return value

    def parse_text(self, raw: Any) -> Any:
        """A config value (as typed by `eleven config set` or read from TOML): ValueError saying what it
        must be."""
        try:
            return self.check(raw, "value")
        except UsageError:
            if self.choices:
                rule = f"must be one of {', '.join(self.choices)}"
            elif self.lo is not None and self.hi is not None:
                rule = f"must be {_kind_words(self)} from {_num(self.lo)} to {_num(self.hi)}"
            else:
                rule = "must not be empty" if self.kind is str else f"must be {_kind_words(self)}"
            raise ValueError(rule) from None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _kind_words(p: Param) -> str:
    if p.kind is list:
        return f"of the form {p.metavar}"
    return {int: "an integer", float: "a number", bool: "true or false"}.get(p.kind, "text")


def _convert(p: Param, value: Any) -> Any:
    if p.kind is bool:
        if isinstance(value, bool):
            return value
        low = str(value).strip().lower()
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise ValueError(value)
    if p.kind is int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    if p.kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if p.kind is list:
        items = [value] if isinstance(value, str | tuple) else list(value)
        return tuple(_dictionary(x) for x in items)
    if not isinstance(value, str):
        raise TypeError(value)
    if p.choices:
        value = value.strip().lower()
    if not value.strip():
        raise ValueError(value)
    return value


def _dictionary(item: Any) -> tuple[str, str | None]:
    """A pronunciation dictionary as ID or ID:VERSION (or an (id, version) pair)."""
    if isinstance(item, tuple | list) and len(item) == 2:
        ident, version = str(item[0]), item[1]
    elif isinstance(item, str):
        ident, _, version = item.partition(":")
    else:
        raise TypeError(item)
    if not ident.strip():
        raise ValueError(item)
    return ident.strip(), (str(version).strip() if version else "") or None


_SETTINGS = "voice_settings"
PARAMS: tuple[Param, ...] = (
    Param("voice", "--voice", "Voice id or name (case-insensitive) [default: profile voice, else George].",
          short="-v", metavar="VOICE", key="voice", complete="voices", wire={SPEECH: "path", LIVE: "path"}),
    Param("model", "--model", "Model id [default: profile model, else eleven_multilingual_v2].",
          short="-m", metavar="MODEL", key="model", complete="models",
          wire={SPEECH: "body:model_id", DIALOGUE: "body:model_id", LIVE: "query:model_id"}),
    Param("format", "--format", "Output format, e.g. mp3_44100_128, pcm_24000, wav_44100, ulaw_8000, "
          "opus_48000_64 [default: from the -o extension, else profile, else mp3_44100_128].",
          metavar="FORMAT", key="format", complete="formats",
          wire={SPEECH: "query:output_format", DIALOGUE: "query:output_format", LIVE: "query:output_format"}),
    Param("stability", "--stability", "Voice stability 0..1.", kind=float, lo=0, hi=1, metavar="0..1",
          key="stability", wire={SPEECH: f"body:{_SETTINGS}.stability", DIALOGUE: "body:settings.stability",
                                 LIVE: f"init:{_SETTINGS}.stability"}),
    Param("similarity", "--similarity", "Similarity boost 0..1.", kind=float, lo=0, hi=1, metavar="0..1",
          key="similarity", wire={SPEECH: f"body:{_SETTINGS}.similarity_boost",
                                  LIVE: f"init:{_SETTINGS}.similarity_boost"}),
    Param("style", "--style", "Style exaggeration 0..1.", kind=float, lo=0, hi=1, metavar="0..1", key="style",
          wire={SPEECH: f"body:{_SETTINGS}.style", LIVE: f"init:{_SETTINGS}.style"}),
    Param("speaker_boost", "--speaker-boost/--no-speaker-boost", "Speaker boost.", kind=bool, key="speaker_boost",
          wire={SPEECH: f"body:{_SETTINGS}.use_speaker_boost", LIVE: f"init:{_SETTINGS}.use_speaker_boost"}),
    Param("speed", "--speed", "Speaking speed 0.7..1.2.", kind=float, lo=0.7, hi=1.2, metavar="0.7..1.2",
          key="speed", wire={SPEECH: f"body:{_SETTINGS}.speed", LIVE: f"init:{_SETTINGS}.speed"}),
    Param("seed", "--seed", "Seed for best-effort determinism, 0..4294967295.", kind=int, lo=0, hi=4294967295,
          metavar="N", key="seed", wire={SPEECH: "body:seed", DIALOGUE: "body:seed", LIVE: "query:seed"}),
    Param("language", "--language", "ISO 639-1 language code to enforce (models that take one).", metavar="CODE",
          key="language",
          wire={SPEECH: "body:language_code", DIALOGUE: "body:language_code", LIVE: "query:language_code"}),
    Param("normalize", "--normalize", "Text normalisation (numbers, dates spelled out): auto, on or off.",
          choices=("auto", "on", "off"), metavar="auto|on|off", key="normalize",
          wire={SPEECH: "body:apply_text_normalization", DIALOGUE: "body:apply_text_normalization",
                LIVE: "query:apply_text_normalization"}),
    Param("language_normalization", "--language-normalization/--no-language-normalization",
          "Language text normalisation, for proper pronunciation in some languages (Japanese); adds latency.",
          kind=bool, key="language_normalization", wire={SPEECH: "body:apply_language_text_normalization"}),
    Param("latency", "--latency", "optimize_streaming_latency 0..4.", kind=int, lo=0, hi=4, metavar="0..4",
          key="latency", wire={SPEECH: "query:optimize_streaming_latency"}),
    Param("logging", "--no-logging", "Zero-retention mode (enable_logging=false; enterprise).", kind=bool,
          off_only=True, default=True, wire={SPEECH: "query:enable_logging", LIVE: "query:enable_logging"}),
    Param("dictionaries", "--dict", "Pronunciation dictionary ID[:VERSION]; up to 3.", kind=list,
          metavar="ID[:VERSION]", wire={SPEECH: "body:pronunciation_dictionary_locators",
                                        DIALOGUE: "body:pronunciation_dictionary_locators",
                                        LIVE: "init:pronunciation_dictionary_locators"}),
    Param("previous_text", "--previous-text", "Text that came before, for continuity.", metavar="TEXT",
          wire={SPEECH: "body:previous_text"}),
    Param("next_text", "--next-text", "Text that comes after, for continuity.", metavar="TEXT",
          wire={SPEECH: "body:next_text"}),
)
BY_NAME = {p.name: p for p in PARAMS}
BY_KEY = {p.key: p for p in PARAMS if p.key}
# voice_settings as the API names them, accepted in `settings={...}` beside our own names
SETTING_NAMES = {"stability": "stability", "similarity_boost": "similarity", "similarity": "similarity",
                 "style": "style", "use_speaker_boost": "speaker_boost", "speaker_boost": "speaker_boost",
                 "speed": "speed"}


@dataclass(frozen=True)
class VoiceSettings:
    stability: float | None = None
    similarity_boost: float | None = None
    style: float | None = None
    use_speaker_boost: bool | None = None
    speed: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class SpeechOptions:
    """Every option of one synthesis, merged and validated (None: not given, the API's default)."""

    voice: str | None = None
    model: str | None = None
    format: str | None = None
    stability: float | None = None
    similarity: float | None = None
    style: float | None = None
    speaker_boost: bool | None = None
    speed: float | None = None
    seed: int | None = None
    language: str | None = None
    normalize: str | None = None
    language_normalization: bool | None = None
    latency: int | None = None
    logging: bool = True
    dictionaries: tuple[tuple[str, str | None], ...] = ()
    previous_text: str | None = None
    next_text: str | None = None

    @classmethod
    def merge(cls, given: Mapping[str, Any] | None = None, profile: Mapping[str, Any] | None = None,
              *, profile_name: str = "default") -> SpeechOptions:
        """Options from `given` (keyword arguments or flags; None = not given), else the profile's
        settings, else the API's defaults. Every value is checked here, before any request."""
        given = dict(given or {})
        settings = given.pop("settings", None) or {}
        for name, value in dict(settings).items():
            if name not in SETTING_NAMES:
                raise UsageError(f"unknown voice setting {name!r}",
                                 hint=f"use {', '.join(n for n in SETTING_NAMES if '_' in n or n == 'speed')}")
            if given.get(SETTING_NAMES[name]) is None:
                given[SETTING_NAMES[name]] = value
        unknown = [k for k in given if k not in BY_NAME]
        if unknown:
            raise UsageError(f"unknown option {unknown[0]!r}", hint=f"options: {', '.join(BY_NAME)}")
        values: dict[str, Any] = {}
        for p in PARAMS:
            value = p.check(given.get(p.name))
            if value is None and p.key and profile and profile.get(p.key) is not None:
                where = f"the {p.key} setting of profile {profile_name!r}"
                try:
                    value = p.check(profile[p.key], f"{p.key} =")
                except UsageError as exc:
                    raise UsageError(f"{exc.message} (from {where})", hint=f"change the profile's {p.key}",
                                     cli_hint=f"change it with `eleven config set {p.key} ...`") from None
            if value is not None:
                values[p.name] = value
        opts = cls(**values)
        if len(opts.dictionaries) > 3:
            raise UsageError(f"{len(opts.dictionaries)} pronunciation dictionaries given; the API takes at most 3")
        return opts

    def replace(self, **changes: Any) -> SpeechOptions:
        return dataclasses.replace(self, **changes)

    @property
    def model_id(self) -> str:
        return self.model or DEFAULT_MODEL

    @property
    def voice_settings(self) -> VoiceSettings:
        return VoiceSettings(self.stability, self.similarity, self.style, self.speaker_boost, self.speed)

    @property
    def continuity(self) -> bool:
        """Whether the model takes request stitching (previous/next text and request ids)."""
        return self.model_id not in NO_CONTINUITY_MODELS

    def given_to(self, endpoint: str) -> list[Param]:
        """The options set here that `endpoint` does not take (to refuse before any request)."""
        return [p for p in PARAMS if endpoint not in p.wire and getattr(self, p.name) != _default(p)]

    def check_for(self, endpoint: str, what: str | None = None) -> None:
        """UsageError if an option is set that `endpoint` does not take."""
        refused = self.given_to(endpoint)
        if refused:
            flags = ", ".join(p.flag.split("/")[0] for p in refused)
            names = ", ".join(p.name for p in refused)
            raise UsageError(f"{what or 'the ' + endpoint + ' API'} does not take {names}",
                             cli_message=f"{what or 'the ' + endpoint + ' API'} does not take {flags}")
        if endpoint == SPEECH and not self.continuity and (self.previous_text or self.next_text):
            raise UsageError(f"{self.model_id} does not take previous_text or next_text (the service refuses them)",
                             cli_message=f"{self.model_id} does not take --previous-text or --next-text (the service "
                             "refuses them)", hint="drop them, or use another model such as eleven_multilingual_v2")

    # --- the wire --------------------------------------------------------------------------
    def render(self, endpoint: str) -> dict[str, dict[str, Any]]:
        """{"body": ..., "query": ..., "init": ...} for `endpoint`, with only what is set."""
        out: dict[str, dict[str, Any]] = {"body": {}, "query": {}, "init": {}}
        for p in PARAMS:
            spot = p.wire.get(endpoint)
            value = getattr(self, p.name)
            if not spot or spot == "path" or value == _default(p):
                continue
            if p.name == "model":
                value = self.model_id
            place, _, path = spot.partition(":")
            value = _RENDER.get(p.name, _same)(value, place)
            if place == "query":
                value = _query_value(value)
            _put(out[place], path, value)
        if endpoint != LIVE and "model_id" not in out["body"]:
            out["body"]["model_id"] = self.model_id
        if endpoint == LIVE:
            out["query"].setdefault("model_id", self.model_id)
        return out


def _default(p: Param) -> Any:
    return () if p.kind is list else p.default


def _same(value: Any, place: str) -> Any:
    return value


def _locators(value: Any, place: str) -> list[dict[str, str]]:
    return [{"pronunciation_dictionary_id": d, **({"version_id": v} if v else
                                                  {"version_id": "latest"} if place == "init" else {})}
            for d, v in value]


_RENDER: dict[str, Callable[[Any, str], Any]] = {"dictionaries": _locators}


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[leaf] = value
