"""Outputs that only watch a synthesis for the terminal: piece progress lines, words for highlighting."""

from __future__ import annotations

from typing import Any

from eleven_cli.events import Alignment, Event, PieceDone, Started, Timing
from eleven_cli.outputs import Output
from eleven_cli.words import plural


class PieceProgress(Output):
    """Progress through a long text (more than one request): a rich bar on a terminal (pieces,
    characters, audio seconds, cached pieces), plain lines when stderr is piped, nothing with -q.
    While audio plays, the live line shows the piece instead of a bar (`label()`)."""

    def __init__(self, g: Any, playing: bool) -> None:
        import sys

        self.g = g
        self.count = 1
        self.done = 0
        self.cached = 0
        self.chars = 0
        self.total_chars = 0
        self.seconds = 0.0
        self.tty = sys.stderr.isatty() and not g.quiet
        self.bar: Any = None
        self.playing = playing

    def handle(self, event: Event) -> None:
        if isinstance(event, Started):
            self.count, self.total_chars = event.pieces, event.characters
            if self.count > 1 and self.tty and not self.playing:
                self._start_bar()
        elif isinstance(event, PieceDone):
            self.done += 1
            self.cached += event.cached
            self.chars += event.text_characters
            self.seconds += event.seconds
            if self.bar is not None:
                self.bar.update(self.task, completed=self.done, chars=f"{self.chars:,}/{self.total_chars:,}",
                                seconds=self.seconds, cached=self.cached)
            elif self.count > 1 and not self.tty:
                note = " (from the cache, not billed)" if event.cached else ""
                self.g.say(f"eleven: piece {self.done} of {self.count} done: "
                           f"{plural(event.text_characters, 'character')}, {event.seconds:.1f} s of audio{note}")

    def _start_bar(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from eleven_cli.cli.render import stderr_console

        self.bar = Progress(TextColumn("[bold]speaking"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("pieces · {task.fields[chars]} chars · {task.fields[seconds]:.1f} s audio · "
                                       "{task.fields[cached]} cached"), TimeRemainingColumn(),
                            console=stderr_console(), transient=False)
        self.task = self.bar.add_task("speech", total=self.count, chars=f"0/{self.total_chars:,}", seconds=0.0,
                                      cached=0)
        self.bar.start()

    def label(self) -> str:
        """"piece 2/5 · " for the live line while playing a long text."""
        return f"piece {min(self.done + 1, self.count)}/{self.count} · " if self.count > 1 else ""

    def finish(self) -> None:
        self.abort()

    def abort(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def kept_line(self) -> str | None:
        """After a failure: what a rerun will not pay for again."""
        if self.count > 1 and self.done:
            kept = "1 piece is" if self.done == 1 else f"{self.done:,} pieces are"
            return (f"eleven: {kept} kept of {self.count:,}; run the same command again and "
                    f"{'it is' if self.done == 1 else 'they are'} not requested (or billed) twice")
        return None


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
