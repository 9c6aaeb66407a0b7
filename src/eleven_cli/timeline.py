"""Where the time goes before the first sound: with ELEVEN_TIMELINE set, the milestones of a command (the
process's entry, the arguments parsed, the request sent, its first byte, the first audio handed to the
device) are noted as wall-clock times, which the command line prints to stderr as it exits, for `make
bench`. Costs nothing unset."""

from __future__ import annotations

import os
import time

ON = bool(os.environ.get("ELEVEN_TIMELINE"))
_marks: list[tuple[str, float]] = []


def mark(name: str) -> None:
    """Note a milestone (the first of each name counts)."""
    if ON and all(n != name for n, _ in _marks):
        _marks.append((name, time.time()))


def line() -> str:
    """The milestones as one line, for the command line to print as it exits ("" when none)."""
    return "timeline: " + " ".join(f"{n}={t:.6f}" for n, t in _marks) if _marks else ""
