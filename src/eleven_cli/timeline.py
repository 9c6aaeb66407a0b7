"""Milestones of a command on its way to the first sound: the process's entry, the arguments parsed, the
device checked, the request sent, its first byte, the first audio handed to the device.

With ELEVEN_TIMELINE set they are noted as wall-clock times, which the command line prints to stderr as
it exits, for `make bench` (costs nothing unset). Whatever the setting, work can wait for a milestone
(`after`): the player loads sounddevice once the request has been sent, not while it is being sent.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

ON = bool(os.environ.get("ELEVEN_TIMELINE"))
_marks: list[tuple[str, float]] = []
_passed: set[str] = set()
_waiting: dict[str, list[Callable[[], None]]] = {}
_lock = threading.Lock()


def mark(name: str) -> None:
    """Note a milestone (the first of each name counts) and run what waits for it."""
    with _lock:
        if name in _passed:
            return
        _passed.add(name)
        if ON:
            _marks.append((name, time.time()))
        run = _waiting.pop(name, [])
    for fn in run:
        fn()


def after(name: str, fn: Callable[[], None]) -> None:
    """Run `fn` at milestone `name`, or now if it has passed."""
    with _lock:
        if name not in _passed:
            _waiting.setdefault(name, []).append(fn)
            return
    fn()


def line() -> str:
    """The milestones as one line, for the command line to print as it exits ("" when none)."""
    return "timeline: " + " ".join(f"{n}={t:.6f}" for n, t in _marks) if _marks else ""
