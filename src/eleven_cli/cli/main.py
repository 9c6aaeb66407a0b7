"""The Typer app and the single exit boundary: exceptions -> one stderr line and an exit code."""


import os
import sys
from typing import Annotated, Any

import typer

from eleven_cli import __version__
from eleven_cli.cli.boundary import guarded, install_interrupt_handler
from eleven_cli.cli.context import Globals, note_api_key_flag
from eleven_cli.cli.flags import GLOBALS
from eleven_cli.cli.options import (
    ApiKeyOpt,
    BaseUrlOpt,
    CaBundleOpt,
    MaxCreditsOpt,
    NoLogOpt,
    NoLogTextOpt,
    ProfileOpt,
    QuietOpt,
    RegionOpt,
    RetriesOpt,
    TimeoutOpt,
    VerboseOpt,
)
from eleven_cli.errors import ExitCode

EXIT_CODES = """Exit status: 0 ok; 1 unexpected failure; 2 usage or bad input; 3 authentication or
permission (401/403, missing key); 4 request rejected by the API (other 4xx, quota); 5 service
unavailable after retries (429/5xx); 6 network failure; 7 audio device failure; 130 interrupted."""

def _version(value: bool) -> None:
    if value:
        print(f"eleven {__version__}")
        raise typer.Exit()


def main(
    ctx: typer.Context,
    api_key: ApiKeyOpt = None,
    base_url: BaseUrlOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    timeout: TimeoutOpt = None,
    retries: RetriesOpt = 3,
    ca_bundle: CaBundleOpt = None,
    verbose: VerboseOpt = False,
    quiet: QuietOpt = False,
    no_log: NoLogOpt = False,
    no_log_text: NoLogTextOpt = False,
    max_credits: MaxCreditsOpt = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                       help="Print the version and exit.")] = False,
) -> None:
    """Text to speech from the command line, for the ElevenLabs API."""
    from eleven_cli import timeline

    timeline.mark("parsed")
    ctx.obj = Globals(api_key=api_key, base_url=base_url, region=region, profile=profile, timeout=timeout,
                      retries=retries, verbose=verbose, quiet=quiet, ca_bundle=ca_bundle, no_log=no_log,
                      no_log_text=no_log_text, max_credits=max_credits, command=ctx.invoked_subcommand or "")
    ctx.call_on_close(ctx.obj.close)
    note_api_key_flag(ctx.obj)


# Which module defines each command: only that module is loaded (and only its options are built,
# which Typer does slowly) when a command runs; the root help and completion load them all.
COMMANDS = {"say": "synth", "stream": "synth", "timestamps": "synth", "models": "listing", "voices": "listing",
            "ws": "ws_cmd", "dialogue": "dialogue_cmd", "book": "book_cmd", "batch": "batch_cmd",
            "config": "config_cmd", "auth": "auth_cmd", "devices": "devices_cmd", "mock": "mock_cmd",
            "history": "history_cmd", "usage": "usage_cmd"}


def _usage_without_braces() -> None:
    """Typer writes a required argument as `{MANIFEST}` in usage lines; the convention (and cli.md) is `MANIFEST`."""
    from typer.core import TyperArgument

    original = TyperArgument.make_metavar
    if getattr(original, "plain", False):
        return

    def make_metavar(self: TyperArgument, ctx: Any, *, usage: bool = False) -> str:
        var = original(self, ctx, usage=usage)
        return var[1:-1] if usage and var.startswith("{") and var.endswith("}") else var

    make_metavar.plain = True  # type: ignore[attr-defined]
    TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]


def make_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with just the one about to run."""
    import importlib

    _usage_without_braces()
    app = typer.Typer(
        name="eleven",
        help="Text to speech from the command line, for the ElevenLabs API.",
        epilog=EXIT_CODES,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(main)
    names = [COMMANDS[only]] if only in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in names:
        importlib.import_module(f"eleven_cli.cli.{name}").register(app)
    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the full app, for docs generation and tests
        return make_app()
    raise AttributeError(name)


# Global options typed after the command name are moved before it, so both
# `eleven --profile work say hi` and `eleven say hi --profile work` work.
_GLOBAL_VALUE = {d for f in GLOBALS if f.takes_value for d in f.decls}
_GLOBAL_FLAG = {d for f in GLOBALS if not f.takes_value for d in f.decls}


def command_index(args: list[str]) -> int | None:
    """Where the command name is: the first known name that is not the value of a global option."""
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            return None
        if a in _GLOBAL_VALUE:
            i += 2
            continue
        if a in COMMANDS:
            return i
        i += 1
    return None


def hoist(args: list[str]) -> list[str]:
    cmd_at = command_index(args)
    if cmd_at is None:
        return args
    head, moved, rest = args[:cmd_at], [], []
    tail = args[cmd_at + 1 :]
    i = 0
    while i < len(tail):
        a = tail[i]
        if a == "--":
            rest += tail[i:]
            break
        name = a.split("=", 1)[0]
        if name in _GLOBAL_VALUE:
            if "=" in a:
                moved.append(a)
            elif i + 1 < len(tail):
                moved += [a, tail[i + 1]]
                i += 1
            else:
                rest.append(a)
        elif a in _GLOBAL_FLAG:
            moved.append(a)
        else:
            rest.append(a)
        i += 1
    return head + moved + [args[cmd_at]] + rest


def _one_line(exc: Exception) -> str:
    """click's usage error as one line, as every other error is: what is wrong, and where help is."""
    message = " ".join(str(exc.format_message() if hasattr(exc, "format_message") else exc).split())
    message = message.rstrip(".") + "."
    ctx = getattr(exc, "ctx", None)
    if ctx is not None and ctx.command_path:
        message += f" See `{ctx.command_path} --help`."
    return message[:1].upper() + message[1:]


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and turn every outcome into an exit code."""
    from typer._click import exceptions as click_exc

    args = hoist(list(sys.argv[1:] if argv is None else argv))
    install_interrupt_handler()
    at = command_index(args)
    chosen = args[at] if at is not None else None
    completing = any(k.startswith("_ELEVEN_COMPLETE") for k in os.environ) or "--show-completion" in args \
        or "--install-completion" in args
    command = typer.main.get_command(make_app(None if completing else chosen))

    def invoke() -> int:
        try:
            result = command.main(args=args, prog_name="eleven", standalone_mode=False)
        except typer.Exit as exc:
            return exc.exit_code
        except typer.Abort:
            print("eleven: interrupted", file=sys.stderr)
            return ExitCode.INTERRUPTED
        except click_exc.ClickException as exc:
            print(f"eleven: error: {_one_line(exc)}", file=sys.stderr)
            return ExitCode.USAGE if isinstance(exc, click_exc.UsageError) else exc.exit_code
        # Without standalone mode, Typer turns Ctrl-C and typer.Exit into a returned exit code.
        if isinstance(result, int) and not isinstance(result, bool):
            if result == ExitCode.INTERRUPTED:
                print("\neleven: interrupted", file=sys.stderr)
            return result
        return ExitCode.OK

    sys.exit(guarded(invoke, verbose="--verbose" in args or "-V" in args))
