"""Shared fixtures: an isolated config folder, the real mock on a free port, the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# CI explores the same examples on every run (a failure there is reproducible, not a dice roll);
# developers get fresh random examples each time.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

BIN = Path(sys.executable).parent
ELEVEN = str(BIN / "eleven") if (BIN / "eleven").exists() else shutil.which("eleven") or "eleven"
DEMO_KEY = "sk_mock_demo_key"


def _pin_pulseaudio() -> None:
    """Tests move XDG_CONFIG_HOME (where PulseAudio keeps its socket link and cookie): pin both first.
    Clients copy audio over the socket instead of sharing memfd blocks: PulseAudio 16 aborts on an
    imported-block assertion (its issue 824) when many short-lived clients come and go, as here."""
    if not os.environ.get("PULSE_CLIENTCONFIG"):
        import tempfile

        conf = Path(tempfile.gettempdir()) / "eleven-tests-pulse-client.conf"
        conf.write_text("enable-shm = no\nenable-memfd = no\n")
        os.environ["PULSE_CLIENTCONFIG"] = str(conf)
    if os.environ.get("PULSE_SERVER") or not shutil.which("pactl"):
        return
    try:
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return
    m = re.search(r"^Server String: (\S+)", info, re.M)
    if m:
        server = m.group(1)
        os.environ["PULSE_SERVER"] = server if ":" in server else "unix:" + server
        base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "pulse" / "cookie"
        if base.exists():
            os.environ["PULSE_COOKIE"] = str(base)


_pin_pulseaudio()


@dataclass
class Mock:
    """A running `eleven mock` process."""

    proc: subprocess.Popen
    url: str
    key: str = DEMO_KEY
    stderr_lines: list[str] = field(default_factory=list)

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def requests(self, path_part: str = "") -> list[dict[str, Any]]:
        return [r for r in self._call("GET", "/__mock__/requests") if path_part in r["path"]]

    def clear(self) -> None:
        self._call("DELETE", "/__mock__/requests")
        self._call("DELETE", "/__mock__/faults")

    def fault(self, *specs: str) -> None:
        self._call("POST", "/__mock__/faults", {"faults": list(specs)})

    def accounts(self) -> list[dict[str, Any]]:
        return self._call("GET", "/__mock__/accounts")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_mock(*args: str, env: dict[str, str] | None = None, scheme: str = "http") -> Mock:
    proc = subprocess.Popen([ELEVEN, "mock", "--port", "0", *args], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env=env)
    lines: list[str] = []
    deadline = time.monotonic() + 20
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"listening on (\S+)", line)
        if m:
            mock = Mock(proc, m.group(1), stderr_lines=lines)
            # Keep draining stderr so the server never blocks on a full pipe.
            import threading

            def drain() -> None:
                assert proc.stderr is not None
                for extra in proc.stderr:
                    lines.append(extra)

            threading.Thread(target=drain, daemon=True).start()
            return mock
    proc.kill()
    raise RuntimeError("mock did not start: " + "".join(lines))


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config, cache and data folders and no ElevenLabs variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))  # the generation log, and a file keyring's file
    # No test stores a key in the developer's own keyring: tests that want one choose a file keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for var in ("ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL", "ELEVEN_PROFILE", "NO_COLOR", "HTTP_PROXY",
                "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    return home


@pytest.fixture(scope="session")
def mock() -> Iterator[Mock]:
    """One shared mock with the demo key (tests must not leave faults behind)."""
    m = start_mock(env={k: v for k, v in os.environ.items() if k != "ELEVENLABS_API_KEY"})
    yield m
    m.stop()


@pytest.fixture
def fresh_mock(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A factory for mocks with their own flags, stopped after the test."""
    started: list[Mock] = []

    def factory(*args: str) -> Mock:
        m = start_mock(*args)
        started.append(m)
        return m

    yield factory
    for m in started:
        m.stop()


@pytest.fixture
def cli(mock: Mock) -> Any:
    """Run the installed `eleven` against the shared mock; returns CompletedProcess (bytes stdout)."""
    mock.clear()

    def run(*args: str, input: bytes | str | None = None, env: dict[str, str] | None = None,
            timeout: float = 60, base: Mock | None = None, key: str | None = None) -> subprocess.CompletedProcess:
        target = base or mock
        full = dict(os.environ)
        full["ELEVENLABS_BASE_URL"] = target.url
        full["ELEVENLABS_API_KEY"] = key if key is not None else target.key
        if env:
            full.update(env)
        full = {k: v for k, v in full.items() if v is not None}
        data = input.encode() if isinstance(input, str) else input
        return subprocess.run([ELEVEN, *args], input=data, capture_output=True, env=full, timeout=timeout,
                              stdin=None if data is not None else subprocess.DEVNULL)

    return run


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace")


def decode_duration(data: bytes) -> float:
    """Decode any container with PyAV and return its duration in seconds."""
    import io

    import av

    with av.open(io.BytesIO(data)) as box:
        stream = box.streams.audio[0]
        n = sum(f.samples for f in box.decode(stream))
        return n / stream.rate


def decode_pcm(data: bytes, rate: int = 16000) -> bytes:
    import io

    import av

    out = bytearray()
    with av.open(io.BytesIO(data)) as box:
        rs = av.AudioResampler(format="s16", layout="mono", rate=rate)
        for frame in box.decode(audio=0):
            for f in rs.resample(frame):
                out += bytes(f.planes[0])[: f.samples * 2]
        for f in rs.resample(None):  # what the resampler still holds
            out += bytes(f.planes[0])[: f.samples * 2]
    return bytes(out)
