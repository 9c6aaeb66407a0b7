"""The one way files are written: a hidden temp file beside the target, fsync, rename. Readers never
see a partial file, and a failure or Ctrl-C leaves nothing behind."""

from __future__ import annotations

import contextlib
import errno
import os
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

from eleven_cli.audio.containers import wav_header
from eleven_cli.errors import ElevenError, UsageError

_BAD_PLACE = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR}


def _disk_error(exc: OSError, target: str) -> ElevenError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return ElevenError(f"cannot write {target}: {exc.strerror}", hint="free some disk space; nothing was kept")
    return ElevenError(f"cannot write {target}: {exc.strerror or exc}")


class AtomicFile:
    """Bytes go to a hidden temp file beside the target; `commit()` renames it into place.
    Closing without commit (an error, Ctrl-C) removes the temp file: no partial output."""

    def __init__(self, path: str | Path, wav_rate: int | None = None, mode: int | None = None,
                 durable: bool = True) -> None:
        self.path = Path(path)
        self.wav_rate = wav_rate  # write a RIFF header whose sizes are patched on commit
        self.mode = mode  # file permissions (default: 0666 minus the umask)
        self.durable = durable  # fsync before the rename (a cache can do without)
        self.size = 0
        parent = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=parent)
        except OSError as exc:
            if exc.errno in _BAD_PLACE:  # the folder is missing, not a folder, or not writable
                raise UsageError(f"cannot write {self.path}: {(exc.strerror or str(exc)).lower()}") from None
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
            if self.durable:
                os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
            os.chmod(self.tmp, self.mode if self.mode is not None else 0o666 & ~_umask())
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


def write_file(path: str | Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """The whole file at once, atomically (`durable`: on disk before it is renamed into place)."""
    with AtomicFile(path, mode=mode, durable=durable) as f:
        f.write(data)
        f.commit()
