"""Speech for the mock: espeak-ng driven in-process through ctypes, with a tone fallback.

The engine returns mono s16 samples at 22,050 Hz plus per-character start/end times derived from
espeak's own word and clause events, so an alignment always follows the audio it describes.
"""

from __future__ import annotations

import _ctypes
import ctypes
import math
import os
import threading
from array import array
from dataclasses import dataclass

RATE = 22050

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_EV_LIST_TERMINATED = 0
_EV_WORD = 1
_EV_SENTENCE = 2
_EV_END = 5
_EV_MSG_TERMINATED = 6
_RATE_PARAM = 1
_PITCH_PARAM = 3
_RANGE_PARAM = 4


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Voicing:
    """How one mock voice sounds: an espeak voice name, pitch (0-100), range and base rate (wpm)."""

    espeak: str = "en-us"
    pitch: int = 50
    range: int = 50
    wpm: int = 175


@dataclass
class Speech:
    """Synthesised samples with one (start, end) time in seconds per character of the text."""

    samples: array  # array('h'), mono, RATE Hz
    starts: list[float]
    ends: list[float]

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE


class _Espeak:
    """espeak-ng, loaded afresh for every synthesis. The library keeps state from one utterance to the next
    (its pitch flutter, wave phase and sample counters), so the same text in the same voice would come out a
    few samples different each time; loaded afresh (about 3 ms) every synthesis is a first one, and the same
    request gives the same samples: the history serves an item again by speaking it again."""

    def __init__(self) -> None:
        import espeakng_loader

        self.path = espeakng_loader.get_library_path()
        self.data = espeakng_loader.get_data_path().encode()
        self._samples = array("h")
        self._events: list[tuple[int, int, int, int]] = []
        self._cb = _CALLBACK(self._callback)
        try:
            self._libc: ctypes.CDLL | None = ctypes.CDLL(None)  # its breath noise also draws on libc's rand()
        except (OSError, TypeError):
            self._libc = None
        if _resident(self.path):  # someone else holds it open: unloading ours would not reset it
            self.path = _private_copy(self.path)
        self._unload(self._load())  # fails here, once, if espeak-ng cannot start

    def _load(self) -> ctypes.CDLL:
        lib = ctypes.CDLL(self.path, mode=getattr(os, "RTLD_LOCAL", 0))
        lib.espeak_Initialize.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, self.data, 0)
        if rate != RATE:
            self._unload(lib)
            raise OSError(f"espeak-ng initialisation failed ({rate})")
        lib.espeak_SetSynthCallback(self._cb)
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        return lib

    @staticmethod
    def _unload(lib: ctypes.CDLL) -> None:
        lib.espeak_Terminate()
        _close(lib)

    def _callback(self, wav: ctypes.Array, n: int, events: ctypes.Array) -> int:
        if n > 0 and wav:
            self._samples.frombytes(ctypes.string_at(wav, n * 2))
        i = 0
        while events[i].type != _EV_LIST_TERMINATED:
            e = events[i]
            self._events.append((e.type, e.text_position, e.length, e.audio_position))
            i += 1
        return 0

    def synth(self, text: str, voice: Voicing, speed: float) -> tuple[array, list[tuple[int, int, int, int]]]:
        self._samples = array("h")
        self._events = []
        lib = self._load()
        try:
            lib.espeak_ng_SetRandSeed(1)
            if self._libc is not None:
                self._libc.srand(1)
            if lib.espeak_SetVoiceByName(voice.espeak.encode()) != 0:
                lib.espeak_SetVoiceByName(b"en")
            lib.espeak_SetParameter(_RATE_PARAM, int(voice.wpm * speed), 0)
            lib.espeak_SetParameter(_PITCH_PARAM, voice.pitch, 0)
            lib.espeak_SetParameter(_RANGE_PARAM, voice.range, 0)
            raw = text.encode("utf-8") + b"\0"
            buf = ctypes.create_string_buffer(raw)
            lib.espeak_Synth(buf, len(raw), 0, 0, 0, _CHARS_UTF8, None, None)
            lib.espeak_Synchronize()
        finally:
            self._unload(lib)
        samples, self._samples = self._samples, array("h")
        events, self._events = self._events, []
        return samples, events


def _close(lib: ctypes.CDLL) -> None:
    close = getattr(_ctypes, "dlclose", None) or getattr(_ctypes, "FreeLibrary", None)
    if close is not None:
        close(lib._handle)


def _resident(path: str) -> bool:
    """Whether the library at `path` is loaded in this process already."""
    noload = getattr(os, "RTLD_NOLOAD", None)
    if noload is None:
        return False
    try:
        lib = ctypes.CDLL(path, mode=noload)
    except OSError:
        return False
    _close(lib)  # the look took a reference of its own
    return True


def _private_copy(path: str) -> str:
    """A copy of the library of our own (removed at exit), which nobody else holds open."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="eleven-mock-espeak-")
    atexit.register(shutil.rmtree, folder, True)
    return shutil.copy(path, os.path.join(folder, os.path.basename(path)))


_lock = threading.Lock()
_engine: _Espeak | None = None
_engine_error: str | None = None


def engine_status() -> str | None:
    """Load the engine once; return None when speech is available, else why not."""
    global _engine, _engine_error
    with _lock:
        if _engine is None and _engine_error is None:
            try:
                _engine = _Espeak()
            except (OSError, ImportError, AttributeError) as exc:
                _engine_error = f"espeak-ng unavailable ({exc}); the mock speaks a tone signal instead"
        return _engine_error


def synthesize(text: str, voice: Voicing, speed: float = 1.0) -> Speech:
    """Speak `text`; thread-safe (espeak-ng is not, so calls are serialised)."""
    if engine_status() is None and _engine is not None:
        with _lock:
            samples, events = _engine.synth(text, voice, speed)
        speech = _align(text, samples, events)
        if speech is not None:
            return speech
    return _tone(text, voice, speed)


def _align(text: str, samples: array, events: list[tuple[int, int, int, int]]) -> Speech | None:
    total = len(samples) / RATE
    words: list[tuple[int, int, float]] = []  # (start index, end index, start time)
    clause_ends: list[float] = []
    for kind, pos, length, ms in events:
        if kind == _EV_WORD and pos > 0:
            start = pos - 1
            end = min(len(text), start + max(1, length))
            if words and start < words[-1][1]:
                # One token spoken as several words ("42" -> "forty two"): extend the token.
                words[-1] = (words[-1][0], max(words[-1][1], end), words[-1][2])
            elif start < len(text):
                words.append((start, end, ms / 1000.0))
        elif kind in (_EV_END, _EV_SENTENCE):
            clause_ends.append(ms / 1000.0)
    if not words:
        return None if text.strip() else Speech(samples, [0.0] * len(text), [0.0] * len(text))
    n = len(text)
    starts = [math.nan] * n
    ends = [math.nan] * n
    for k, (s, e, t0) in enumerate(words):
        nxt = words[k + 1][2] if k + 1 < len(words) else total
        t0 = min(max(t0, 0.0), total)
        # A word ends at the next word or at the end of its clause, whichever comes first.
        t1 = min([nxt] + [c for c in clause_ends if c > t0 + 0.01])
        t1 = min(max(t1, t0), total)
        span = (t1 - t0) / (e - s)
        for i in range(s, e):
            if math.isnan(starts[i]):
                starts[i] = t0 + span * (i - s)
                ends[i] = t0 + span * (i - s + 1)
    # Characters between words (spaces, punctuation espeak skipped) share the gap around them.
    i = 0
    while i < n:
        if not math.isnan(starts[i]):
            i += 1
            continue
        j = i
        while j < n and math.isnan(starts[j]):
            j += 1
        g0 = ends[i - 1] if i > 0 else 0.0
        g1 = starts[j] if j < n else total
        g1 = max(g1, g0)
        step = (g1 - g0) / (j - i)
        for k in range(i, j):
            starts[k] = g0 + step * (k - i)
            ends[k] = g0 + step * (k - i + 1)
        i = j
    return Speech(samples, starts, ends)


def _tone(text: str, voice: Voicing, speed: float) -> Speech:
    """An audible stand-in: one tone burst per word, pitch set by the voice, 60 ms per character."""
    per_char = 0.06 / speed
    freq = 150.0 + 3.0 * voice.pitch
    n = len(text)
    starts = [i * per_char for i in range(n)]
    ends = [(i + 1) * per_char for i in range(n)]
    samples = array("h", bytes(2 * int(round(n * per_char * RATE))))
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        a = int(starts[i] * RATE)
        b = min(len(samples), int(ends[i] * RATE))
        for k in range(a, b):
            samples[k] = int(8000 * math.sin(2 * math.pi * freq * k / RATE))
    return Speech(samples, starts, ends)
