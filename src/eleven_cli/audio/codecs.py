"""The codec table: one object per codec of the API (mp3, pcm, wav, ulaw, alaw, opus) that knows its
bytes -- strict duration (verify), a streaming duration counter, joining pieces, the per-piece header
filter, how a file of it is written, and how it is decoded for playback. Nothing outside audio/ and
formats.py branches on a codec's name: it asks `codec_of(fmt)` (tests/test_layers.py holds it).

The container modules hold the byte layouts: audio/mp3.py, audio/riff.py, audio/ogg.py, audio/g711.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from eleven_cli.audio import mp3, ogg, riff
from eleven_cli.errors import BrokenAudioError as BrokenAudio
from eleven_cli.formats import Format

if TYPE_CHECKING:
    from eleven_cli.audio.decode import Decoder


class Counter(Protocol):
    """Seconds of audio in a stream arriving in pieces (settable when a stream is rolled back)."""

    seconds: float

    def add(self, data: bytes) -> float: ...


class Filter(Protocol):
    """Turns one piece's stream into its part of a growing file (headers that belong once dropped)."""

    def feed(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


class Destination(Protocol):
    """Where a file's bytes go (eleven_cli.atomic, or memory): `seekable` ones take patches and truncation."""

    @property
    def seekable(self) -> bool: ...

    def write(self, data: bytes) -> None: ...

    def patch(self, offset: int, data: bytes) -> None: ...

    def truncate(self, size: int) -> bool: ...


class _Pass:
    """A filter that changes nothing."""

    def feed(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class _RawCounter:
    """Seconds of a fixed-rate sample stream: its byte count over bytes per second."""

    def __init__(self, per_second: int, size: int = 0) -> None:
        self._per_second = per_second
        self._bytes = size
        self.seconds = size / per_second

    def add(self, data: bytes) -> float:
        self._bytes += len(data)
        self.seconds = self._bytes / self._per_second
        return self.seconds


class Writer:
    """One file of a format from the audio of a synthesis, into a Destination: `begin(pieces)`, `audio(bytes)`
    as it arrives, `piece(bytes)` with each finished piece as the server sent it, then `finish()`.
    This one writes the audio through as it comes."""

    def __init__(self, fmt: Format, dest: Destination) -> None:
        self.fmt = fmt
        self.dest = dest
        self.size = 0  # audio bytes taken

    def begin(self, pieces: int) -> None:
        """The synthesis has this many pieces."""

    def audio(self, data: bytes) -> None:
        self.dest.write(data)
        self.size += len(data)

    def piece(self, whole: bytes) -> None:
        """A finished piece, whole (its audio came through `audio` already)."""

    def truncate(self, size: int) -> bool:
        """Forget the audio after its first `size` bytes (a resent WebSocket generation); False when the
        destination cannot take it back."""
        if not self.dest.truncate(size):
            return False
        self.size = size
        return True

    def finish(self) -> None:
        """Write what was held back (the destination is committed by its owner)."""


class _WavWriter(Writer):
    """PCM in a RIFF header: sizes patched at the end when the destination can seek, else the whole held
    and written at the end (a pipe, a device)."""

    def __init__(self, fmt: Format, dest: Destination) -> None:
        super().__init__(fmt, dest)
        self.held: bytearray | None = None if dest.seekable else bytearray()
        if self.held is None:
            dest.write(riff.header(fmt.rate, 0))

    def audio(self, data: bytes) -> None:
        if self.held is None:
            super().audio(data)
        else:
            self.held += data
            self.size += len(data)

    def truncate(self, size: int) -> bool:
        if self.held is not None:
            del self.held[size:]
        elif not self.dest.truncate(riff.HEADER_BYTES + size):
            return False
        self.size = size
        return True

    def finish(self) -> None:
        if self.held is None:
            for offset, data in riff.size_patches(self.size):
                self.dest.patch(offset, data)
        else:
            self.dest.write(riff.header(self.fmt.rate, len(self.held)) + self.held)
            self.held = None


class _OggWriter(Writer):
    """One Ogg stream: written through for one piece; several pieces are held and remuxed at the end."""

    def __init__(self, fmt: Format, dest: Destination) -> None:
        super().__init__(fmt, dest)
        self.parts: list[bytes] | None = None

    def begin(self, pieces: int) -> None:
        if pieces > 1:
            self.parts = []

    def audio(self, data: bytes) -> None:
        if self.parts is None:
            super().audio(data)

    def piece(self, whole: bytes) -> None:
        if self.parts is not None:
            self.parts.append(whole)

    def truncate(self, size: int) -> bool:
        return self.parts is None and super().truncate(size)

    def finish(self) -> None:
        if self.parts:
            self.dest.write(ogg.remux(self.parts))
        self.parts = None


class Codec:
    """What the rest of the program may ask of a codec. The base is a raw sample stream."""

    name = ""
    sample_bytes = 2  # bytes per sample of a raw stream

    def seconds(self, data: bytes, fmt: Format) -> float:
        """The duration of a whole response, checked in its container (raises BrokenAudio)."""
        if len(data) % self.sample_bytes:
            raise BrokenAudio(f"the {self.name.upper()} audio was truncated mid-sample")
        return len(data) / self.sample_bytes / fmt.rate

    def counter(self, fmt: Format, seconds: float = 0.0, size: int = 0) -> Counter:
        """A streaming duration counter, started at `seconds` (or `size` bytes) of audio already counted."""
        return _RawCounter(self.sample_bytes * fmt.rate, size)

    def stitch(self, parts: list[bytes], fmt: Format) -> bytes:
        """One valid file from the whole responses of several pieces."""
        return b"".join(parts)

    def header_filter(self, first: bool) -> Filter:
        """For the stream of one piece, what of it goes into the growing file."""
        return _Pass()

    def writer(self, fmt: Format, dest: Destination) -> Writer:
        """How a file of this format is written into `dest`."""
        return Writer(fmt, dest)

    def decoder(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> Decoder:
        """A playback decoder (push/close) to s16 mono PCM at `rate`."""
        from eleven_cli.audio.decode import PcmDecoder

        return PcmDecoder(fmt, rate, sink)


class _Pcm(Codec):
    name = "pcm"


class _G711(Codec):
    sample_bytes = 1

    def __init__(self, name: str) -> None:
        self.name = name

    def seconds(self, data: bytes, fmt: Format) -> float:
        return len(data) / fmt.rate  # one byte a sample: nothing to cut

    def decoder(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> Decoder:
        from eleven_cli.audio.decode import G711Decoder

        return G711Decoder(fmt, rate, sink)


class _Wav(Codec):
    """A RIFF header around PCM: pieces reach the file as PCM (every header dropped), the writer adds one."""

    name = "wav"

    def seconds(self, data: bytes, fmt: Format) -> float:
        return riff.seconds(data)

    def stitch(self, parts: list[bytes], fmt: Format) -> bytes:
        if len(parts) == 1:
            return parts[0]
        pcm = b"".join(riff.data(p)[1] for p in parts)
        return riff.header(fmt.rate, len(pcm)) + pcm

    def header_filter(self, first: bool) -> Filter:
        return riff.HeaderFilter()

    def writer(self, fmt: Format, dest: Destination) -> Writer:
        return _WavWriter(fmt, dest)


class _Mp3(Codec):
    name = "mp3"

    def seconds(self, data: bytes, fmt: Format) -> float:
        return mp3.seconds(data)

    def counter(self, fmt: Format, seconds: float = 0.0, size: int = 0) -> Counter:
        counted = mp3.Counter()
        counted.seconds = seconds
        return counted

    def stitch(self, parts: list[bytes], fmt: Format) -> bytes:
        return parts[0] if len(parts) == 1 else b"".join(mp3.frames(p) for p in parts)

    def header_filter(self, first: bool) -> Filter:
        return _Pass() if first else mp3.HeaderFilter()

    def decoder(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> Decoder:
        from eleven_cli.audio.decode import Mp3Decoder

        return Mp3Decoder(fmt, rate, sink)


class _Opus(Codec):
    """Ogg Opus: pieces pass whole (a chained stream, played as it comes); a file of several is remuxed."""

    name = "opus"

    def seconds(self, data: bytes, fmt: Format) -> float:
        return ogg.seconds(data)

    def counter(self, fmt: Format, seconds: float = 0.0, size: int = 0) -> Counter:
        counted = ogg.Counter()
        counted.seconds = seconds
        return counted

    def stitch(self, parts: list[bytes], fmt: Format) -> bytes:
        return parts[0] if len(parts) == 1 else ogg.remux(parts)

    def writer(self, fmt: Format, dest: Destination) -> Writer:
        return _OggWriter(fmt, dest)

    def decoder(self, fmt: Format, rate: int, sink: Callable[[bytes], None]) -> Decoder:
        from eleven_cli.audio.decode import OpusDecoder

        return OpusDecoder(fmt, rate, sink)


CODECS: dict[str, Codec] = {c.name: c for c in (_Mp3(), _Pcm(), _Wav(), _G711("ulaw"), _G711("alaw"), _Opus())}


def codec_of(fmt: Format) -> Codec:
    """The codec object of a format."""
    return CODECS[fmt.codec]


def duration_counter(fmt: Format, *, seconds: float = 0.0, size: int = 0) -> Counter:
    """Seconds of audio of `fmt` in a stream arriving in pieces; `seconds`/`size` resume one rolled back
    to that point (raw formats count bytes, compressed ones carry the seconds on)."""
    return codec_of(fmt).counter(fmt, seconds, size)


def part_filter(fmt: Format, first: bool) -> Filter:
    """The filter for one piece's stream into a growing file of the format (the first piece's headers stay,
    except a RIFF header, which the writer owns)."""
    return codec_of(fmt).header_filter(first)


def stitch(parts: list[bytes], fmt: Format) -> bytes:
    """One valid file from the whole responses of several pieces."""
    return codec_of(fmt).stitch(parts, fmt)


def writer(fmt: Format, dest: Destination) -> Writer:
    """How a file of `fmt` is written into `dest`."""
    return codec_of(fmt).writer(fmt, dest)
