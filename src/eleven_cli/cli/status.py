"""What the synthesis commands show: the live line while audio plays, and the cost line after."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eleven_cli.cli.context import Globals
from eleven_cli.cli.render import human_seconds

if TYPE_CHECKING:
    from eleven_cli.audio.player import Player
    from eleven_cli.subtitles import Word


def progress_text(player: Player, received_bytes: Callable[[], int] | None = None) -> Callable[[], str]:
    def render() -> str:
        played = player.played_seconds()
        got = player.received / 2 / player.rate
        line = f"▶ {played:5.1f} s played / {got:5.1f} s received"
        if received_bytes is not None:
            line += f" · {received_bytes() / 1024:.0f} KB"
        return line

    return render


def highlight_text(player: Player, words: Callable[[], list[Word]]) -> Callable[[], str]:
    """The words around the one being heard, that one highlighted (a marker with NO_COLOR)."""
    plain = bool(os.environ.get("NO_COLOR"))

    def render() -> str:
        ws = words()
        if not ws:
            return ""
        t = player.played_seconds()
        current = 0
        for i, w in enumerate(ws):
            if w.start <= t:
                current = i
        import shutil  # here: 3-8 ms at start-up otherwise

        width = max(20, shutil.get_terminal_size((80, 24)).columns - 2)
        left = current
        text_len = len(ws[current].text) + 2
        while left > 0 and text_len + len(ws[left - 1].text) + 1 < width // 2:
            left -= 1
            text_len += len(ws[left].text) + 1
        out = []
        used = 0
        for i in range(left, len(ws)):
            piece = ws[i].text
            if used + len(piece) + 3 > width:
                break
            used += len(piece) + 1
            if i == current:
                out.append(f"[{piece}]" if plain else f"\x1b[7m{piece}\x1b[0m")
            else:
                out.append(piece)
        return " ".join(out)

    return render


def cost_line(g: Globals, as_json: bool, audio_on_stdout: bool, **info: Any) -> None:
    """The one-line summary after a synthesis (stderr), or JSON (stdout unless audio is there)."""
    if as_json:
        stream = sys.stderr if audio_on_stdout else sys.stdout
        stream.write(json.dumps(info) + "\n")
        stream.flush()
        return
    if g.quiet:
        return
    from eleven_cli.words import plural

    parts = [plural(int(info.get("characters") or 0), "character")]
    if info.get("cached_pieces"):
        parts.append(f"{plural(int(info['cached_pieces']), 'piece')} from cache")
    parts.append(f"{info.get('duration_seconds', 0):.2f} s audio")
    ttfb = info.get("ttfb_ms")
    if ttfb is not None:
        parts.append(f"first byte {human_seconds(ttfb / 1000)}")
    rids = info.get("request_ids") or []
    if rids:
        parts.append(f"request-id {rids[0]}" + (f" (+{len(rids) - 1})" if len(rids) > 1 else ""))
    if info.get("output") and info["output"] != "-":
        parts.append(f"→ {info['output']}")
    print("eleven: " + " · ".join(parts), file=sys.stderr, flush=True)


class Progress:
    """One live stderr line while audio plays or streams (terminal only, not with -q)."""

    def __init__(self, g: Globals, render: Any) -> None:
        self.enabled = sys.stderr.isatty() and not g.quiet
        self.render = render
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            line = self.render()
            if line:
                sys.stderr.write("\r\x1b[K" + line)
                sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

