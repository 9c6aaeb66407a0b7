"""`eleven ws`: speak text as it arrives, over the stream-input WebSocket."""


import sys
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import DeviceOpt, JsonOpt, OutputOpt, PlayOpt, synthesis
from eleven_cli.cli.synth import BufferOpt, Options
from eleven_cli.options import LIVE


def parse_schedule(raw: str | None) -> list[int] | None:
    from eleven_cli.errors import UsageError

    if raw is None:
        return None
    try:
        values = [int(float(x)) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"bad --schedule {raw!r}: use numbers like 120,160,250,290") from None
    if not values or any(not 50 <= v <= 500 for v in values):
        raise UsageError(f"bad --schedule {raw!r}: each value must be from 50 to 500")
    return values


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
    from eleven_cli.api.ws import WsOptions
    from eleven_cli.captions import write_captions
    from eleven_cli.cli.status import Progress, cost_line, progress_text
    from eleven_cli.cli.synth import _plan, check_outputs
    from eleven_cli.live_session import speak_live
    from eleven_cli.outputs import PlayOutput

    g, options = ctx.obj, options or {}
    sched = parse_schedule(schedule)
    check_outputs(output, alignment_out, srt, vtt)  # at most one on stdout; every file's folder writable
    pieces = _pieces(g, text, flush_on_newline, inactivity_timeout)
    plan = _plan(g, options, output, play, device, streaming=True)
    client = g.client()
    from eleven_cli.speech import wire_format

    wire, wav = wire_format(plan.fmt, streaming=True)
    wopts = WsOptions(client.voice_id(options.get("voice")), client.options(**options), wire.name, schedule=sched,
                      auto_mode=auto_mode, sync_alignment=sync_alignment, inactivity_timeout=inactivity_timeout)
    outs = plan.outputs(buffer_ms, wire, wav)
    player = next((o.player for o in outs if isinstance(o, PlayOutput)), None)
    with Progress(g, progress_text(player, lambda: player.received) if player is not None else (lambda: "")):
        live = speak_live(client, wopts, pieces, outs, token=token, timeout=g.timeout or 30.0, say=g.say,
                          keep_alignment=bool(alignment_out or srt or vtt))
    if alignment_out or srt or vtt:
        write_captions(live.normalized if normalized else live.alignment, alignment_out=alignment_out, srt=srt,
                       vtt=vtt)
    stats = live.stats
    info = {"characters": stats.sent_chars, "request_ids": [], "duration_seconds": round(live.counter.seconds, 3),
            "ttfb_ms": (round((stats.first_audio_at - stats.first_send_at) * 1000)
                        if stats.first_audio_at and stats.first_send_at else None),
            "output": plan.output, "format": plan.fmt.name, "voice_id": wopts.voice_id, "model_id": wopts.model_id,
            "messages": stats.messages, "reconnects": stats.reconnects}
    cost_line(g, as_json, plan.output == "-", **info)


def _pieces(g: Any, text: list[str] | None, flush_on_newline: bool, inactivity_timeout: int | None) -> Any:
    """(text, flush) pieces: the words given, or standard input as it arrives (None = keep-alive)."""
    from eleven_cli.cli.reading import read_text, stream_pieces

    if text:
        return [(read_text(text, None).rstrip() + " ", False)]
    if sys.stdin.isatty():
        g.say("eleven: type text; each line is spoken (Ctrl-D to finish)")
    keepalive = max(1.0, min(10.0, (inactivity_timeout or 20) / 2))
    return stream_pieces(sys.stdin.fileno(), flush_on_newline=flush_on_newline, keepalive=keepalive)


def register(app: typer.Typer) -> None:
    app.command("ws", short_help="Speak text as it arrives, over the stream-input WebSocket.")(ws)
