"""The console script: answers `--version` and `--help` before importing anything heavy, starts getting the audio
device ready when the command will play (so that overlaps with loading the CLI), then runs the app."""

from __future__ import annotations

import sys

_PLAYING = {"say", "stream", "timestamps", "ws", "dialogue"}


def _warm_audio(args: list[str]) -> None:
    """A command that will play (`--play`, or no -o on a terminal) loads PortAudio in the background."""
    if not _PLAYING.intersection(args) or "--no-play" in args:
        return
    to_file = any(a in ("-o", "--output") or a.startswith("--output=") for a in args)
    if "--play" not in args and (to_file or not sys.stdout.isatty()):
        return
    at = args.index("--device") if "--device" in args else -1
    device = args[at + 1] if 0 <= at < len(args) - 1 else None
    from eleven_cli.audio import warmup

    warmup.start(device)


def run() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from eleven_cli import __version__

        print(f"eleven {__version__}")
        return
    if args in (["--help"], ["-h"]):  # pre-rendered from the app (make man), drift-tested
        from eleven_cli.cli._help import TEXT

        sys.stdout.write(TEXT)
        return
    _warm_audio(args)
    from eleven_cli.cli.main import run as main_run

    main_run()
