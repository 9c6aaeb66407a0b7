"""multi-stream-input: several independent streams (contexts) on one WebSocket.

The protocol as the service documents it (AsyncAPI, the SDKs' types, the multi-context guide) and as
LiveKit's and Pipecat's ElevenLabs plugins use it:
- a context is created by the first message carrying its `context_id` (no id: the default context),
  which may hold voice_settings, generation_config and pronunciation dictionaries;
- `{"text": "...", "context_id": C}` buffers text; `"flush": true` speaks what is buffered;
  `{"text": "", "context_id": C}` is a keep-alive (not the end, unlike stream-input);
- contexts are independent streams: the socket is read while any of them generates, each generates on
  its own, and the audio of live contexts interleaves;
- `{"context_id": C, "close_context": true}` is acted on as it is read: the context takes no more text,
  text never flushed is dropped, what was flushed is spoken (both plugins close a turn's context right
  after its last flush and expect its audio), then `{"isFinal": true, "contextId": C}`, after which the
  context sends nothing more; a new context never waits for a closed one (a barge-in's reply starts
  after the first-byte time, whatever the abandoned reply still has to say);
- `{"close_socket": true}` ends every context (each with its isFinal) and closes the socket (1000);
- at most 5 contexts are open on one socket (1008 max_active_conversations beyond);
- every reply carries `contextId`; a context left without messages for `inactivity_timeout` seconds
  is closed (its isFinal sent), and a socket with nothing at all for that long (and nothing being
  generated) is closed with 1008.
Where the service's behaviour is not documented (the default context's id on replies), the mock
follows the SDKs' types: the default context answers with contextId "default".
"""

from __future__ import annotations

import time
from typing import Any

from starlette.websockets import WebSocket

from eleven_mock.state import MockState
from eleven_mock.ws import Closed, ContextSession, Stream, serve_socket

DEFAULT_CONTEXT = "default"
MAX_CONTEXTS = 5  # the service's documented limit of concurrent contexts per connection


def too_many_contexts() -> Closed:
    return Closed("max_active_conversations",
                  f"Maximum simultaneous contexts per WebSocket connection exceeded ({MAX_CONTEXTS}). Please close "
                  "an existing context before opening a new one.")


class MultiSession(ContextSession):
    """One multi-context connection: the reader acts on each message as it comes; every context has a
    worker of its own."""

    def __init__(self, state: MockState, ws: WebSocket, entry: dict[str, Any]) -> None:
        super().__init__(state, ws, entry)
        self.contexts: dict[str, Stream] = {}
        self.last_seen: dict[str, float] = {}

    def open_context(self, cid: str, msg: dict[str, Any]) -> Stream:
        if len(self.contexts) >= MAX_CONTEXTS:
            raise too_many_contexts()
        stream = self.contexts[cid] = Stream(self, msg, {"contextId": cid})

        async def final() -> None:
            await self.send({"isFinal": True, "contextId": cid})

        stream.on_end = final
        self.spawn(stream)
        return stream

    def handle(self, msg: dict[str, Any]) -> bool:
        """Act on one client message; True when the socket is to close (once every context is done)."""
        if msg.get("close_socket") is True:
            for cid in list(self.contexts):
                self.close_context(cid, speak_rest=True)
            return True
        raw_id = msg.get("context_id", msg.get("contextId"))
        if raw_id is not None and (not isinstance(raw_id, str) or not raw_id):
            raise Closed("invalid_request", "context_id must be a non-empty string.")
        cid = raw_id or DEFAULT_CONTEXT
        self.last_seen[cid] = time.monotonic()
        if msg.get("close_context") is True:
            self.close_context(cid, speak_rest=False)
            return False
        text = msg.get("text")
        if text is not None and not isinstance(text, str):
            raise Closed("invalid_request", '"text" must be a string.')
        stream = self.contexts.get(cid)
        if stream is None:
            if text == "" and not msg.get("flush"):
                self.last_seen.pop(cid, None)
                return False  # a keep-alive for a context not (or no longer) open
            stream = self.open_context(cid, msg)
            text = "" if text == " " else text  # the initialising space is not spoken
        elif any(key in msg for key in ("voice_settings", "generation_config")):
            raise Closed("invalid_request", f"voice_settings and generation_config can only be sent in the "
                         f"first message of context {cid!r}.")
        if text:
            stream.buffer += text
        stream.push(force=bool(msg.get("flush")))
        return False

    def close_context(self, cid: str, speak_rest: bool) -> None:
        """End a context: on close_context its unflushed text is dropped, on close_socket spoken."""
        stream = self.contexts.pop(cid, None)
        self.last_seen.pop(cid, None)
        if stream is not None:
            stream.end(speak_rest=speak_rest)

    def expire(self) -> None:
        """Contexts without a message for the inactivity timeout are closed."""
        now = time.monotonic()
        for cid in [c for c, seen in self.last_seen.items() if now - seen > self.timeout]:
            self.close_context(cid, speak_rest=False)


async def multi_stream_input(state: MockState, ws: WebSocket) -> None:
    """Serve one multi-stream-input WebSocket connection."""
    await serve_socket(state, ws, MultiSession)
