"""Giving freed memory back to the system during long sessions.

A long `eleven ws` session receives thousands of base64 messages on its own thread; glibc keeps the
freed blocks in that thread's arena, so the process grows (~10 MB an hour of audio) though Python's own
heap does not (tracemalloc shows it flat). Trimming the arenas now and then keeps it flat.
"""

from __future__ import annotations

import sys
from typing import Any

_trim: Any = None


def trim() -> None:
    """Return free heap pages to the system (glibc's malloc_trim); does nothing elsewhere."""
    global _trim
    if _trim is None:
        _trim = False
        if sys.platform.startswith("linux"):
            import ctypes  # here, not at start-up
            import ctypes.util

            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                _trim = libc.malloc_trim
            except (OSError, AttributeError):
                _trim = False
    if _trim:
        _trim(0)
