"""Where audio bytes go besides a path (eleven_cli.atomic): stdout; and checking an output path early."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from eleven_cli import timeline
from eleven_cli.atomic import Destination, write_error
from eleven_cli.errors import UsageError


def check_output_path(path: str | Path, *, binary: bool = False) -> Path:
    """Refuse, before any request, an output we could not write: exit 2 with one line. What stands at the
    path is never replaced (eleven_cli.atomic): a device, FIFO or socket must be writable as it is, a symlink
    is checked at its target. `binary` (audio) also refuses a terminal."""
    from eleven_cli.atomic import is_stream, own_descriptor, resolved

    p = Path(path)
    if is_stream(p):
        fd = own_descriptor(p)
        try:
            if fd is not None:
                os.fstat(fd)
            elif not os.access(p, os.W_OK):
                raise UsageError(f"cannot write {path}: permission denied")
        except OSError:
            raise UsageError(f"cannot write {path}: that descriptor is not open") from None
        if binary and (os.isatty(fd) if fd is not None else _is_terminal(p)):
            raise UsageError(f"refusing to write binary audio to a terminal ({path})",
                             hint="give a file name, e.g. -o out.mp3")
        return p
    target = resolved(p)
    if target.is_dir():
        raise UsageError(f"output {path} is a directory", hint="give a file name, e.g. -o out.mp3")
    check_folder(target.parent if str(target.parent) else Path("."), create=False)
    return p


def _is_terminal(path: Path) -> bool:
    """A terminal device (only character devices are opened to ask: opening a FIFO would end its reader)."""
    try:
        if not stat.S_ISCHR(os.stat(path).st_mode):
            return False
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


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


class StdoutSink(Destination):
    """Raw audio bytes to stdout (refusing a terminal). A reader that went away is BrokenPipeError (the
    exit boundary ends quietly); any other failure (a full or closed stdout) is one line, exit 2."""

    def __init__(self) -> None:
        super().__init__("-")
        if sys.stdout is None:
            raise UsageError("cannot write to standard output: it is closed")
        if sys.stdout.isatty():
            raise UsageError("refusing to write binary audio to a terminal",
                             hint="redirect it (> file.mp3), pipe it, or use -o FILE")
        self.out = sys.stdout.buffer

    def write(self, data: bytes) -> None:
        try:
            self.out.write(data)
            self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise write_error(exc, "standard output") from None
        if data and not self.size and timeline.ON:
            timeline.mark("first_audio")  # handed over: to a pipe, as to a device (audio/player.py)
        self.size += len(data)

    def commit(self) -> None:
        self.write(b"")

    def discard(self) -> None:
        pass
