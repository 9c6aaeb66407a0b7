"""The single exit boundary, without Typer: a command's outcome becomes one stderr line and an exit code.

`main.run` wraps the Typer app in it; `entry` wraps the commands it answers without Typer in it too, so both
paths fail the same way.
"""

import os
import signal
import sys
from collections.abc import Callable

from eleven_cli.errors import ElevenError, ExitCode, Interrupted


def guarded(call: Callable[[], int], *, verbose: bool = False) -> int:
    """Run `call` (which returns an exit code) and turn every exception into one line and an exit code."""
    try:
        code = call()
    except Interrupted as exc:
        print(f"eleven: {exc.line(cli=True)}", file=sys.stderr)
        code = exc.exit_code
    except ElevenError as exc:
        print(f"eleven: error: {exc.line(cli=True)}", file=sys.stderr)
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
    except BrokenPipeError:
        _silence_stdout()
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
    os.dup2(devnull, sys.stdout.fileno())
