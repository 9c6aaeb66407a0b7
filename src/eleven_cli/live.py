"""`client.live(texts, ...)`: speech of text that is still being written (e.g. a language model's
tokens), over the stream-input WebSocket, with the face of `client.speech` (eleven_cli.face).

`texts` is an iterable or an async iterable of strings, of (text, flush) pairs, or None (a keep-alive).
It is read once, as it comes, by a thread of its own (an async iterable: on the loop of the awaiting
task for the asyncio forms, else on a loop of its own); each piece is sent at once. Whitespace alone
is never sent (eleven_cli.live_protocol.TextGate), so blank lines are not billed, and a text with
nothing to say is a UsageError with nothing spoken.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from collections.abc import AsyncIterable, Callable, Iterable, Iterator
from typing import Any

from eleven_cli.api.ws import Session, WsOptions
from eleven_cli.errors import UsageError
from eleven_cli.events import Event, Finished
from eleven_cli.face import Synthesis
from eleven_cli.formats import Format
from eleven_cli.live_protocol import TextGate
from eleven_cli.live_session import Driver, LiveResult

_END = object()


def check_schedule(schedule: Iterable[int] | None) -> list[int] | None:
    """chunk_length_schedule: characters buffered before each generation, each 50..500."""
    if schedule is None:
        return None
    values = list(schedule)
    if not values or any(isinstance(v, bool) or not isinstance(v, int | float) or not 50 <= v <= 500
                         for v in values):
        raise UsageError(f"bad schedule {values!r}: each value must be a number from 50 to 500")
    return [int(v) for v in values]


class LiveSpeech(Synthesis):
    """Speech of text as it arrives; runs once (its text is read as it is spoken). `stream()` yields
    Started, Audio, Timing (seconds from the start of the whole speech), Retrying (a reconnect) and
    Finished (a LiveResult). With live=False (files, memory) audio is handed on only once its text is
    confirmed spoken, so a dropped connection neither loses nor doubles any of it; live (speakers,
    stdout) hands it on as it arrives."""

    def __init__(self, connect: Callable[[WsOptions], Session], texts: Iterable[Any] | AsyncIterable[Any],
                 opts: WsOptions,
                 fmt: Format, *, format_given: bool = False, flush_on_newline: bool = True, retries: int = 3,
                 timestamps: bool = False, timeout: float = 30.0) -> None:
        self._connect = connect
        self._texts = texts
        self.opts = opts
        self._format_given = format_given
        self.flush_on_newline = flush_on_newline
        self.retries = retries
        self.timestamps = timestamps  # keep the whole alignment in the Result (for captions)
        self.timeout = timeout
        self.result: LiveResult | None = None
        self._driver: Driver | None = None
        self._ran = False
        self._reformat(fmt)

    @property
    def wire(self) -> Format:
        return self._wire

    def _reformat(self, fmt: Format) -> None:
        from eleven_cli.speech import wire_format

        self.output_format = fmt
        self._wire, self.wav = wire_format(fmt, streaming=True)

    def _cancel(self) -> None:
        super()._cancel()
        if self._driver is not None:
            self._driver.close()

    def prepare(self) -> None:
        from eleven_cli.api.ws import prepare

        prepare()  # the WebSocket library loads now, not after the device has been checked

    def stream(self, live: bool = True) -> Iterator[Event]:
        if self._ran:
            raise UsageError("a live speech runs once: its text has been read",
                             hint="call client.live(...) again with the text")
        self._ran = True
        out: queue.Queue[Any] = queue.Queue()
        inactivity = self.opts.inactivity_timeout or 20
        driver = Driver(self._connect, dataclasses.replace(self.opts, output_format=self._wire.name), self._wire,
                        out.put, retries=self.retries, hold=not live, timestamps=self.timestamps,
                        timeout=self.timeout, keepalive=max(1.0, min(10.0, inactivity / 2)))
        self._driver = driver
        stop = threading.Event()
        feeder = self._feed(driver, stop)

        def drive() -> None:
            try:
                driver.run()
            except BaseException as exc:  # noqa: BLE001 - raised to the consumer
                out.put(exc)
            out.put(_END)

        threading.Thread(target=drive, daemon=True, name="eleven-ws-driver").start()
        try:
            while True:
                item = out.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, Finished):
                    self.result = item.result  # type: ignore[assignment]
                yield item
        finally:
            stop.set()
            driver.close()  # a no-op once finished; else the socket closes now
            feeder()

    # --- the caller's text -----------------------------------------------------------------------
    def _feed(self, driver: Driver, stop: threading.Event) -> Callable[[], None]:
        """Start reading the text into `driver`; returns what stops the reading."""
        gate = TextGate(self.flush_on_newline)
        texts = self._texts

        def take(item: Any) -> None:
            if item is None:
                driver.keepalive()
                return
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                text, flush = item[0], bool(item[1])
            elif isinstance(item, str):
                text, flush = item, False
            else:
                raise UsageError(f"live text must be strings, (text, flush) pairs or None, not {type(item).__name__}")
            for piece, fl in gate.take(text, flush):
                driver.text(piece, fl)

        if isinstance(texts, AsyncIterable):
            import asyncio  # only for the asyncio forms (20 ms to load)

            async def pump() -> None:
                try:
                    async for item in texts:
                        if stop.is_set():
                            return
                        take(item)
                    driver.end()
                except BaseException as exc:  # noqa: BLE001 - the session ends with it
                    driver.fail(exc)
                    if isinstance(exc, asyncio.CancelledError):
                        raise

            loop = self._loop
            if loop is not None and loop.is_running():
                future = asyncio.run_coroutine_threadsafe(pump(), loop)
                return lambda: None if future.cancel() else None
            thread = threading.Thread(target=lambda: asyncio.run(pump()), daemon=True, name="eleven-live-text")
            thread.start()
            return lambda: None

        def read() -> None:
            try:
                for item in texts:  # type: ignore[union-attr]
                    if stop.is_set():
                        return
                    take(item)
                driver.end()
            except BaseException as exc:  # noqa: BLE001 - the session ends with it
                driver.fail(exc)

        threading.Thread(target=read, daemon=True, name="eleven-live-text").start()
        return lambda: None

