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
    from eleven_cli.captions import write_captions
    from eleven_cli.cli.speak import _plan, check_outputs, outputs_of
    from eleven_cli.cli.status import Progress, cost_line, progress_text
    from eleven_cli.outputs import PlayOutput

    g, options = ctx.obj, options or {}
    sched = parse_schedule(schedule)
    check_outputs(output, alignment_out, srt, vtt)
    pieces = _pieces(g, text, flush_on_newline)
    plan = _plan(g, options, output, play, device, streaming=True)
    client = g.client()
    if g.max_credits is not None:
        pieces = _budgeted(pieces, client, client.options(**options).model_id, g.max_credits)
    live = client.live(pieces, **{**options, "format": plan.fmt.name}, schedule=sched, auto_mode=auto_mode,
                           sync_alignment=sync_alignment, inactivity_timeout=inactivity_timeout,
                           flush_on_newline=False,  # stdin is cut into (piece, flush) already
                           token=token, timestamps=bool(alignment_out or srt or vtt), timeout=g.timeout or 30.0)
    outs = outputs_of(g, plan, buffer_ms, live.wire, live.wav)
    player = next((o.player for o in outs if isinstance(o, PlayOutput)), None)
    with Progress(g, progress_text(player, lambda: player.received) if player is not None else (lambda: "")):
        result = live.run(*outs, _said(g))
    if alignment_out or srt or vtt:
        write_captions(result.normalized if normalized else result.alignment, alignment_out=alignment_out, srt=srt,
                       vtt=vtt)
    result.output = plan.output
    cost_line(g, as_json, plan.output == "-", **result.summary())


def _budgeted(pieces: Any, client: Any, model_id: str, limit: float) -> Any:
    """The pieces while their credits stay within `limit`: text given whole is refused before anything is
    sent (exit 2); text still arriving stops at the piece that would pass it (exit 4)."""
    from eleven_cli.errors import RejectedError

    if isinstance(pieces, list):
        client.check_budget(model_id, sum(len(t) for t, _ in pieces))
        return pieces

    def within() -> Any:
        spent = 0.0
        for piece in pieces:
            if piece is not None:
                spent += client.credits_for(model_id, len(piece[0].strip()))
                if spent > limit:
                    raise RejectedError(f"stopped: the text would pass the limit of {limit:,g} credits; nothing "
                                        "more was sent")
            yield piece

    return within()


def _said(g: Any) -> Any:
    """An output that says what happened to the connection (a reconnect) on stderr."""
    from eleven_cli.events import Event, Retrying
    from eleven_cli.outputs import Output

    class Said(Output):
        def handle(self, event: Event) -> None:
            if isinstance(event, Retrying):
                g.say(f"eleven: {event.reason}")

    return Said()


def _pieces(g: Any, text: list[str] | None, flush_on_newline: bool) -> Any:
    """(text, flush) pieces: the words given, or standard input as it arrives."""
    from eleven_cli.cli.reading import read_text, stream_pieces

    if text:
        return [(read_text(text, None).strip(), False)]
    if sys.stdin.isatty():
        g.say("eleven: type text; each line is spoken (Ctrl-D to finish)")
    return stream_pieces(sys.stdin.fileno(), flush_on_newline=flush_on_newline)


def register(app: typer.Typer) -> None:
    app.command("ws", short_help="Speak text as it arrives, over the stream-input WebSocket.")(ws)
