"""What `say`, `stream` and `timestamps` do, without Typer: plan where the audio goes, run the speech into
it with progress, say what it cost. The Typer commands (cli/synth.py) and the quick path that answers
their plain forms before Typer loads (cli/quick.py) both call these."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

Options = dict[str, Any]  # the declared synthesis options, as given (None = not given)


def _plan(g: Any, options: Options, output: str | None, play: bool | None, device: str | None,
          streaming: bool | None) -> Any:
    from eleven_cli.outputs import plan

    return plan(output, play, device or g.setting("device"), explicit_format=options.get("format"),
                default_format=g.setting("format"), streaming=streaming, stdout_tty=sys.stdout.isatty(),
                warn=g.say)


def _caption_plan(g: Any, options: Options, output: str | None, play: bool | None, device: str | None,
                  streaming: bool | None, captions: tuple[str | None, ...]) -> Any:
    """Where the audio goes when captions are asked for: nowhere (the smallest format is requested)
    when there is no -o and nothing is to be played, else as `_plan` says."""
    from eleven_cli.formats import get_format
    from eleven_cli.outputs import Plan

    dash = "-" in captions
    if output is None and any(captions) and (
            play is False or (play is None and (not sys.stdout.isatty() or dash))):
        return Plan(get_format(options.get("format") or "mp3_22050_32"), None, False, None)
    return _plan(g, options, output, play, device, streaming)


def check_outputs(output: str | None, alignment: str | None = None, srt: str | None = None,
                  vtt: str | None = None) -> bool:
    """Every output a command will write, checked before any request (one check for every command):
    at most one of them on stdout (`-`), every file in a folder that can be written. True when a
    caption or alignment goes to stdout."""
    from eleven_cli.audio.sink import check_output_path
    from eleven_cli.errors import UsageError

    named = (("-o", output), ("--alignment", alignment), ("--srt", srt), ("--vtt", vtt))
    dash = [flag for flag, value in named if value == "-"]
    if len(dash) > 1:
        raise UsageError(f"only one output can go to stdout (`-`): {' and '.join(dash)} both ask for it")
    for _, value in named:
        if value and value != "-":
            check_output_path(value)
    return bool(dash) and dash != ["-o"]


def _speech(g: Any, options: Options, words: list[str] | None, file: str | None, fmt: Any, **how: bool) -> Any:
    from eleven_cli.cli.reading import read_text

    text = read_text(words or [], file)
    return g.client().speech(text, **{**options, "format": fmt.name}, **how)


def outputs_of(g: Any, plan: Any, buffer_ms: float, *wire: Any) -> Any:
    """The plan's outputs; a device the profile named that cannot play says it came from the profile."""
    from eleven_cli.errors import AudioDeviceError

    try:
        return plan.outputs(buffer_ms, *wire)
    except AudioDeviceError as exc:
        if plan.device is not None and plan.device == g.setting("device"):
            exc.message += f" (from the device setting of profile {g.resolved.profile!r})"
            exc.hint = "change it with `eleven config set device NAME` (see `eleven devices`) or pass --device"
        raise


def _perform(g: Any, speech: Any, plan: Any, buffer_ms: float = 150.0, highlight: bool = False) -> Any:
    """Run the speech into the plan's outputs, showing what is going on; returns the Result."""
    from eleven_cli.cli.status import Progress, highlight_text, progress_text
    from eleven_cli.cli.watch import PieceProgress, Words
    from eleven_cli.errors import ElevenError
    from eleven_cli.outputs import PlayOutput

    words = Words()
    speech.remember = False  # run once: no copy of the audio kept for a second run
    speech.prepare()  # the connection opens while the audio device is checked in its own thread
    outs = outputs_of(g, plan, buffer_ms, speech.job.fmt, speech.wav)
    player = next((o.player for o in outs if isinstance(o, PlayOutput)), None)
    pieces = PieceProgress(g, playing=player is not None)
    if player is None:
        render: Any = lambda: ""  # noqa: E731
    elif highlight:
        render = highlight_text(player, words.get)
    else:
        line = progress_text(player, lambda: player.received)
        render = lambda: pieces.label() + line()  # noqa: E731
    try:
        with Progress(g, render):
            result = speech.run(*outs, pieces, words)
    except (ElevenError, KeyboardInterrupt):
        kept = pieces.kept_line()
        if kept:
            g.say(kept)
        raise
    if player is not None and g.verbose:
        g.trace(f"eleven: {player.underruns} buffer underruns while playing")
    if os.environ.get("ELEVEN_TIMING") and result.first_byte_at:
        # For benchmarks: when the first byte arrived and when the first audio was handed over.
        first = time.time() - (time.monotonic() - player.first_write) if player and player.first_write else None
        print(f"timing: first_byte={result.first_byte_at:.6f} first_audio={first or time.time():.6f}",
              file=sys.stderr)
    result.output = plan.output
    return result


def say(g: Any, text: list[str] | None, file: str | None, output: str | None, play: bool | None,
        device: str | None, as_json: bool, options: Options) -> None:
    from eleven_cli.cli.status import cost_line

    plan = _plan(g, options, output, play, device, streaming=None)  # /stream when playing: heard as it arrives
    result = _perform(g, _speech(g, options, text, file, plan.fmt, streaming=plan.streaming), plan)
    cost_line(g, as_json, plan.output == "-", **result.summary())


def stream(g: Any, text: list[str] | None, file: str | None, output: str | None, play: bool | None,
           device: str | None, as_json: bool, options: Options, buffer_ms: float = 150.0) -> None:
    from eleven_cli.cli.status import cost_line

    plan = _plan(g, options, output, play, device, streaming=True)
    result = _perform(g, _speech(g, options, text, file, plan.fmt, streaming=True), plan, buffer_ms)
    cost_line(g, as_json, plan.output == "-", **result.summary())
