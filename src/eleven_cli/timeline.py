"""Where the time goes before the first sound: with ELEVEN_TIMELINE set, the milestones of a command (the
process's entry, the arguments parsed, the request sent, its first byte, the first audio handed to the
device) are printed to stderr as wall-clock times when it exits, for `make bench`. Costs nothing unset."""

from __future__ import annotations

import os
import sys
import time

ON = bool(os.environ.get("ELEVEN_TIMELINE"))
_marks: list[tuple[str, float]] = []


def mark(name: str) -> None:
    """Note a milestone (the first of each name counts)."""
    if ON and all(n != name for n, _ in _marks):
        _marks.append((name, time.time()))


def report() -> None:
    if ON and _marks:
        print("timeline: " + " ".join(f"{n}={t:.6f}" for n, t in _marks), file=sys.stderr)


if ON:
    import atexit

    atexit.register(report)
