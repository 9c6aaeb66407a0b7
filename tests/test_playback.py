"""Playback through a real PortAudio device: a PulseAudio null sink, recorded from its monitor."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ELEVEN, Mock, err

RATE = 24000


def _pulse_ok() -> bool:
    if not shutil.which("pactl") or not shutil.which("parec"):
        return False
    return subprocess.run(["pactl", "info"], capture_output=True).returncode == 0


pytestmark = [pytest.mark.audio,
              pytest.mark.skipif(not _pulse_ok(), reason="no PulseAudio server (run ../shared/ci/start-audio.sh)")]


class Sink:
    def __init__(self) -> None:
        self.name = "t" + uuid.uuid4().hex[:8]
        out = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={self.name}",
                              f"rate={RATE}", "channels=1", "format=s16le", "norewinds=1"],
                             capture_output=True, text=True, check=True)
        self.module = out.stdout.strip()
        self.rec: subprocess.Popen | None = None
        self.path: Path | None = None
        self.started = 0.0

    def record(self, path: Path) -> None:
        self.path = path
        self.rec = subprocess.Popen(["parec", f"--device={self.name}.monitor", "--format=s16le",
                                     f"--rate={RATE}", "--channels=1", "--latency-msec=10"], stdout=path.open("wb"))
        time.sleep(0.3)
        self.started = time.time()

    def stop(self) -> array:
        time.sleep(0.3)
        assert self.rec is not None and self.path is not None
        self.ended = time.time()
        self.rec.terminate()
        self.rec.wait()
        samples = array("h")
        samples.frombytes(self.path.read_bytes()[: self.path.stat().st_size // 2 * 2])
        self.count = len(samples)
        return samples

    def at(self, index: int) -> float:
        """Wall-clock time of a recorded sample, anchored at the end of the recording (parec's
        start-up delay is unknown; its buffer at the end is 10 ms)."""
        return self.ended - (self.count - index) / RATE

    def unload(self) -> None:
        subprocess.run(["pactl", "unload-module", self.module], capture_output=True)


@pytest.fixture
def sink() -> Iterator[Sink]:
    s = Sink()
    yield s
    s.unload()


def _env(m: Mock, sink: Sink | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, ELEVENLABS_BASE_URL=m.url, ELEVENLABS_API_KEY=m.key, **extra)
    if sink is not None:
        env["PULSE_SINK"] = sink.name
    return env


def _trim(samples: array) -> array:
    nz = [i for i, x in enumerate(samples) if x]
    return samples[nz[0] : nz[-1] + 1] if nz else array("h")


def _envelope(samples: array, window: int = RATE // 50) -> list[float]:
    return [sum(abs(x) for x in samples[i : i + window]) / window for i in range(0, len(samples), window)]


def _correlation(a: list[float], b: list[float]) -> float:
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    va = sum((x - ma) ** 2 for x in a) ** 0.5
    vb = sum((y - mb) ** 2 for y in b) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def _aligned_similarity(played: list[float], saved: list[float], piece: int = 25, slack: int = 10) -> float:
    """Median, over half-second pieces of what was synthesised, of the best correlation with what was
    heard within +-200 ms: a dropout in the sound server shifts the rest, it does not make it different."""
    scores = []
    for start in range(0, len(saved) - piece + 1, piece):
        ref = saved[start : start + piece]
        if max(ref) - min(ref) < 1:
            continue
        best = max(_correlation(ref, played[lag : lag + piece])
                   for lag in range(max(0, start - slack), min(len(played) - piece, start + slack) + 1))
        scores.append(best)
    return sorted(scores)[len(scores) // 2] if scores else 0.0


def test_say_plays_exactly_what_the_mock_synthesised(mock: Mock, sink: Sink, tmp_path) -> None:
    sink.record(tmp_path / "rec.raw")
    r = subprocess.run([ELEVEN, "say", "Playback must be exact.", "--play", "-o", str(tmp_path / "x.pcm"),
                        "--format", f"pcm_{RATE}"], capture_output=True, env=_env(mock, sink), timeout=60)
    played = _trim(sink.stop())
    assert r.returncode == 0, err(r)
    saved = array("h")
    saved.frombytes((tmp_path / "x.pcm").read_bytes())
    saved = _trim(saved)
    assert len(played) > RATE  # non-silent, more than a second
    assert abs(len(played) - len(saved)) / len(saved) < 0.05
    # The same signal: its loudness envelope (20 ms windows) matches the synthesised one closely;
    # usually the samples are identical, but a sound-server glitch may shift them by a few ms.
    assert _aligned_similarity(_envelope(played), _envelope(saved)) > 0.9


# Through the library face: pieces of at most 80 characters (the CLI splits only past a model's limit, which
# would take minutes of audio to reach), so the speakers get a chain of Ogg Opus streams.
_OPUS_PIECES = """
import dataclasses, sys
from eleven_cli import Client, FileOutput, PlayOutput
from eleven_cli.audio import warmup
from eleven_cli.script import SpeechScript
speech = Client().speech(sys.argv[1], format="opus_48000_64")
fmt = speech.job.fmt
pieces = SpeechScript(sys.argv[1], speech.script.voice_id, speech.script.options, fmt.name, 80)
speech.job = dataclasses.replace(speech.job, script=pieces)
speech.run(PlayOutput(fmt, warmup.rate(None)), FileOutput(sys.argv[2], fmt))
"""


def test_opus_pieces_of_a_long_text_play_as_one(mock: Mock, sink: Sink, tmp_path) -> None:
    """Each piece of a split text is its own Ogg Opus stream: playback decodes the chain as it comes and is
    heard as the saved (remuxed) file sounds."""
    import sys

    from conftest import decode_pcm

    text = ("The first piece of this text is short. The second piece follows it closely. "
            "A third piece ends the text, and all three must be heard in order.")
    mock.clear()
    sink.record(tmp_path / "rec.raw")
    r = subprocess.run([sys.executable, "-c", _OPUS_PIECES, text, str(tmp_path / "x.opus")],
                       capture_output=True, env=_env(mock, sink), timeout=60)
    played = _trim(sink.stop())
    assert r.returncode == 0, err(r)
    assert len(mock.requests("/v1/text-to-speech")) >= 2
    saved = array("h")
    saved.frombytes(decode_pcm((tmp_path / "x.opus").read_bytes(), RATE))
    saved = _trim(saved)
    assert abs(len(played) - len(saved)) / len(saved) < 0.05, (len(played), len(saved))
    assert _aligned_similarity(_envelope(played), _envelope(saved)) > 0.9


@pytest.mark.parametrize("command, out", [("stream", "s.mp3"), ("say", "s.mp3"), ("stream", "s.opus")])
def test_stream_starts_sounding_before_the_response_ends(fresh_mock, sink: Sink, tmp_path, command: str,
                                                         out: str) -> None:
    m = fresh_mock("--rtf", "1", "--ttfb", "50")
    text = ("Streaming should be heard while the rest is still being generated, "
            "so this paragraph is long enough to take several seconds in real time.")
    sink.record(tmp_path / "rec.raw")
    t0 = time.time()
    r = subprocess.run([ELEVEN, command, text, "--play", "-o", str(tmp_path / out)], capture_output=True,
                       env=_env(m, sink), timeout=60)
    finished = time.time()
    samples = sink.stop()
    assert r.returncode == 0, err(r)
    nz = [i for i, x in enumerate(samples) if x]
    first_sound = sink.at(nz[0])
    heard = (nz[-1] - nz[0]) / RATE
    from conftest import decode_duration

    total = decode_duration((tmp_path / out).read_bytes())
    assert abs(heard - total) / total < 0.05
    # With --rtf 1 the response lasts about as long as the audio: the first sound came early.
    assert first_sound - t0 < total / 2
    assert finished - t0 > total * 0.9


def test_no_device_fails_before_any_request(mock: Mock, tmp_path) -> None:
    mock.clear()
    env = _env(mock, PULSE_SERVER="unix:/nonexistent")
    r = subprocess.run([ELEVEN, "say", "No device.", "--play"], capture_output=True, env=env, timeout=30)
    assert r.returncode == 7 and "no audio output device" in err(r).lower()
    assert mock.requests("/v1/text-to-speech") == []
    w = subprocess.run([ELEVEN, "stream", "Still saved.", "--play", "-o", str(tmp_path / "k.mp3")],
                       capture_output=True, env=env, timeout=30)
    assert w.returncode == 0 and "playback skipped" in err(w) and (tmp_path / "k.mp3").stat().st_size > 0


def test_opus_playback_without_pyav_fails_before_any_request(mock: Mock, tmp_path) -> None:
    import sys

    without_av = ("import sys\nsys.modules['av'] = None  # as if PyAV were not installed\n"
                  "sys.argv = ['eleven', *sys.argv[1:]]\nfrom eleven_cli.cli.entry import run\nrun()\n")
    mock.clear()
    r = subprocess.run([sys.executable, "-c", without_av, "stream", "Hi.", "--play", "--format", "opus_48000_64"],
                       capture_output=True, env=_env(mock), timeout=60, cwd=tmp_path)
    assert r.returncode == 2 and err(r).startswith("eleven: error: playing Opus needs PyAV"), err(r)
    assert err(r).count("\n") == 1 and not mock.requests("/v1/text-to-speech")


def test_ctrl_c_stops_the_sound_quickly_and_leaves_no_file(fresh_mock, sink: Sink, tmp_path) -> None:
    m = fresh_mock("--rtf", "1")
    sink.record(tmp_path / "rec.raw")
    proc = subprocess.Popen([ELEVEN, "stream", "A long text to interrupt. " * 8, "--play", "-o",
                             str(tmp_path / "c.mp3")], stderr=subprocess.PIPE, env=_env(m, sink),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    interrupted = time.time()
    code = proc.wait(10)
    samples = sink.stop()
    assert code == 130
    nz = [i for i, x in enumerate(samples) if x]
    assert nz, "something was heard before the interrupt"
    last_sound = sink.at(nz[-1])
    assert last_sound - interrupted < 0.2
    assert list(tmp_path.glob("c.mp3*")) == [] and not [p for p in tmp_path.iterdir() if p.name.startswith(".c")]


def test_devices_lists_outputs(tmp_path) -> None:
    import json

    r = subprocess.run([ELEVEN, "devices", "--json"], capture_output=True, timeout=30)
    assert r.returncode == 0, err(r)
    devices = json.loads(r.stdout)
    assert devices and any(d["default"] for d in devices)
    assert {"index", "name", "hostapi", "channels", "default_samplerate", "default"} <= set(devices[0])
    bad = subprocess.run([ELEVEN, "devices"], capture_output=True, env=dict(os.environ, PULSE_SERVER="unix:/x"))
    assert bad.returncode in (0, 7) and "Traceback" not in err(bad)


def test_dialogue_plays_as_it_arrives(fresh_mock, sink: Sink, tmp_path) -> None:
    m = fresh_mock("--rtf", "1", "--ttfb", "50")
    script = ("George: This dialogue is heard while it is still being generated.\n"
              "Sarah: So the first voice sounds before the response ends.\n")
    sink.record(tmp_path / "rec.raw")
    t0 = time.time()
    r = subprocess.run([ELEVEN, "dialogue", "--play", "-o", str(tmp_path / "d.mp3")], input=script.encode(),
                       capture_output=True, env=_env(m, sink), timeout=60)
    samples = sink.stop()
    assert r.returncode == 0, err(r)
    assert m.requests("/v1/text-to-dialogue/stream")  # playing uses the streaming endpoint
    nz = [i for i, x in enumerate(samples) if x]
    from conftest import decode_duration

    total = decode_duration((tmp_path / "d.mp3").read_bytes())
    assert abs((nz[-1] - nz[0]) / RATE - total) / total < 0.05
    assert sink.at(nz[0]) - t0 < total / 2


def test_the_probe_chooses_what_sounddevice_would(sink: Sink) -> None:
    """audio/probe.py checks the default output through PortAudio itself; sounddevice agrees on the rate."""
    script = ("import sys\nfrom eleven_cli.audio.probe import default_rate\nfrom eleven_cli.audio.player import "
              "PREFERRED_RATES\nrate = default_rate(PREFERRED_RATES)\nassert 'sounddevice' not in sys.modules\n"
              "import sounddevice as sd\nsd.check_output_settings(samplerate=rate, channels=1, dtype='int16')\n"
              "print(rate)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PULSE_SINK=sink.name))
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == RATE
    gone = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PULSE_SERVER="unix:/nonexistent"))
    assert gone.returncode != 0 and "AudioDeviceError" in gone.stderr


def test_playing_loads_sounddevice_only_after_the_request_has_left(mock: Mock, sink: Sink, tmp_path) -> None:
    from test_first_request import NOT_BEFORE_THE_REQUEST, PROBE

    sink.record(tmp_path / "rec.raw")
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["say", "Heard, after all.", "--play"])],
                          capture_output=True, env=_env(mock, sink), timeout=60)
    samples = sink.stop()
    assert done.returncode == 0, done.stderr.decode()
    loaded = set(json.loads(done.stderr.decode().strip().splitlines()[-1])["modules"])
    assert not NOT_BEFORE_THE_REQUEST & loaded, sorted(NOT_BEFORE_THE_REQUEST & loaded)
    assert len(_trim(samples)) > RATE // 2  # and it was heard
