"""Independent contexts, the dialogue socket, faults on the sockets, the faults list, --tls."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from conftest import DEMO_KEY, Mock, decode_duration

GEORGE, BELLA = "JBFqnCBsd6RMkjVDRZzb", "hpp4J3VqNfWAUOO0d1Us"
H = {"xi-api-key": DEMO_KEY}


def _ws(mock: Mock, path: str) -> Any:
    return connect(mock.url.replace("http", "ws", 1) + path, additional_headers=H)


def _until_closed(ws: Any) -> tuple[list[dict[str, Any]], int | None]:
    got = []
    try:
        while True:
            got.append(json.loads(ws.recv(timeout=30)))
    except (ConnectionClosedError, Exception):
        pass
    return got, ws.close_code


def test_a_new_context_does_not_wait_for_a_long_one(fresh_mock) -> None:
    """At real-time pace a short context opened after a long one finishes first: contexts are
    independent, and the long one's close is read while it still speaks."""
    m = fresh_mock("--rtf", "1")
    with _ws(m, f"/v1/text-to-speech/{GEORGE}/multi-stream-input?output_format=pcm_16000") as ws:
        ws.send(json.dumps({"text": " ", "context_id": "long"}))
        ws.send(json.dumps({"text": "A long reply that takes many seconds to say aloud. " * 3, "context_id": "long",
                            "flush": True}))
        ws.send(json.dumps({"text": " ", "context_id": "short"}))
        ws.send(json.dumps({"text": "Short.", "context_id": "short", "flush": True}))
        ws.send(json.dumps({"context_id": "short", "close_context": True}))
        finals = []
        while "short" not in finals:
            msg = json.loads(ws.recv(timeout=30))
            if msg.get("isFinal"):
                finals.append(msg["contextId"])
        assert finals == ["short"]  # the long context is still speaking
        ws.send(json.dumps({"context_id": "long", "close_context": True}))
        after = []
        while True:
            msg = json.loads(ws.recv(timeout=30))
            after.append(msg)
            if msg.get("isFinal"):
                break
        assert msg["contextId"] == "long" and all(x["contextId"] == "long" for x in after)


@pytest.mark.parametrize(("model", "error"), [("eleven_v3", "unsupported_model"), ("nope", "model_not_found")])
def test_models_refused_on_the_tts_socket(mock: Mock, model: str, error: str) -> None:
    with _ws(mock, f"/v1/text-to-speech/{GEORGE}/multi-stream-input?model_id={model}") as ws:
        ws.send(json.dumps({"text": " "}))
        got, code = _until_closed(ws)
    assert code == 1008 and got[-1]["error"] == error


def test_the_context_limit_per_socket(mock: Mock) -> None:
    with _ws(mock, f"/v1/text-to-speech/{GEORGE}/multi-stream-input") as ws:
        for i in range(6):
            ws.send(json.dumps({"text": " ", "context_id": f"c{i}"}))
        got, code = _until_closed(ws)
    assert code == 1008 and got[-1]["error"] == "max_active_conversations" and "(5)" in got[-1]["message"]


def test_dialogue_over_a_socket(mock: Mock) -> None:
    """Two voices in one context, a flush acknowledged after its audio, close_context, snake_case."""
    with _ws(mock, "/v1/text-to-dialogue/multi-stream-input?model_id=eleven_v3&output_format=mp3_44100_128"
             "&sync_alignment=true") as ws:
        ws.send(json.dumps({"context_id": "d", "voices": [GEORGE, BELLA], "voice_settings": {"stability": 0.5}}))
        ws.send(json.dumps({"context_id": "d", "inputs": [{"text": "Hello Bella. ", "voice_id": GEORGE},
                                                          {"text": "Hello George. ", "voice_id": BELLA}]}))
        ws.send(json.dumps({"context_id": "d", "flush": True}))
        ws.send(json.dumps({"context_id": "d", "keep_alive": True}))
        ws.send(json.dumps({"context_id": "d", "close_context": True}))
        msgs = []
        while not (msgs and msgs[-1].get("is_final")):
            msgs.append(json.loads(ws.recv(timeout=30)))
    audio = b"".join(base64.b64decode(m["audio"]) for m in msgs if m.get("audio"))
    chars = "".join("".join(m["alignment"]["chars"]) for m in msgs if m.get("alignment"))
    acks = [i for i, m in enumerate(msgs) if m.get("is_final_audio_for_turn")]
    assert chars == "Hello Bella. Hello George. " and decode_duration(audio) > 1.5
    assert len(acks) == 1 and all(m.get("audio") for m in msgs[: acks[0]]) and len(msgs) == acks[0] + 2
    assert all(m["context_id"] == "d" for m in msgs)
    first = next(m for m in msgs if m.get("alignment"))["alignment"]
    assert set(first) == {"chars", "char_start_times_ms", "char_durations_ms"}


@pytest.mark.parametrize(("query", "script", "error"), [
    ("model_id=eleven_multilingual_v2", [{"context_id": "d", "voices": [GEORGE]}], "model_cannot_do_dialogue"),
    ("", [{"context_id": "d", "keep_alive": True}], "invalid_request"),  # an unregistered context
    ("", [{"context_id": "d", "voices": ["nope"]}], "voice_not_found"),
    ("", [{"context_id": "d", "voices": [GEORGE]}, {"context_id": "d", "inputs": [{"text": "x", "voice_id": BELLA}]}],
     "invalid_request"),  # a voice not registered for the context
])
def test_dialogue_socket_rules(mock: Mock, query: str, script: list, error: str) -> None:
    with _ws(mock, "/v1/text-to-dialogue/multi-stream-input?" + query) as ws:
        for m in script:
            ws.send(json.dumps(m))
        got, code = _until_closed(ws)
    assert code == 1008 and got[-1]["error"] == error


def test_socket_faults(mock: Mock) -> None:
    path = f"/v1/text-to-speech/{GEORGE}/stream-input?output_format=mp3_44100_128"
    text = "A sentence long enough for a few chunks of audio to go out, and then some more. "
    script = [{"text": " "}, {"text": text, "flush": True}, {"text": ""}]
    outcomes = {}
    for spec in ("drop@9000:/stream-input", "busy:/stream-input", "quota@9000:/stream-input"):
        mock.fault(spec)
        with _ws(mock, path) as ws:
            for m in script:
                ws.send(json.dumps(m))
            got, code = _until_closed(ws)
        audio = sum(len(base64.b64decode(m["audio"])) for m in got if m.get("audio"))
        outcomes[spec.split(":")[0]] = (code, got[-1].get("error") if got else None, audio)
    mock.fault()
    assert outcomes["drop@9000"][0] == 1006 and 0 < outcomes["drop@9000"][2] <= 9000
    assert outcomes["busy"] == (1008, "system_busy", 0)
    assert outcomes["quota@9000"][:2] == (1008, "quota_exceeded") and 0 < outcomes["quota@9000"][2] <= 9000


def test_http_429_and_quota_bodies_and_the_faults_list(mock: Mock) -> None:
    mock.fault("429:/v1/models", "busy:/v1/models", "quota:/v1/models")
    rs = [httpx.get(mock.url + "/v1/models", headers=H) for _ in range(3)]
    assert [(r.status_code, r.json()["detail"]["status"]) for r in rs] == [
        (429, "too_many_concurrent_requests"), (429, "system_busy"), (401, "quota_exceeded")]
    assert rs[0].headers["maximum-concurrent-requests"] == "10"
    faults = mock.url + "/__mock__/faults"
    httpx.post(faults, json={"faults": ["500x*:/v1/models"]})
    assert httpx.post(faults, json={"faults": ["503x*"], "append": True}).json()["faults"][1]["kind"] == "503"
    assert httpx.post(faults, json={"faults": []}).json() == {"faults": []}
    assert httpx.get(mock.url + "/v1/models", headers=H).status_code == 200
    assert httpx.post(faults, json={"faults": ["nonsense"]}).status_code == 400


@pytest.mark.skipif(not shutil.which("eleven-mock", path=str(Path(sys.executable).parent)), reason="not installed")
def test_tls_serves_https_and_wss_with_a_throwaway_ca(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).parent / "eleven-mock")
    proc = subprocess.Popen([exe, "--port", "0", "--tls"], stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        assert proc.stderr is not None
        while not any("SSL_CERT_FILE=" in x for x in lines):
            lines.append(proc.stderr.readline())
        url = re.search(r"listening on (\S+)", "".join(lines)).group(1)  # type: ignore[union-attr]
        ca = re.search(r"SSL_CERT_FILE=(\S+)", "".join(lines)).group(1)  # type: ignore[union-attr]
        assert url.startswith("https://") and Path(ca).exists()
        import ssl

        assert httpx.get(url + "/v1/models", headers=H, verify=ssl.create_default_context(cafile=ca)).status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(url + "/v1/models", headers=H)  # not trusted without the CA
        env = {**os.environ, "SSL_CERT_FILE": ca}
        code = ("from elevenlabs.client import ElevenLabs; import sys\n"
                f"c = ElevenLabs(api_key='{DEMO_KEY}', base_url='{url}')\n"
                f"audio = b''.join(c.text_to_speech.convert_realtime(voice_id='{GEORGE}', "
                "text=iter(['Over a secure socket. ', 'In two pieces.']), output_format='mp3_44100_128'))\n"
                "sys.stdout.buffer.write(audio)")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
        assert run.returncode == 0, run.stderr.decode()[-2000:]
        assert decode_duration(run.stdout) > 1.5
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_fault_language_is_told_alike_by_both_commands() -> None:
    from eleven_cli.cli import mock_cmd
    from eleven_mock import __main__ as mock_main

    assert mock_cmd.FAULT_HELP == mock_main.FAULT_HELP


def test_eleven_mock_tls_prints_the_ca_that_eleven_then_trusts(tmp_path: Path) -> None:
    import time

    eleven = str(Path(sys.executable).parent / "eleven")
    proc = subprocess.Popen([eleven, "mock", "--tls", "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("SSL_CERT_FILE=" in x for x in lines):
            lines.append(proc.stderr.readline())  # type: ignore[union-attr]
        said = "".join(lines)
        url = re.search(r"listening on (https://\S+)", said)
        ca = re.search(r"SSL_CERT_FILE=(\S+)", said)
        assert url and ca, said
        env = {**os.environ, "ELEVENLABS_BASE_URL": url.group(1), "ELEVENLABS_API_KEY": "sk_mock_demo_key",
               "SSL_CERT_FILE": ca.group(1), "XDG_CACHE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
        r = subprocess.run([eleven, "models", "--json"], capture_output=True, env=env, timeout=60)
        assert r.returncode == 0 and b"eleven_multilingual_v2" in r.stdout, r.stderr
        untrusted = subprocess.run([eleven, "models", "--json"], capture_output=True, timeout=60,
                                   env={**env, "SSL_CERT_FILE": "", "XDG_CACHE_HOME": str(tmp_path / "b")})
        assert untrusted.returncode == 6 and b"TLS" in untrusted.stderr, untrusted.stderr
    finally:
        proc.terminate()
        proc.wait(5)
