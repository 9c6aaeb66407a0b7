"""Where audio bytes go: an atomic file (temp + rename), stdout, or a streamed WAV with patched sizes."""

from __future__ import annotations

import contextlib
import os
import struct
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from eleven_cli.audio.containers import wav_header
from eleven_cli.errors import ElevenError, UsageError


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


def _disk_error(exc: OSError, target: str) -> ElevenError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return ElevenError(f"cannot write {target}: {exc.strerror}", hint="free some disk space; nothing was kept")
    return ElevenError(f"cannot write {target}: {exc.strerror or exc}")


class AtomicFile:
    """Bytes go to a hidden temp file beside the target; `commit()` renames it into place.
    Closing without commit (an error, Ctrl-C) removes the temp file: no partial output."""

    def __init__(self, path: str | Path, wav_rate: int | None = None) -> None:
        self.path = Path(path)
        self.wav_rate = wav_rate
        self.size = 0
        parent = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=parent)
        except OSError as exc:
            raise _disk_error(exc, str(self.path)) from None
        self.fh: BinaryIO | None = os.fdopen(fd, "wb")
        if wav_rate is not None:
            self.write_raw(wav_header(wav_rate, 0))

    def write_raw(self, data: bytes) -> None:
        assert self.fh is not None
        try:
            self.fh.write(data)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, str(self.path)) from None

    def write(self, data: bytes) -> None:
        self.write_raw(data)
        self.size += len(data)

    def truncate(self, size: int) -> None:
        """Forget everything after the first `size` audio bytes (a resent WebSocket generation)."""
        assert self.fh is not None
        header = 44 if self.wav_rate is not None else 0
        self.fh.flush()
        self.fh.seek(header + size)
        self.fh.truncate()
        self.size = size

    def commit(self) -> None:
        assert self.fh is not None
        try:
            if self.wav_rate is not None:  # patch the RIFF and data sizes now that they are known
                self.fh.seek(4)
                self.fh.write(struct.pack("<I", 36 + self.size))
                self.fh.seek(40)
                self.fh.write(struct.pack("<I", self.size))
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
            mode = 0o666 & ~_umask()
            os.chmod(self.tmp, mode)
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, str(self.path)) from None

    def discard(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.fh.close()
            self.fh = None
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.fh is not None:
            self.discard()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


def write_file(path: str | Path, data: bytes) -> None:
    """The whole file at once, atomically."""
    with AtomicFile(path) as f:
        f.write(data)
        f.commit()
