"""`eleven ws`: speak text as it arrives, over the stream-input WebSocket."""


from typing import Annotated

import typer

from eleven_cli.cli.options import BufferOpt, DeviceOpt, JsonOpt, OutputOpt, PlayOpt, synthesis
from eleven_cli.cli.speak import Options
from eleven_cli.options import LIVE


@synthesis([LIVE])
def ws(
    ctx: typer.Context,
    text: Annotated[list[str] | None, typer.Argument(metavar="TEXT...",
                                                     help="Text to speak; without it, standard input is read "
                                                     "as it arrives.", show_default=False)] = None,
    output: OutputOpt = None,
    schedule: Annotated[str | None, typer.Option("--schedule", metavar="N,N,...",
                                                 help="chunk_length_schedule: characters "
                                                 "buffered before each generation, e.g. 120,160,250,290 "
                                                 "(each 50..500).", show_default=False)] = None,
    flush_on_newline: Annotated[bool, typer.Option("--flush-on-newline/--no-flush-on-newline",
                                                   help="Generate at every newline of the input (so each "
                                                   "line is heard as soon as it is written) instead of "
                                                   "waiting for the schedule.")] = True,
    auto_mode: Annotated[bool, typer.Option("--auto-mode", help="Let the server generate at sentence "
                                            "ends (auto_mode=true).")] = False,
    sync_alignment: Annotated[bool, typer.Option("--sync-alignment", help="Alignment synchronised with each "
                                                 "audio chunk.")] = False,
    inactivity_timeout: Annotated[int | None, typer.Option("--inactivity-timeout", metavar="SECONDS", min=1, max=180,
                                                           help="Seconds the server waits for text "
                                                           "[server default 20]; keep-alives are sent "
                                                           "before it expires.", show_default=False)] = None,
    token: Annotated[bool, typer.Option("--token", help="Fetch a single-use token first and connect with "
                                        "it, so the key never reaches the socket.")] = False,
    alignment_out: Annotated[str | None, typer.Option("--alignment", metavar="FILE",
                                                      help="Write characters and words with "
                                                      "times as JSON.", show_default=False)] = None,
    srt: Annotated[str | None, typer.Option("--srt", metavar="FILE",
                                            help="Write SubRip captions (`-` = stdout).", show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", metavar="FILE",
                                            help="Write WebVTT captions (`-` = stdout).", show_default=False)] = None,
    normalized: Annotated[bool, typer.Option("--normalized", help="Captions from the normalized "
                                             "alignment.")] = False,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    buffer_ms: BufferOpt = 150.0,
    as_json: JsonOpt = False,
    options: Options | None = None,
) -> None:
    """Speak text as it arrives (e.g. from a language model) over the stream-input WebSocket:
    each piece of stdin is sent at once and its audio played or saved as it returns."""
    from eleven_cli.cli import speak_live

    speak_live.ws(ctx.obj, text, output, play, device, buffer_ms, as_json, options or {}, schedule=schedule,
                  flush_on_newline=flush_on_newline, auto_mode=auto_mode, sync_alignment=sync_alignment,
                  inactivity_timeout=inactivity_timeout, token=token, alignment_out=alignment_out, srt=srt, vtt=vtt,
                  normalized=normalized)


def register(app: typer.Typer) -> None:
    app.command("ws", short_help="Speak text as it arrives, over the stream-input WebSocket.")(ws)
