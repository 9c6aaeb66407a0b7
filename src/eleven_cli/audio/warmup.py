"""Check the audio device while other work goes on: PortAudio's initialisation takes 40-60 ms, which
overlaps with loading the CLI and opening the connection instead of coming before them (the console
script starts it at its entry). The answer (a rate, or the AudioDeviceError) is collected before any
request, so a machine that cannot play spends nothing."""

from __future__ import annotations

import threading

from eleven_cli.errors import AudioDeviceError

_probes: dict[str | None, _Probe] = {}
_lock = threading.Lock()


class _Probe:
    def __init__(self, device: str | None) -> None:
        self.rate: int | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(device,), daemon=True, name="eleven-audio-probe")
        self.thread.start()

    def _run(self, device: str | None) -> None:
        try:
            from eleven_cli.audio.player import choose_rate

            self.rate = choose_rate(device)
            from eleven_cli import timeline

            timeline.mark("device")
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the rate
            self.error = exc


def start(device: str | None) -> None:
    """Begin probing `device` (None: the default output) in the background, once."""
    with _lock:
        if device not in _probes:
            _probes[device] = _Probe(device)


def rate(device: str | None) -> int:
    """The rate `device` plays at (waiting for its probe); AudioDeviceError when it cannot play."""
    start(device)
    probe = _probes[device]
    probe.thread.join()
    if probe.error is not None:
        if isinstance(probe.error, AudioDeviceError):
            raise probe.error
        raise AudioDeviceError(f"cannot open the audio output ({probe.error})")
    assert probe.rate is not None
    return probe.rate
