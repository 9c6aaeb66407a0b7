"""Speak text as it arrives over the stream-input WebSocket, surviving dropped connections.

The sender (the caller's thread) sends each piece at once; a receiver thread hands audio to the
outputs. Text whose audio has not fully arrived when a connection drops is resent on a new one,
and a file output is rolled back to the last complete generation, so nothing is lost or doubled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from eleven_cli.api.types import Alignment
from eleven_cli.api.ws import AudioEvent, Dropped, Session, WsOptions
from eleven_cli.audio.codecs import duration_counter
from eleven_cli.errors import NetworkError
from eleven_cli.formats import FORMATS

if TYPE_CHECKING:
    from eleven_cli.client import Client
    from eleven_cli.outputs import Output


TRIM_EVERY = 256  # messages between two returns of freed memory (see eleven_cli.memory)


@dataclass
class LiveStats:
    first_audio_at: float | None = None
    messages: int = 0
    reconnects: int = 0
    sent_chars: int = 0
    pieces: int = 0
    first_send_at: float | None = None


@dataclass
class Live:
    """One logical session, possibly over several connections."""

    connect: Callable[[], Session]
    opts: WsOptions
    write: Callable[[bytes], None]
    rollback: Callable[[int], bool] | None = None  # truncate the file output to N bytes; False if impossible
    retries: int = 3
    say: Callable[[str], None] = print
    keep_alignment: bool = True  # only needed for caption outputs; off keeps long sessions flat
    stats: LiveStats = field(default_factory=LiveStats)
    alignment: Alignment = field(default_factory=Alignment)
    normalized: Alignment = field(default_factory=Alignment)

    def __post_init__(self) -> None:
        self.fmt = FORMATS[self.opts.output_format]
        self.counter = duration_counter(self.fmt)
        self.sent = ""  # characters sent (after the initialise message) from `self.base` on
        self.base = 0  # how many sent characters were dropped from `sent` once confirmed
        self.confirmed = 0  # characters whose audio has fully arrived (absolute)
        self.pending_end = 0  # non-sync mode: end of the generation being received
        self.written = 0
        self.safe_bytes = 0  # output size at the last point where all received audio is confirmed
        self.safe_align = (0, 0)
        self.safe_seconds = 0.0
        self._session: Session | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._dropped: str | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()

    # --- receiving ---------------------------------------------------------------------------
    def _receive(self, session: Session) -> None:
        from eleven_cli.memory import trim

        try:
            for event in session.events():
                self._handle(event)
                if self.stats.messages % TRIM_EVERY == 0:
                    trim()  # this thread's freed message buffers go back to the system
            with self._lock:  # the final message: everything sent has been spoken
                self.confirmed = self.pending_end = self.base + len(self.sent)
            self._done.set()
        except Dropped as exc:
            self._dropped = str(exc)
        except BaseException as exc:  # noqa: BLE001 - handed to the sending thread
            self._failure = exc

    def _handle(self, event: AudioEvent) -> None:
        with self._lock:
            offset = self.counter.seconds
            if not self.opts.sync_alignment and event.alignment is not None:
                # A new generation starts: the previous one is complete.
                self.confirmed = self.pending_end
                self.pending_end = self.confirmed + len(event.alignment.characters)
                self._mark_safe()
            if event.alignment and self.keep_alignment:
                self.alignment.extend(event.alignment, offset)
            if event.normalized and self.keep_alignment:
                self.normalized.extend(event.normalized, offset)
            if self.stats.first_audio_at is None:
                self.stats.first_audio_at = time.monotonic()
            self.stats.messages += 1
            self.write(event.audio)
            self.written += len(event.audio)
            self.counter.add(event.audio)
            if self.opts.sync_alignment and event.alignment is not None:
                self.confirmed += len(event.alignment.characters)
                self.pending_end = self.confirmed
                self._mark_safe()

    def _mark_safe(self) -> None:
        if self.confirmed - self.base > 4096:  # forget text whose audio is safely out
            self.sent = self.sent[self.confirmed - self.base :]
            self.base = self.confirmed
        self.safe_bytes = self.written
        self.safe_align = (len(self.alignment.characters), len(self.normalized.characters))
        self.safe_seconds = self.counter.seconds

    # --- connections -------------------------------------------------------------------------
    def _open(self) -> None:
        self._dropped = None
        self._done.clear()
        session = self.connect()
        self._session = session
        self._thread = threading.Thread(target=self._receive, args=(session,), daemon=True, name="eleven-ws")
        self._thread.start()

    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _recover(self, why: str) -> None:
        """Reconnect and resend every character whose audio did not fully arrive."""
        if self.stats.reconnects >= self.retries:
            raise NetworkError(f"the WebSocket connection was lost ({why}) and {self.retries} reconnects failed",
                               hint="check the network and run the command again")
        self.stats.reconnects += 1
        if self._session is not None:
            self._session.close()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            resend = self.sent[self.confirmed - self.base :]
            if self.written > self.safe_bytes:
                if self.rollback is not None and self.rollback(self.safe_bytes):
                    self.written = self.safe_bytes
                    self.counter = duration_counter(self.fmt, seconds=self.safe_seconds, size=self.safe_bytes)
                    n, nn = self.safe_align
                    for a, k in ((self.alignment, n), (self.normalized, nn)):
                        del a.characters[k:], a.starts[k:], a.ends[k:]
                else:
                    self.say("eleven: warning: part of a generation may be heard twice after reconnecting")
            self.pending_end = self.confirmed
        self.say(f"eleven: connection lost ({why}); reconnecting and resending {len(resend)} characters "
                 f"(attempt {self.stats.reconnects} of {self.retries})")
        time.sleep(min(2.0, 0.2 * 2 ** (self.stats.reconnects - 1)))
        self._open()
        if resend.strip():
            assert self._session is not None
            self._session.send_text(resend)

    def _send(self, text: str, flush: bool) -> None:
        while True:
            self._check()
            if self._dropped:
                self._recover(self._dropped)
                continue
            try:
                assert self._session is not None
                if self.stats.first_send_at is None:
                    self.stats.first_send_at = time.monotonic()
                self._session.send_text(text, flush)
            except Dropped as exc:
                self._recover(str(exc))
                continue
            if text.strip() or text == " ":
                with self._lock:
                    self.sent += text
            return

    def run(self, pieces: Iterable[tuple[str, bool] | None], keepalive_text: str = " ") -> None:
        """Send every piece as it comes (None = keep-alive), then close and wait for the last audio."""
        self._open()
        try:
            for item in pieces:
                if item is None:
                    self._send(keepalive_text, False)
                    continue
                text, flush = item
                if not text:
                    continue
                self.stats.pieces += 1
                self.stats.sent_chars += len(text)
                self._send(text, flush)
            while True:
                self._check()
                try:
                    assert self._session is not None
                    if not self._dropped:
                        self._session.end_input()
                except Dropped as exc:
                    self._dropped = str(exc)
                while self._thread is not None and self._thread.is_alive():
                    self._thread.join(0.1)
                self._check()
                if self._done.is_set():
                    return
                self._recover(self._dropped or "closed early")
        finally:
            if self._session is not None:
                self._session.close()


def speak_live(client: Client, opts: WsOptions, pieces: Iterable[tuple[str, bool] | None], outputs: list[Output],
               *, token: bool = False, timeout: float = 30.0, say: Callable[[str], None] = print,
               keep_alignment: bool = False) -> Live:
    """Speak `pieces` (text, flush) as they come over the stream-input socket into `outputs`,
    reconnecting and resending on a drop; finishes the outputs, or aborts them on any failure."""
    from eleven_cli.events import Audio
    from eleven_cli.outputs import FileOutput, PlayOutput, feeding

    def connect() -> Session:
        tok = client.single_use_token() if token else None
        return Session(client.base_url, client.api_key, opts, token=tok, timeout=timeout,
                       ca_bundle=client.ca_bundle, trace=client.trace)

    def write(data: bytes) -> None:
        for output in outputs:
            output.handle(Audio(data, 0))

    file_out = next((o for o in outputs if isinstance(o, FileOutput)), None)
    playing = any(isinstance(o, PlayOutput) for o in outputs)

    def rollback(size: int) -> bool:
        return not playing and (file_out is None or file_out.truncate(size))

    retries = client.http.retries
    live = Live(connect, opts, write, rollback, retries=max(1, retries), say=say, keep_alignment=keep_alignment)
    with feeding(outputs):
        live.run(pieces)
    return live
