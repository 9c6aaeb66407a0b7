"""In-process playback through PortAudio (sounddevice): a bounded buffer drained by a writer thread.

sounddevice is imported only here, and only when something is played, so `eleven --help` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from eleven_cli import timeline
from eleven_cli.errors import AudioDeviceError

PREFERRED_RATES = (24000, 22050, 16000, 48000, 44100, 32000, 8000)
_ACTIVE: set[Player] = set()


def abort_all() -> None:
    """Silence every player at once (called from the Ctrl-C handler, before any cleanup)."""
    for player in list(_ACTIVE):
        player.abort()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """PortAudio/ALSA print diagnostics straight to fd 2 when a stream is aborted: hide them."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _sd() -> Any:
    from eleven_cli.audio.probe import PORTAUDIO

    try:
        with PORTAUDIO:  # not while the probe initialises PortAudio in another thread
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
        said = str(exc).strip()
        detail = f" ({said})" if said and "no output device matching" not in said.lower() else ""
        return AudioDeviceError(f"no output device matching {device!r}{detail}",
                                hint=f"output devices: {listed}; see `eleven devices`")
    from eleven_cli.audio.probe import no_output

    return no_output()


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
    dev = parse_device(device)
    if dev is None:
        from eleven_cli.audio.probe import default_rate

        rate = default_rate(PREFERRED_RATES)  # without loading sounddevice, where it can
        if rate is not None:
            return rate
    sd = _sd()
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
    from eleven_cli.audio.probe import no_rate

    raise no_rate(PREFERRED_RATES)


class Player:
    """Plays s16 mono PCM handed to `feed()`. PortAudio pulls from a bounded buffer in its own
    callback, so a slow network means silence (never an ALSA underrun or a click) and Ctrl-C stops
    the sound at once. Playback starts once `buffer_ms` is queued, or at `finish()`."""

    def __init__(self, rate: int, device: str | int | None = None, buffer_ms: float = 150.0,
                 max_seconds: float = 30.0) -> None:
        self.rate = rate
        self.device = parse_device(device)
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._max_bytes = int(max_seconds * rate * 2)
        self._start_bytes = int(buffer_ms / 1000 * rate) * 2
        self._finishing = False
        self._aborted = False
        self._started = False
        self._starving = False
        self.received = 0  # bytes handed to feed()
        self.written = 0  # bytes handed to the device
        self.underruns = 0
        self.first_write: float | None = None
        self.started_at: float | None = None
        self.error: BaseException | None = None
        self.latency = 0.0  # the device's, once its stream is open
        self.stream: Any = None
        self._closed = False
        # The device was checked before the request (choose_rate); its stream is opened (sounddevice
        # loaded: ~15 ms of Python) once the request has been sent, so that work does not hold it back.
        self._opened: BaseException | None = None
        self._opener = threading.Thread(target=self._open, daemon=True, name="eleven-audio-open")
        self._opener_lock = threading.Lock()
        _ACTIVE.add(self)
        timeline.after("sent", self._begin_opening)

    def _begin_opening(self) -> None:
        with self._opener_lock:
            if not (self._closed or self._aborted) and self._opener.ident is None:
                self._opener.start()

    def _open(self) -> None:
        try:
            sd = _sd()
            try:
                # "high" (tens of ms) rides out scheduling hiccups of the callback thread; Ctrl-C still
                # stops at once, since abort() drops what the device has buffered.
                stream = sd.RawOutputStream(samplerate=self.rate, channels=1, dtype="int16", device=self.device,
                                            latency="high", callback=self._callback)
            except (sd.PortAudioError, ValueError, OSError) as exc:
                raise _no_device(sd, self.device, exc) from None
            with self._opener_lock:  # handed over, or closed here: never closed by two threads
                if not (self._aborted or self._closed):
                    self.latency = float(stream.latency)
                    self.stream = stream
                    return
            with contextlib.suppress(Exception):
                stream.close()  # stopped while it was opening
        except BaseException as exc:  # noqa: BLE001 - handed to whoever feeds the player
            self._opened = exc

    def _ready(self) -> None:
        """Wait for the stream to be open (opening it now if nothing has started that)."""
        self._begin_opening()
        if self._opener.ident is None:  # closed or aborted before it could open: nothing to play into
            raise AudioDeviceError("the audio output was closed before it opened")
        self._opener.join()
        if self._opened is not None:
            if isinstance(self._opened, AudioDeviceError):
                raise self._opened
            raise AudioDeviceError(f"cannot open the audio output ({self._opened})")

    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        need = frames * 2
        with self._cond:
            take = bytes(self._buf[:need])
            del self._buf[:need]
            self._cond.notify_all()
        if take:
            if self.first_write is None:
                self.first_write = time.monotonic()
                if timeline.ON:
                    timeline.mark("first_audio")
            self.written += len(take)
            self._starving = False
        elif not self._finishing and not self._starving:
            self._starving = True
            self.underruns += 1
        outdata[: len(take)] = take
        if len(take) < need:
            outdata[len(take) :] = b"\0" * (need - len(take))

    def _start(self) -> None:
        if not self._started and not self._aborted:
            self._ready()
            self._started = True
            try:
                self.stream.start()
            except Exception as exc:  # noqa: BLE001 - reported as our error
                self.error = exc
                raise self._device_error() from None
            self.started_at = time.monotonic()

    def feed(self, pcm: bytes) -> None:
        """Queue PCM; blocks while more than `max_seconds` are waiting (bounded memory)."""
        if self.error:
            raise self._device_error()
        if not pcm or self._aborted:
            return
        with self._cond:
            while len(self._buf) > self._max_bytes and not self._aborted:
                self._cond.wait(0.1)
            self._buf += pcm
        self.received += len(pcm)
        if self.received >= self._start_bytes:
            self._start()

    def _device_error(self) -> AudioDeviceError:
        return AudioDeviceError(f"audio device failed while playing ({self.error})")

    def played_seconds(self) -> float:
        """Seconds of audio that have come out of the device (handed over minus the device latency)."""
        if self.started_at is None:
            return 0.0
        return max(0.0, self.written / 2 / self.rate - self.latency)

    def finish(self) -> None:
        """Play everything queued, then close (after the device latency, so the tail is heard)."""
        self._finishing = True
        if self.received:
            self._start()
        with self._cond:
            while self._buf and not self._aborted and self.stream is not None:
                if not self.stream.active:
                    self.error = self.error or RuntimeError("the output stream stopped")
                    break
                self._cond.wait(0.05)
        if not self._aborted and self._started:
            time.sleep(self.latency + 0.05)
        self._close()
        if self.error:
            raise self._device_error()

    def abort(self) -> None:
        """Stop the sound now (Ctrl-C)."""
        if self._aborted:
            return
        self._aborted = True
        with self._opener_lock:
            stream = self.stream
        with _quiet_stderr():
            with contextlib.suppress(Exception):  # stopping is best effort
                if stream is not None:
                    stream.abort()
            self._close()
        with self._cond:
            self._buf.clear()
            self._cond.notify_all()

    def _close(self) -> None:
        with self._opener_lock:
            self._closed = True
            stream, self.stream = self.stream, None
        _ACTIVE.discard(self)
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
        if self._opener.ident is not None and self._opener is not threading.current_thread():
            self._opener.join(2.0)  # no PortAudio call of ours left running as the process exits
