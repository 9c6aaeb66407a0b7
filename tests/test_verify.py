"""Nothing broken is ever called done: the audio check itself, and the commands under broken responses."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import pytest

from conftest import ELEVEN, Mock, err
from eleven_cli.api.types import Alignment
from eleven_cli.audio.riff import header as wav_header
from eleven_cli.audio.verify import check
from eleven_cli.errors import BrokenAudioError
from eleven_cli.formats import FORMATS

TEXT = "This is an eighty eight character sentence that should be spoken in full by the mock ok."


def _mp3_frames(n: int) -> bytes:
    """n silent MPEG-1 layer III frames, 44.1 kHz, 128 kbit/s (417 bytes each, no padding)."""
    return (b"\xff\xfb\x90\x00" + b"\x00" * 413) * n


def _ogg_page(granule: int, body: bytes, flags: int = 0) -> bytes:
    segs = [255] * (len(body) // 255) + [len(body) % 255]
    return b"OggS\x00" + bytes([flags]) + struct.pack("<qIII", granule, 1, 0, 0) + bytes([len(segs)]) \
        + bytes(segs) + body


def test_check_accepts_whole_audio_and_measures_it() -> None:
    assert abs(check(_mp3_frames(100), FORMATS["mp3_44100_128"], TEXT) - 100 * 1152 / 44100) < 1e-9
    pcm = b"\x01\x00" * 24000 * 3
    assert check(wav_header(24000, len(pcm)) + pcm, FORMATS["wav_24000"], TEXT) == 3.0
    assert check(pcm, FORMATS["pcm_24000"], TEXT) == 3.0
    head = b"OpusHead\x01\x01" + struct.pack("<H", 312) + b"\x00" * 7
    ogg = _ogg_page(0, head, 2) + _ogg_page(0, b"OpusTags" + b"\0" * 8) + _ogg_page(48000 * 3 + 312, b"x" * 300, 4)
    assert check(ogg, FORMATS["opus_48000_64"], TEXT) == 3.0
    assert check(b"", FORMATS["mp3_44100_128"], "   ") == 0.0


@pytest.mark.parametrize(("data", "fmt", "word"), [
    (b"", "mp3_44100_128", "no audio"),
    (b'{"detail": "this is not valid JSON', "mp3_44100_128", "JSON"),
    (b'{"detail": {"status": "x"}}', "pcm_24000", "JSON"),
    (b"<html><body>502 Bad Gateway</body></html>", "ulaw_8000", "HTML"),
    (_mp3_frames(100)[:-200], "mp3_44100_128", "truncated"),
    (_mp3_frames(5), "mp3_44100_128", "truncated"),  # whole frames, but far too short for the text
    (b"garbage" * 100, "mp3_44100_128", "corrupt"),
    (wav_header(24000, 96000) + b"\0" * 5000, "wav_24000", "truncated"),
    (b"\0" * 24001, "pcm_24000", "truncated"),
    (_ogg_page(0, b"OpusHead\x01\x01\x00\x00" + b"\0" * 11, 2) + _ogg_page(96000, b"x" * 100), "opus_48000_64",
     "truncated"),
])
def test_check_refuses_what_is_not_the_whole_speech(data: bytes, fmt: str, word: str) -> None:
    with pytest.raises(BrokenAudioError) as caught:
        check(data, FORMATS[fmt], TEXT)
    assert word in caught.value.message and caught.value.exit_code == 6


def test_alignment_longer_than_the_audio_is_truncation() -> None:
    timing = Alignment(list("ab"), [0.0, 2.0], [0.1, 3.5])
    with pytest.raises(BrokenAudioError):
        check(_mp3_frames(100), FORMATS["mp3_44100_128"], "ab", timing)  # 2.6 s of audio, 3.5 s of timing
    assert check(_mp3_frames(130), FORMATS["mp3_44100_128"], "ab", timing) > 3.3


COMMANDS = {
    "say": ["say", TEXT, "-o", "out.mp3"],
    "say-stdout": ["say", TEXT, "-o", "-"],
    "stream": ["stream", TEXT, "-o", "out.mp3", "--no-play"],
    "timestamps": ["timestamps", TEXT, "-o", "out.mp3", "--srt", "out.srt"],
    "timestamps-stream": ["timestamps", TEXT, "--stream", "-o", "out.mp3", "--srt", "out.srt"],
}


def _run(m: Mock, *args: str, cwd: Path) -> object:
    import os
    import subprocess

    env = {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key}
    return subprocess.run([ELEVEN, "--retries", "1", *args], capture_output=True, env=env, cwd=cwd, timeout=60,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("fault", ["truncate@3000x*", "badjsonx*"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_broken_responses_fail_with_exit_6_and_leave_no_file(fresh_mock, tmp_path: Path, command: str,
                                                             fault: str) -> None:
    if fault.startswith("badjson") and command == "timestamps":
        fault = "badjsonx*"  # a broken JSON body: the with-timestamps endpoint is JSON itself
    m = fresh_mock("--fault", f"{fault}:/v1/text-to-speech")
    r = _run(m, *COMMANDS[command], cwd=tmp_path)
    stderr = err(r)  # type: ignore[arg-type]
    assert r.returncode == 6, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr and "eleven: error:" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    if command == "say":  # retried once (--retries 1) before giving up: nothing had reached the user
        assert len(m.requests("/v1/text-to-speech")) == 2


def test_batch_never_records_broken_audio_and_resume_redoes_it(fresh_mock, tmp_path: Path) -> None:
    import os
    import subprocess

    book = tmp_path / "book"
    book.mkdir()
    (book / "good.txt").write_text("A good item that is spoken in full by the mock server without trouble.")
    (book / "bad.txt").write_text(TEXT)
    m = fresh_mock()
    out = tmp_path / "audio"
    env = {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key}
    m.fault("truncate@3000x*:/v1/text-to-speech")
    r = subprocess.run([ELEVEN, "--retries", "0", "batch", str(book), "-d", str(out), "--jobs", "1"],
                       capture_output=True, env=env, timeout=120)
    assert r.returncode == 4, err(r)
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert {x["id"]: x["status"] for x in lines} == {"good": "failed", "bad": "failed"}
    assert not list(out.glob("*.mp3"))
    # An older run recorded a broken body as ok (size and hash match): resume must not trust it.
    m.clear()
    # --no-log: nothing in the local log to download from the history, so a resume must synthesise again
    r = subprocess.run([ELEVEN, "--no-log", "batch", str(book), "-d", str(out)], capture_output=True, env=env,
                       timeout=120)
    assert r.returncode == 0, err(r)
    ok = {x["id"]: x for x in map(json.loads, (out / "results.jsonl").read_text().splitlines()) if x["status"] == "ok"}
    assert ok["good"]["audio_seconds"] > 2 and ok["bad"]["audio_seconds"] > 2 and ok["bad"]["format"] == "mp3_44100_128"
    broken = b'{"detail": "this is not valid JSON'
    (out / "bad.mp3").write_bytes(broken)
    with (out / "results.jsonl").open("a") as fh:
        fh.write(json.dumps({**ok["bad"], "bytes": len(broken), "sha256": hashlib.sha256(broken).hexdigest(),
                             "audio_seconds": 0.0}) + "\n")
    m.clear()
    r = subprocess.run([ELEVEN, "batch", str(book), "-d", str(out), "--resume"], capture_output=True, env=env,
                       timeout=120)
    assert r.returncode == 0, err(r)
    redone = [x["body"]["text"] for x in m.requests("/v1/text-to-speech")]
    assert redone == [TEXT], redone  # only the broken item, not the good one
    assert (out / "bad.mp3").read_bytes()[:3] != b'{"d'
