"""First sound as heard: process start -> the first audible sample on a PulseAudio null sink.

Each measurement loads its own null sink, records its monitor with parec, runs the command with
PULSE_SINK pointing at it, and dates the first sample above a small threshold by when it reached the
recorder (parec reads every ~10 ms), so neither parec's start-up delay nor samples dropped later count.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
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


def heard(cmd: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 60,
          trace: dict | None = None) -> float | None:
    """Seconds from starting `cmd` to its first audible sample, or None if nothing was heard. `trace` gets
    the start's and the first sample's wall-clock times and what the command wrote to stderr."""
    name = "b" + uuid.uuid4().hex[:8]
    module = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}", f"rate={RATE}",
                             "channels=1", "format=s16le", "norewinds=1"],
                            capture_output=True, text=True, check=True).stdout.strip()
    try:
        rec = subprocess.Popen(["parec", f"--device={name}.monitor", "--format=s16le", f"--rate={RATE}",
                                "--channels=1", "--latency-msec=10"], stdout=subprocess.PIPE)
        onset: list[float] = []
        watcher = threading.Thread(target=_watch, args=(rec, onset), daemon=True)
        watcher.start()
        time.sleep(0.3)
        t0 = time.time()
        done = subprocess.run(cmd, env=dict(env, PULSE_SINK=name), input=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE if trace is not None else subprocess.DEVNULL,
                              timeout=timeout, stdin=None if stdin is not None else subprocess.DEVNULL)
        time.sleep(0.3)
        rec.terminate()
        rec.wait()
        watcher.join(5)
        if trace is not None:
            trace.update(t0=t0, heard=onset[0] if onset else None, stderr=(done.stderr or b"").decode())
        return onset[0] - t0 if onset else None
    finally:
        subprocess.run(["pactl", "unload-module", module], capture_output=True)


def _watch(rec: subprocess.Popen, onset: list[float]) -> None:
    """Date the first audible sample by the wall clock of its arrival at the recorder (parec delivers every
    ~10 ms), less the samples that follow it in the same read: independent of parec's start-up delay and of
    samples the sound server drops later on a loaded machine."""
    assert rec.stdout is not None
    carry = b""
    while True:
        data = rec.stdout.read1(65536)
        if not data:
            return
        now = time.time()
        data, carry = carry + data, b""
        if len(data) % 2:
            data, carry = data[:-1], data[-1:]
        if onset:
            continue
        samples = array("h")
        samples.frombytes(data)
        first = next((i for i, x in enumerate(samples) if abs(x) > THRESHOLD), None)
        if first is not None:
            onset.append(now - (len(samples) - first) / RATE)


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
