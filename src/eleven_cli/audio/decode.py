"""Turn any output format into s16 mono PCM at a given rate, for playback. No external player."""

from __future__ import annotations

import importlib.util
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from eleven_cli.audio import g711
from eleven_cli.errors import UsageError
from eleven_cli.formats import Format


class Decoder(Protocol):
    """Playback decoding: `push(bytes)` as they arrive, then `close()`; PCM goes to the sink given."""

    def push(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def _resample_linear(pcm: bytes, src: int, dst: int) -> bytes:
    """Plain linear resampling, used only when the decoder cannot resample (raw PCM at another rate)."""
    from array import array

    if src == dst or not pcm:
        return pcm
    a = array("h")
    a.frombytes(pcm[: len(pcm) // 2 * 2])
    n = int(len(a) * dst / src)
    out = array("h", bytes(2 * n))
    ratio = src / dst
    last = len(a) - 1
    for i in range(n):
        x = i * ratio
        j = int(x)
        f = x - j
        k = j + 1 if j < last else last
        out[i] = int(a[j] * (1 - f) + a[k] * f)
    return out.tobytes()


def _av_mp3(rate: int) -> Callable[[bytes | None], bytes] | None:
    """An incremental MP3 decoder from PyAV when it is installed (frame-accurate, no read-ahead)."""
    try:
        import av
    except ImportError:
        return None
    codec = av.CodecContext.create("mp3", "r")
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)

    def decode(data: bytes | None) -> bytes:
        out = bytearray()
        for packet in codec.parse(data if data is not None else b""):
            for frame in codec.decode(packet):
                for f in resampler.resample(frame):
                    out += bytes(f.planes[0])[: f.samples * 2]
        if data is None:
            for frame in codec.decode(None):
                for f in resampler.resample(frame):
                    out += bytes(f.planes[0])[: f.samples * 2]
            for f in resampler.resample(None):
                out += bytes(f.planes[0])[: f.samples * 2]
        return bytes(out)

    return decode


class PcmDecoder:
    """Raw s16 PCM arriving in pieces, to the playback rate (sample alignment kept across pieces)."""

    def __init__(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> None:
        self.fmt = fmt
        self.rate = rate
        self.sink = sink
        self._carry = b""

    def push(self, data: bytes) -> None:
        data = self._carry + data
        cut = len(data) // 2 * 2
        self._carry = data[cut:]
        self.sink(_resample_linear(data[:cut], self.fmt.rate, self.rate))

    def close(self) -> None:
        """Nothing is held back but half a sample."""


class G711Decoder(PcmDecoder):
    """mu-law or A-law (one byte a sample), expanded and resampled as it arrives."""

    def push(self, data: bytes) -> None:
        self.sink(_resample_linear(g711.decode(data, self.fmt.codec), self.fmt.rate, self.rate))


class _LoadedDecoder(PcmDecoder):
    """A decoder whose library (PyAV, ~75 ms) loads in the background while the request goes out and the
    server prepares the first byte, instead of before the request; `push`/`close` wait for it once."""

    def __init__(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> None:
        super().__init__(fmt, rate, sink)
        self.error: BaseException | None = None
        self._av: Any = None
        self._loading: threading.Thread | None = threading.Thread(target=self._load_safely, daemon=True,
                                                                  name="eleven-decoder-load")
        self._loading.start()

    def _load(self) -> Any:
        """The incremental decoder (bytes, or None at the end -> PCM), or None when it is missing."""
        raise NotImplementedError

    def _load_safely(self) -> None:
        try:
            self._av = self._load()
        except BaseException as exc:  # noqa: BLE001 - raised by the first push()
            self.error = exc

    def _ready(self) -> None:
        """Wait (once) for the decoder loading in the background."""
        if self._loading is None:
            return
        self._loading.join()
        self._loading = None
        if self.error:
            raise self.error
        self._loaded()

    def _loaded(self) -> None:
        """Called once the background load is over."""

    def push(self, data: bytes) -> None:
        self._ready()
        self.sink(self._av(data))

    def close(self) -> None:
        self._ready()
        self.sink(self._av(None))
        if self.error:
            raise self.error


class OpusDecoder(_LoadedDecoder):
    """Ogg Opus decoded page by page as it arrives (audio/opus_stream.py); needs PyAV, said before any request."""

    def __init__(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> None:
        if importlib.util.find_spec("av") is None:
            raise UsageError("playing Opus needs PyAV", hint="pip install av, or use an mp3/pcm format")
        super().__init__(fmt, rate, sink)

    def _load(self) -> Any:
        from eleven_cli.audio.opus_stream import decoder

        return decoder(self.rate)


class Mp3Decoder(_LoadedDecoder):
    """MP3 through PyAV when it is installed, else miniaudio's streaming decoder in a thread."""

    def _load(self) -> Any:
        return _av_mp3(self.rate)  # None without PyAV: miniaudio then

    def _loaded(self) -> None:
        self._thread: threading.Thread | None = None
        if self._av is None:
            self._q: queue.Queue[bytes | None] = queue.Queue()
            self._thread = threading.Thread(target=self._mp3_loop, daemon=True, name="eleven-decoder")
            self._thread.start()

    def push(self, data: bytes) -> None:
        self._ready()
        if self._av is not None:
            self.sink(self._av(data))
        else:
            self._q.put(data)

    def close(self) -> None:
        self._ready()
        if self._av is not None:
            self.sink(self._av(None))
        else:
            self._q.put(None)
            assert self._thread is not None
            self._thread.join()
        if self.error:
            raise self.error

    def _source(self) -> Any:
        import miniaudio

        q = self._q

        class Source(miniaudio.StreamableSource):  # type: ignore[misc]
            def __init__(self) -> None:
                self.buf = b""
                self.done = False

            def read(self, num_bytes: int) -> bytes:
                while not self.buf and not self.done:
                    item = q.get()
                    if item is None:
                        self.done = True
                    else:
                        self.buf += item
                out, self.buf = self.buf[:num_bytes], self.buf[num_bytes:]
                return out

        return Source()

    def _mp3_loop(self) -> None:
        import miniaudio

        try:
            frames: Iterator[Any] = miniaudio.stream_any(
                self._source(), source_format=miniaudio.FileFormat.MP3,
                output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=self.rate,
                frames_to_read=1024)
            for chunk in frames:
                self.sink(chunk.tobytes())
        except Exception as exc:  # noqa: BLE001 - re-raised in close()
            self.error = exc


def StreamDecoder(fmt: Format, rate: int, sink: Callable[[bytes], None]) -> Decoder:  # noqa: N802 - a factory
    """Decodes a format arriving in pieces: `push(bytes)`, `close()`; decoded PCM goes to `sink` as it is decoded."""
    from eleven_cli.audio.codecs import codec_of

    return codec_of(fmt).decoder(fmt, rate, sink)
