"""`eleven say`, `eleven stream` and `eleven timestamps`."""


import os
import sys
import time
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import DeviceOpt, FileOpt, JsonOpt, OutputOpt, PlayOpt, TextArg, synthesis
from eleven_cli.options import SPEECH

Options = dict[str, Any]  # the declared synthesis options, as given (None = not given)
BufferOpt = Annotated[float, typer.Option("--buffer", metavar="MS", min=0, max=5000,
                                          help="Jitter buffer before the first sound, in ms.")]


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


def _perform(g: Any, speech: Any, plan: Any, buffer_ms: float = 150.0, highlight: bool = False) -> Any:
    """Run the speech into the plan's outputs, showing what is going on; returns the Result."""
    from eleven_cli.cli.status import Progress, highlight_text, progress_text
    from eleven_cli.cli.watch import PieceProgress, Words
    from eleven_cli.errors import ElevenError
    from eleven_cli.outputs import PlayOutput

    words = Words()
    speech.remember = False  # run once: no copy of the audio kept for a second run
    outs = plan.outputs(buffer_ms, speech.job.fmt, speech.wav)
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


@synthesis([SPEECH])
def say(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
    options: Options | None = None,
) -> None:
    """Synthesise text and write it to a file, stdout, or the speakers.

    Long text is split below the model's limit and stitched into one file."""
    from eleven_cli.cli.status import cost_line

    g, options = ctx.obj, options or {}
    plan = _plan(g, options, output, play, device, streaming=None)  # /stream when playing: heard as it arrives
    result = _perform(g, _speech(g, options, text, file, plan.fmt, streaming=plan.streaming), plan)
    cost_line(g, as_json, plan.output == "-", **result.summary())


@synthesis([SPEECH])
def stream(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    buffer_ms: BufferOpt = 150.0,
    as_json: JsonOpt = False,
    options: Options | None = None,
) -> None:
    """Stream speech: play it as it arrives (first sound before the response ends), optionally
    teeing the audio to -o FILE or stdout."""
    from eleven_cli.cli.status import cost_line

    g, options = ctx.obj, options or {}
    plan = _plan(g, options, output, play, device, streaming=True)
    result = _perform(g, _speech(g, options, text, file, plan.fmt, streaming=True), plan, buffer_ms)
    cost_line(g, as_json, plan.output == "-", **result.summary())


@synthesis([SPEECH])
def timestamps(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    alignment_out: Annotated[str | None, typer.Option("--alignment", metavar="FILE",
                                                      help="Write characters and words with "
                                                      "times as JSON (`-` = stdout).", show_default=False)] = None,
    srt: Annotated[str | None, typer.Option("--srt", metavar="FILE", help="Write SubRip captions (`-` = stdout).",
                                            show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", metavar="FILE", help="Write WebVTT captions (`-` = stdout).",
                                            show_default=False)] = None,
    normalized: Annotated[bool, typer.Option("--normalized", help="Use the normalized alignment (numbers "
                                             "spelled out etc.).")] = False,
    use_stream: Annotated[bool, typer.Option("--stream", help="Use /stream/with-timestamps: audio and "
                                             "alignment arrive chunk by chunk.")] = False,
    max_chars: Annotated[int, typer.Option("--max-chars", metavar="N", min=8, max=200, help="Caption characters per "
                                           "line.")] = 42,
    max_lines: Annotated[int, typer.Option("--max-lines", metavar="N",
                                           min=1, max=5, help="Caption lines per cue.")] = 2,
    max_duration: Annotated[float, typer.Option("--max-duration", metavar="SECONDS",
                                                min=0.5, max=60, help="Longest cue, in "
                                                "seconds.")] = 7.0,
    words_per_cue: Annotated[int | None, typer.Option("--words-per-cue", metavar="N",
                                                      min=1, help="At most this many words "
                                                      "per cue (1 = word by word).", show_default=False)] = None,
    highlight: Annotated[bool, typer.Option("--highlight/--no-highlight", help="While playing on a terminal, "
                                            "highlight each word as it is heard.")] = True,
    keep_tags: Annotated[bool, typer.Option("--keep-tags", help="Keep audio tags such as [laughs] in the SRT "
                                            "and VTT captions (they are performed, not said).")] = False,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
    options: Options | None = None,
) -> None:
    """Speech plus character timing: write alignment JSON and word-level SRT/VTT captions."""
    from eleven_cli.captions import CaptionStyle, write_captions
    from eleven_cli.cli.status import cost_line

    g, options = ctx.obj, options or {}
    dash = check_outputs(output, alignment_out, srt, vtt)
    plan = _caption_plan(g, options, output, play, device, use_stream, (alignment_out, srt, vtt))
    speech = _speech(g, options, text, file, plan.fmt, timestamps=True, streaming=use_stream or plan.play)
    result = _perform(g, speech, plan, highlight=highlight and sys.stderr.isatty() and not g.quiet)
    look = CaptionStyle(max_chars, max_lines, max_duration, words_per_cue)
    write_captions(result.normalized if normalized else result.alignment, alignment_out=alignment_out, srt=srt,
                   vtt=vtt, style=look, keep_tags=keep_tags)
    cost_line(g, as_json, plan.output == "-" or dash, **result.summary())


def register(app: typer.Typer) -> None:
    app.command("say", short_help="Speak text into a file, stdout or the speakers.")(say)
    app.command("stream", short_help="Play speech as it arrives (and tee it to a file).")(stream)
    app.command("timestamps", short_help="Speech with timing: alignment JSON, SRT and VTT captions.")(timestamps)
