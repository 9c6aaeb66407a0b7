"""The text-to-speech WebSockets: text buffered against the chunk schedule, spoken, sent back.

`Connection` holds what both protocols share (the query, authentication, the log, 1008 errors);
`Stream` is one sequence of generations (the whole of a stream-input session, or one context of a
multi-stream-input session); `Session` is the stream-input protocol (eleven_mock.multi the other).
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio.abc import TaskGroup
from starlette.websockets import WebSocket, WebSocketDisconnect

from eleven_cli.audio.codecs import duration_counter
from eleven_cli.formats import FORMATS
from eleven_mock import data
from eleven_mock.dictionaries import locator_failure, spoken
from eleven_mock.encode import Encoder
from eleven_mock.engine import Speech, Voicing
from eleven_mock.faults import DroppedConnection
from eleven_mock.speech import Job, first_chunk, normalize, segments, speak, voicing_for
from eleven_mock.state import Account, MockState
from eleven_mock.validate import ApiFailure

DEFAULT_SCHEDULE = [120, 160, 250, 290]
TRIGGER_MINIMUM = 50
_SENTENCE_END = ".!?。！？"
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Closed(Exception):
    """The session ends with an error message and close code."""

    def __init__(self, error: str, message: str, code: int = 1008) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.code = code


def dictionary_rules(conn: Connection, locators: Any) -> list[dict[str, Any]]:
    """The rules of an initialising message's dictionaries (`"version_id": "latest"` allowed), or the
    service's error for a malformed or unknown locator."""
    if locators is None:
        return []
    if not isinstance(locators, list) or len(locators) > 3 or not all(
            isinstance(x, dict) and isinstance(x.get("pronunciation_dictionary_id"), str) for x in locators):
        raise Closed("invalid_request", "pronunciation_dictionary_locators must be a list of at most 3 objects "
                     "with a pronunciation_dictionary_id.")
    try:
        return conn.state.dictionaries.rules_for(conn.account.key if conn.account else "", locators, True)
    except ApiFailure as exc:
        raise Closed(*locator_failure(exc)) from None


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


class _Timing:
    """One generation's characters (as written and as spoken) with times from its start, handed out
    window by window: each character goes with the message whose audio holds its start."""

    def __init__(self, text: str, speech: Speech) -> None:
        self.sides = [(text, speech.starts, speech.ends), normalize(text, speech.starts, speech.ends)]
        self.next = [0, 0]

    def window(self, w0: float, w1: float, last: bool) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        out: list[dict[str, Any] | None] = []
        for side, (chars, starts, ends) in enumerate(self.sides):
            lo = self.next[side]
            hi = len(chars) if last else next((i for i in range(lo, len(chars)) if starts[i] >= w1), len(chars))
            self.next[side] = hi
            if hi <= lo:
                out.append(None)
                continue
            span = w1 - w0
            rel_s = [min(max(0.0, starts[i] - w0), span) for i in range(lo, hi)]
            rel_e = [min(max(rel_s[k], ends[i] - w0), span) for k, i in enumerate(range(lo, hi))]
            out.append({"chars": list(chars[lo:hi]),
                        "charStartTimesMs": [round(x * 1000) for x in rel_s],
                        "charDurationsMs": [round((e - st) * 1000) for st, e in zip(rel_s, rel_e, strict=True)]})
        return out[0], out[1]


def check_settings(init: dict[str, Any]) -> tuple[dict[str, Any], list[int] | None]:
    """(voice_settings, chunk_length_schedule) of an initialising message, checked as the service does."""
    schedule = (init.get("generation_config") or {}).get("chunk_length_schedule")
    if schedule is not None and (not isinstance(schedule, list) or not schedule or not all(
            isinstance(x, int | float) and 50 <= x <= 500 for x in schedule)):
        raise Closed("invalid_request", "chunk_length_schedule items must be numbers from 50 to 500.")
    settings = init.get("voice_settings") or {}
    if not isinstance(settings, dict):
        raise Closed("invalid_request", "voice_settings must be an object.")
    for name, lo, hi in (("stability", 0, 1), ("similarity_boost", 0, 1), ("style", 0, 1), ("speed", 0.7, 1.2)):
        value = settings.get(name)
        if value is not None and (not isinstance(value, int | float) or not lo <= value <= hi):
            raise Closed("invalid_request", f"voice_settings.{name} must be between {lo} and {hi}.")
    return settings, [int(x) for x in schedule] if schedule is not None else None


class Stream:
    """One sequence of generations with its own buffer, schedule, voice settings and encoder, sending
    finished audio (one continuous file of the format) with its alignment.

    Text is cut into generations as it arrives (`push`); a worker (`run`) speaks them one after the
    other, so reading the socket never waits for a generation. `end` finishes the stream: what is
    queued is spoken, then the container's trailer and `on_end` (an isFinal) follow."""

    def __init__(self, conn: Connection, init: dict[str, Any], extra: dict[str, Any] | None = None,
                 voice: dict[str, Any] | None = None) -> None:
        settings, schedule = check_settings(init)
        self.conn = conn
        self.settings = settings
        self.extra = extra or {}  # e.g. {"contextId": ...} on every message
        self.schedule = schedule or list(DEFAULT_SCHEDULE)
        fmt = FORMATS[conn.fmt_name]
        body = {"voice_settings": settings, "language_code": conn.query.get("language_code")}
        self.job = Job("", voicing_for(voice or conn.voice, body, conn.model), float(settings.get("speed") or 1.0), fmt)
        self.rules = dictionary_rules(conn, init.get("pronunciation_dictionary_locators"))
        self.encoder = Encoder(fmt, page_ms=20)
        self.counter = duration_counter(fmt)
        self.audio_seconds = 0.0  # audio sent so far, as a client counts it from the bytes
        self.buffer = ""
        self.generations = 0  # cuts made (the schedule's position)
        self.queue: list[Any] = []  # what the worker is to speak, in order (text, or the protocol's batch)
        self.ending = False
        self._wake = anyio.Event()
        self.on_end: Callable[[], Awaitable[None]] | None = None

    def next_cut(self, force: bool, trigger: bool) -> int:
        """How much of the buffer to speak now (0 = keep buffering)."""
        text = self.buffer
        if not text.strip():
            return 0
        if force:
            return len(text)
        threshold = self.schedule[min(self.generations, len(self.schedule) - 1)]
        if len(text) >= threshold or (trigger and len(text) >= TRIGGER_MINIMUM):
            cut = max(text.rfind(" "), text.rfind("\n")) + 1
            return cut or len(text)
        if self.conn.auto:
            for i in range(len(text) - 1, -1, -1):
                if text[i] in _SENTENCE_END and (i + 1 == len(text) or text[i + 1].isspace()):
                    return i + 1
        return 0

    def push(self, force: bool = False, trigger: bool = False) -> None:
        """Queue what the buffer holds that is due for speaking; the worker picks it up."""
        while True:
            cut = self.next_cut(force, trigger)
            if not cut:
                break
            text, self.buffer = self.buffer[:cut], self.buffer[cut:]
            self.queue.append(text)
            self.generations += 1
            if force:
                break
        self._wake.set()

    def end(self, speak_rest: bool) -> None:
        """No more text: speak what is queued (and the buffer, with `speak_rest`), then finish."""
        if speak_rest:
            self.push(force=True)
        self.buffer = ""
        self.ending = True
        self._wake.set()

    async def run(self) -> None:
        """The worker: generations in order, then the end of the stream."""
        while True:
            while not self.queue and not self.ending:
                self._wake = anyio.Event()
                await self._wake.wait()
            if not self.queue:
                break
            await self.speak_item(self.queue.pop(0))
        await self.finish()
        if self.on_end is not None:
            await self.on_end()

    async def speak_item(self, item: Any) -> None:
        await self.generate(item)

    async def pace(self, t0: float, audio_time: float) -> None:
        """Wait until the service would have this audio ready."""
        conn = self.conn
        extra = conn.first_audio_delay if not conn.audio_started else 0.0
        delay = t0 + conn.state.ttfb + extra + conn.state.rtf * audio_time - time.monotonic()
        if delay > 0:
            await anyio.sleep(delay)

    async def generate(self, text: str, voicing: Voicing | None = None) -> None:
        conn = self.conn
        assert conn.account is not None
        cost = math.ceil(len(text) * conn.model["token_cost_factor"])
        if not conn.state.charge(conn.account, cost):
            left = conn.account.character_limit - conn.account.character_count
            raise Closed("quota_exceeded", f"This request exceeds your quota of {conn.account.character_limit}. "
                         f"You have {left} credits remaining, while {cost} credits are required for this request.")
        conn.busy += 1
        try:
            await self._generate(text, time.monotonic(), voicing or self.job.voicing)
        finally:
            conn.busy -= 1

    async def _generate(self, text: str, t0: float, voicing: Voicing) -> None:
        conn = self.conn
        text = spoken(text, self.rules)  # billed as sent, said (and aligned) with the dictionaries' aliases
        job = Job(text, voicing, self.job.speed, self.job.fmt)
        speech: Speech = await anyio.to_thread.run_sync(speak, job)
        timing = _Timing(text, speech)
        pieces = list(segments(speech))
        gen_start = self.audio_seconds  # where this generation begins in the stream's audio
        first = True
        pending = b""
        for idx, (_start, end, pcm) in enumerate(pieces):
            await self.pace(t0, end - first_chunk(speech))
            pending += self.encoder.feed(pcm)
            last = idx == len(pieces) - 1
            if last:  # the generation's audio is complete when its last message is sent
                pending += self.encoder.end_segment()
            if not pending and not last:
                continue
            w0 = self.audio_seconds - gen_start
            self.audio_seconds = self.counter.add(pending)
            w1 = self.audio_seconds - gen_start
            message: dict[str, Any] = {"audio": base64.b64encode(pending).decode(), "isFinal": None}
            if conn.sync:  # exactly the characters heard in this message's audio, timed within it
                message["alignment"], message["normalizedAlignment"] = timing.window(w0, w1, last)
            else:  # the whole generation's timing with its first audio
                message["alignment"], message["normalizedAlignment"] = (timing.window(0, 1e9, True) if first
                                                                        else (None, None))
            first = False
            await conn.send_audio(self.shape(message), len(pending))
            pending = b""

    def shape(self, message: dict[str, Any]) -> dict[str, Any]:
        """A reply as this protocol words it (the dialogue socket overrides it)."""
        return {**message, **self.extra}

    async def finish(self) -> None:
        """The end of the input: the container's trailer (Ogg's end-of-stream page) as a last chunk."""
        tail = self.encoder.flush() if self.generations else b""
        if tail:
            self.audio_seconds = self.counter.add(tail)
            await self.conn.send_audio(self.shape({"audio": base64.b64encode(tail).decode(), "isFinal": None,
                                                   "alignment": None, "normalizedAlignment": None}), len(tail))


class Connection:
    """What every text-to-speech socket has: the query checked, one account, a log, the workers of its
    streams (`spawn`), injected faults, and one writer at a time on the socket."""

    def __init__(self, state: MockState, ws: WebSocket, entry: dict[str, Any]) -> None:
        self.state = state
        self.ws = ws
        self.entry = entry
        q = ws.query_params
        self.query = q
        self.voice_id = ws.path_params.get("voice_id", "")
        self.auto = _truthy(q.get("auto_mode"))
        self.sync = _truthy(q.get("sync_alignment"))
        self.account: Account | None = None
        self.sent_bytes = 0
        self.drop_after: int | None = None
        self.close_after: tuple[int, str] | None = None  # (audio bytes, error) of an injected 1008
        self.first_audio_delay = 0.0  # an injected slow first audio (delay@MS), seconds
        self.stall = 0.0  # an injected pause after the first audio (stall@MS), seconds
        self.audio_started = False
        self.busy = 0  # generations under way: the inactivity timer waits for them
        self.failure: BaseException | None = None
        self._tg: TaskGroup | None = None
        self._send_lock = anyio.Lock()

    def check_query(self) -> None:
        """The format, voice, model and timeout the connection asks for, as the service checks them."""
        q = self.query
        self.fmt_name = q.get("output_format", "mp3_44100_128")
        if self.fmt_name not in FORMATS or not FORMATS[self.fmt_name].streamable:
            raise Closed("invalid_output_format", f"Invalid output format {self.fmt_name!r}.")
        voice = data.VOICE_BY_ID.get(self.voice_id)
        if voice is None:
            raise Closed("voice_not_found", f"A voice with the voice_id {self.voice_id} was not found.")
        self.voice = voice
        self.model = self.check_model(q.get("model_id") or "eleven_multilingual_v2")
        self.timeout = check_timeout(q.get("inactivity_timeout"))

    def check_model(self, model_id: str) -> dict[str, Any]:
        model = data.MODEL_BY_ID.get(model_id)
        if model is None or not model["can_do_text_to_speech"]:
            raise Closed("model_not_found", f"A model with model ID {model_id} does not exist.")
        if model_id in data.NO_WEBSOCKET_MODELS:
            # Spec comment: the docs say the text-to-speech sockets are not available for eleven_v3 (the
            # text-to-dialogue socket is); the error code of the refusal is not documented.
            raise Closed("unsupported_model", f"Model {model_id} is not available on this WebSocket; use "
                         "/v1/text-to-dialogue/multi-stream-input or the HTTP endpoints.")
        return model

    def log(self, direction: str, message: Any) -> None:
        self.entry.setdefault("messages", []).append(
            {"dir": direction, "t": round(time.time(), 4), **self.state.redact(message)})

    async def send(self, message: dict[str, Any]) -> None:
        summary = {k: v for k, v in message.items()
                   if k not in ("audio", "alignment", "normalizedAlignment", "normalized_alignment")}
        if message.get("audio"):
            summary["audio_bytes"] = len(base64.b64decode(message["audio"]))
            chars = (message.get("alignment") or {}).get("chars") or []
            summary["text"] = "".join(chars)
        self.log("out", summary)
        async with self._send_lock:
            await self.ws.send_text(json.dumps(message))

    async def send_audio(self, message: dict[str, Any], size: int) -> None:
        if self.drop_after is not None and self.sent_bytes + size > self.drop_after:
            raise DroppedConnection("mock dropped the WebSocket")
        if self.close_after is not None and self.sent_bytes + size > self.close_after[0]:
            raise injected_close(self.close_after[1], self.account)
        self.sent_bytes += size
        await self.send(message)
        if not self.audio_started:
            self.audio_started = True
            if self.stall:
                await anyio.sleep(self.stall)

    def authenticate(self, init: dict[str, Any]) -> Account:
        """The account of the key in the header, the first message, a single-use token or a bearer token."""
        q = self.query
        headers = self.ws.headers
        token = q.get("single_use_token")
        bearer = q.get("authorization") or init.get("authorization") or headers.get("authorization")
        in_message = init.get("xi-api-key") or init.get("xi_api_key")
        if headers.get("xi-api-key"):
            self.entry["key_in"] = "header"
            account = self.state.account(headers["xi-api-key"])
        elif in_message:
            self.entry["key_in"] = "message"
            account = self.state.account(str(in_message))
        elif token:
            self.entry["key_in"] = "single_use_token"
            account = self.state.redeem_token(token)
        elif q.get("xi_api_key") or q.get("xi-api-key"):
            self.entry["key_in"] = "url"
            account = self.state.account(q.get("xi_api_key") or q.get("xi-api-key"))
        elif bearer:
            self.entry["key_in"] = "authorization"
            account = self.state.redeem_token(bearer.removeprefix("Bearer ").strip())
        else:
            raise Closed("invalid_api_key", "No API key: send xi-api-key in a header or the first message.")
        if account is None:
            raise Closed("invalid_api_key", "Invalid API key or single-use token.")
        return account

    def start(self, first: dict[str, Any]) -> None:
        """Authenticate, check the query, take a concurrency slot, arm an injected fault."""
        self.account = self.authenticate(first)
        self.check_query()
        fault = self.state.take_fault(self.ws.url.path, SOCKET_FAULTS)
        if fault is not None:
            self.entry["fault"] = fault.kind + (f"@{fault.arg}" if fault.arg else "")
            if fault.kind == "drop":
                self.drop_after = fault.arg
            elif fault.kind == "delay":
                self.first_audio_delay = fault.arg / 1000
            elif fault.kind == "stall":
                self.stall = fault.arg / 1000
            elif fault.arg:
                self.close_after = (fault.arg, fault.kind)
            else:
                raise injected_close(fault.kind, self.account)
        if not self.state.acquire(self.account):
            raise Closed("too_many_concurrent_requests",
                         f"Too many concurrent requests: this key allows {self.account.max_concurrency}; "
                         "wait for one to finish or upgrade.")

    def spawn(self, stream: Stream) -> None:
        """Run a stream's worker beside the reader; its failure ends the connection."""
        assert self._tg is not None
        self._tg.start_soon(self._guarded, stream.run)

    async def _guarded(self, work: Callable[[], Awaitable[None]]) -> None:
        try:
            await work()
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # Closed, a dropped connection, a client gone
            if self.failure is None:
                self.failure = exc
            assert self._tg is not None
            self._tg.cancel_scope.cancel()

    async def serve(self, reader: Callable[[], Awaitable[None]]) -> None:
        """Read with `reader` while the streams' workers run; then wait for them; raise what failed."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            await self._guarded(reader)
        if self.failure is not None:
            raise self.failure

    async def receive(self, timeout: float) -> dict[str, Any]:
        """The next message; `timeout` seconds without one (while nothing is being generated) closes
        the socket as the service does."""
        while True:
            with anyio.move_on_after(timeout) as scope:
                raw = await self.ws.receive_text()
            if not scope.cancelled_caught:
                break
            if not self.busy:
                raise Closed("input_timeout_exceeded",
                             f"Have not received new text for {timeout:g} seconds; closing the connection. "
                             'Send {"text": " "} to keep the connection alive.')
        try:
            message = json.loads(raw)
        except ValueError:
            raise Closed("invalid_request", "Messages must be JSON objects.") from None
        if not isinstance(message, dict):
            raise Closed("invalid_request", "Messages must be JSON objects.")
        self.log("in", message)
        return message


SOCKET_FAULTS = ("drop", "delay", "stall", "busy", "quota", "timeout", "status")
_CLOSES = {  # injected 1008 closes: (error, message) as the service words them
    "429": ("too_many_concurrent_requests", "Too many concurrent requests (injected by the mock)."),
    "busy": ("system_busy", "Our services are experiencing high levels of traffic and your request could not "
             "be processed (injected by the mock)."),
    "timeout": ("input_timeout_exceeded", "Have not received new text for 20 seconds; closing the connection "
                "(injected by the mock)."),
    "401": ("invalid_api_key", "Invalid API key (injected by the mock)."),
}


def injected_close(kind: str, account: Account | None) -> Closed:
    """The 1008 close an injected fault stands for (a quota, a busy service, a timeout, a status)."""
    if kind == "quota":
        left = account.character_limit - account.character_count if account else 0
        return Closed("quota_exceeded", f"This request exceeds your quota of "
                      f"{account.character_limit if account else 0}. You have {left} credits remaining "
                      "(injected by the mock).")
    error, message = _CLOSES.get(kind, ("internal_error", f"Injected error {kind} (injected by the mock)."))
    return Closed(error, message, 1011 if kind.startswith("5") else 1008)


def check_timeout(value: str | None) -> int:
    """inactivity_timeout: whole seconds from 1 to 180, 20 by default."""
    try:
        timeout = int(value if value is not None else "20")
    except ValueError:
        timeout = -1
    if not 1 <= timeout <= 180:
        raise Closed("invalid_request", "inactivity_timeout must be an integer between 1 and 180.")
    return timeout


class ContextSession(Connection):
    """A socket of contexts (multi-stream-input, the dialogue socket): messages are read and handled one by
    one while each context generates on its own; a subclass says what a message does (`handle`, True when
    the socket is to close) and which idle contexts end (`expire`)."""

    async def run(self) -> None:
        first = await self.receive(20.0)
        self.start(first)
        assert self.account is not None
        try:
            await self.serve(lambda: self.read(first))
            await self.ws.close(1000)
        finally:
            self.state.release(self.account)

    async def read(self, first: dict[str, Any]) -> None:
        message = first
        while not self.handle(message):
            self.expire()
            message = await self.receive(self.timeout)

    def handle(self, msg: dict[str, Any]) -> bool:
        raise NotImplementedError

    def expire(self) -> None:
        raise NotImplementedError


class Session(Connection):
    """stream-input: one stream; the first message initialises it, `{"text": ""}` ends it. The socket is
    read while the stream generates, so a flush or the end of input is acted on as it arrives."""

    async def run(self) -> None:
        first = await self.receive(20.0)
        if not isinstance(first, dict) or first.get("text") != " ":
            raise Closed("invalid_request", 'The first message must initialise the stream with "text": " ".')
        self.start(first)
        assert self.account is not None
        try:
            stream = Stream(self, first)

            async def final() -> None:
                await self.send({"isFinal": True})

            stream.on_end = final

            async def read() -> None:
                self.spawn(stream)
                while True:
                    msg = await self.receive(self.timeout)
                    text = msg.get("text")
                    if not isinstance(text, str):
                        raise Closed("invalid_request", 'Each message needs a "text" string.')
                    if text == "":
                        stream.end(speak_rest=True)
                        return
                    stream.buffer += text
                    stream.push(force=bool(msg.get("flush")), trigger=bool(msg.get("try_trigger_generation")))

            await self.serve(read)
            await self.ws.close(1000)
        finally:
            self.state.release(self.account)


async def serve_socket(state: MockState, ws: WebSocket, kind: type[Connection]) -> None:
    """Accept one connection, run its protocol, and end it as the service does (1008 with a reason)."""
    headers = {k: v for k, v in ws.headers.items()}
    entry = state.record({"kind": "ws", "method": "WS", "path": ws.url.path, "query": dict(ws.query_params),
                          "headers": headers, "status": None, "key_in": None, "messages": []})
    await ws.accept()
    session: Connection | None = None
    try:
        session = kind(state, ws, entry)
        await session.run()  # type: ignore[attr-defined]
        entry["status"] = 1000
    except Closed as exc:
        entry["status"] = exc.code
        entry["error"] = exc.error
        try:
            message = {"message": exc.message, "error": exc.error, "code": exc.code}
            if session is not None:
                await session.send(message)
            else:
                await ws.send_text(json.dumps(message))
            await ws.close(exc.code, reason=exc.error)
        except (WebSocketDisconnect, RuntimeError):
            pass
    except WebSocketDisconnect:
        entry["status"] = "client closed"
    except DroppedConnection:
        entry["status"] = "dropped"
        raise


async def stream_input(state: MockState, ws: WebSocket) -> None:
    """Serve one stream-input WebSocket connection."""
    await serve_socket(state, ws, Session)
