"""What every synthesis on the library's face offers (`client.speech`, `client.dialogue`, `client.live`):
`save`, `audio`, `play` and `run` on top of `stream`, and their asyncio forms.

The asyncio forms (`astream`, `arun`, `asave`, `aaudio`, `aplay`) run the blocking work (sockets,
the audio device, files) on a worker thread and hand its events to the awaiting task, so the event
loop never blocks. A failure is raised in the awaiting task; cancelling it stops the synthesis at
once (a live session's socket is closed, an HTTP response at its next chunk), aborts every output
(no partial file, silence) and ends the worker before the CancelledError goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from eleven_cli.errors import Interrupted, UsageError
from eleven_cli.events import Event, Finished, Result
from eleven_cli.formats import FORMATS, Format, format_for_path
from eleven_cli.outputs import FileOutput, MemoryOutput, Output, PlayOutput, feeding

T = TypeVar("T")
_END = object()


class Synthesis:
    """The face. Subclasses provide `stream`, the formats (`output_format`: as asked; `wire`: as the
    audio arrives, with `wav`: a RIFF header goes around it) and `_reformat`."""

    output_format: Format
    wav: bool
    result: Result | None
    _format_given: bool = False
    _loop: asyncio.AbstractEventLoop | None = None  # the loop of the asyncio form being awaited
    _cancelled: bool = False
    recorder: Callable[[Result], None] | None = None  # remembers a finished run (the client's log)

    @property
    def format(self) -> str:
        return self.output_format.name

    @property
    def wire(self) -> Format:
        raise NotImplementedError

    def stream(self, live: bool = True) -> Iterator[Event]:
        raise NotImplementedError

    def _reformat(self, fmt: Format) -> None:
        """Ask for another format (the one a file's extension implies), before any request."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Get ready to send (a connection, a library) in the background while the caller gets ready itself
        (an audio device, say); sends nothing. Running does it anyway: this only starts it sooner."""

    def _cancel(self) -> None:
        """Stop as soon as possible (called from the event loop's thread when the task is cancelled)."""
        self._cancelled = True

    # --- the blocking forms --------------------------------------------------------------------
    def run(self, *outputs: Output, live: bool | None = None) -> Result:
        """Feed every event to `outputs`; on success finish them in order (files before speakers),
        on any failure abort them all (no partial file, silence at once)."""
        if live is None:
            live = any(isinstance(o, PlayOutput) or getattr(o, "path", None) == "-" for o in outputs)
        result: Result | None = None
        with feeding(outputs):
            for event in self.stream(live):
                for output in outputs:
                    output.handle(event)
                if isinstance(event, Finished):
                    result = event.result
        assert result is not None
        result.format = self.format
        self.result = result
        if self.recorder is not None:
            self.recorder(result)
        return result

    def _guarded(self, *outputs: Output) -> tuple[Output, ...]:
        """`outputs`, and first a guard that stops the run when the awaiting task was cancelled."""
        return (_Guard(self), *outputs) if self._loop is not None else outputs

    def save(self, path: str | Path) -> Result:
        """Write the audio to `path` atomically. The format comes from the file's extension, as `-o`
        does, unless one was asked for (then they must agree: else UsageError, before any request)."""
        implied = format_for_path(str(path)) if str(path) != "-" else None
        if implied and FORMATS[implied].codec != self.output_format.codec:
            if self._format_given:
                raise UsageError(f"format {self.format} does not match the extension of {str(path)!r}",
                                 hint=f"use a {self.output_format.extension} file name or leave the format out")
            self._reformat(FORMATS[implied])
        result = self.run(*self._guarded(FileOutput(path, self.wire, wav=self.wav)))
        result.output = str(path)
        return result

    def audio(self) -> bytes:
        """The whole audio in memory, as one file of the format; `self.result` tells the rest."""
        memory = MemoryOutput(self.wire, wav=self.wav)
        result = self.run(*self._guarded(memory))
        result.audio = memory.data
        return memory.data

    def play(self, device: str | int | None = None, buffer_ms: float = 150.0) -> Result:
        """Play on an output device as the audio arrives."""
        from eleven_cli.audio.player import choose_rate

        rate = choose_rate(device)
        return self.run(*self._guarded(PlayOutput(self.wire, rate, device, buffer_ms)), live=True)

    # --- the asyncio forms ---------------------------------------------------------------------
    async def astream(self, live: bool = True) -> AsyncIterator[Event]:
        """`stream()` for asyncio: the events as they arrive, without blocking the loop."""
        import asyncio  # only for the asyncio forms: not loaded by a plain run

        loop = asyncio.get_running_loop()
        self._loop, self._cancelled = loop, False
        events: asyncio.Queue[tuple[Any, BaseException | None]] = asyncio.Queue()
        done = loop.create_future()
        stop = threading.Event()

        def put(item: Any, exc: BaseException | None = None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is waiting
                loop.call_soon_threadsafe(events.put_nowait, (item, exc))

        def body() -> None:
            gen = self.stream(live)
            try:
                for event in gen:
                    if stop.is_set():
                        break
                    put(event)
                put(_END)
            except BaseException as exc:  # noqa: BLE001 - raised in the awaiting task
                put(None, exc)
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()  # a generator: its sockets and outputs are closed now
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, done, None, None)

        threading.Thread(target=body, daemon=True, name="eleven-astream").start()
        try:
            while True:
                item, exc = await events.get()
                if exc is not None:
                    raise exc
                if item is _END:
                    return
                yield item
        finally:
            if not done.done():  # left early (cancelled, closed, failed): stop the worker, then go on
                stop.set()
                self._cancel()
                with contextlib.suppress(BaseException):
                    await asyncio.shield(done)

    async def arun(self, *outputs: Output, live: bool | None = None) -> Result:
        """`run()` for asyncio."""

        return await self._in_thread(lambda: self.run(*self._guarded(*outputs), live=live))

    async def asave(self, path: str | Path) -> Result:
        """`save()` for asyncio."""

        return await self._in_thread(lambda: self.save(path))

    async def aaudio(self) -> bytes:
        """`audio()` for asyncio."""

        return await self._in_thread(self.audio)

    async def aplay(self, device: str | int | None = None, buffer_ms: float = 150.0) -> Result:
        """`play()` for asyncio."""

        return await self._in_thread(lambda: self.play(device, buffer_ms))

    async def _in_thread(self, work: Callable[[], T]) -> T:
        import asyncio  # only for the asyncio forms: not loaded by a plain run

        loop = asyncio.get_running_loop()
        self._loop, self._cancelled = loop, False
        done: asyncio.Future[T] = loop.create_future()

        def body() -> None:
            try:
                value = work()
            except BaseException as exc:  # noqa: BLE001 - raised in the awaiting task
                loop.call_soon_threadsafe(_settle, done, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, done, value, None)

        threading.Thread(target=body, daemon=True, name="eleven-async").start()
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            self._cancel()  # the worker stops, its outputs abort; wait for that before going on
            with contextlib.suppress(BaseException):
                await done
            raise


def _settle(future: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)


class _Guard(Output):
    """Stops a run whose awaiting task was cancelled: the outputs after it are aborted."""

    def __init__(self, owner: Synthesis) -> None:
        self.owner = owner

    def handle(self, event: Event) -> None:
        if self.owner._cancelled:
            raise Interrupted("cancelled")
