"""multi-stream-input, replayed the way LiveKit's and Pipecat's ElevenLabs plugins speak it
(their message sequences as of their current sources), plus the protocol's rules."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from typing import Any

import pytest
from websockets.sync.client import connect

from conftest import DEMO_KEY, Mock, decode_duration

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def _url(mock: Mock, query: str) -> str:
    return mock.url.replace("http", "ws", 1) + f"/v1/text-to-speech/{GEORGE}/multi-stream-input?{query}"


def _replay(mock: Mock, query: str, script: list[dict[str, Any]], until_final: set[str],
            headers: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], Any]:
    """Send the script, then read until every context in `until_final` had its isFinal."""
    got: list[dict[str, Any]] = []
    with connect(_url(mock, query), additional_headers={"xi-api-key": DEMO_KEY} if headers is None
                 else headers) as ws:
        for message in script:
            ws.send(json.dumps(message))
        finals: set[str] = set()
        while finals != until_final:
            msg = json.loads(ws.recv(timeout=30))
            got.append(msg)
            if msg.get("isFinal"):
                finals.add(msg["contextId"])
        return got, ws.close_code


def _per_context(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"audio": b"", "chars": "", "final": False})
    for m in messages:
        ctx = out[m["contextId"]]
        assert not ctx["final"], "nothing may follow a context's isFinal"
        if m.get("audio"):
            ctx["audio"] += base64.b64decode(m["audio"])
        if m.get("alignment"):
            ctx["chars"] += "".join(m["alignment"]["chars"])
        if m.get("isFinal"):
            ctx["final"] = True
    return out


def test_livekit_sequence(mock: Mock) -> None:
    """livekit-plugins-elevenlabs: one context per turn, init with voice settings, a flushed packet per
    sentence (auto_mode), an empty flushed packet, then close_context; the next turn may overlap."""
    query = ("model_id=eleven_flash_v2_5&output_format=mp3_22050_32&enable_ssml_parsing=false"
             "&enable_logging=true&inactivity_timeout=180&apply_text_normalization=auto&sync_alignment=true"
             "&auto_mode=true")
    settings = {"stability": 0.71, "similarity_boost": 0.5, "style": 0.0, "use_speaker_boost": True, "speed": 1.0}
    script = [
        {"text": " ", "voice_settings": settings, "context_id": "lk_turn1"},
        {"text": "Hello there, this is the first turn. ", "context_id": "lk_turn1", "flush": True},
        {"text": "It has two sentences. ", "context_id": "lk_turn1", "flush": True},
        {"text": " ", "voice_settings": settings, "context_id": "lk_turn2"},
        {"text": "", "context_id": "lk_turn1", "flush": True},
        {"context_id": "lk_turn1", "close_context": True},
        {"text": "And a second turn follows. ", "context_id": "lk_turn2", "flush": True},
        {"text": "", "context_id": "lk_turn2", "flush": True},
        {"context_id": "lk_turn2", "close_context": True},
    ]
    messages, _ = _replay(mock, query, script, {"lk_turn1", "lk_turn2"})
    contexts = _per_context(messages)
    assert set(contexts) == {"lk_turn1", "lk_turn2"}
    assert contexts["lk_turn1"]["chars"] == "Hello there, this is the first turn. It has two sentences. "
    assert contexts["lk_turn2"]["chars"] == "And a second turn follows. "
    for ctx in contexts.values():
        assert ctx["final"] and decode_duration(ctx["audio"]) > 1.0


def test_pipecat_sequence(mock: Mock) -> None:
    """pipecat's ElevenLabsTTSService: a context-less keep-alive, a context init, text, a flush without
    text, a context keep-alive, close_context; an interruption opens a new context and closes the old."""
    query = ("model_id=eleven_turbo_v2_5&output_format=pcm_24000&auto_mode=true&enable_ssml_parsing=false"
             "&enable_logging=true&apply_text_normalization=auto")
    script = [
        {"text": ""},
        {"text": " ", "context_id": "pc-1", "voice_settings": {"stability": 0.5, "similarity_boost": 0.75}},
        {"text": "Pipecat speaks this sentence. ", "context_id": "pc-1"},
        {"context_id": "pc-1", "flush": True},
        {"text": "", "context_id": "pc-1"},
        {"text": " ", "context_id": "pc-2", "voice_settings": {"stability": 0.5, "similarity_boost": 0.75}},
        {"context_id": "pc-1", "close_context": True},
        {"text": "After the interruption. ", "context_id": "pc-2"},
        {"context_id": "pc-2", "flush": True},
        {"context_id": "pc-2", "close_context": True},
    ]
    messages, _ = _replay(mock, query, script, {"pc-1", "pc-2"})
    contexts = _per_context(messages)
    # auto_mode speaks each sentence as it ends; the space left after it is never spoken
    assert contexts["pc-1"]["chars"].strip() == "Pipecat speaks this sentence."
    assert contexts["pc-2"]["chars"].strip() == "After the interruption."
    for ctx in contexts.values():
        assert ctx["final"] and len(ctx["audio"]) / 2 / 24000 > 0.8
    assert all("contextId" in m for m in messages)


def test_close_socket_finishes_every_context_then_closes(mock: Mock) -> None:
    script = [
        {"text": " ", "context_id": "a"}, {"text": "First context. ", "context_id": "a"},
        {"text": " ", "context_id": "b"}, {"text": "Second context. ", "context_id": "b"},
        {"close_socket": True},
    ]
    with connect(_url(mock, "output_format=mp3_44100_128"), additional_headers={"xi-api-key": DEMO_KEY}) as ws:
        for m in script:
            ws.send(json.dumps(m))
        messages = [json.loads(raw) for raw in ws]
        assert ws.close_code == 1000
    contexts = _per_context(messages)
    assert contexts["a"]["chars"] == "First context. " and contexts["b"]["chars"] == "Second context. "
    assert contexts["a"]["final"] and contexts["b"]["final"]


def test_default_context_and_unflushed_text_on_close(mock: Mock) -> None:
    script = [{"text": " "}, {"text": "Spoken, because it is flushed. ", "flush": True},
              {"text": "Never flushed, so never spoken. "}, {"close_context": True}]
    messages, _ = _replay(mock, "output_format=pcm_16000", script, {"default"})
    contexts = _per_context(messages)
    assert list(contexts) == ["default"] and contexts["default"]["chars"] == "Spoken, because it is flushed. "


@pytest.mark.parametrize(("query", "headers", "script", "error"), [
    ("output_format=mp3_44100_128", {}, [{"text": " "}], "invalid_api_key"),
    ("output_format=mp3_44100_128", {"xi-api-key": "sk_wrong"}, [{"text": " "}], "invalid_api_key"),
    ("output_format=wav_44100", None, [{"text": " "}], "invalid_output_format"),
    ("output_format=mp3_44100_128", None, [{"text": " ", "voice_settings": {"stability": 3}}], "invalid_request"),
    ("output_format=mp3_44100_128", None, [{"text": " ", "context_id": "x"},
                                           {"text": "Hi. ", "context_id": "x", "voice_settings": {}}],
     "invalid_request"),
    ("output_format=mp3_44100_128&inactivity_timeout=1", None, [{"text": " ", "context_id": "x"}],
     "input_timeout_exceeded"),
])
def test_errors_close_with_1008_and_say_why(mock: Mock, query: str, headers: dict | None, script: list,
                                            error: str) -> None:
    from websockets.exceptions import ConnectionClosedError

    messages = []
    with connect(_url(mock, query), additional_headers={"xi-api-key": DEMO_KEY} if headers is None
                 else headers) as ws:
        for m in script:
            ws.send(json.dumps(m))
        with pytest.raises(ConnectionClosedError):
            while True:
                messages.append(json.loads(ws.recv(timeout=30)))
        assert ws.close_code == 1008
    assert messages[-1]["error"] == error and messages[-1]["message"]


def test_the_key_may_come_in_the_first_message(mock: Mock) -> None:
    script = [{"text": " ", "context_id": "k", "xi_api_key": DEMO_KEY}, {"text": "Keyed. ", "context_id": "k",
                                                                          "flush": True},
              {"context_id": "k", "close_context": True}]
    messages, _ = _replay(mock, "output_format=mp3_44100_128", script, {"k"}, headers={})
    assert _per_context(messages)["k"]["chars"] == "Keyed. "
    log = [e for e in mock.requests("/multi-stream-input")][-1]
    assert log["key_in"] == "message" and DEMO_KEY not in json.dumps(log)
