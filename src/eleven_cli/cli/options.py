"""Options shared by the synthesis commands. The synthesis options themselves are not written here:
`synthesis()` derives them from their one declaration (eleven_cli.options.PARAMS)."""


import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

import typer

from eleven_cli.cli import complete, flags
from eleven_cli.cli.flags import Flag
from eleven_cli.options import PARAMS, Param

F = TypeVar("F", bound=Callable[..., Any])


def typer_flag(f: Flag) -> Any:
    """One command-level flag of cli/flags.py as Typer declares it."""
    if not f.decls:  # a positional argument: the words, or one word
        kind: Any = list[str] | None if f.kind is list else str | None
        return Annotated[kind, typer.Argument(metavar=f.metavar, help=f.help, show_default=False)]
    if f.kind is list:
        return Annotated[list[str] | None, typer.Option(*f.decls, metavar=f.metavar, help=f.help, show_default=False)]
    if f.kind is bool:
        if "/" in f.decls[0] and f.default is None:  # None: not given, the command decides
            return Annotated[bool | None, typer.Option(*f.decls, help=f.help, show_default=False)]
        return Annotated[bool, typer.Option(*f.decls, help=f.help)]
    extra: dict[str, Any] = {"shell_complete": complete.shell(getattr(complete, f.complete))} if f.complete else {}
    if f.kind in (int, float):
        number: Any = f.kind if f.default is not None else f.kind | None
        return Annotated[number, typer.Option(*f.decls, metavar=f.metavar, min=f.lo, max=f.hi, help=f.help,
                                            show_default=f.default is not None, **extra)]
    return Annotated[str | None, typer.Option(*f.decls, metavar=f.metavar, help=f.help, show_default=False, **extra)]


TextArg = typer_flag(flags.TEXT)
FileOpt = typer_flag(flags.FILE)
OutputOpt = typer_flag(flags.OUTPUT)
JsonOpt = typer_flag(flags.JSON)
PlayOpt = typer_flag(flags.PLAY)
DeviceOpt = typer_flag(flags.DEVICE)
BufferOpt = typer_flag(flags.BUFFER)
ApiKeyOpt = typer_flag(flags.API_KEY)
BaseUrlOpt = typer_flag(flags.BASE_URL)
RegionOpt = typer_flag(flags.REGION)
ProfileOpt = typer_flag(flags.PROFILE)
TimeoutOpt = typer_flag(flags.TIMEOUT)
RetriesOpt = typer_flag(flags.RETRIES)
CaBundleOpt = typer_flag(flags.CA_BUNDLE)
VerboseOpt = typer_flag(flags.VERBOSE)
QuietOpt = typer_flag(flags.QUIET)
NoLogOpt = typer_flag(flags.NO_LOG)
NoLogTextOpt = typer_flag(flags.NO_LOG_TEXT)
MaxCreditsOpt = typer_flag(flags.MAX_CREDITS)
ScriptArg = typer_flag(flags.SCRIPT)
CastOpt = typer_flag(flags.CAST)
DialogueAlignmentOpt = typer_flag(flags.DIALOGUE_ALIGNMENT)
DialogueSrtOpt = typer_flag(flags.DIALOGUE_SRT)
DialogueVttOpt = typer_flag(flags.DIALOGUE_VTT)
SpeakerLabelsOpt = typer_flag(flags.SPEAKER_LABELS)
KeepTagsOpt = typer_flag(flags.KEEP_TAGS)
DryRunOpt = typer_flag(flags.DRY_RUN)
PlanJsonOpt = typer_flag(flags.PLAN_JSON)
ListJsonOpt = typer_flag(flags.LIST_JSON)
AllModelsOpt = typer_flag(flags.ALL_MODELS)
SearchArg = typer_flag(flags.SEARCH)
LegacyOpt = typer_flag(flags.LEGACY)


def _choices(p: Param) -> Callable[[str], list[tuple[str, str]]]:
    return lambda incomplete: [(c, "") for c in p.choices if c.casefold().startswith(incomplete.casefold())]


def typer_option(p: Param, help_text: str | None = None) -> tuple[Any, Any]:
    """(annotation, default) of one declared option as Typer takes it. Values arrive as text and are
    checked by the library (one line: `--speed 5 is out of range 0.7..1.2`), not by click."""
    names = [p.flag] + ([p.short] if p.short else [])
    text = help_text or p.help
    if p.range_text and p.metavar == p.range_text:  # the range is the metavar: say it once
        text = text.replace(f" {p.range_text}", "").replace(f", {p.range_text}", "")
    if p.kind is bool and p.off_only:
        return Annotated[bool, typer.Option(*names, help=text)], False
    if p.kind is bool:
        return Annotated[bool | None, typer.Option(*names, help=text, show_default=False)], None
    extra: dict[str, Any] = {}
    source = getattr(complete, p.complete) if p.complete else (_choices(p) if p.choices else None)
    if source is not None:
        extra["shell_complete"] = complete.shell(source)
    kind: Any = list[str] | None if p.kind is list else str | None
    return Annotated[kind, typer.Option(*names, metavar=p.metavar or "TEXT", help=text, show_default=False,
                                        **extra)], None


def synthesis(endpoints: Iterable[str], *, exclude: Iterable[str] = (), after: str = "output",
              help_text: dict[str, str] | None = None) -> Callable[[F], F]:
    """Give a command every declared option that one of `endpoints` takes (but `exclude`), placed after
    its parameter `after`; the command receives them as one mapping, `options` (None = not given)."""
    wanted = [p for p in PARAMS if p.name not in set(exclude) and any(e in p.wire for e in endpoints)]

    def wrap(func: F) -> F:
        sig = inspect.signature(func)
        own = [q for q in sig.parameters.values() if q.name != "options"]
        added = []
        for p in wanted:
            annotation, default = typer_option(p, (help_text or {}).get(p.name))
            added.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                           default=default))
        at = next((i + 1 for i, q in enumerate(own) if q.name == after), len(own))
        params = [q.replace(kind=inspect.Parameter.KEYWORD_ONLY) if i >= at and q.kind is not q.VAR_KEYWORD else q
                  for i, q in enumerate(own)]
        params = params[:at] + added + params[at:]

        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {p.name: kwargs.pop(p.name, None) for p in wanted}
            if "logging" in given:  # --no-logging: a flag that only turns logging off
                given["logging"] = False if given["logging"] else None
            return func(*args, options=given, **kwargs)

        command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        command.__annotations__ = {**{q.name: q.annotation for q in params}, "return": None}
        del command.__wrapped__  # type: ignore[attr-defined]  # Typer reads the signature above
        return command  # type: ignore[return-value]

    return wrap
