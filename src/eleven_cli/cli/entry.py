"""The console script: answers `--version` and `--help` before importing anything heavy, answers the plain forms
of the speaking and listing commands without Typer (cli/quick.py), starts loading the TLS trust and getting the
audio device ready in the background (so that overlaps with loading the CLI), then runs the app."""

from __future__ import annotations

import os
import sys

_PLAYING = {"say", "stream", "timestamps", "ws", "dialogue"}


_TALKING = _PLAYING | {"models", "voices", "batch", "book"}


def _option(args: list[str], name: str) -> str | None:
    """The value of `name VALUE` or `name=VALUE` anywhere in args (the last one)."""
    found = None
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            found = args[i + 1]
        elif a.startswith(name + "="):
            found = a.split("=", 1)[1]
    return found


def _warm_tls(args: list[str]) -> None:
    """A command about to call the API over TLS loads its CA store in the background (OpenSSL parses it
    without the GIL) while the CLI loads. Not for a plain-http base URL (eleven mock), help or a dry run."""
    if not _TALKING.intersection(args) or {"-h", "--help", "--dry-run"}.intersection(args):
        return
    base = _option(args, "--base-url") or os.environ.get("ELEVENLABS_BASE_URL") or ""
    if base.startswith("http://"):
        return
    from eleven_cli.client import prepare_tls

    prepare_tls(_option(args, "--ca-bundle") or os.environ.get("SSL_CERT_FILE") or None)


def _warm_audio(args: list[str]) -> None:
    """A command that will play (`--play`, or no -o on a terminal) checks the device in the background, from
    the start: PortAudio's initialisation (40-60 ms) is the longest thing before the request."""
    if not _PLAYING.intersection(args) or {"--no-play", "-h", "--help"}.intersection(args):
        return
    to_file = any(a in ("-o", "--output") or a.startswith("--output=") for a in args)
    if "--play" not in args and (to_file or not sys.stdout.isatty()):
        return
    at = args.index("--device") if "--device" in args else -1
    device = args[at + 1] if 0 <= at < len(args) - 1 else None
    from eleven_cli.audio import warmup

    warmup.start(device)


def _answer_now(args: list[str]) -> bool:
    """`--version` and `--help`, answered without loading the app."""
    if args == ["--version"]:
        from eleven_cli import __version__

        print(f"eleven {__version__}")
        return True
    if args in (["--help"], ["-h"]):  # pre-rendered from the app (make man), drift-tested
        from eleven_cli.cli._help import TEXT

        sys.stdout.write(TEXT)
        return True
    return False


def run(quick: bool = True) -> None:
    """The console script. `quick=False` sends every command through Typer (the tests' reference)."""
    if os.environ.get("ELEVEN_TIMELINE"):
        import atexit

        from eleven_cli import timeline

        timeline.mark("entry")
        atexit.register(lambda: print(timeline.line(), file=sys.stderr) if timeline.line() else None)
    from eleven_cli.cli.boundary import guarded, standard_streams

    standard_streams()  # a closed or full stdout is one line, exit 2, from here on
    args = sys.argv[1:]
    if args in (["--version"], ["--help"], ["-h"]):
        answered = guarded(lambda: int(not _answer_now(args)))
        if answered:
            sys.exit(answered)
        return
    _warm_audio(args)
    _warm_tls(args)
    code = None
    if quick and args:
        import gc

        gc.set_threshold(10_000, 10, 10)  # fewer collections while the modules load (a few ms before the request)
        from eleven_cli.cli.quick import answer

        code = answer(args)
    if code is not None:
        sys.exit(code)
    from eleven_cli.cli.main import run as main_run

    main_run()
