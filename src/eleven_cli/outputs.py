"""Consumers of a synthesis' events: a file (atomic), stdout, memory, the speakers.

Each output takes every event (`handle`), then `finish()` (commit, play out) or `abort()` (no
partial file, silence at once). `plan()` applies cli.md's rules for where audio goes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from eleven_cli.atomic import AtomicFile
from eleven_cli.audio.containers import wav_header
from eleven_cli.audio.sink import StdoutSink, check_output_path
from eleven_cli.errors import AudioDeviceError, UsageError
from eleven_cli.events import Audio, Event, PieceDone, Started
from eleven_cli.formats import FORMATS, Format, choose_format, get_format


class Output:
    """The interface: every event, then finish() or abort()."""

    def handle(self, event: Event) -> None:
        """Take one event of the synthesis."""

    def finish(self) -> None:
        """The synthesis succeeded: store or play out what is left."""

    def abort(self) -> None:
        """The synthesis failed or was interrupted: keep nothing partial, stop sound at once."""


class _Assembled(Output):
    """One valid file of the format from the event stream: Audio bytes as they come, except where the
    container needs the whole (a WAV header on a pipe, several Ogg Opus pieces remuxed)."""

    def __init__(self, fmt: Format, wav: bool) -> None:
        self.fmt = fmt
        self.wav = wav  # the payload is PCM; a RIFF header goes around it
        self.whole = False  # collect everything and write at the end
        self.parts: list[bytes] = []

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def handle(self, event: Event) -> None:
        if isinstance(event, Started):
            self.whole = self.whole or (self.fmt.codec == "opus" and event.pieces > 1)
        elif isinstance(event, Audio) and event.data:
            if self.whole and self.fmt.codec != "opus":
                self.parts.append(event.data)
            elif not self.whole:
                self._write(event.data)
        elif isinstance(event, PieceDone) and self.whole and self.fmt.codec == "opus":
            self.parts.append(event.audio)

    def assembled(self) -> bytes:
        """What was collected, as one file."""
        if self.fmt.codec == "opus":
            from eleven_cli.audio.stitch import stitch

            return stitch(self.parts, self.fmt) if self.parts else b""
        pcm = b"".join(self.parts)
        return wav_header(self.fmt.rate, len(pcm)) + pcm if self.wav else pcm


class FileOutput(_Assembled):
    """Audio to a file, atomically (temp file + rename on finish), or to stdout for `-`."""

    def __init__(self, path: str | Path, fmt: Format, wav: bool | None = None) -> None:
        wav = fmt.codec == "wav" if wav is None else wav
        super().__init__(fmt, wav)
        self.path = str(path)
        if self.path == "-":
            self.sink: AtomicFile | StdoutSink = StdoutSink()
            self.whole = wav  # a pipe cannot have its RIFF sizes patched afterwards
        else:
            self.sink = AtomicFile(self.path, wav_rate=fmt.rate if wav else None)

    def _write(self, data: bytes) -> None:
        self.sink.write(data)

    def finish(self) -> None:
        if self.whole:
            self.sink.write(self.assembled())
        self.sink.commit()

    def abort(self) -> None:
        self.sink.discard()


class MemoryOutput(_Assembled):
    """Audio collected in memory; `data` after finish()."""

    def __init__(self, fmt: Format, wav: bool | None = None) -> None:
        super().__init__(fmt, fmt.codec == "wav" if wav is None else wav)
        self.whole = True
        self.data = b""

    def _write(self, data: bytes) -> None:  # pragma: no cover - everything is collected
        self.parts.append(data)

    def finish(self) -> None:
        self.data = self.assembled()


class PlayOutput(Output):
    """Audio to the speakers as it arrives: decoded in-process, through a PortAudio callback."""

    def __init__(self, fmt: Format, rate: int, device: str | int | None = None, buffer_ms: float = 150.0) -> None:
        from eleven_cli.audio.decode import StreamDecoder
        from eleven_cli.audio.player import Player

        self.fmt = fmt
        self.player = Player(rate, device, buffer_ms=buffer_ms)
        self.decoder = StreamDecoder(fmt, rate, self.player.feed)  # pieces of Ogg Opus chain: decoded as they come

    def handle(self, event: Event) -> None:
        if isinstance(event, Audio):
            self.decoder.push(event.data)

    def finish(self) -> None:
        self.decoder.close()
        self.player.finish()

    def abort(self) -> None:
        self.player.abort()


@contextlib.contextmanager
def feeding(outputs: Sequence[Output]) -> Iterator[None]:
    """Around the feeding of `outputs`: finish them all in order when it succeeds, abort them all
    (no partial file, silence at once) when it fails or is interrupted."""
    try:
        yield
        for output in outputs:
            output.finish()
    except BaseException:
        for output in outputs:
            output.abort()
        raise


@dataclass
class Plan:
    """Where the audio of one synthesis goes, in which format."""

    fmt: Format  # what to request
    output: str | None  # file path, "-" for stdout, None for none
    play: bool  # asked to play (the device may still turn out unable: see outputs())
    device: str | None
    streaming: bool = False  # ask the /stream endpoints (audio as it is generated)
    warn: Callable[[str], None] | None = None

    @property
    def rate(self) -> int | None:
        """The device's rate when playing (waits for the device probe started by `plan`)."""
        from eleven_cli.audio import warmup

        return warmup.rate(self.device) if self.play else None

    def outputs(self, buffer_ms: float = 150.0, wire: Format | None = None, wav: bool | None = None) -> list[Output]:
        """File or stdout first (committed before playing out), then the speakers. Called before any
        request: a device that cannot play is exit 7 here, or a warning when a file is written too.
        `wire`/`wav`: the format the audio arrives in, and whether a RIFF header goes around it (a
        Speech says: eleven_cli.speech.wire_format), when that is not the planned format itself."""
        out: list[Output] = []
        rate = None
        fmt = wire or self.fmt
        if self.play:
            try:
                rate = self.rate
            except AudioDeviceError as exc:
                if self.output is None:
                    raise
                if self.warn:
                    self.warn(f"eleven: playback skipped: {exc.line()} The file is still written.")
        if self.output is not None:
            out.append(FileOutput(self.output, fmt, wav=fmt.codec == "wav" if wav is None else wav))
        if rate:
            out.append(PlayOutput(fmt, rate, self.device, buffer_ms))
        return out


def plan(output: str | None, play: bool | None, device: str | None, *, explicit_format: str | None,
         default_format: str | None, streaming: bool | None, stdout_tty: bool,
         warn: Callable[[str], None] | None = None) -> Plan:
    """cli.md's output rules, checked before any request: -o FILE / -o - / stdout pipe / playback.
    `streaming=None` streams exactly when playing, so the first sound comes before the response ends."""
    if output is None and not stdout_tty and not play:
        output = "-"  # `eleven say hi > x.mp3` and pipes get the audio
    want_play = play if play is not None else (output is None and stdout_tty)
    if output is None and not want_play:
        raise UsageError("nothing to do with the audio: --no-play without -o",
                         hint="pass -o FILE, -o - (with a pipe), or drop --no-play")
    if output == "-" and stdout_tty:
        raise UsageError("refusing to write binary audio to a terminal", hint="redirect it or use -o FILE")
    if output not in (None, "-"):
        check_output_path(output)
    if want_play:
        from eleven_cli.audio import warmup

        warmup.start(device)  # ready by the time the request is sent; its verdict is read in outputs()
    if output is None:
        # Only playing: PCM at the API's own rate, which nearly every device takes (else it is resampled).
        fmt = get_format(explicit_format) if explicit_format else FORMATS["pcm_24000"]
    else:
        fmt = choose_format(explicit_format, output, default_format)
    streaming = want_play if streaming is None else streaming
    return Plan(fmt, output, bool(want_play), device, streaming, warn)

