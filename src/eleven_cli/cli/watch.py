"""Outputs that only watch a synthesis for the terminal: piece progress lines, words for highlighting."""

from __future__ import annotations

from typing import Any

from eleven_cli.api.types import Alignment
from eleven_cli.events import Event, PieceDone, Started, Timing
from eleven_cli.outputs import Output


class PieceLines(Output):
    """"eleven: request 2 of 5" as a long text goes (stderr; silent with -q)."""

    def __init__(self, g: Any) -> None:
        self.g = g
        self.count = 1

    def handle(self, event: Event) -> None:
        if isinstance(event, Started):
            self.count = event.pieces
            if self.count > 1:
                self.g.say(f"eleven: request 1 of {self.count}")
        elif isinstance(event, PieceDone) and event.index + 1 < self.count:
            self.g.say(f"eleven: request {event.index + 2} of {self.count}")


class Words(Output):
    """The words heard so far, from the timing as it arrives (for live highlighting)."""

    def __init__(self) -> None:
        self.alignment = Alignment()
        self.words: list[Any] = []

    def handle(self, event: Event) -> None:
        if isinstance(event, Timing):
            from eleven_cli.subtitles import words_from

            self.alignment.extend(event.alignment)
            self.words = words_from(self.alignment)

    def get(self) -> list[Any]:
        return self.words
