"""Where audio bytes go besides a file (eleven_cli.atomic): stdout; and checking an output path early."""

from __future__ import annotations

import sys
from pathlib import Path

from eleven_cli.errors import UsageError


def check_output_path(path: str | Path) -> Path:
    """Refuse, before any request, an output we could not write: exit 2 with one line."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"output {path} is a directory", hint="give a file name, e.g. -o out.mp3")
    check_folder(p.parent if str(p.parent) else Path("."), create=False)
    return p


def check_folder(folder: Path, create: bool = False, missing_ok: bool = False) -> None:
    """A folder we can write files into: made (with its parents) when `create`; when `missing_ok`, it
    is enough that it could be made. UsageError (exit 2) otherwise."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{probe} is not a folder", hint=f"choose another place than {folder}")
    if probe != folder and not (create or missing_ok):
        raise UsageError(f"output folder {folder} does not exist")
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder
        import tempfile

        with tempfile.TemporaryFile(dir=probe):
            pass  # the only sure test: os.access says yes to root on read-only and virtual file systems
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise UsageError(f"cannot write to folder {folder}: {reason}", hint="choose another folder") from None


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
