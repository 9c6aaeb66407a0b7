"""In-process playback through PortAudio (sounddevice): a bounded buffer drained by a writer thread.

sounddevice is imported only here, and only when something is played, so `eleven --help` stays fast.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from eleven_cli.errors import AudioDeviceError

PREFERRED_RATES = (24000, 22050, 16000, 48000, 44100, 32000, 8000)


def _sd() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise AudioDeviceError(f"cannot load PortAudio ({exc})",
                               hint="install it: apt-get install libportaudio2 (or brew install portaudio)") from None
    return sd


def parse_device(device: str | int | None) -> str | int | None:
    if isinstance(device, str) and device.strip().isdigit():
        return int(device)
    return device or None


def _no_device(sd: Any, device: Any, exc: Exception) -> AudioDeviceError:
    try:
        names = [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    except Exception:  # noqa: BLE001 - listing is best effort inside an error path
        names = []
    if device is not None:
        listed = ", ".join(names) or "none"
        return AudioDeviceError(f"no output device matching {device!r} ({exc})",
                                hint=f"output devices: {listed}; see `eleven devices`")
    return AudioDeviceError("no audio output device available",
                            hint="start a sound server or pass -o FILE (or --no-play) to save instead")


def output_devices() -> list[dict[str, Any]]:
    """Every output device: index, name, host API, channels, default rate, default mark."""
    sd = _sd()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_out = sd.default.device[1]
    except (sd.PortAudioError, OSError) as exc:
        raise AudioDeviceError(f"cannot list audio devices ({exc})") from None
    out = []
    for i, d in enumerate(devices):
        if d["max_output_channels"] <= 0:
            continue
        out.append({"index": i, "name": d["name"], "hostapi": apis[d["hostapi"]]["name"],
                    "channels": d["max_output_channels"], "default_samplerate": d["default_samplerate"],
                    "default": i == default_out})
    return out


def choose_rate(device: str | int | None) -> int:
    """Check the device can play, before any request (so no credits are spent), and pick a PCM
    rate it accepts, preferring the API's 24 kHz."""
    sd = _sd()
    dev = parse_device(device)
    try:
        sd.query_devices(dev, kind="output")
    except (sd.PortAudioError, ValueError, OSError) as exc:
        raise _no_device(sd, dev, exc) from None
    for rate in PREFERRED_RATES:
        try:
            sd.check_output_settings(device=dev, samplerate=rate, channels=1, dtype="int16")
            return rate
        except (sd.PortAudioError, ValueError):
            continue
    raise AudioDeviceError(f"the output device accepts none of the rates {PREFERRED_RATES}")


class Player:
    """Plays s16 mono PCM fed with `feed()`; starts once `buffer_ms` is queued (or at `finish()`)."""

    def __init__(self, rate: int, device: str | int | None = None, buffer_ms: float = 150.0,
                 max_seconds: float = 30.0) -> None:
        sd = _sd()
        self.rate = rate
        self._sd = sd
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._pending = threading.Semaphore(0)
        self._queued_bytes = 0
        self._lock = threading.Lock()
        self._max_bytes = int(max_seconds * rate * 2)
        self._space = threading.Condition(self._lock)
        self._start_bytes = int(buffer_ms / 1000 * rate) * 2
        self.received = 0  # bytes handed to feed()
        self.written = 0  # bytes handed to PortAudio
        self.underruns = 0
        self.first_write: float | None = None
        self.started_at: float | None = None
        self.error: BaseException | None = None
        self._aborted = False
        dev = parse_device(device)
        try:
            self.stream = sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16", device=dev,
                                             latency="low")
        except (sd.PortAudioError, ValueError, OSError) as exc:
            raise _no_device(sd, dev, exc) from None
        self.latency = float(self.stream.latency)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eleven-player", daemon=True)
        self._thread.start()

    def feed(self, pcm: bytes) -> None:
        """Queue PCM; blocks while more than `max_seconds` are waiting (bounded memory)."""
        if self.error:
            raise self._device_error()
        if not pcm:
            return
        with self._space:
            while self._queued_bytes > self._max_bytes and not self._aborted and not self.error:
                self._space.wait(0.1)
            self._queued_bytes += len(pcm)
        self.received += len(pcm)
        self._queue.put(pcm)
        if self.received >= self._start_bytes:
            self._ready.set()

    def _device_error(self) -> AudioDeviceError:
        return AudioDeviceError(f"audio device failed while playing ({self.error})")

    def _run(self) -> None:
        try:
            self._ready.wait()
            if self._aborted:
                return
            self.stream.start()
            self.started_at = time.monotonic()
            while True:
                item = self._queue.get()
                if item is None or self._aborted:
                    break
                with self._space:
                    self._queued_bytes -= len(item)
                    self._space.notify_all()
                step = 2 * max(256, self.rate // 50)  # 20 ms pieces keep abort latency low
                for i in range(0, len(item), step):
                    if self._aborted:
                        return
                    piece = item[i : i + step]
                    if self.first_write is None:
                        self.first_write = time.monotonic()
                    if self.stream.write(piece):
                        self.underruns += 1
                    self.written += len(piece)
            if not self._aborted:
                # Closing does not drain: play the device latency (+50 ms) of silence first.
                tail = int((self.latency + 0.05) * self.rate) * 2
                self.stream.write(b"\0" * tail)
        except Exception as exc:  # noqa: BLE001 - reported to the feeding thread
            self.error = exc

    def played_seconds(self) -> float:
        """Seconds of audio that have come out of the device (written minus what is still buffered)."""
        if self.started_at is None:
            return 0.0
        written = self.written / 2 / self.rate
        return max(0.0, min(written - self.latency, time.monotonic() - self.started_at))

    def finish(self) -> None:
        """Play everything queued, then close."""
        self._ready.set()
        self._queue.put(None)
        while self._thread.is_alive():
            self._thread.join(0.1)
        self._close()
        if self.error:
            raise self._device_error()

    def abort(self) -> None:
        """Stop the sound now (Ctrl-C)."""
        self._aborted = True
        self._ready.set()
        self._queue.put(None)
        try:
            self.stream.abort()
        except Exception:  # noqa: BLE001
            pass
        self._thread.join(0.5)
        self._close()

    def _close(self) -> None:
        try:
            self.stream.close()
        except Exception:  # noqa: BLE001
            pass
