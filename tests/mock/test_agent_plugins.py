"""LiveKit's and Pipecat's real ElevenLabs plugins, unmodified, against `eleven mock` with only their
documented base URL and key. They live in a venv of their own (tests/agents/.venv, pinned in
tests/agents/requirements.txt, made by .ci/run) so the product's dependencies stay lean; each scenario
runs a driver (tests/agents/drive_*.py) in that venv and checks what it heard."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_KEY, Mock

AGENTS = Path(__file__).resolve().parents[1] / "agents"
PYTHON = AGENTS / ".venv" / "bin" / "python"
TTFB_MS = 300

pytestmark = pytest.mark.skipif(
    not PYTHON.exists(), reason="the agent plugins' venv is absent: python3 -m venv tests/agents/.venv && "
    "tests/agents/.venv/bin/pip install -r tests/agents/requirements.txt (.ci/run does this)")


@pytest.fixture(scope="module")
def paced(request: pytest.FixtureRequest) -> Any:
    """A mock that takes its time as the service does: a first-byte time and real-time generation."""
    from conftest import start_mock

    m = start_mock("--ttfb", str(TTFB_MS), "--rtf", "1")
    yield m
    m.stop()


def drive(plugin: str, mock: Mock, scenario: str, key: str = DEMO_KEY) -> dict[str, Any]:
    run = subprocess.run([str(PYTHON), str(AGENTS / f"drive_{plugin}.py"), mock.url, key, scenario],
                         capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def lasts_as_its_text(seconds: float, text: str) -> bool:
    """Speech of this text lasts about as long as speaking it takes (espeak at 150-190 words a minute:
    roughly 12-17 characters a second), with room for pauses."""
    return len(text) / 30 <= seconds <= len(text) / 6 + 1


@pytest.mark.parametrize("plugin", ["livekit", "pipecat"])
@pytest.mark.parametrize("scenario", ["http", "pieces", "dialogue"])
def test_synthesis_heard_whole(plugin: str, scenario: str, paced: Mock) -> None:
    """HTTP synthesis, a socket stream written in pieces, and a dialogue over the socket (eleven_v3)."""
    out = drive(plugin, paced, scenario)
    heard = out["results"] if plugin == "livekit" else out["contexts"]
    assert len(heard) == 1 and not out.get("errors"), out
    assert lasts_as_its_text(heard[0]["seconds"], " ".join(out["texts"])), out


@pytest.mark.parametrize("plugin", ["livekit", "pipecat"])
def test_two_streams_on_one_socket(plugin: str, paced: Mock) -> None:
    """LiveKit runs two streams at once on its one socket; Pipecat two replies, each its own context."""
    paced.clear()
    out = drive(plugin, paced, "concurrent")
    heard = out["results"] if plugin == "livekit" else out["contexts"]
    assert len(heard) == 2, out
    for got, text in zip(heard, out["texts"], strict=True):
        assert lasts_as_its_text(got["seconds"], text), out
    sockets = [r for r in paced.requests("stream-input") if r["kind"] == "ws"]
    assert len(sockets) == 1
    if plugin == "livekit":  # at once: each stream's first audio after the first-byte time, not one after the other
        assert all(got["first_audio"] < 2 * TTFB_MS / 1000 + 0.5 for got in heard), out


@pytest.mark.parametrize("plugin", ["livekit", "pipecat"])
def test_barge_in(plugin: str, paced: Mock) -> None:
    """A long reply is interrupted (close_context) and the next starts in a new context on the same socket:
    its first audio comes within the first-byte time and a small margin, and none of it is lost."""
    out = drive(plugin, paced, "barge_in")
    if plugin == "livekit":
        reply = out["results"][0]
        latency = reply["first_audio"]
    else:
        assert not out["errors"] and len(out["contexts"]) == 2, out
        reply = out["contexts"][1]
        latency = reply["first_audio"] - out["marks"]["interrupted"]
    assert TTFB_MS / 1000 - 0.05 <= latency <= TTFB_MS / 1000 + 0.25, out
    assert lasts_as_its_text(reply["seconds"], out["texts"][-1]), out


@pytest.mark.parametrize("plugin", ["livekit", "pipecat"])
def test_wrong_key(plugin: str, mock: Mock) -> None:
    out = drive(plugin, mock, "wrong_key", key="sk_wrong_key")
    if plugin == "livekit":
        assert "401" in out["http"] and "APIStatusError" in out["http"], out
        assert out["socket"] != "no error", out
    else:
        assert out["errors"] and not out["contexts"], out
