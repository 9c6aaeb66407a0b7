"""Playing audio for the commands: feed a Player, show progress or highlighted words, stop on Ctrl-C."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

from eleven_cli.audio.player import Player
from eleven_cli.cli.context import Globals
from eleven_cli.cli.plan import Plan, Progress
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


def play_pcm(g: Globals, plan: Plan, pcm: bytes, words: list[Word] | None = None,
             highlight: bool = False) -> Player:
    """Play a whole PCM buffer; Ctrl-C stops the sound at once."""
    assert plan.rate is not None
    player = Player(plan.rate, plan.device)
    render = highlight_text(player, lambda: words or []) if (highlight and words) else progress_text(player)
    try:
        with Progress(g, render):
            step = plan.rate * 2  # one second at a time keeps the queue bounded
            for i in range(0, len(pcm), step):
                player.feed(pcm[i : i + step])
            player.finish()
    except BaseException:
        player.abort()
        raise
    if g.verbose and player.underruns:
        print(f"eleven: {player.underruns} buffer underruns while playing", file=sys.stderr)
    return player


class Outputs:
    """Where streamed audio goes: the plan's file or stdout, and the speakers (decoded as needed)."""

    def __init__(self, plan: Plan, buffer_ms: float = 150.0) -> None:
        from eleven_cli.audio.decode import StreamDecoder

        self.sink = plan.sink()
        self.player = Player(plan.rate, plan.device, buffer_ms=buffer_ms) if plan.play and plan.rate else None
        self.decoder = (StreamDecoder(plan.fmt, self.player.rate, self.player.feed)
                        if self.player is not None else None)

    def write(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink.write(data)
        if self.decoder is not None:
            self.decoder.push(data)

    def finish(self) -> None:
        """Commit the file and play out what is queued."""
        if self.decoder is not None:
            self.decoder.close()
        if self.sink is not None:
            self.sink.commit()
        if self.player is not None:
            self.player.finish()

    def abort(self) -> None:
        """Silence at once and leave no partial file."""
        if self.player is not None:
            self.player.abort()
        if self.sink is not None:
            self.sink.discard()
