"""`eleven dialogue` and `client.dialogue`: scripts, casting, splitting, captions per speaker, the mock's
text-to-dialogue endpoints, interruption and rerun."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from conftest import DEMO_KEY, ELEVEN, Mock, decode_duration, err
from eleven_cli.dialogue import DialogueScript, Turn, parse_script
from eleven_cli.errors import UsageError
from eleven_cli.options import SpeechOptions

TWELVE = ["George", "Sarah", "Charlie", "Alice", "Brian", "Jessica", "Aria", "Roger", "Callum", "River",
          "Charlotte", "Daniel"]


def _script(turns: int, sentence: str = "This line moves the story along a little.") -> str:
    return "\n".join(f"{TWELVE[n % 12]}: Turn {n}. {sentence}" for n in range(turns)) + "\n"


# --- scripts -------------------------------------------------------------------------------------------
def test_plain_scripts_with_comments_blank_lines_and_continuations() -> None:
    text = "# a radio play\n\nAnn: Hello there.\nHow are you?\n\nBob: [laughs] Fine.\n  # aside\nDr. Who: Ten: ten.\n"
    assert parse_script(text) == [Turn("Ann", "Hello there. How are you?"), Turn("Bob", "[laughs] Fine."),
                                  Turn("Dr. Who", "Ten: ten.")]
    assert parse_script('[{"speaker": "Ann", "text": "Hi."}]') == [Turn("Ann", "Hi.")]
    assert parse_script('{"speaker": "Ann", "text": "Hi."}\n\n{"speaker": "Bob", "text": "Yo."}\n') == [
        Turn("Ann", "Hi."), Turn("Bob", "Yo.")]
    for bad in ("just words, no speaker\n", "", "# only a comment\n", "[1, 2]", '{"speaker": "A"}\n', "[oops",
                '[{"speaker": "Ann", "text": "Hi."}, {"speaker": "Bob", "text": " "}]'):  # an empty turn is reported
        with pytest.raises(UsageError):
            parse_script(bad)


def test_splitting_respects_voices_characters_and_turns() -> None:
    inputs = [(f"Turn {n}. " + "Words fill this turn. " * 20, f"voice{n % 12:02d}") for n in range(40)]
    script = DialogueScript(inputs, list(range(40)), SpeechOptions(), "mp3_44100_128")
    pieces = list(script.pieces([]))
    assert len(pieces) == len(script.texts) >= 5
    seen: list[int] = []
    for sub in pieces:
        inputs_sent = sub.request.body["inputs"]
        assert len(sub.text) <= 2000 and len({i["voice_id"] for i in inputs_sent}) <= 10
        assert sub.request.path == "/v1/text-to-dialogue" and sub.request.query == {"output_format": "mp3_44100_128"}
        assert sub.turns is not None
        seen += sub.turns
    assert seen == list(range(40))  # every turn once, in order, never split (each is under the limit)
    long = DialogueScript([("Short one.", "a"), ("A sentence of a long turn. " * 120, "b")], [0, 1],
                          SpeechOptions(), "mp3_44100_128")
    parts = list(long.pieces([]))
    assert len(parts) >= 2 and all(len(s.text) <= 2000 for s in parts)
    assert {i["voice_id"] for s in parts for i in s.request.body["inputs"] if s.turns != (0,)} == {"b"}


# --- the command -----------------------------------------------------------------------------------------
def test_the_one_liner_from_stdin(cli, mock: Mock, tmp_path: Path) -> None:
    r = cli("dialogue", "--cast", "Ann=Alice,Bob=George", "-o", str(tmp_path / "hi.mp3"),
            input="Ann: Hi!\nBob: [laughs] Hello.\n")
    assert r.returncode == 0, err(r)
    call = mock.requests("/v1/text-to-dialogue")[0]
    assert call["path"] == "/v1/text-to-dialogue" and call["body"]["model_id"] == "eleven_v3"
    assert call["body"]["inputs"] == [{"text": "Hi!", "voice_id": "Xb7hH8MSUJpSbSDYk0k2"},
                                      {"text": "[laughs] Hello.", "voice_id": "JBFqnCBsd6RMkjVDRZzb"}]
    assert decode_duration((tmp_path / "hi.mp3").read_bytes()) > 0.8
    assert "characters" in err(r) and "request-id" in err(r)


def test_json_scripts_names_as_voices_and_the_profile_cast(cli, mock: Mock, tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps([{"speaker": "George", "text": "I need no cast."},
                                                 {"speaker": "Host", "text": "I am cast by the profile."}]))
    r = cli("dialogue", str(tmp_path / "s.json"), "-o", str(tmp_path / "a.wav"))
    assert r.returncode == 2 and "Host" in err(r) and "eleven voices" in err(r)
    assert not mock.requests("/v1/text-to-dialogue")
    assert cli("config", "set", "cast", "Host=Sarah").returncode == 0
    r = cli("dialogue", str(tmp_path / "s.json"), "-o", str(tmp_path / "a.wav"), "--json")
    assert r.returncode == 0, err(r)
    voices = [i["voice_id"] for i in mock.requests("/v1/text-to-dialogue")[0]["body"]["inputs"]]
    assert voices == ["JBFqnCBsd6RMkjVDRZzb", "EXAVITQu4vr4xnSDxMaL"]
    assert json.loads(r.stdout)["characters"] > 0 and (tmp_path / "a.wav").read_bytes()[:4] == b"RIFF"


def test_every_unmapped_speaker_is_named_before_any_request(cli, mock: Mock) -> None:
    r = cli("dialogue", "--cast", "Ann=Alice", "-o", "x.mp3", input="Ann: Hi.\nZed: Yo.\nQuinn: Hey.\nZed: Again.\n")
    assert r.returncode == 2 and "Zed, Quinn" in err(r) and "--cast" in err(r) and "eleven voices" in err(r)
    assert not mock.requests("/v1/text-to-dialogue")
    r = cli("dialogue", "-m", "eleven_multilingual_v2", "-o", "x.mp3", input="George: Hi.\n")
    assert r.returncode == 2 and "eleven_v3" in err(r) and not mock.requests("/v1/text-to-dialogue")


def _cues(srt: str) -> list[tuple[float, float, str]]:
    out = []
    for block in srt.strip().split("\n\n"):
        lines = block.splitlines()
        a, b = (sum(float(x) * f for x, f in zip(re.split("[:,]", t)[:3] + [re.split("[:,]", t)[3]],
                                                  (3600, 60, 1, 0.001), strict=True)) for t in lines[1].split(" --> "))
        out.append((a, b, " ".join(lines[2:])))
    return out


def test_a_long_twelve_voice_script_in_one_command(cli, mock: Mock, tmp_path: Path) -> None:
    """The issue's done-when: 6,000+ characters, 12 speakers, one valid file, labelled captions that
    match the audio; the split and the cost shown first by --dry-run."""
    script = _script(90, "This line moves the story along, one careful step at a time.")
    assert len(script) > 6000 and len(set(re.findall(r"^(\w+):", script, re.M))) == 12
    (tmp_path / "play.txt").write_text(script)
    dry = cli("dialogue", str(tmp_path / "play.txt"), "--dry-run", "--json")
    plan = json.loads(dry.stdout)
    assert dry.returncode == 0 and len(plan["requests"]) >= 4 and len(plan["cast"]) == 12 and plan["credits"] > 6000
    assert not mock.requests("/v1/text-to-dialogue")
    table = cli("dialogue", str(tmp_path / "play.txt"), "--dry-run")
    assert "nothing was spent" in err(table) and "12 speakers" in err(table)
    r = cli("dialogue", str(tmp_path / "play.txt"), "-o", str(tmp_path / "play.mp3"), "--srt",
            str(tmp_path / "play.srt"), "--vtt", str(tmp_path / "play.vtt"), timeout=300)
    assert r.returncode == 0, err(r)
    calls = mock.requests("/with-timestamps")
    assert len(calls) == len(plan["requests"])
    for c in calls:
        inputs = c["body"]["inputs"]
        assert sum(len(i["text"]) for i in inputs) <= 2000 and len({i["voice_id"] for i in inputs}) <= 10
    audio = (tmp_path / "play.mp3").read_bytes()
    seconds = decode_duration(audio)
    assert audio.count(b"Xing") == 0 and seconds > 200
    cues = _cues((tmp_path / "play.srt").read_text())
    assert all(a <= b for a, b, _ in cues) and all(x[1] <= y[0] + 1e-3 for x, y in zip(cues, cues[1:], strict=False))
    assert abs(cues[-1][1] - seconds) < 1.0
    turns = {n: line.split(": ", 1) for n, line in enumerate(script.strip().splitlines())}
    speakers_seen = Counter()
    for _, _, text in cues:
        speaker, words = text.split(": ", 1)
        speakers_seen[speaker] += 1
        # never two speakers in one cue: its words all come from one turn of that speaker
        assert any(name.upper() == speaker and words in said for name, said in turns.values()), text
    assert len(speakers_seen) == 12
    vtt = (tmp_path / "play.vtt").read_text()
    assert vtt.startswith("WEBVTT") and vtt.count("<v George>") >= 7 and vtt.count("<v ") == len(cues)


def test_captions_without_labels(cli, tmp_path: Path) -> None:
    r = cli("dialogue", "--no-speaker-labels", "--srt", "-", "--no-play", input="George: One.\nSarah: Two.\n")
    assert r.returncode == 0, err(r)
    assert [t for *_, t in _cues(r.stdout.decode())] == ["One.", "Two."]


def test_a_broken_dialogue_is_never_called_done(fresh_mock, tmp_path: Path) -> None:
    m = fresh_mock("--fault", "truncate@4000x*:/v1/text-to-dialogue")
    env = {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key}
    r = subprocess.run([ELEVEN, "--retries", "1", "dialogue", "-o", str(tmp_path / "x.mp3")], capture_output=True,
                       env=env, input=_script(6).encode(), timeout=60)
    assert r.returncode == 6 and "truncated" in err(r) and not list(tmp_path.iterdir())
    assert len(m.requests("/v1/text-to-dialogue")) == 2


def test_interrupted_and_rerun_spends_nothing_twice(fresh_mock, tmp_path: Path) -> None:
    m = fresh_mock("--rtf", "0.3")
    (tmp_path / "play.txt").write_text(_script(40))
    env = {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key,
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    args = [ELEVEN, "dialogue", str(tmp_path / "play.txt"), "-o", str(tmp_path / "play.mp3")]
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len([e for e in m.requests("/v1/text-to-dialogue")
                                              if e["status"] == 200]) < 2:
        time.sleep(0.1)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 130
    assert not (tmp_path / "play.mp3").exists() and not list(tmp_path.glob(".*.part"))
    first = {json.dumps(e["body"]["inputs"]) for e in m.requests("/v1/text-to-dialogue") if e["status"] == 200}
    m.clear()
    r = subprocess.run(args, env=env, capture_output=True, timeout=180)
    assert r.returncode == 0, err(r)
    again = [json.dumps(e["body"]["inputs"]) for e in m.requests("/v1/text-to-dialogue")]
    finished_before = first - set(again)
    assert finished_before and "from the cache" in err(r)
    assert decode_duration((tmp_path / "play.mp3").read_bytes()) > 60


# --- the library -----------------------------------------------------------------------------------------
def test_client_dialogue_save_audio_stream(mock: Mock, tmp_path: Path) -> None:
    from eleven_cli import Client, PieceDone, Timing

    client = Client(api_key=mock.key, base_url=mock.url)
    result = client.dialogue([("George", "Hello."), ("Sarah", "Hi George.")]).save(tmp_path / "d.opus")
    assert result.duration > 1 and decode_duration((tmp_path / "d.opus").read_bytes()) > 1
    data = client.dialogue("Alice: In memory.\nBrian: Indeed.\n", format="pcm_16000").audio()
    assert len(data) > 16000
    events = list(client.dialogue([{"speaker": "Ann", "text": "Streamed."}], cast={"Ann": "Jessica"},
                                  timestamps=True, streaming=True).stream())
    timing = next(e for e in events if isinstance(e, Timing))
    assert timing.segments and timing.segments[0]["voice_id"] == "cgSgspJ2msm6clMCkdW9"
    assert isinstance(events[-2], PieceDone)


# --- the mock's endpoints --------------------------------------------------------------------------------
def _post(mock: Mock, path: str, body: object) -> httpx.Response:
    return httpx.post(mock.url + path, json=body, headers={"xi-api-key": DEMO_KEY}, timeout=60)


def test_mock_voice_segments_match_the_audio(mock: Mock) -> None:
    body = {"inputs": [{"text": "First speaker here.", "voice_id": "JBFqnCBsd6RMkjVDRZzb"},
                       {"text": "And the second one.", "voice_id": "EXAVITQu4vr4xnSDxMaL"}]}
    data = _post(mock, "/v1/text-to-dialogue/with-timestamps", body).json()
    chars = data["alignment"]["characters"]
    segs = data["voice_segments"]
    assert "".join(chars) == "First speaker here. And the second one."
    assert [s["dialogue_input_index"] for s in segs] == [0, 1]
    assert "".join(chars[segs[1]["character_start_index"]:segs[1]["character_end_index"]]) == "And the second one."
    import base64

    seconds = decode_duration(base64.b64decode(data["audio_base64"]))
    assert abs(segs[-1]["end_time_seconds"] - seconds) < 0.15 and segs[0]["end_time_seconds"] < segs[1][
        "start_time_seconds"]


def test_mock_dialogue_rules(mock: Mock) -> None:
    voices = ["JBFqnCBsd6RMkjVDRZzb", "EXAVITQu4vr4xnSDxMaL", "IKne3meq5aSn9XLyUdCD", "Xb7hH8MSUJpSbSDYk0k2",
              "nPczCjzI2devNBz1zQrb", "cgSgspJ2msm6clMCkdW9", "9BWtsMINqrJLrRacOk9x", "CwhRBWXzGAHq8TQ4Fs17",
              "N2lVS1w4EtoT3dr4eOWO", "SAz9YHcvj6GT2YYXdXww", "XB0fDUnXU5powFXDhCwa"]
    r = _post(mock, "/v1/text-to-dialogue", {"inputs": [{"text": "Hi.", "voice_id": v} for v in voices]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "inputs"]
    assert _post(mock, "/v1/text-to-dialogue", {"inputs": [{"text": "Hi."}]}).status_code == 422
    assert _post(mock, "/v1/text-to-dialogue", {}).status_code == 422
    r = _post(mock, "/v1/text-to-dialogue", {"inputs": [{"text": "Hi.", "voice_id": "NoSuchVoice"}]})
    assert r.status_code == 404
    r = _post(mock, "/v1/text-to-dialogue", {"inputs": [{"text": "Hi.", "voice_id": voices[0]}],
                                             "model_id": "eleven_multilingual_v2"})
    assert r.status_code == 400 and r.json()["detail"]["status"] == "model_cannot_do_dialogue"
    r = _post(mock, "/v1/text-to-dialogue", {"inputs": [{"text": "x" * 3000, "voice_id": voices[0]},
                                                        {"text": "y" * 2500, "voice_id": voices[1]}]})
    assert r.status_code == 400 and r.json()["detail"]["status"] == "max_character_limit_exceeded"
