"""The single exit boundary, without Typer: a command's outcome becomes one stderr line and an exit code.

`main.run` wraps the Typer app in it; `entry` wraps the commands it answers without Typer in it too, so both
paths fail the same way. `standard_streams()` (first thing in `entry.run`) makes stdout report its own
failures: a full (`> /dev/full`) or closed (`>&-`) stdout is one line and exit 2; a reader that went away
(`| head`) ends the command quietly (exit 0), the quick listings' behaviour, now every command's.
"""

import errno
import io
import os
import signal
import sys
from collections.abc import Callable

from eleven_cli.errors import ElevenError, ExitCode, Interrupted, UsageError


class StdoutError(UsageError):
    """Standard output did not take what was written to it (full, closed, an I/O error): exit 2."""


class ReaderGone(ElevenError):
    """Standard output's reader went away (`| head`): the command ends quietly, exit 0. Not an OSError, so no
    layer in between (Click turns EPIPE into a silent exit 1) takes it for another failure."""

    exit_code = ExitCode.OK


class _Stdout(io.RawIOBase):
    """File descriptor 1, whose failures (but a broken pipe) say they are stdout's."""

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return 1

    def isatty(self) -> bool:
        return os.isatty(1)

    def write(self, data: "bytes | bytearray | memoryview") -> int:  # type: ignore[override]
        try:
            return os.write(1, data)
        except BrokenPipeError:
            raise ReaderGone("standard output's reader went away") from None
        except OSError as exc:
            if exc.errno == errno.EBADF:
                raise StdoutError("cannot write to standard output: it is closed") from None
            reason = (exc.strerror or str(exc)).lower()
            raise StdoutError(f"cannot write to standard output: {reason}") from None


def standard_streams() -> None:
    """A closed stdin, stdout or stderr gets a stand-in descriptor (so no file opened later lands on it and
    receives output meant for it); stdout's failures become StdoutError (one line, exit 2)."""
    for fd, name, flags in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_RDONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:  # closed: /dev/null in its place (read-only for stdout: writing it fails, EBADF)
            null = os.open(os.devnull, flags)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if getattr(sys, name) is None:
                setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))  # noqa: SIM115
    old = sys.stdout
    if isinstance(old, io.TextIOWrapper) and old.fileno() == 1:
        sys.stdout = io.TextIOWrapper(io.BufferedWriter(_Stdout()), encoding=old.encoding, errors=old.errors,
                                      line_buffering=old.line_buffering)


def guarded(call: Callable[[], int], *, verbose: bool = False) -> int:
    """Run `call` (which returns an exit code) and turn every exception into one line and an exit code."""
    try:
        code = call()
    except ReaderGone:
        _silence_stdout()
        code = ExitCode.OK
    except Interrupted as exc:
        print(f"eleven: {exc.line(cli=True)}", file=sys.stderr)
        code = exc.exit_code
    except ElevenError as exc:
        print(f"eleven: error: {exc.line(cli=True)}", file=sys.stderr)
        if isinstance(exc, StdoutError):
            _silence_stdout()  # what is still buffered goes nowhere, not into a second error at exit
        if verbose and exc.request_id:
            print(f"eleven: request id {exc.request_id}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        print("\neleven: interrupted", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.OK
    except Exception as exc:  # the last resort: one line, never a traceback unless asked
        if os.environ.get("ELEVEN_TRACEBACK"):
            raise
        print(f"eleven: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("eleven: set ELEVEN_TRACEBACK=1 for details and report it", file=sys.stderr)
        code = ExitCode.FAILURE
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ReaderGone):
        _silence_stdout()
    except StdoutError as exc:
        print(f"eleven: error: {exc.line()}", file=sys.stderr)
        _silence_stdout()
        code = exc.exit_code
    return int(code)


def install_interrupt_handler() -> None:
    """Ctrl-C silences any playing audio first (within milliseconds), then unwinds as usual."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # ignored (a background job) or handled by someone else: leave it

    def interrupted(signum: int, frame: object) -> None:
        player = sys.modules.get("eleven_cli.audio.player")
        if player is not None:
            player.abort_all()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupted)


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
