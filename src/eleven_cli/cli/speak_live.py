"""What `eleven ws` does, without Typer (the Typer command and the quick parser both call `ws`)."""

from __future__ import annotations

import sys
from typing import Any


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


def ws(g: Any, text: list[str] | None, output: str | None, play: bool | None, device: str | None,
       buffer_ms: float, as_json: bool, options: dict[str, Any], *, schedule: str | None = None,
       flush_on_newline: bool = True, auto_mode: bool = False, sync_alignment: bool = False,
       inactivity_timeout: int | None = None, token: bool = False, alignment_out: str | None = None,
       srt: str | None = None, vtt: str | None = None, normalized: bool = False) -> None:
    from eleven_cli.cli.speak import _plan, check_outputs, outputs_of
    from eleven_cli.cli.status import Progress, cost_line, progress_text
    from eleven_cli.outputs import PlayOutput

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
    live.prepare()  # the socket's library loads while the audio device is checked in its own thread
    outs = outputs_of(g, plan, buffer_ms, live.wire, live.wav)
    player = next((o.player for o in outs if isinstance(o, PlayOutput)), None)
    with Progress(g, progress_text(player, lambda: player.received) if player is not None else (lambda: "")):
        result = live.run(*outs, _said(g))
    if alignment_out or srt or vtt:
        from eleven_cli.captions import write_captions

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
