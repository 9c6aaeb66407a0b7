"""Where audio bytes go besides a file (eleven_cli.atomic): stdout; and checking an output path early."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from eleven_cli.errors import UsageError


def check_output_path(path: str) -> Path:
    """Refuse, before any request, an output we could not write."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"output {path} is a directory", hint="give a file name, e.g. -o out.mp3")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise UsageError(f"output folder {parent} does not exist")
    if not parent.is_dir():
        raise UsageError(f"{parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write to folder {parent}: permission denied")
    return p


class StdoutSink:
    """Raw audio bytes to stdout (refusing a terminal)."""

    def __init__(self) -> None:
        if sys.stdout.isatty():
            raise UsageError("refusing to write binary audio to a terminal",
                             hint="redirect it (> file.mp3), pipe it, or use -o FILE")
        self.out = sys.stdout.buffer
        self.size = 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.out.flush()
        self.size += len(data)

    def commit(self) -> None:
        self.out.flush()

    def discard(self) -> None:
        pass

    def __enter__(self) -> StdoutSink:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
