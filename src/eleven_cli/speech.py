"""`client.speech(...)` and `client.dialogue(...)`: a synthesis not yet run, and the ways to take its audio."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from eleven_cli.events import Event, Finished, Result
from eleven_cli.face import Synthesis
from eleven_cli.formats import Format
from eleven_cli.outputs import FileOutput, Output, PlayOutput, feeding
from eleven_cli.pipeline import Job, Pipeline

if TYPE_CHECKING:
    from eleven_cli.client import Client
    from eleven_cli.longform import PieceCache
    from eleven_cli.script import Script


def wire_format(fmt: Format, streaming: bool) -> tuple[Format, bool]:
    """The format to ask for, and whether a RIFF header goes around it: the streaming endpoints do
    not send WAV, so streamed WAV is asked for as PCM at its rate and wrapped here."""
    if streaming and fmt.streamed != fmt:
        return fmt.streamed, True
    return fmt, fmt.container == "riff"


class Speech(Synthesis):
    """A synthesis not yet run. `save`, `audio`, `play` and `run` each run it and return the Result;
    `stream()` yields its typed events as they arrive (eleven_cli.events); each has an asyncio form
    (eleven_cli.face). Running it again (another `save`, say) replays the audio of the first run:
    nothing is billed twice."""

    def __init__(self, client: Client, script: Callable[[str], Script], fmt: Format, *, timestamps: bool = False,
                 streaming: bool = False, cache: PieceCache | None = None, format_given: bool = False) -> None:
        self.client = client
        self._script = script
        self._format_given = format_given
        self.cache = cache if cache is not None else client.piece_cache
        self.result: Result | None = None
        self.turns: list[Any] = []  # a dialogue's script (dialogue.Turn), in order
        self.cast: dict[str, str] = {}  # a dialogue's speaker -> voice id
        self._replay: dict[str, Any] = {}  # finished pieces of an earlier run of this Speech
        self.remember = True  # keep them for another run (the CLI runs once and saves the memory)
        self.run_id: str | None = None  # the log's run id (a dialogue's), else the client's
        self.log_output: str | None = None  # what the log calls its output when no file is written (a book's)
        self.keep_pieces = False  # leave finished pieces in the cache after success (a book drops them itself)
        self._cache_every = cache is not None  # an explicit pieces folder caches even a one-piece text
        self._timestamps, self._streaming = timestamps, streaming
        self.job = self._job(fmt)

    def _job(self, fmt: Format) -> Job:
        wire, self.wav = wire_format(fmt, self._streaming)
        self.output_format = fmt
        return Job(self._script(wire.name), wire, self._timestamps, self._streaming)

    @property
    def wire(self) -> Format:
        return self.job.fmt

    def _reformat(self, fmt: Format) -> None:
        self.job = self._job(fmt)
        self._replay.clear()

    @property
    def script(self) -> Script:
        return self.job.script

    def _pipeline(self, live: bool) -> Pipeline:
        return Pipeline(self.client.http, dataclasses.replace(self.job, live=live), self.cache,
                        self._replay if self.remember else None, cache_every=self._cache_every)

    def stream(self, live: bool = True) -> Iterator[Event]:
        """Typed events as they arrive: Started, Audio, Timing, Retrying, PieceDone, Finished.
        With live=False each piece is handed on only once it is whole and verified."""
        script = self.job.script
        if not self._replay:
            self.client.check_budget(script.model_id, sum(len(t) for t in script.texts))
        pipeline = self._pipeline(live)
        for event in pipeline.events():
            if isinstance(event, Finished):
                self.result = event.result
                pipeline.forget()
                self.client.record(event.result, script.text, run_id=self.run_id)
            yield event

    def prepare(self) -> None:
        if not self._replay:  # a second run replays the first: no request to get ready for
            self.client.prepare()

    def run(self, *outputs: Output, live: bool | None = None) -> Result:
        """Feed every event to `outputs`; on success finish them in order (files before speakers),
        on any failure abort them all (no partial file, silence at once)."""
        if live is None:
            live = any(isinstance(o, PlayOutput) or getattr(o, "path", None) == "-" for o in outputs)
        script = self.job.script
        if not self._replay:
            self.client.check_budget(script.model_id, sum(len(t) for t in script.texts))
        pipeline = self._pipeline(live)
        result: Result | None = None
        with feeding(outputs):
            for event in pipeline.events():
                for output in outputs:
                    output.handle(event)
                if isinstance(event, Finished):
                    result = event.result
        assert result is not None
        if not self.keep_pieces:
            pipeline.forget()
        result.format = self.format
        result.output = next((str(o.path) for o in outputs if isinstance(o, FileOutput)), self.log_output)
        self.result = result
        if result.characters or result.pieces > result.cached_pieces:
            self.client.record(result, script.text, run_id=self.run_id)
        return result
