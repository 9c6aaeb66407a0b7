"""multi-stream-input: several independent streams (contexts) on one WebSocket.

The protocol as the service documents it (AsyncAPI, the SDKs' types) and as LiveKit's and Pipecat's
ElevenLabs plugins use it:
- a context is created by the first message carrying its `context_id` (no id: the default context),
  which may hold voice_settings, generation_config and pronunciation dictionaries;
- `{"text": "...", "context_id": C}` buffers text; `"flush": true` speaks what is buffered;
  `{"text": "", "context_id": C}` is a keep-alive (not the end, unlike stream-input);
- `{"context_id": C, "close_context": true}` ends a context: `{"isFinal": true, "contextId": C}` follows
  its last audio (text never flushed is dropped);
- `{"close_socket": true}` ends every context (each with its isFinal) and closes the socket (1000);
- every reply carries `contextId`; a context left without messages for `inactivity_timeout` seconds
  is closed (its isFinal sent), and a socket with nothing at all for that long is closed with 1008.
Where the service's behaviour is not documented (the default context's id on replies), the mock
follows the SDKs' types: the default context answers with contextId "default".
"""

from __future__ import annotations

import time
from typing import Any

from starlette.websockets import WebSocket

from eleven_mock.state import MockState
from eleven_mock.ws import Closed, Connection, Stream, serve_socket

DEFAULT_CONTEXT = "default"
MAX_CONTEXTS = 5  # the service's documented limit of concurrent contexts per connection


class MultiSession(Connection):
    """One multi-context connection."""

    def __init__(self, state: MockState, ws: WebSocket, entry: dict[str, Any]) -> None:
        super().__init__(state, ws, entry)
        self.contexts: dict[str, Stream] = {}
        self.last_seen: dict[str, float] = {}

    async def run(self) -> None:
        first = await self.receive(20.0)
        self.start(first)
        assert self.account is not None
        try:
            message: dict[str, Any] | None = first
            while True:
                if message is not None and await self.handle(message):
                    await self.ws.close(1000)
                    return
                await self.expire()
                message = await self.receive(self.timeout)
        finally:
            self.state.release(self.account)

    async def handle(self, msg: dict[str, Any]) -> bool:
        """One client message; True when the socket is to close."""
        if msg.get("close_socket") is True:
            for cid in list(self.contexts):
                await self.close_context(cid, speak_rest=True)
            return True
        raw_id = msg.get("context_id", msg.get("contextId"))
        if raw_id is not None and (not isinstance(raw_id, str) or not raw_id):
            raise Closed("invalid_request", "context_id must be a non-empty string.")
        cid = raw_id or DEFAULT_CONTEXT
        self.last_seen[cid] = time.monotonic()
        if msg.get("close_context") is True:
            await self.close_context(cid, speak_rest=False)
            return False
        text = msg.get("text")
        if text is not None and not isinstance(text, str):
            raise Closed("invalid_request", '"text" must be a string.')
        stream = self.contexts.get(cid)
        if stream is None:
            if text == "" and not msg.get("flush"):
                return False  # a keep-alive for a context not (or no longer) open
            if len(self.contexts) >= MAX_CONTEXTS:
                raise Closed("max_active_conversations",
                             f"At most {MAX_CONTEXTS} contexts may be open on one connection.")
            stream = self.contexts[cid] = Stream(self, msg, {"contextId": cid})
            text = "" if text == " " else text  # the initialising space is not spoken
        elif any(key in msg for key in ("voice_settings", "generation_config")):
            raise Closed("invalid_request", f"voice_settings and generation_config can only be sent in the "
                         f"first message of context {cid!r}.")
        if text:
            stream.buffer += text
        await stream.speak_buffer(force=bool(msg.get("flush")))
        return False

    async def close_context(self, cid: str, speak_rest: bool) -> None:
        stream = self.contexts.pop(cid, None)
        self.last_seen.pop(cid, None)
        if stream is None:
            return
        if speak_rest:
            await stream.speak_buffer(force=True)
        await stream.finish()
        await self.send({"isFinal": True, "contextId": cid})

    async def expire(self) -> None:
        """Contexts without a message for the inactivity timeout are closed."""
        now = time.monotonic()
        for cid in [c for c, seen in self.last_seen.items() if now - seen > self.timeout]:
            await self.close_context(cid, speak_rest=False)


async def multi_stream_input(state: MockState, ws: WebSocket) -> None:
    """Serve one multi-stream-input WebSocket connection."""
    await serve_socket(state, ws, MultiSession)
