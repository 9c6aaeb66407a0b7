"""First sound as heard: process start -> the first audible sample on a PulseAudio null sink.

Each measurement loads its own null sink, records its monitor with parec, runs the command with
PULSE_SINK pointing at it, and dates the first sample above a small threshold from the end of the
recording (parec's start-up delay is unknown; its buffer at the end is 10 ms), as tests/test_playback.py does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from array import array
from pathlib import Path

RATE = 24000
THRESHOLD = 64  # above dither and resampling noise


def available() -> str | None:
    """Why first sound cannot be measured here, or None when it can."""
    for tool in ("pactl", "parec"):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install pulseaudio-utils)"
    if subprocess.run(["pactl", "info"], capture_output=True).returncode != 0:
        return "no PulseAudio server (sh ../shared/ci/start-audio.sh)"
    return None


def heard(cmd: list[str], env: dict[str, str], tmp: Path, stdin: bytes | None = None,
          timeout: float = 60) -> float | None:
    """Seconds from starting `cmd` to its first audible sample, or None if nothing was heard."""
    name = "b" + uuid.uuid4().hex[:8]
    module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}", f"rate={RATE}",
                             "channels=1", "format=s16le", "norewinds=1"],
                            capture_output=True, text=True, check=True).stdout.strip()
    raw = tmp / f"{name}.raw"
    try:
        with raw.open("wb") as out:
            rec = subprocess.Popen(["parec", f"--device={name}.monitor", "--format=s16le", f"--rate={RATE}",
                                    "--channels=1", "--latency-msec=10"], stdout=out)
            time.sleep(0.3)
            t0 = time.time()
            subprocess.run(cmd, env=dict(env, PULSE_SINK=name), input=stdin, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=timeout, stdin=None if stdin is not None
                           else subprocess.DEVNULL)
            time.sleep(0.3)
            ended = time.time()
            rec.terminate()
            rec.wait()
        samples = array("h")
        data = raw.read_bytes()
        samples.frombytes(data[: len(data) // 2 * 2])
        first = next((i for i, x in enumerate(samples) if abs(x) > THRESHOLD), None)
        if first is None:
            return None
        return ended - (len(samples) - first) / RATE - t0
    finally:
        subprocess.run(["pactl", "unload-module", module], capture_output=True)
        raw.unlink(missing_ok=True)


def pulse_env() -> dict[str, str]:
    """The environment with the PulseAudio server and cookie pinned (so moved config folders keep them),
    and clients copying audio over the socket: PulseAudio 16 aborts on an imported memfd block (its
    issue 824) when many short-lived clients come and go, as here and in the tests."""
    env = dict(os.environ)
    conf = Path(tempfile.gettempdir()) / "eleven-bench-pulse-client.conf"
    conf.write_text("enable-shm = no\nenable-memfd = no\n")
    env.setdefault("PULSE_CLIENTCONFIG", str(conf))
    info = subprocess.run(["pactl", "info"], capture_output=True, text=True).stdout
    for line in info.splitlines():
        if line.startswith("Server String: "):
            server = line.split(": ", 1)[1]
            env.setdefault("PULSE_SERVER", server if ":" in server else "unix:" + server)
    cookie = Path.home() / ".config" / "pulse" / "cookie"
    if cookie.exists():
        env.setdefault("PULSE_COOKIE", str(cookie))
    return env
