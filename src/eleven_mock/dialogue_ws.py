"""/v1/text-to-dialogue/multi-stream-input: a dialogue spoken over a multi-context socket.

The protocol as LiveKit's and Pipecat's ElevenLabs plugins speak it (their sources are the contract):
- the query names the model (an Eleven v3 model; default eleven_v3), output_format, sync_alignment,
  language_code, seed; no voice is in the URL;
- a context opens with `{"context_id": C, "voices": [ids], "voice_settings": {"stability": x}}` (the
  voices it may speak in, at most 10); any other first message for a context is refused (1008);
- `{"context_id": C, "inputs": [{"text", "voice_id", "new_turn"}]}` adds text; inputs are joined
  verbatim; the server starts generating on its own once about 40 characters and 8 words are waiting;
- `{"context_id": C, "flush": true}` (also as a key beside inputs) generates what waits and, after its
  audio, acknowledges it with `{"context_id": C, "is_final_audio_for_turn": true}`;
- `{"context_id": C, "keep_alive": true}` resets the context's inactivity timer;
- `{"context_id": C, "close_context": true}` generates whatever the context still holds, streams that
  audio and ends with `{"context_id": C, "is_final": true}` (as the pinned Pipecat documents and
  LiveKit, which closes right after its last flush, relies on); nothing follows; a new context never
  waits for a closed one;
- `{"close_socket": true}` ends every context and closes the socket (1000);
- replies are snake_case: `context_id`, `audio`, `alignment` / `normalized_alignment` with `chars`,
  `char_start_times_ms`, `char_durations_ms`, times restarting at 0 in every message.
The dialogue endpoints' rules hold: the Eleven v3 family only, at most 10 voices, known voices, the
model's languages, the account's quota and concurrency, at most 5 contexts on one socket.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.websockets import WebSocket

from eleven_mock import data
from eleven_mock.dialogue import MAX_VOICES
from eleven_mock.multi import MAX_CONTEXTS, too_many_contexts
from eleven_mock.speech import voicing_for
from eleven_mock.state import MockState
from eleven_mock.ws import Closed, ContextSession, Stream, check_timeout, serve_socket

AUTO_CHARACTERS = 40
AUTO_WORDS = 8


def _snake(alignment: dict[str, Any] | None) -> dict[str, Any] | None:
    if alignment is None:
        return None
    return {"chars": alignment["chars"], "char_start_times_ms": alignment["charStartTimesMs"],
            "char_durations_ms": alignment["charDurationsMs"]}


class DialogueStream(Stream):
    """One dialogue context: text waits per voice; batches of (voice, text) turns are spoken in order."""

    def __init__(self, conn: DialogueSession, init: dict[str, Any], cid: str, voices: list[str]) -> None:
        super().__init__(conn, init, {"context_id": cid}, voice=data.VOICE_BY_ID[voices[0]])
        self.cid = cid
        self.voices = voices
        self.waiting: list[tuple[str, str]] = []  # (voice_id, text) not yet cut into a batch

    def add(self, voice_id: str, text: str) -> None:
        if self.waiting and self.waiting[-1][0] == voice_id:
            self.waiting[-1] = (voice_id, self.waiting[-1][1] + text)
        else:
            self.waiting.append((voice_id, text))
        joined = "".join(t for _, t in self.waiting)
        if len(joined) >= AUTO_CHARACTERS and len(joined.split()) >= AUTO_WORDS:
            self.cut(acknowledge=False)

    def cut(self, acknowledge: bool) -> None:
        """What waits becomes one batch; a flush's batch is acknowledged after its audio."""
        batch = [(v, t) for v, t in self.waiting if t.strip()]
        self.waiting = []
        if batch or acknowledge:
            self.queue.append((batch, acknowledge))
            self.generations += bool(batch)
            self._wake.set()

    def close(self) -> None:
        """close_context: what the context still holds is spoken, then its is_final."""
        self.cut(acknowledge=False)
        self.end(speak_rest=False)

    async def speak_item(self, item: Any) -> None:
        batch, acknowledge = item
        settings = {"voice_settings": self.settings, "language_code": self.conn.query.get("language_code")}
        for voice_id, text in batch:
            await self.generate(text, voicing_for(data.VOICE_BY_ID[voice_id], settings, self.conn.model))
        if acknowledge:
            await self.conn.send({"context_id": self.cid, "is_final_audio_for_turn": True})

    def shape(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"audio": message["audio"], "context_id": self.cid, "alignment": _snake(message.get("alignment")),
                "normalized_alignment": _snake(message.get("normalizedAlignment"))}


class DialogueSession(ContextSession):
    """One text-to-dialogue socket."""

    def __init__(self, state: MockState, ws: WebSocket, entry: dict[str, Any]) -> None:
        super().__init__(state, ws, entry)
        self.sync = True if self.query.get("sync_alignment") is None else self.sync
        self.contexts: dict[str, DialogueStream] = {}
        self.last_seen: dict[str, float] = {}

    def check_query(self) -> None:
        from eleven_cli.formats import FORMATS

        q = self.query
        self.fmt_name = q.get("output_format", "mp3_44100_128")
        if self.fmt_name not in FORMATS or not FORMATS[self.fmt_name].streamable:
            raise Closed("invalid_output_format", f"Invalid output format {self.fmt_name!r}.")
        model_id = q.get("model_id") or "eleven_v3"
        model = data.MODEL_BY_ID.get(model_id)
        if model is None or not model["can_do_text_to_speech"]:
            raise Closed("model_not_found", f"A model with model ID {model_id} does not exist.")
        if not model_id.startswith("eleven_v3"):
            raise Closed("model_cannot_do_dialogue", f"Model {model_id} cannot perform a dialogue; use eleven_v3.")
        lang = q.get("language_code")
        if lang and lang not in {x["language_id"] for x in model["languages"]}:
            raise Closed("unsupported_language", f"Model {model_id} does not support language_code {lang!r}.")
        seed = q.get("seed")
        if seed is not None and not (seed.isdigit() and int(seed) <= 4294967295):
            raise Closed("invalid_request", "seed must be an integer between 0 and 4294967295.")
        self.model = model
        self.voice = data.VOICES[0]
        self.timeout = check_timeout(q.get("inactivity_timeout"))

    def handle(self, msg: dict[str, Any]) -> bool:
        if msg.get("close_socket") is True:
            for stream in self.contexts.values():
                stream.cut(acknowledge=False)
                stream.end(speak_rest=False)
            self.contexts.clear()
            return True
        cid = msg.get("context_id")
        if not isinstance(cid, str) or not cid:
            raise Closed("invalid_request", "Every message needs a context_id (a non-empty string).")
        known = self.contexts.get(cid)
        if "voices" in msg:
            if known is not None:
                raise Closed("invalid_request", f"Context {cid!r} is already registered; voices, voice_settings "
                             "and pronunciation dictionaries go in a context's first message only.")
            stream = self.register(cid, msg)
        elif known is not None:
            stream = known
        else:
            raise Closed("invalid_request", f"Context {cid!r} is not registered: open it with "
                         '{"context_id": ..., "voices": [...]} first.')
        self.last_seen[cid] = time.monotonic()
        if msg.get("close_context") is True:
            self.contexts.pop(cid)
            self.last_seen.pop(cid, None)
            stream.close()
            return False
        inputs = msg.get("inputs")
        if inputs is not None:
            if not isinstance(inputs, list) or not all(
                    isinstance(x, dict) and isinstance(x.get("text"), str) and isinstance(x.get("voice_id"), str)
                    for x in inputs):
                raise Closed("invalid_request", 'inputs must be a list of {"text": ..., "voice_id": ...}.')
            for item in inputs:
                if item["voice_id"] not in stream.voices:
                    raise Closed("invalid_request", f"Voice {item['voice_id']} is not registered for context "
                                 f"{cid!r}: list it in the context's voices.")
                stream.add(item["voice_id"], item["text"])
        if msg.get("flush") is True:
            stream.cut(acknowledge=True)
        return False

    def register(self, cid: str, msg: dict[str, Any]) -> DialogueStream:
        voices = msg["voices"]
        if not isinstance(voices, list) or not voices or not all(isinstance(v, str) for v in voices):
            raise Closed("invalid_request", "voices must be a non-empty list of voice ids.")
        if len(set(voices)) > MAX_VOICES:
            raise Closed("invalid_request", f"A dialogue can use at most {MAX_VOICES} unique voice IDs.")
        for v in voices:
            if v not in data.VOICE_BY_ID:
                raise Closed("voice_not_found", f"A voice with the voice_id {v} was not found.")
        if len(self.contexts) >= MAX_CONTEXTS:
            raise too_many_contexts()
        stream = self.contexts[cid] = DialogueStream(self, msg, cid, voices)

        async def final() -> None:
            await self.send({"context_id": cid, "is_final": True})

        stream.on_end = final
        self.spawn(stream)
        return stream

    def expire(self) -> None:
        """A context idle for the inactivity timeout is finalised (what waits is dropped)."""
        now = time.monotonic()
        for cid in [c for c, seen in self.last_seen.items() if now - seen > self.timeout]:
            self.last_seen.pop(cid)
            self.contexts.pop(cid).end(speak_rest=False)


async def dialogue_stream_input(state: MockState, ws: WebSocket) -> None:
    """Serve one text-to-dialogue multi-stream-input connection."""
    await serve_socket(state, ws, DialogueSession)
