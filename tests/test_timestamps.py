"""`eleven timestamps` against the mock, both endpoints: captions where the words are heard."""

from __future__ import annotations

import json
import re

import pytest

from conftest import Mock, decode_duration, err


def _cue_times(srt: str) -> list[tuple[float, float, str]]:
    out = []
    for block in srt.strip().split("\n\n"):
        lines = block.split("\n")
        a, b = lines[1].split(" --> ")
        conv = lambda s: sum(float(x) * m for x, m in zip(s.replace(",", ".").split(":"), (3600, 60, 1), strict=True))  # noqa: E731
        out.append((conv(a), conv(b), " ".join(lines[2:])))
    return out


@pytest.mark.parametrize("stream", [False, True])
def test_timestamps_writes_audio_alignment_and_captions(cli, mock: Mock, tmp_path, stream: bool) -> None:
    text = ("Narration needs captions. Each word is timed by the voice itself, so the captions stay "
            "in sync. The third sentence closes the paragraph.")
    args = ["timestamps", text, "-o", str(tmp_path / "a.mp3"), "--alignment", str(tmp_path / "a.json"),
            "--srt", str(tmp_path / "a.srt"), "--vtt", str(tmp_path / "a.vtt")]
    r = cli(*args, *(["--stream"] if stream else []))
    assert r.returncode == 0, err(r)
    path = "/stream/with-timestamps" if stream else "/with-timestamps"
    assert mock.requests("/v1/text-to-speech")[-1]["path"].endswith(path)
    audio_seconds = decode_duration((tmp_path / "a.mp3").read_bytes())
    alignment = json.loads((tmp_path / "a.json").read_text())
    assert alignment["text"] == text
    assert [w["word"] for w in alignment["words"]][:3] == ["Narration", "needs", "captions."]
    assert abs(alignment["characters"][-1]["end"] - audio_seconds) < 0.2
    cues = _cue_times((tmp_path / "a.srt").read_text())
    assert " ".join(c[2] for c in cues).split() == text.split()
    assert cues[-1][1] <= audio_seconds + 0.6
    vtt = (tmp_path / "a.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n") and len(re.findall(" --> ", vtt)) == len(cues)
    # A cue starts where its first word is heard, per the alignment.
    starts = {w["word"]: w["start"] for w in alignment["words"]}
    for start, _end, line in cues:
        assert abs(starts[line.split()[0]] - start) < 0.002


def test_captions_only_to_stdout(cli, mock: Mock) -> None:
    r = cli("timestamps", "Only the captions, please.", "--srt", "-")
    assert r.returncode == 0, err(r)
    assert r.stdout.decode().startswith("1\n00:00:00,000 --> ")


def test_long_text_alignment_is_offset_across_seams(cli, mock: Mock, tmp_path) -> None:
    sentence = "This sentence repeats to make a text longer than the model allows in one request. "
    text = sentence * 70  # about 5,800 characters: two requests on eleven_v3 (5,000)
    f = tmp_path / "long.txt"
    f.write_text(text)
    r = cli("timestamps", "-f", str(f), "-m", "eleven_v3", "-o", str(tmp_path / "l.mp3"),
            "--alignment", str(tmp_path / "l.json"), "--srt", str(tmp_path / "l.srt"))
    assert r.returncode == 0, err(r)
    calls = mock.requests("/with-timestamps")
    assert len(calls) == 2
    # eleven_v3 refuses request stitching: each piece goes on its own
    assert not any(k in calls[1]["body"] for k in ("previous_request_ids", "previous_text", "next_text"))
    alignment = json.loads((tmp_path / "l.json").read_text())
    starts = [c["start"] for c in alignment["characters"]]
    assert starts == sorted(starts)
    assert abs(alignment["characters"][-1]["end"] - decode_duration((tmp_path / "l.mp3").read_bytes())) < 0.5
    assert "".join(c["char"] for c in alignment["characters"]).strip() == text.strip()
