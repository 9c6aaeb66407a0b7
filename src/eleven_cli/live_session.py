"""The I/O around eleven_cli.live_protocol: one live session over stream-input connections.

Three threads meet at one inbox: whoever has the caller's text puts it there (`text`, `keepalive`,
`end`), a receiver thread per connection puts what the server sends, and the driver thread (`run`)
takes them in order, sends, reconnects and resends as the protocol says, and hands the face's events
to `emit`. The driver never waits for a consumer (a player that is behind does not hold back the
text, nor the keep-alives), and nothing here prints: a reconnect is a `Retrying` event.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eleven_cli.api.types import Alignment
from eleven_cli.api.ws import AudioEvent, Dropped, Session, WsOptions
from eleven_cli.audio.codecs import duration_counter
from eleven_cli.errors import NetworkError, UnavailableError, UsageError
from eleven_cli.events import Audio, Event, Finished, Result, Retrying, Started, Timing
from eleven_cli.formats import Format
from eleven_cli.live_protocol import LiveProtocol

TRIM_EVERY = 256  # messages between two returns of freed memory (see eleven_cli.memory)
GRACE = 0.05  # seconds the first text may take before the connection is opened without it


@dataclass
class LiveResult(Result):
    """A live session's Result: `characters` are those sent (resends included: what is billed),
    `text_characters` those of the text itself; `messages` audio messages, `reconnects` drops survived."""

    text_characters: int = 0
    messages: int = 0
    reconnects: int = 0

    def summary(self) -> dict[str, Any]:
        return {**super().summary(), "messages": self.messages, "reconnects": self.reconnects}


class Driver:
    """One logical session: feed it with `text`/`keepalive`/`end` from any thread, `run()` it on
    one thread; `close()` from any thread ends it at once (the socket is closed)."""

    def __init__(self, connect: Callable[[WsOptions], Session], opts: WsOptions, fmt: Format,
                 emit: Callable[[Event], None],
                 *, retries: int = 3, hold: bool = True, timestamps: bool = False, timeout: float = 30.0,
                 keepalive: float | None = None, wait: Callable[[float], None] = time.sleep) -> None:
        self.connect = connect
        self.opts = opts
        self.fmt = fmt
        self.emit = emit
        self.hold = hold  # hand audio on only once confirmed (a drop then loses and doubles nothing)
        self.timeout = timeout
        self.keepalive_every = keepalive  # seconds without text before a keep-alive (None: never)
        self.wait = wait
        self.protocol = LiveProtocol(opts.sync_alignment, max(1, retries), can_roll_back=hold)
        self.inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self.result = LiveResult(fmt.name, opts.voice_id, opts.model_id, pieces=1)
        if timestamps:
            self.result.alignment, self.result.normalized = Alignment(), Alignment()
        self._session: Session | None = None
        self._receiver: threading.Thread | None = None  # the current connection's reading thread
        self._generation = 0  # which connection's messages count (older ones are stale)
        self._counter = duration_counter(fmt)
        self._base_seconds = 0.0  # where the current connection's audio starts
        self._last_start = 0.0  # the latest character start handed on (times never step back)
        self._held: list[tuple[int, list[Event]]] = []  # (end byte, events) not yet confirmed
        self._ended = False  # the end of the text was sent
        self._first_send: float | None = None
        self._last_send = 0.0  # when text last went out (the server's inactivity clock)
        self._closed = threading.Event()

    # --- the producer's side (any thread) ------------------------------------------------------
    def text(self, text: str, flush: bool = False) -> None:
        self.inbox.put(("text", text, flush))

    def keepalive(self) -> None:
        self.inbox.put(("keepalive",))

    def end(self) -> None:
        self.inbox.put(("end",))

    def fail(self, exc: BaseException) -> None:
        """The text's source failed: the session ends with that exception."""
        self.inbox.put(("fail", exc))

    def close(self) -> None:
        """Stop now (from any thread): the socket is closed, `run` ends with Interrupted."""
        self._closed.set()
        self.inbox.put(("close",))
        session = self._session
        if session is not None:  # closing may wait for the close handshake: never on the caller's thread
            threading.Thread(target=session.close, daemon=True, name="eleven-ws-close").start()

    # --- the driver thread -------------------------------------------------------------------
    def run(self) -> LiveResult:
        """Drive the session to its end; emits Started, Audio, Timing, Retrying and Finished."""
        from eleven_cli.errors import Interrupted

        self.emit(Started(1, 0))
        try:
            try:
                first = self.inbox.get(timeout=GRACE)
            except queue.Empty:
                first = None
                self._open()  # connected while the text is on its way
            while True:
                msg = first if first is not None else self._get()
                first = None
                kind = msg[0]
                if kind == "close":
                    raise Interrupted("the live session was closed")
                if kind == "fail":
                    raise msg[1]
                if kind in ("text", "keepalive"):
                    self._send(msg[1] if kind == "text" else " ", msg[2] if kind == "text" else False,
                               keepalive=kind == "keepalive")
                elif kind == "end":
                    if not self.result.text_characters or not self._session:
                        raise UsageError("no text to speak", hint="the text was empty or only whitespace")
                    self._end()
                elif msg[1] != self._generation:
                    continue  # from a connection given up
                elif kind == "audio":
                    self._audio(msg[2])
                elif kind == "final":
                    self._final()
                    return self.result
                elif kind == "dropped":
                    self._recover(msg[2])
                elif kind == "failed":
                    raise msg[2]
        finally:
            if self._session is not None:
                self._session.close()

    def _get(self) -> tuple[Any, ...]:
        """The next message; after the end of the text, silence for `timeout` seconds is a drop."""
        if not self._ended:
            if self.keepalive_every is None or self._session is None:
                return self.inbox.get()
            try:
                due = self._last_send + self.keepalive_every - time.monotonic()
                return self.inbox.get(timeout=max(0.0, due))
            except queue.Empty:
                return ("keepalive",)
        try:
            return self.inbox.get(timeout=self.timeout)
        except queue.Empty:
            return ("dropped", self._generation, f"no answer for {self.timeout:g} s after the end of the text")

    def _open(self) -> None:
        if self._closed.is_set():
            return
        self._generation += 1
        session = self.connect(self.opts)
        self._session = session
        self._last_send = time.monotonic()  # the initialising message
        self._counter = duration_counter(self.fmt)
        self._receiver = threading.Thread(target=self._receive, args=(session, self._generation), daemon=True,
                                          name="eleven-ws-receive")
        self._receiver.start()
        if self._closed.is_set():  # closed while connecting
            session.close()

    def _receive(self, session: Session, generation: int) -> None:
        from eleven_cli.memory import trim

        try:
            for n, event in enumerate(session.events(), 1):
                self.inbox.put(("audio", generation, event))
                if n % TRIM_EVERY == 0:
                    trim()  # this thread's freed message buffers go back to the system
            self.inbox.put(("final", generation))
        except Dropped as exc:
            self.inbox.put(("dropped", generation, str(exc)))
        except UnavailableError as exc:  # busy (too many concurrent requests, system busy): reconnect, resend
            self.inbox.put(("dropped", generation, exc.message))
        except BaseException as exc:  # noqa: BLE001 - handed to the driver thread
            self.inbox.put(("failed", generation, exc))

    def _send(self, text: str, flush: bool, keepalive: bool = False) -> None:
        if self._ended or (keepalive and self._session is None):
            return  # nothing to keep alive before the first text
        if self._session is None:
            self._open()
        if self._first_send is None and not keepalive:
            self._first_send = time.monotonic()
        if not keepalive:
            self.result.text_characters += len(text)
        self._last_send = time.monotonic()
        self.protocol.sent(text, flush)  # recorded first: a drop while sending resends it
        try:
            assert self._session is not None
            self._session.send_text(text, flush)
        except Dropped as exc:
            self._recover(str(exc))

    def _end(self) -> None:
        self._ended = True
        try:
            assert self._session is not None
            self._session.end_input()
        except Dropped as exc:
            self._recover(str(exc))

    def _audio(self, event: AudioEvent) -> None:
        r, p = self.result, self.protocol
        if r.ttfb is None and self._first_send is not None:
            r.ttfb, r.first_byte_at = time.monotonic() - self._first_send, time.time()
        r.messages += 1
        offset = p.position.seconds
        seconds = self._base_seconds + self._counter.add(event.audio) - offset
        a, n = event.alignment, event.normalized
        safe = p.received(len(event.audio), seconds, len(a.characters) if a else None,
                          len(n.characters) if n else None)
        events: list[Event] = [Audio(event.audio, 0)]
        if a:
            timing = Alignment()
            timing.extend(a, offset)
            self._last_start = _monotonic(timing, self._last_start)
            normalized = None
            if n:
                normalized = Alignment()
                normalized.extend(n, offset)
            events.append(Timing(timing, normalized, 0))
        if not self.hold:
            self._hand_on(events)
            return
        self._held.append((p.position.bytes, events))
        if safe is not None:
            self._release(safe.bytes)

    def _release(self, upto: int) -> None:
        while self._held and self._held[0][0] <= upto:
            self._hand_on(self._held.pop(0)[1])

    def _hand_on(self, events: list[Event]) -> None:
        r = self.result
        for event in events:
            if isinstance(event, Timing) and r.alignment is not None:
                r.alignment.extend(event.alignment)
                if event.normalized and r.normalized is not None:
                    r.normalized.extend(event.normalized)
            self.emit(event)

    def _final(self) -> None:
        safe = self.protocol.final()
        self._release(safe.bytes)
        r = self.result
        r.duration = self.protocol.position.seconds
        r.characters = self.protocol.billed
        r.reconnects = self.protocol.drops
        self.emit(Finished(r))

    def _refused(self) -> None:
        """A send that found the socket closed: when the server closed it with an error (a missing dictionary,
        a bad voice), that error is the answer, not a reconnect. The receiving thread is given a moment to
        read it."""
        if self._receiver is not None:
            self._receiver.join(0.5)
        with self.inbox.mutex:
            failed = [m for m in self.inbox.queue if m[0] == "failed" and m[1] == self._generation]
        if failed:
            raise failed[0][2]

    def _recover(self, why: str) -> None:
        """Reconnect and resend every character whose audio did not fully arrive."""
        self._refused()
        while True:
            resend = self.protocol.dropped(why)  # NetworkError once the attempts are spent
            if resend is None:
                return
            if self._session is not None:
                self._session.close()
            self._held.clear()  # never handed on: nothing is lost or doubled
            self._base_seconds = resend.rollback_to.seconds
            note = (f"; about {resend.repeated:.1f} s already played will be heard again"
                    if resend.repeated > 0.05 else "")
            self.emit(Retrying(0, resend.attempt, f"connection lost ({why}); reconnecting and resending "
                                                  f"{len(resend.text)} characters (attempt {resend.attempt} of "
                                                  f"{self.protocol.retries}){note}"))
            self.wait(min(2.0, 0.2 * 2 ** (resend.attempt - 1)))
            try:
                self._open()
                assert self._session is not None
                for text, flush in resend.pieces:
                    self._session.send_text(text, flush)
                if self._ended:
                    self._session.end_input()
                return
            except Dropped as exc:
                why = str(exc)
            except NetworkError as exc:
                if not exc.retryable:
                    raise
                why = exc.message


def _monotonic(timing: Alignment, previous: float) -> float:
    """Character times never step back by the sub-millisecond rounding between the server's millisecond
    timings and the audio counted in samples (a rollback after a drop, a real step back, is left alone)."""
    for i, start in enumerate(timing.starts):
        if previous - 0.005 < start < previous:
            timing.starts[i] = previous
            timing.ends[i] = max(timing.ends[i], previous)
        previous = timing.starts[i]
    return previous
