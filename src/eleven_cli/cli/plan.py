"""Decisions shared by the synthesis commands: text, where audio goes, whether to play, the cost line."""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from typing import Any

from eleven_cli.audio.sink import AtomicFile, StdoutSink, check_output_path
from eleven_cli.cli.context import Globals
from eleven_cli.cli.options import SynthOptions
from eleven_cli.cli.render import human_seconds
from eleven_cli.errors import AudioDeviceError, UsageError
from eleven_cli.formats import FORMATS, Format, choose_format, get_format


@dataclass
class Plan:
    """Where the audio of one synthesis goes, in which format."""

    fmt: Format  # what to request
    output: str | None  # file path, "-" for stdout, None for none
    play: bool
    rate: int | None  # device rate when playing
    device: str | None
    wav_from_pcm: bool = False  # write a RIFF file around streamed PCM

    def sink(self) -> AtomicFile | StdoutSink | None:
        if self.output is None:
            return None
        if self.output == "-":
            return StdoutSink()
        return AtomicFile(self.output, wav_rate=self.fmt.rate if self.wav_from_pcm else None)


def make_plan(g: Globals, opts: SynthOptions, output: str | None, play: bool | None, device: str | None,
              streaming: bool) -> Plan:
    """cli.md's output rules, checked before any request: -o FILE / -o - / stdout pipe / playback."""
    stdout_tty = sys.stdout.isatty()
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
    device = device or g.setting("device")
    rate = None
    if want_play:
        from eleven_cli.audio.player import choose_rate

        try:
            rate = choose_rate(device)
        except AudioDeviceError as exc:
            if output is None:
                raise
            g.say(f"eleven: playback skipped: {exc.line()} The file is still written.")
            want_play = False
    explicit = opts.format
    default = g.setting("format")
    if output is None:
        # Only playing: ask for PCM at the device's rate, so nothing needs decoding.
        fmt = get_format(explicit) if explicit else FORMATS.get(f"pcm_{rate}", FORMATS["pcm_24000"])
    else:
        fmt = choose_format(explicit, output, default)
    wav_from_pcm = False
    if streaming and fmt.codec == "wav":
        fmt = FORMATS[f"pcm_{fmt.rate}"]
        wav_from_pcm = True
    return Plan(fmt, output, want_play, rate, device, wav_from_pcm)


def cost_line(g: Globals, as_json: bool, audio_on_stdout: bool, **info: Any) -> None:
    """The one-line summary after a synthesis (stderr), or JSON (stdout unless audio is there)."""
    if as_json:
        stream = sys.stderr if audio_on_stdout else sys.stdout
        stream.write(json.dumps(info) + "\n")
        stream.flush()
        return
    if g.quiet:
        return
    parts = [f"{info.get('characters') or 0} characters"]
    if info.get("cached_pieces"):
        parts.append(f"{info['cached_pieces']} pieces from cache")
    parts.append(f"{info.get('duration_seconds', 0):.2f} s audio")
    ttfb = info.get("ttfb_ms")
    if ttfb is not None:
        parts.append(f"first byte {human_seconds(ttfb / 1000)}")
    rids = info.get("request_ids") or []
    if rids:
        parts.append(f"request-id {rids[0]}" + (f" (+{len(rids) - 1})" if len(rids) > 1 else ""))
    if info.get("output") and info["output"] != "-":
        parts.append(f"→ {info['output']}")
    print("eleven: " + " · ".join(parts), file=sys.stderr, flush=True)


class Progress:
    """One live stderr line while audio plays or streams (terminal only, not with -q)."""

    def __init__(self, g: Globals, render: Any) -> None:
        self.enabled = sys.stderr.isatty() and not g.quiet
        self.render = render
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            line = self.render()
            if line:
                sys.stderr.write("\r\x1b[K" + line)
                sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

