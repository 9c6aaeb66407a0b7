"""`eleven ws` and the mock's stream-input WebSocket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import ELEVEN, Mock, decode_duration, err

WRITER = ("import sys, time\n"
          "for w in 'one two three four five six'.split():\n"
          "    print(w, flush=True); print(time.time(), file=sys.stderr, flush=True); time.sleep(0.3)\n")


def _env(m: Mock, key: str | None = None) -> dict[str, str]:
    return dict(os.environ, ELEVENLABS_BASE_URL=m.url, ELEVENLABS_API_KEY=key or m.key)


def test_issue_example_first_audio_before_the_writer_finishes(mock: Mock, tmp_path) -> None:
    mock.clear()
    writer = subprocess.Popen([sys.executable, "-c", WRITER], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r = subprocess.run([ELEVEN, "ws", "-o", str(tmp_path / "out.mp3"), "--json"], stdin=writer.stdout,
                       capture_output=True, env=_env(mock), timeout=60)
    writer.wait()
    last_word_at = float(writer.stderr.read().split()[-1])
    assert r.returncode == 0, err(r)
    assert decode_duration((tmp_path / "out.mp3").read_bytes()) > 1.5
    session = mock.requests("/stream-input")[-1]
    msgs = session["messages"]
    sent = [m for m in msgs if m["dir"] == "in"]
    assert sent[0]["text"] == " " and sent[-1]["text"] == ""
    spoken = "".join(m.get("text", "") for m in msgs if m["dir"] == "out" and "audio_bytes" in m)
    assert spoken.split() == ["one", "two", "three", "four", "five", "six"]
    first_audio = min(m["t"] for m in msgs if m["dir"] == "out" and "audio_bytes" in m)
    assert first_audio < last_word_at
    assert msgs[-1] == {**msgs[-1], "dir": "out", "isFinal": True}


def test_key_travels_in_a_header_never_in_the_url(fresh_mock, tmp_path) -> None:
    sentinel = "sk-sentinel-ws-0123456789"
    m = fresh_mock("--key", sentinel)
    r = subprocess.run([ELEVEN, "ws", "Header auth.", "-o", str(tmp_path / "h.mp3")], capture_output=True,
                       env=_env(m, sentinel), timeout=60)
    assert r.returncode == 0, err(r)
    t = subprocess.run([ELEVEN, "ws", "Token auth.", "--token", "-o", str(tmp_path / "t.mp3")],
                       capture_output=True, env=_env(m, sentinel), timeout=60)
    assert t.returncode == 0, err(t)
    sessions = m.requests("/stream-input")
    assert [s["key_in"] for s in sessions] == ["header", "single_use_token"]
    assert all("xi_api_key" not in s["query"] and "xi-api-key" not in s["query"] for s in sessions)
    assert sentinel not in json.dumps(m.requests()) + err(r) + err(t)


def test_schedule_and_flush_behave_as_documented(fresh_mock) -> None:
    m = fresh_mock()
    text = "word " * 40  # 200 characters
    r = subprocess.run([ELEVEN, "ws", "--schedule", "50,100", "--no-flush-on-newline", "-o", "-"],
                       input=text.encode(), capture_output=True, env=_env(m), timeout=60)
    assert r.returncode == 0, err(r)
    session = m.requests("/stream-input")[-1]
    init = session["messages"][0]
    assert init["generation_config"] == {"chunk_length_schedule": [50, 100]}
    gens = [msg["text"] for msg in session["messages"] if msg["dir"] == "out" and msg.get("text")]
    assert len(gens[0]) >= 50 and "".join(gens) == text
    lines = "first line\nsecond line\n"
    r = subprocess.run([ELEVEN, "ws", "-o", "-"], input=lines.encode(), capture_output=True, env=_env(m),
                       timeout=60)
    flushed = [msg for msg in m.requests("/stream-input")[-1]["messages"] if msg["dir"] == "in" and msg.get("flush")]
    assert flushed


def test_bad_key_is_exit_3(fresh_mock) -> None:
    m = fresh_mock()
    r = subprocess.run([ELEVEN, "ws", "Nope.", "-o", "-"], capture_output=True, env=_env(m, "bad-key"), timeout=30)
    assert r.returncode == 3 and "invalid_api_key" in err(r) and "Traceback" not in err(r)


def test_bad_voice_is_exit_4(fresh_mock) -> None:
    m = fresh_mock()
    r = subprocess.run([ELEVEN, "ws", "Nope.", "-v", "ABCDEFGHIJKLMNOPQRST", "-o", "-"], capture_output=True,
                       env=_env(m), timeout=30)
    assert r.returncode == 4 and "voice_not_found" in err(r)


@pytest.mark.parametrize("sync", [False, True])
def test_drop_mid_session_loses_no_text(fresh_mock, tmp_path, sync: bool) -> None:
    m = fresh_mock("--fault", "drop@9000:/stream-input")
    text = "\n".join(f"Line number {n} has a few words in it." for n in range(1, 9)) + "\n"
    args = ["ws", "-o", str(tmp_path / "d.pcm"), "--format", "pcm_16000"] + (["--sync-alignment"] if sync else [])
    r = subprocess.run([ELEVEN, *args], input=text.encode(), capture_output=True, env=_env(m), timeout=60)
    assert r.returncode == 0, err(r)
    assert "reconnecting" in err(r)
    sessions = m.requests("/stream-input")
    assert len(sessions) == 2 and sessions[0]["status"] == "dropped"
    # Every word was spoken by some connection, and the saved audio is as long as one clean run.
    spoken = "".join(msg.get("text", "") for s in sessions for msg in s["messages"]
                     if msg["dir"] == "out" and "audio_bytes" in msg)
    for word in text.split():
        assert word in spoken
    clean = subprocess.run([ELEVEN, "ws", "-o", "-", "--format", "pcm_16000"], input=text.encode(),
                           capture_output=True, env=_env(m), timeout=60)
    got = (tmp_path / "d.pcm").stat().st_size
    assert abs(got - len(clean.stdout)) / len(clean.stdout) < 0.15


def test_inactivity_keepalive_for_a_slow_writer(fresh_mock, tmp_path) -> None:
    m = fresh_mock()
    slow = "import time, sys\nprint('before the pause', flush=True)\ntime.sleep(3.5)\nprint('after it', flush=True)\n"
    writer = subprocess.Popen([sys.executable, "-c", slow], stdout=subprocess.PIPE)
    t0 = time.monotonic()
    r = subprocess.run([ELEVEN, "ws", "--inactivity-timeout", "2", "-o", str(tmp_path / "k.mp3")],
                       stdin=writer.stdout, capture_output=True, env=_env(m), timeout=60)
    assert r.returncode == 0, err(r)
    assert time.monotonic() - t0 > 3
    msgs = m.requests("/stream-input")[-1]["messages"]
    assert any(msg["dir"] == "in" and msg.get("text") == " " for msg in msgs[1:])


@pytest.mark.parametrize("stdin", [b"", b"  \n\n\t\n"])
def test_no_text_is_exit_2_with_nothing_sent_and_no_file(fresh_mock, tmp_path, stdin: bytes) -> None:
    m = fresh_mock()
    out = tmp_path / "w.mp3"
    r = subprocess.run([ELEVEN, "ws", "-o", str(out)], input=stdin, capture_output=True, env=_env(m), timeout=60)
    assert r.returncode == 2, err(r)
    assert "no text" in err(r) and "Traceback" not in err(r)
    assert not out.exists() and not list(tmp_path.iterdir())
    texts = [msg for s in m.requests("/stream-input") for msg in s["messages"][1:] if msg["dir"] == "in"]
    assert texts == []  # at most the socket was opened: no text, not even the end of it
    assert all(a["character_count"] == 0 for a in m.accounts())


def test_blank_lines_are_neither_sent_nor_billed(fresh_mock, tmp_path) -> None:
    m = fresh_mock()
    text = "\n\nFirst line.\n\n\n   \nSecond line.\n\n"
    r = subprocess.run([ELEVEN, "ws", "-o", str(tmp_path / "b.mp3"), "--json"], input=text.encode(),
                       capture_output=True, env=_env(m), timeout=60)
    assert r.returncode == 0, err(r)
    sent = [msg for msg in m.requests("/stream-input")[-1]["messages"][1:] if msg["dir"] == "in"]
    assert all(msg["text"].strip() for msg in sent[:-1]) and sent[-1]["text"] == ""
    assert "".join(msg["text"] for msg in sent) == "First line.\nSecond line.\n"
    assert json.loads(r.stdout)["characters"] == len("First line.\nSecond line.\n")
