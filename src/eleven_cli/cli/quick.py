"""The quick parser: the plain forms of the speaking and listing commands answered before Typer is imported.

It reads only what the one declaration says (cli/flags.py for the command's own flags, eleven_cli.options
for the synthesis options), and declines (None) anything it is not sure of -- a global option, a word
that looks like an option, a bad number, completion -- which then goes to Typer, so the two never
answer differently (tests/test_quick_path.py runs every option both ways).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from eleven_cli.cli.flags import GLOBALS, QUICK, Flag
from eleven_cli.options import PARAMS, Param

Target = tuple[Flag | Param, Any]  # what a token sets, and the value of a flag that takes none


def _table(command: str) -> dict[str, Target]:
    flags, endpoint = QUICK[command]
    table: dict[str, Target] = {}
    items: list[Flag | Param] = [*GLOBALS, *flags, *(p for p in PARAMS if endpoint is not None and endpoint in p.wire)]
    for item in items:
        decls = item.decls if isinstance(item, Flag) else tuple(d for d in (item.flag, item.short) if d)
        if not decls:
            continue  # the positional words
        if item.kind is bool and "/" in decls[0]:
            on, off = decls[0].split("/")
            table[on], table[off] = (item, True), (item, False)
        elif item.kind is bool:
            for decl in decls:
                table[decl] = (item, isinstance(item, Flag) or not item.off_only)  # --no-logging: False
        else:
            for decl in decls:
                table[decl] = (item, None)
    return table


def command_of(args: list[str]) -> tuple[str, list[str], list[str]] | None:
    """(the command, the global options before it, what follows it) when the command is one the quick parser
    answers; None otherwise."""
    values = {d for f in GLOBALS if f.takes_value for d in f.decls}
    switches = {d for f in GLOBALS if not f.takes_value for d in f.decls}
    i = 0
    while i < len(args):
        token = args[i]
        if token in values:
            i += 2
        elif token in switches or (token.startswith("--") and token.partition("=")[0] in values):
            i += 1
        elif token in QUICK:
            return token, args[:i], args[i + 1:]
        else:
            return None
    return None


def parse(command: str, args: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
    """(the global options, the command's own values, the synthesis options) of a plain form of `command`
    (`args`: the global options before it, then what follows it), or None for Typer."""
    if command not in QUICK:
        return None
    flags, _ = QUICK[command]
    table = _table(command)
    every = {*table}
    chosen: dict[str, Any] = {f.name: f.default for f in GLOBALS}
    own: dict[str, Any] = {f.name: f.default for f in flags}
    options: dict[str, Any] = {}
    words: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            words += args[i + 1:]
            break
        if not token.startswith("-") or token == "-":
            words.append(token)
            i += 1
            continue
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if name not in table:
            return None
        item, const = table[name]
        takes_value = item.kind is not bool
        if not takes_value:
            if eq:
                return None
            value: Any = const
        elif eq:
            value = inline
        elif i + 1 < len(args) and args[i + 1] not in every:  # `-o --quiet`: Typer says what that means
            i += 1
            value = args[i]
        else:
            return None
        target = chosen if item in GLOBALS else own
        if isinstance(item, Flag) and item.kind is list:
            own[item.name] = [*(own[item.name] or []), value]
        elif isinstance(item, Flag):
            converted = _flag_value(item, value)
            if converted is None:
                return None
            target[item.name] = converted
        elif item.kind is list:
            options.setdefault(item.name, []).append(value)
        else:
            options[item.name] = value
        i += 1
    positional = next((f for f in flags if not f.decls), None)
    if positional is None or (positional.kind is not list and len(words) > 1):
        if words:
            return None  # an extra argument: Typer says so
    elif positional.kind is list:
        own[positional.name] = words or None
    else:
        own[positional.name] = words[0] if words else None
    declared = [p.name for p in PARAMS if any(item is p for item, _ in table.values())]
    return chosen, own, {name: options.get(name) for name in declared}


def _flag_value(flag: Flag, value: Any) -> Any:
    """A flag's value as click would take it, or None to let Typer say what is wrong with it."""
    if flag.kind in (int, float):
        try:
            number = flag.kind(value)
        except ValueError:
            return None
        if (flag.lo is not None and number < flag.lo) or (flag.hi is not None and number > flag.hi):
            return None
        return number
    return value


def answer(args: list[str]) -> int | None:
    """The exit code of a plain form of a quick command, or None when Typer has to parse the arguments."""
    if any(k.startswith("_ELEVEN_COMPLETE") for k in os.environ) or {"-h", "--help"}.intersection(args):
        return None
    found = command_of(args)
    if found is None:
        return None
    command, head, tail = found
    parsed = parse(command, head + tail)
    if parsed is None:
        return None
    chosen, own, options = parsed
    from eleven_cli.cli.boundary import guarded, install_interrupt_handler
    from eleven_cli.cli.context import Globals, note_api_key_flag

    install_interrupt_handler()
    if os.environ.get("ELEVEN_TIMELINE"):
        from eleven_cli import timeline

        timeline.mark("parsed")
    g = Globals(**chosen, command=command)
    note_api_key_flag(g)
    run = _runner(command)

    def call() -> int:
        try:
            run(g, options=options, **own)
        finally:
            g.close()
        return 0

    return guarded(call, verbose=g.verbose)


def _runner(command: str) -> Callable[..., None]:
    """The Typer-free body of `command`, called as the Typer command calls it (own values and `options`)."""
    if command in ("say", "stream"):
        from eleven_cli.cli import speak

        return speak.say if command == "say" else speak.stream
    if command == "ws":
        from eleven_cli.cli.speak_live import ws

        return ws
    if command == "dialogue":
        from eleven_cli.cli.speak_dialogue import dialogue

        return dialogue
    from eleven_cli.cli.catalog_view import show_models, show_voices

    shown = show_models if command == "models" else show_voices
    return lambda g, options, **own: shown(g, **own)
