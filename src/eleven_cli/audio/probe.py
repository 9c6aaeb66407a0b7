"""The default output device checked before any request, without loading sounddevice.

Importing sounddevice costs ~15 ms of Python (ctypes.util, subprocess, platform, its own 3,000 lines)
that competes with the request for the interpreter; this checks the device through the cffi module that
sounddevice ships (`_sounddevice`) and PortAudio itself: initialise (40-60 ms, outside the GIL), the
default output, and the first of the preferred rates it takes at 16 bits mono, as sounddevice's
`check_output_settings` would. PortAudio stays initialised, so sounddevice, loaded later to play, finds
it ready. Only on Linux and for the default device; otherwise (and when PortAudio is not found by its
soname) None, and the caller asks sounddevice (audio/player.py choose_rate).
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from eleven_cli.errors import AudioDeviceError

_SONAME = "libportaudio.so.2"
PORTAUDIO = threading.Lock()  # PortAudio's initialisation is not thread-safe: the probe's and sounddevice's


def default_rate(preferred: tuple[int, ...]) -> int | None:
    """The first rate of `preferred` the default output takes; AudioDeviceError when there is none or
    it takes none; None when this check cannot be made here."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        from _sounddevice import ffi

        lib = ffi.dlopen(_SONAME)
    except (ImportError, OSError):
        return None
    with PORTAUDIO:
        code = _initialise(lib)
    if code:
        raise AudioDeviceError(f"cannot open the audio output ({_text(ffi, lib, code)})")
    device = lib.Pa_GetDefaultOutputDevice()
    info = lib.Pa_GetDeviceInfo(device) if device >= 0 else ffi.NULL
    if info == ffi.NULL or info.maxOutputChannels < 1:
        raise no_output()
    params = ffi.new("PaStreamParameters*", {"device": device, "channelCount": 1, "sampleFormat": lib.paInt16,
                                             "suggestedLatency": info.defaultHighOutputLatency,
                                             "hostApiSpecificStreamInfo": ffi.NULL})
    for rate in preferred:
        if lib.Pa_IsFormatSupported(ffi.NULL, params, float(rate)) == 0:
            return rate
    raise no_rate(preferred)


def no_output() -> AudioDeviceError:
    """There is no default output (no sound server, no device): the same words whoever finds out."""
    return AudioDeviceError("no audio output device available",
                            hint="start a sound server or pass -o FILE (or --no-play) to save instead")


def no_rate(preferred: tuple[int, ...]) -> AudioDeviceError:
    return AudioDeviceError(f"the output device accepts none of the rates {preferred}")


def _initialise(lib: Any) -> int:
    """Pa_Initialize with fd 2 pointed at /dev/null, as sounddevice does: ALSA and JACK print their probing
    to stderr."""
    saved = None
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass
    try:
        return int(lib.Pa_Initialize())
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def _text(ffi: Any, lib: Any, code: int) -> str:
    return ffi.string(lib.Pa_GetErrorText(code)).decode("utf-8", "replace")
