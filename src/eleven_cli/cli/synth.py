"""`eleven say`, `eleven stream` and `eleven timestamps`."""


import sys
from typing import Annotated

import typer

from eleven_cli.cli import speak
from eleven_cli.cli.options import BufferOpt, DeviceOpt, FileOpt, JsonOpt, OutputOpt, PlayOpt, TextArg, synthesis
from eleven_cli.cli.speak import Options, _caption_plan, _perform, _speech, check_outputs
from eleven_cli.options import SPEECH


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
    speak.say(ctx.obj, text, file, output, play, device, as_json, options or {})


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
    speak.stream(ctx.obj, text, file, output, play, device, as_json, options or {}, buffer_ms)


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
