"""`client.speech(...)`: one text to speak, of any length, and the ways to take its audio."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eleven_cli.events import Event, Finished, Result
from eleven_cli.outputs import FileOutput, MemoryOutput, Output, PlayOutput, feeding
from eleven_cli.pipeline import Job, Pipeline

if TYPE_CHECKING:
    from eleven_cli.client import Client
    from eleven_cli.longform import PieceCache


class Speech:
    """A synthesis not yet run. `save`, `audio`, `play` and `run` each run it once and return the
    Result; `stream()` yields its typed events as they arrive (eleven_cli.events)."""

    def __init__(self, client: Client, job: Job, cache: PieceCache | None = None) -> None:
        self.client = client
        self.job = job
        self.cache = cache if cache is not None else client.piece_cache
        self.result: Result | None = None
        self.turns: list[Any] = []  # a dialogue's script (dialogue.Turn), in order
        self.cast: dict[str, str] = {}  # a dialogue's speaker -> voice id

    @property
    def format(self) -> str:
        return self.job.fmt.name

    def _pipeline(self, live: bool) -> Pipeline:
        return Pipeline(self.client.http, dataclasses.replace(self.job, live=live), self.cache)

    def stream(self, live: bool = True) -> Iterator[Event]:
        """Typed events as they arrive: Started, Audio, Timing, Retrying, PieceDone, Finished.
        With live=False each piece is handed on only once it is whole and verified."""
        pipeline = self._pipeline(live)
        for event in pipeline.events():
            if isinstance(event, Finished):
                self.result = event.result
                pipeline.forget()
            yield event

    def run(self, *outputs: Output, live: bool | None = None) -> Result:
        """Feed every event to `outputs`; on success finish them in order (files before speakers),
        on any failure abort them all (no partial file, silence at once)."""
        if live is None:
            live = any(isinstance(o, PlayOutput) or getattr(o, "path", None) == "-" for o in outputs)
        pipeline = self._pipeline(live)
        result: Result | None = None
        with feeding(outputs):
            for event in pipeline.events():
                for output in outputs:
                    output.handle(event)
                if isinstance(event, Finished):
                    result = event.result
        assert result is not None
        pipeline.forget()
        self.result = result
        return result

    def save(self, path: str | Path) -> Result:
        """Write the audio to `path` atomically (split, continuity, stitch, cache, verify)."""
        result = self.run(FileOutput(path, self.job.fmt))
        result.output = str(path)
        return result

    def audio(self) -> bytes:
        """The whole audio in memory, as one file of the format; `self.result` tells the rest."""
        memory = MemoryOutput(self.job.fmt)
        result = self.run(memory)
        result.audio = memory.data
        return memory.data

    def play(self, device: str | int | None = None, buffer_ms: float = 150.0) -> Result:
        """Play on an output device as the audio arrives."""
        from eleven_cli.audio.player import choose_rate

        rate = choose_rate(device)
        return self.run(PlayOutput(self.job.fmt, rate, device, buffer_ms), live=True)
