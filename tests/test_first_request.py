"""A client's first request over a plain socket (api/first.py), against a purpose-built local server that
answers exactly as scripted, and through the real CLI and the mock: bodies framed every way HTTP/1.1
frames them, the request as httpx would send it, every failure named as httpx's are, retries and later
requests through httpx, and what a command has loaded by the time its request has left."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ELEVEN, Mock, err
from eleven_cli.api import first
from eleven_cli.errors import NetworkError


class Scripted:
    """A loopback server that reads one request per connection and answers with the next scripted bytes
    (`None`: accept and never answer). It keeps each request's bytes."""

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + body)
            answer = self.answers.pop(0)
            if answer is None:
                self._held.append(conn)
                continue
            conn.sendall(answer)
            conn.close()

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def scripted() -> Iterator[list[Scripted]]:
    made: list[Scripted] = []
    yield made
    for server in made:
        server.close()


def serve(made: list[Scripted], *answers: bytes | None) -> Scripted:
    server = Scripted(list(answers))
    made.append(server)
    return server


def get(server: Scripted, timeout: float = 5.0, **kw: object) -> first.Response:
    return first.send(server.url, "GET", "/v1/models", params=kw.get("params"),  # type: ignore[arg-type]
                      body=kw.get("body"), headers={"xi-api-key": "sk_test"},  # type: ignore[arg-type]
                      timeout=timeout, connect_timeout=timeout, context=None)


def test_bodies_framed_by_length_chunks_or_the_close(scripted: list[Scripted]) -> None:
    server = serve(scripted,
                   b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Twice: a\r\nx-twice: b\r\n\r\nhello",
                   b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                   b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n",
                   b"HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=latin-1\r\n\r\ncaf\xe9 to the close")
    one = get(server)
    assert one.status_code == 200 and one.read() == b"hello"
    assert one.headers.get("X-TWICE") == "a, b" and "content-length" in one.headers
    chunked = get(server)
    assert chunked.status_code == 200 and "link" not in chunked.headers
    assert b"".join(chunked.iter_bytes()) == b"abcdefg"
    assert get(server).text == "café to the close"


def test_the_request_is_what_httpx_would_send(scripted: list[Scripted]) -> None:
    import httpx

    server = serve(scripted, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    payload = {"text": "Grüße \"quoted\" — ok", "voice_settings": {"speed": 1.1}, "seed": None}
    body = first.json_body(payload)
    assert body == httpx.Request("POST", "http://x", json=payload).content
    response = first.send(server.url + "/prefix/", "POST", "/v1/text-to-speech/abc", params={"output_format": "mp3"},
                          body=body, headers={"xi-api-key": "sk_test", "user-agent": "eleven-cli/test"},
                          timeout=5, connect_timeout=5, context=None)
    assert response.json() == {}
    head, _, sent = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /prefix/v1/text-to-speech/abc?output_format=mp3 HTTP/1.1"
    fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert fields["host"] == server.url.removeprefix("http://")
    assert fields["connection"] == "close" and fields["content-type"] == "application/json"
    assert fields["content-length"] == str(len(body)) and fields["xi-api-key"] == "sk_test"
    assert json.loads(sent) == payload


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly",
    b"HTTP/1.1 200 OK\r\nContent-Le",
])
def test_an_answer_cut_short_is_a_retryable_drop(scripted: list[Scripted], answer: bytes) -> None:
    server = serve(scripted, answer)
    with pytest.raises(NetworkError, match="dropped mid-response") as caught:
        get(server).read()
    assert caught.value.retryable


def test_what_is_not_http_is_named(scripted: list[Scripted]) -> None:
    server = serve(scripted, b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with pytest.raises(NetworkError, match="broke the HTTP protocol"):
        get(server)


def test_refused_and_timed_out_in_httpx_s_words(scripted: list[Scripted]) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(NetworkError, match=f"connection refused by 127.0.0.1:{port}"):
        first.send(f"http://127.0.0.1:{port}", "GET", "/", params=None, body=None, headers={}, timeout=2,
                   connect_timeout=2, context=None)
    silent = serve(scripted, None)
    with pytest.raises(NetworkError, match="timed out waiting for"):
        get(silent, timeout=0.3)


def test_proxies_in_the_environment_leave_it_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    assert first.usable()
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    assert not first.usable()


PROBE = textwrap.dedent("""
    import json, sys
    from eleven_cli import timeline
    seen = {}
    timeline.after("sent", lambda: seen.update(modules=sorted(sys.modules)))
    sys.argv = ["eleven", *json.loads(sys.argv[1])]
    from eleven_cli.cli.entry import run
    try:
        run()
    finally:
        print(json.dumps(seen), file=sys.stderr)
""")

NOT_BEFORE_THE_REQUEST = {"httpx", "httpcore", "h11", "typer", "click", "rich", "sounddevice", "asyncio",
                          "hashlib", "ssl", "importlib.metadata", "sqlite3", "numpy"}


def _loaded_when_sent(mock: Mock, args: list[str], stdin: bytes | None = None) -> set[str]:
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], input=stdin, capture_output=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    seen = json.loads(done.stderr.decode().strip().splitlines()[-1])
    return set(seen["modules"])


@pytest.mark.parametrize("args", [["say", "Nothing extra first.", "-o", "{out}.mp3"],
                                  ["stream", "Nothing extra first.", "-o", "{out}.mp3"],
                                  ["dialogue", "-", "-o", "{out}.mp3"],
                                  ["ws", "-o", "{out}.mp3"],
                                  ["models", "--json"]])
def test_nothing_the_request_does_not_need_is_loaded_before_it_leaves(mock: Mock, tmp_path: Path,
                                                                      args: list[str]) -> None:
    args = [a.format(out=tmp_path / "x") for a in args]
    stdin = b"George: Nothing extra first.\n" if args[0] in ("dialogue", "ws") else None
    loaded = _loaded_when_sent(mock, args, stdin)
    needed = {"ssl", "hashlib"} if args[0] == "ws" else set()  # websockets itself loads them (its proxy support)
    assert not (NOT_BEFORE_THE_REQUEST - needed) & loaded, sorted((NOT_BEFORE_THE_REQUEST - needed) & loaded)


def test_later_requests_and_retries_go_through_httpx(mock: Mock, tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        from eleven_cli.api.http import Client
        c = Client(sys.argv[1], "sk_mock_demo_key", retries=2, backoff=0.01)
        c.models()
        print("httpx" in sys.modules)
        c.models()
        print("httpx" in sys.modules)
    """)
    mock.clear()
    done = subprocess.run([sys.executable, "-c", script, mock.url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
    mock.fault("503x1:/v1/text-to-speech")
    out = tmp_path / "retried.mp3"
    r = subprocess.run([ELEVEN, "say", "Once more.", "-o", str(out)], capture_output=True, timeout=60,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key))
    assert r.returncode == 0, err(r)
    assert "retrying" in err(r) and out.stat().st_size > 1000
    assert len(mock.requests("/v1/text-to-speech")) == 2
    mock.clear()


def test_the_connection_opened_early_carries_the_request(scripted: list[Scripted]) -> None:
    """Client.preconnect() opens the first request's connection while the caller gets ready: the request
    goes on it (this server reads the first connection it accepts, so a second one would never be answered)."""
    from eleven_cli.api.http import Client

    body = b'[{"model_id": "m1", "name": "One"}]'
    server = serve(scripted, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                   + str(len(body)).encode() + b"\r\n\r\n" + body)
    client = Client(server.url, "sk_test", timeout=5, retries=0)
    client.preconnect()
    assert [m.model_id for m in client.models()] == ["m1"]
    assert len(server.requests) == 1
    client.close()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    refused = Client(f"http://127.0.0.1:{port}", "sk_test", timeout=5, retries=0)
    refused.preconnect()
    with pytest.raises(NetworkError, match=f"connection refused by 127.0.0.1:{port}"):
        refused.models()
    refused.close()


def test_a_closed_early_connection_is_not_used(scripted: list[Scripted]) -> None:
    """The server closed the connection opened early (an idle timeout): the request opens its own, with no
    retry and no message."""
    from eleven_cli.api.http import Client

    quiet = socket.socket()
    quiet.bind(("127.0.0.1", 0))
    quiet.listen()
    body = b"[]"
    retries: list[str] = []
    client = Client(f"http://127.0.0.1:{quiet.getsockname()[1]}", "sk_test", timeout=5, retries=2,
                    on_retry=retries.append)
    client.preconnect()
    conn, _ = quiet.accept()
    conn.close()  # the early connection, closed by the server
    threading.Thread(target=lambda: _answer_once(quiet, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + body),
                     daemon=True).start()
    assert client.models() == [] and retries == []
    client.close()
    quiet.close()


def _answer_once(listener: socket.socket, answer: bytes) -> None:
    conn, _ = listener.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    conn.sendall(answer)
    conn.close()


def test_a_post_without_a_body_says_so_and_a_key_that_could_smuggle_a_header_is_refused(
        scripted: list[Scripted], mock: Mock) -> None:
    server = serve(scripted, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    first.send(server.url, "POST", "/v1/single-use-token/tts_websocket", params=None, body=None, headers={},
               timeout=5, connect_timeout=5, context=None).read()
    assert b"\r\nContent-Length: 0\r\n" in server.requests[0]
    secret = "sk_SECRETSECRET\r\nX-Evil: 1"
    r = subprocess.run([ELEVEN, "say", "Hi.", "-o", "/dev/null"], capture_output=True, timeout=60,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=secret))
    assert r.returncode == 2 and "API key has characters" in err(r) and "SECRET" not in err(r)
    assert not [q for q in mock.requests() if "SECRET" in json.dumps(q)]
