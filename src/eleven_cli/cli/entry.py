"""The console script: answers `--version` before importing anything heavy, else runs the app."""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:] == ["--version"]:
        from eleven_cli import __version__

        print(f"eleven {__version__}")
        return
    from eleven_cli.cli.main import run as main_run

    main_run()
