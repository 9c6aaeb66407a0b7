"""The stream-input WebSocket's audio is finished (equal to HTTP /stream's for the same text, per
format), and its alignment is something a client can keep time by."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
from pathlib import Path

import pytest
from websockets.sync.client import connect

from conftest import DEMO_KEY, ELEVEN, Mock, decode_duration, err
from eleven_cli.audio.codecs import duration_counter
from eleven_cli.formats import FORMATS

TEXT = "The socket must deliver every last bit of this sentence, not only most of it."
# One codec frame, or for raw formats the few ms espeak-ng varies by between runs. Opus: a 20 ms frame of
# padding at each end of a generation and that same variation (52 ms was seen on a loaded host).
FRAME = {"mp3": 1152 / 44100, "opus": 0.065, "pcm": 0.02, "ulaw": 0.02}


def _seconds(data: bytes, ext: str) -> float:
    if ext == "pcm":
        return len(data) / 2 / 24000
    if ext == "ulaw":
        return len(data) / 8000
    return decode_duration(data)


@pytest.mark.parametrize("ext", ["mp3", "opus", "pcm", "ulaw"])
def test_websocket_audio_equals_http_stream_audio(mock: Mock, tmp_path: Path, ext: str) -> None:
    env = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": mock.key}
    fmt = ["--format", "pcm_24000"] if ext == "pcm" else []
    for cmd in ("ws", "stream"):
        r = subprocess.run([ELEVEN, cmd, TEXT, "-o", str(tmp_path / f"{cmd}.{ext}"), "--no-play", *fmt],
                           capture_output=True, env=env, timeout=60)
        assert r.returncode == 0, err(r)
    ws, http = (_seconds((tmp_path / f"{c}.{ext}").read_bytes(), ext) for c in ("ws", "stream"))
    assert http > 3 and abs(ws - http) <= FRAME[ext] + 1e-6, (ext, ws, http)


def _session(mock: Mock, fmt: str, texts: list[str], sync: bool = True) -> list[dict]:
    url = mock.url.replace("http", "ws") + (f"/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream-input?output_format={fmt}"
                                            f"&sync_alignment={'true' if sync else 'false'}")
    messages = []
    with connect(url, additional_headers={"xi-api-key": DEMO_KEY}) as ws:
        ws.send(json.dumps({"text": " "}))
        for t in texts:
            ws.send(json.dumps({"text": t, "flush": True}))
        ws.send(json.dumps({"text": ""}))
        for raw in ws:
            msg = json.loads(raw)
            messages.append(msg)
            if msg.get("isFinal"):
                break
    return messages


def _ogg_granules(data: bytes) -> list[int]:
    out, pos = [], 0
    while pos + 27 <= len(data) and data[pos:pos + 4] == b"OggS":
        out.append(struct.unpack("<q", data[pos + 6:pos + 14])[0])
        n = data[pos + 26]
        pos += 27 + n + sum(data[pos + 27:pos + 27 + n])
    return out


def test_opus_over_several_generations_is_one_stream_counting_all_audio(mock: Mock) -> None:
    texts = ["First line of the session.", "A second line, spoken after it.", "And a third one."]
    messages = _session(mock, "opus_48000_64", texts)
    audio = b"".join(base64.b64decode(m["audio"]) for m in messages if m.get("audio"))
    granules = [g for g in _ogg_granules(audio) if g >= 0]
    assert granules == sorted(granules) and audio.count(b"OpusHead") == 1
    assert abs((granules[-1] - 312) / 48000 - decode_duration(audio)) < 0.03
    spoken = "".join("".join((m.get("alignment") or {}).get("chars") or []) for m in messages)
    assert spoken == "".join(texts)


@pytest.mark.parametrize("fmt", ["pcm_24000", "mp3_44100_128", "opus_48000_64"])
def test_sync_alignment_spans_exactly_each_messages_audio(mock: Mock, fmt: str) -> None:
    text = "Each chunk of audio carries the timing of exactly the characters heard in it, no more."
    messages = [m for m in _session(mock, fmt, [text]) if m.get("audio")]
    counter = duration_counter(FORMATS[fmt])
    before, chars = 0.0, ""
    assert len(messages) >= 3
    for m in messages:
        after = counter.add(base64.b64decode(m["audio"]))
        span_ms = (after - before) * 1000
        a = m.get("alignment")
        if a:
            chars += "".join(a["chars"])
            ends = [s + d for s, d in zip(a["charStartTimesMs"], a["charDurationsMs"], strict=True)]
            assert min(a["charStartTimesMs"]) >= 0 and max(ends) <= span_ms + 1, (fmt, max(ends), span_ms)
        before = after
    assert chars == text


def test_normalized_alignment_is_what_was_spoken(mock: Mock) -> None:
    messages = _session(mock, "pcm_24000", ["It costs $1,234.56 at 3:45 PM, Dr. Smith."])
    spoken = "".join("".join((m.get("normalizedAlignment") or {}).get("chars") or []) for m in messages)
    assert spoken == ("It costs one thousand two hundred thirty-four dollars and fifty-six cents at three "
                      "forty-five PM, Doctor Smith.")
