"""The one way outputs are written, bytes only (no format knowledge: audio/codecs.py writes files of a format).

What stands at the path decides how, and nothing there is ever destroyed:
- a regular file, or nothing: a hidden temp file beside it, fsync, rename. Readers never see a partial
  file, and a failure or Ctrl-C leaves nothing behind.
- a symlink: the same beside its resolved target, so the link stays and its target gets the bytes (a
  dangling link is written when its target's folder exists).
- a character device, FIFO or socket (`/dev/null`, a named pipe): written into, as `curl -o` does.
- a descriptor of this process (`/dev/stdout`, `/dev/fd/N`): written into, as a redirection would be.

A write that fails (a full disk, `/dev/full`, a closed reader) is a UsageError (exit 2): one line naming
the output. This is a ground module: it imports nothing of the engine, the wire or audio.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
from pathlib import Path
from typing import BinaryIO

from eleven_cli.errors import ElevenError, UsageError

_BAD_PLACE = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ELOOP,
              errno.ENXIO}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_OWN_DESCRIPTOR = re.compile(r"^/proc/(\d+)/fd/(\d+)$")


def write_error(exc: OSError, target: str, file: bool = False) -> ElevenError:
    """The one line for an output that did not take its bytes (exit 2: the output given cannot be used);
    `file`: a file replaced atomically, of which nothing was kept."""
    if exc.errno in _FULL:
        return UsageError(f"cannot write {target}: {exc.strerror}",
                          hint="free some disk space; nothing was kept" if file else None)
    if exc.errno == errno.EPIPE:
        return UsageError(f"cannot write {target}: its reader went away")
    return UsageError(f"cannot write {target}: {(exc.strerror or str(exc)).lower()}")


def own_descriptor(path: str | Path) -> int | None:
    """The descriptor number when `path` names one of this process's own (`/dev/stdout`, `/dev/fd/3`,
    `/proc/self/fd/1`), following symlinks up to the kernel's magic link; None otherwise."""
    p = os.path.abspath(path)
    for _ in range(40):
        folder = os.path.realpath(os.path.dirname(p))
        m = _OWN_DESCRIPTOR.match(os.path.join(folder, os.path.basename(p)))
        if m and int(m.group(1)) == os.getpid():
            return int(m.group(2))
        if not os.path.islink(p):
            return None
        p = os.path.normpath(os.path.join(folder, os.readlink(p)))
    return None


def is_stream(path: str | Path) -> bool:
    """True when `path` is written into rather than replaced: an existing character device, FIFO or
    socket (through any symlinks), or a descriptor of this process."""
    if own_descriptor(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def resolved(path: str | Path) -> Path:
    """Where the bytes for `path` land: the final target of a symlink (which may not exist yet), else the path.
    UsageError when a link loops or points into a folder that does not exist."""
    p = Path(path)
    if not p.is_symlink():
        return p
    target = Path(os.path.realpath(p))
    if target.is_symlink():
        raise UsageError(f"cannot write {path}: too many levels of symbolic links")
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {path}: it links to {target}, whose folder does not exist")
    return target


class Destination:
    """Bytes to one output: `write`, then `commit()` (or `discard()`: nothing partial where that can be
    helped). `seekable` ones also take `patch(offset, bytes)` and `truncate(size)`."""

    seekable = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.size = 0

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def patch(self, offset: int, data: bytes) -> None:
        raise OSError(errno.ESPIPE, "cannot seek")

    def truncate(self, size: int) -> bool:
        """Forget everything after the first `size` bytes; False when that cannot be done."""
        return False

    def isatty(self) -> bool:
        return False

    def commit(self) -> None:
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Destination:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def _temporary(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """A new file of our own (0600) in `folder`, as tempfile.mkstemp makes one (without loading tempfile,
    shutil and random before the request: ~5 ms)."""
    for _ in range(100):
        name = os.path.join(folder, f"{prefix}{os.urandom(6).hex()}{suffix}")
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            return fd, os.path.abspath(name)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


class AtomicFile(Destination):
    """Bytes go to a hidden temp file beside the target (a symlink's resolved target); `commit()` renames it
    into place. Closing without commit (an error, Ctrl-C) removes the temp file: no partial output."""

    seekable = True

    def __init__(self, path: str | Path, mode: int | None = None, durable: bool = True) -> None:
        super().__init__(path)
        self.target = resolved(path)
        self.mode = mode  # file permissions (default: those of the file replaced, else 0666 minus the umask)
        self.durable = durable  # fsync before the rename (a cache can do without)
        parent = self.target.parent if str(self.target.parent) else Path(".")
        try:
            fd, self.tmp = _temporary(parent, f".{self.target.name}.", ".part")
        except OSError as exc:
            if exc.errno in _BAD_PLACE:  # the folder is missing, not a folder, or not writable
                raise UsageError(f"cannot write {self.path}: {(exc.strerror or str(exc)).lower()}") from None
            raise write_error(exc, str(self.path), file=True) from None
        self.fh: BinaryIO | None = os.fdopen(fd, "wb")

    def __enter__(self) -> AtomicFile:
        return self

    def _failed(self, exc: OSError) -> ElevenError:
        self.discard()
        return write_error(exc, str(self.path), file=True)

    def write(self, data: bytes) -> None:
        assert self.fh is not None
        try:
            self.fh.write(data)
        except OSError as exc:
            raise self._failed(exc) from None
        self.size += len(data)

    def patch(self, offset: int, data: bytes) -> None:
        assert self.fh is not None
        try:
            self.fh.seek(offset)
            self.fh.write(data)
            self.fh.seek(0, os.SEEK_END)
        except OSError as exc:
            raise self._failed(exc) from None

    def truncate(self, size: int) -> bool:
        assert self.fh is not None
        try:
            self.fh.flush()
            self.fh.seek(size)
            self.fh.truncate()
        except OSError as exc:
            raise self._failed(exc) from None
        self.size = size
        return True

    def commit(self) -> None:
        assert self.fh is not None
        try:
            self.fh.flush()
            if self.durable:
                os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
            os.chmod(self.tmp, self._mode())
            os.replace(self.tmp, self.target)
            self.tmp = ""  # in place: nothing left to remove
        except OSError as exc:
            raise self._failed(exc) from None

    def _mode(self) -> int:
        if self.mode is not None:
            return self.mode
        with contextlib.suppress(OSError):
            st = os.stat(self.target)
            if stat.S_ISREG(st.st_mode):
                return stat.S_IMODE(st.st_mode)
        return 0o666 & ~_umask()

    def discard(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.fh.close()
            self.fh = None
        if self.tmp:
            with contextlib.suppress(OSError):
                os.unlink(self.tmp)
            self.tmp = ""


class StreamFile(Destination):
    """Bytes written into what stands at the path: a character device, a FIFO (waits for its reader), a socket
    (connected), or one of this process's descriptors. Nothing is replaced; what was written stays written."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._sock: socket.socket | None = None
        self._fd = -1
        own = own_descriptor(path)
        try:
            if own is not None:
                self._fd = os.dup(own)
            elif stat.S_ISSOCK(os.stat(path).st_mode):
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._sock.connect(os.path.realpath(path))
            else:
                self._fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            self.discard()
            if own is not None and exc.errno == errno.EBADF:
                raise UsageError(f"cannot write {path}: that descriptor is not open") from None
            raise write_error(exc, str(path)) from None

    def isatty(self) -> bool:
        return self._fd >= 0 and os.isatty(self._fd)

    def write(self, data: bytes) -> None:
        try:
            if self._sock is not None:
                self._sock.sendall(data)
            else:
                view = memoryview(data)
                while view:
                    view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self.discard()
            raise write_error(exc, str(self.path)) from None
        self.size += len(data)

    def commit(self) -> None:
        self.discard()

    def discard(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1


def destination(path: str | Path, mode: int | None = None, durable: bool = True) -> Destination:
    """The right writer for what stands at `path` (see the module's docstring)."""
    if is_stream(path):
        return StreamFile(path)
    return AtomicFile(path, mode=mode, durable=durable)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: str | Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """The whole file at once (atomically where the path is a file: `durable` means on disk before it is
    renamed into place)."""
    with destination(path, mode=mode, durable=durable) as f:
        f.write(data)
        f.commit()
