"""`eleven ws`: speak text as it arrives, over the stream-input WebSocket."""


import os
import sys
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import (
    BoostOpt,
    DeviceOpt,
    DictOpt,
    FormatOpt,
    JsonOpt,
    LanguageOpt,
    ModelOpt,
    NoLoggingOpt,
    NormalizeOpt,
    OutputOpt,
    PlayOpt,
    SeedOpt,
    SimilarityOpt,
    SpeedOpt,
    StabilityOpt,
    StyleOpt,
    VoiceOpt,
    collect,
)


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


def ws(
    ctx: typer.Context,
    text: Annotated[list[str] | None, typer.Argument(help="Text to speak; without it, standard input is read "
                                                     "as it arrives.", show_default=False)] = None,
    output: OutputOpt = None,
    voice: VoiceOpt = None,
    model: ModelOpt = None,
    fmt: FormatOpt = None,
    schedule: Annotated[str | None, typer.Option("--schedule", help="chunk_length_schedule: characters "
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
    inactivity_timeout: Annotated[int | None, typer.Option("--inactivity-timeout", min=1, max=180,
                                                           help="Seconds the server waits for text "
                                                           "[server default 20]; keep-alives are sent "
                                                           "before it expires.", show_default=False)] = None,
    token: Annotated[bool, typer.Option("--token", help="Fetch a single-use token first and connect with "
                                        "it, so the key never reaches the socket.")] = False,
    alignment_out: Annotated[str | None, typer.Option("--alignment", help="Write characters and words with "
                                                      "times as JSON.", show_default=False)] = None,
    srt: Annotated[str | None, typer.Option("--srt", help="Write SubRip captions.", show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", help="Write WebVTT captions.", show_default=False)] = None,
    normalized: Annotated[bool, typer.Option("--normalized", help="Captions from the normalized "
                                             "alignment.")] = False,
    stability: StabilityOpt = None,
    similarity: SimilarityOpt = None,
    style: StyleOpt = None,
    speaker_boost: BoostOpt = None,
    speed: SpeedOpt = None,
    seed: SeedOpt = None,
    language: LanguageOpt = None,
    normalize: NormalizeOpt = None,
    no_logging: NoLoggingOpt = False,
    dicts: DictOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    buffer_ms: Annotated[float, typer.Option("--buffer", min=0, max=5000, help="Jitter buffer before the "
                                             "first sound, in ms.")] = 150.0,
    as_json: JsonOpt = False,
) -> None:
    """Speak text as it arrives (e.g. from a language model) over the stream-input WebSocket:
    each piece of stdin is sent at once and its audio played or saved as it returns."""
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.api.ws import Session, WsOptions
    from eleven_cli.audio.sink import AtomicFile, check_output_path
    from eleven_cli.cli.plan import Progress, cost_line, make_plan
    from eleven_cli.cli.playback import Outputs, progress_text
    from eleven_cli.cli.synth import _write_captions
    from eleven_cli.config import cache_dir
    from eleven_cli.speaker import Live
    from eleven_cli.text import stream_pieces

    g = ctx.obj
    opts = collect(locals())
    req = opts.request(g, " ")
    sched = parse_schedule(schedule)
    for path in (alignment_out, srt, vtt):
        if path and path != "-":
            check_output_path(path)
    if text:
        from eleven_cli.text import read_text

        words = read_text(text, None)
        pieces: Any = [(words.rstrip() + " ", False)]
    else:
        pieces = None  # standard input, read as it arrives (below)
        if sys.stdin.isatty():
            g.say("eleven: type text; each line is spoken (Ctrl-D to finish)")
    plan = make_plan(g, opts, output, play, device, streaming=True)
    client = g.client()
    voice_id = Catalog(client, cache_dir()).resolve_voice(opts.voice_name(g))
    wopts = WsOptions(voice_id=voice_id, model_id=req.model_id, output_format=plan.fmt.name,
                      voice_settings=req.voice_settings, schedule=sched, auto_mode=auto_mode,
                      sync_alignment=sync_alignment, inactivity_timeout=inactivity_timeout,
                      language_code=req.language_code, seed=req.seed, enable_logging=req.enable_logging,
                      apply_text_normalization=req.apply_text_normalization, dictionaries=req.dictionaries)
    resolved = g.resolved
    ca = g.ca_bundle or os.environ.get("SSL_CERT_FILE") or None

    def connect() -> Session:
        tok = client.single_use_token() if token else None
        return Session(resolved.base_url, resolved.api_key, wopts, token=tok, timeout=g.timeout or 30.0,
                       ca_bundle=ca, trace=g.trace if g.verbose else None)

    out = Outputs(plan, buffer_ms)

    def rollback(size: int) -> bool:
        if isinstance(out.sink, AtomicFile) and out.decoder is None:
            out.sink.truncate(size)
            return True
        return out.sink is None and out.decoder is None

    keepalive = max(1.0, min(10.0, (inactivity_timeout or 20) / 2))
    if pieces is None:
        pieces = stream_pieces(sys.stdin.fileno(), flush_on_newline=flush_on_newline, keepalive=keepalive)
    live = Live(connect, wopts, out.write, rollback, retries=max(1, g.retries), say=g.say,
                keep_alignment=bool(alignment_out or srt or vtt))
    received = lambda: live.written  # noqa: E731
    try:
        with Progress(g, progress_text(out.player, received) if out.player is not None else (lambda: "")):
            live.run(pieces)
            out.finish()
    except BaseException:
        out.abort()
        raise
    chosen = live.normalized if normalized else live.alignment
    if alignment_out or srt or vtt:
        _write_captions(chosen, alignment_out, srt, vtt, 42, 2, 7.0, None)
    info = {"characters": live.stats.sent_chars, "request_ids": [], "duration_seconds": round(live.counter.seconds, 3),
            "ttfb_ms": (round((live.stats.first_audio_at - live.stats.first_send_at) * 1000)
                        if live.stats.first_audio_at and live.stats.first_send_at else None),
            "output": plan.output, "format": plan.fmt.name, "voice_id": voice_id, "model_id": req.model_id,
            "messages": live.stats.messages, "reconnects": live.stats.reconnects}
    cost_line(g, as_json, plan.output == "-", **info)


def register(app: typer.Typer) -> None:
    app.command("ws")(ws)
