"""`eleven say`, `eleven stream` and `eleven timestamps`."""


import os
import sys
import time
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import (
    BoostOpt,
    DeviceOpt,
    DictOpt,
    FileOpt,
    FormatOpt,
    JsonOpt,
    LanguageOpt,
    LatencyOpt,
    ModelOpt,
    NextTextOpt,
    NoLoggingOpt,
    NormalizeOpt,
    OutputOpt,
    PlayOpt,
    PrevTextOpt,
    SeedOpt,
    SimilarityOpt,
    SpeedOpt,
    StabilityOpt,
    StyleOpt,
    SynthOptions,
    TextArg,
    VoiceOpt,
    collect,
)

FREE_LIMIT = 2500  # below every model's per-request limit: no need to look the limit up


def _prepare(ctx: typer.Context, opts: SynthOptions, words: list[str] | None, file: str | None,
             output: str | None, play: bool | None, device: str | None, streaming: bool,
             captions_only: bool = False) -> Any:
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.cli.plan import Plan, make_plan
    from eleven_cli.config import cache_dir
    from eleven_cli.formats import get_format
    from eleven_cli.text import read_text

    g = ctx.obj
    text = read_text(words or [], file)
    req = opts.request(g, text)
    if captions_only:  # no audio destination: ask for the smallest format
        plan = Plan(get_format(opts.format or "mp3_22050_32"), None, False, None, None)
    else:
        plan = make_plan(g, opts, output, play, device, streaming)
    client = g.client()
    catalog = Catalog(client, cache_dir())
    voice_id = catalog.resolve_voice(opts.voice_name(g))
    limit = catalog.max_characters(req.model_id) if len(text) > FREE_LIMIT else len(text)
    return g, req, plan, client, voice_id, limit


def _summary(plan: Any, voice_id: str, req: Any, metas: list[Any], seconds: float, cached: int = 0) -> dict:
    ttfb = metas[0].ttfb if metas else None
    return {
        "characters": sum(m.characters or 0 for m in metas),
        "request_ids": [m.request_id for m in metas if m.request_id],
        "duration_seconds": round(seconds, 3),
        "ttfb_ms": round(ttfb * 1000) if ttfb is not None else None,
        "output": plan.output, "format": plan.fmt.name if not plan.wav_from_pcm else f"wav_{plan.fmt.rate}",
        "voice_id": voice_id, "model_id": req.model_id, "requests": len(metas), "cached_pieces": cached,
    }


def say(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    voice: VoiceOpt = None,
    model: ModelOpt = None,
    fmt: FormatOpt = None,
    stability: StabilityOpt = None,
    similarity: SimilarityOpt = None,
    style: StyleOpt = None,
    speaker_boost: BoostOpt = None,
    speed: SpeedOpt = None,
    seed: SeedOpt = None,
    language: LanguageOpt = None,
    normalize: NormalizeOpt = None,
    latency: LatencyOpt = None,
    no_logging: NoLoggingOpt = False,
    dicts: DictOpt = None,
    previous_text: PrevTextOpt = None,
    next_text: NextTextOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Synthesise text and write it to a file, stdout, or the speakers.

    Long text is split below the model's limit and stitched into one file."""
    from eleven_cli import longform
    from eleven_cli.audio.decode import to_pcm
    from eleven_cli.cli.plan import cost_line
    from eleven_cli.cli.playback import play_pcm
    from eleven_cli.config import cache_dir

    opts = collect(locals())
    g, req, plan, client, voice_id, limit = _prepare(ctx, opts, text, file, output, play, device, False)
    pieces = longform.PieceCache(cache_dir() / "pieces")

    def progress(i: int, n: int) -> None:
        if n > 1 and i < n:
            g.say(f"eleven: request {i + 1} of {n}")

    streamable = plan.fmt.codec != "opus" and not (plan.output == "-" and plan.fmt.codec == "wav")
    if plan.output is not None and not plan.play and streamable:
        # Straight to the output as it arrives: memory stays flat for a book-length text.
        from eleven_cli.audio.sink import AtomicFile

        sink = plan.sink() if plan.output == "-" else AtomicFile(
            plan.output, wav_rate=plan.fmt.rate if plan.fmt.codec == "wav" else None)
        assert sink is not None
        with sink:
            result = longform.synthesize_to(client, voice_id, req, plan.fmt, limit, sink.write, cache=pieces,
                                            progress=progress)
            sink.commit()
    else:
        result = longform.synthesize(client, voice_id, req, plan.fmt, limit, cache=pieces, progress=progress)
        sink = plan.sink()
        if sink is not None:
            with sink:
                sink.write(result.audio)
                sink.commit()
    result.forget_cache()
    if plan.play:
        play_pcm(g, plan, to_pcm(result.audio, plan.fmt, plan.rate))
    cost_line(g, as_json, plan.output == "-", **_summary(plan, voice_id, req, result.metas, result.duration,
                                                           result.cached_pieces))


def stream(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    voice: VoiceOpt = None,
    model: ModelOpt = None,
    fmt: FormatOpt = None,
    stability: StabilityOpt = None,
    similarity: SimilarityOpt = None,
    style: StyleOpt = None,
    speaker_boost: BoostOpt = None,
    speed: SpeedOpt = None,
    seed: SeedOpt = None,
    language: LanguageOpt = None,
    normalize: NormalizeOpt = None,
    latency: LatencyOpt = None,
    no_logging: NoLoggingOpt = False,
    dicts: DictOpt = None,
    previous_text: PrevTextOpt = None,
    next_text: NextTextOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    buffer_ms: Annotated[float, typer.Option("--buffer", min=0, max=5000, help="Jitter buffer before the "
                                             "first sound, in ms.")] = 150.0,
    as_json: JsonOpt = False,
) -> None:
    """Stream speech: play it as it arrives (first sound before the response ends), optionally
    teeing the audio to -o FILE or stdout."""
    opts = collect(locals())
    g, req, plan, client, voice_id, limit = _prepare(ctx, opts, text, file, output, play, device, True)
    _run_stream(g, req, plan, client, voice_id, limit, buffer_ms, as_json, timestamps=None)


def _run_stream(g: Any, req: Any, plan: Any, client: Any, voice_id: str, limit: int, buffer_ms: float,
                as_json: bool, timestamps: dict | None) -> Any:
    """Stream one or more requests into the sink and the player; returns the alignment when asked."""
    from eleven_cli.api.types import Alignment
    from eleven_cli.audio.duration import duration
    from eleven_cli.cli.plan import Progress, cost_line
    from eleven_cli.cli.playback import Outputs, highlight_text, progress_text
    from eleven_cli.longform import pieces_of
    from eleven_cli.subtitles import words_from

    previous_ids: list[str] = []
    steps = pieces_of(req, limit, previous_ids)
    out = Outputs(plan, buffer_ms)
    player = out.player
    metas = []
    received = 0
    alignment, normalized = Alignment(), Alignment()
    live_words: list[Any] = []
    offset = 0.0
    first_out: float | None = None
    highlighting = player is not None and timestamps is not None and bool(timestamps.get("highlight"))
    if highlighting and player is not None:
        render = highlight_text(player, lambda: live_words)
    elif player is not None:
        render = progress_text(player, lambda: received)
    else:
        render = lambda: ""  # noqa: E731
    try:
        with Progress(g, render):
            for _i, sub in steps:
                piece_audio = bytearray()
                if timestamps is None:
                    with client.stream(voice_id, sub, plan.fmt.name) as streamed:
                        for chunk in streamed.chunks:
                            received += len(chunk)
                            piece_audio += chunk
                            out.write(chunk)
                            if first_out is None:
                                first_out = time.time()
                    meta = streamed.meta
                else:
                    with client.stream_with_timestamps(voice_id, sub, plan.fmt.name) as (meta, chunks):
                        for tc in chunks:
                            received += len(tc.audio)
                            piece_audio += tc.audio
                            if tc.alignment:
                                alignment.extend(tc.alignment, offset)
                                if highlighting:  # the words so far, for the live display
                                    live_words[:] = words_from(alignment)
                            if tc.normalized:
                                normalized.extend(tc.normalized, offset)
                            out.write(tc.audio)
                metas.append(meta)
                if meta.request_id:
                    previous_ids.append(meta.request_id)
                offset += duration(bytes(piece_audio), plan.fmt)
            out.finish()
    except BaseException:
        out.abort()
        raise
    if player is not None and player.first_write is not None:
        first_out = time.time() - (time.monotonic() - player.first_write)
    if player is not None and g.verbose:
        g.trace(f"eleven: {player.underruns} buffer underruns while playing")
    if os.environ.get("ELEVEN_TIMING") and metas and metas[0].first_byte_at and first_out:
        # For benchmarks: when the first byte arrived and when the first audio was handed over.
        print(f"timing: first_byte={metas[0].first_byte_at:.6f} first_audio={first_out:.6f}", file=sys.stderr)
    info = _summary(plan, voice_id, req, metas, offset)
    if timestamps is None:
        cost_line(g, as_json, plan.output == "-", **info)
        return None
    return alignment, normalized, metas, offset, info


def timestamps(
    ctx: typer.Context,
    text: TextArg = None,
    file: FileOpt = None,
    output: OutputOpt = None,
    alignment_out: Annotated[str | None, typer.Option("--alignment", help="Write characters and words with "
                                                      "times as JSON (`-` = stdout).", show_default=False)] = None,
    srt: Annotated[str | None, typer.Option("--srt", help="Write SubRip captions (`-` = stdout).",
                                            show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", help="Write WebVTT captions (`-` = stdout).",
                                            show_default=False)] = None,
    normalized: Annotated[bool, typer.Option("--normalized", help="Use the normalized alignment (numbers "
                                             "spelled out etc.).")] = False,
    use_stream: Annotated[bool, typer.Option("--stream", help="Use /stream/with-timestamps: audio and "
                                             "alignment arrive chunk by chunk.")] = False,
    max_chars: Annotated[int, typer.Option("--max-chars", min=8, max=200, help="Caption characters per "
                                           "line.")] = 42,
    max_lines: Annotated[int, typer.Option("--max-lines", min=1, max=5, help="Caption lines per cue.")] = 2,
    max_duration: Annotated[float, typer.Option("--max-duration", min=0.5, max=60, help="Longest cue, in "
                                                "seconds.")] = 7.0,
    words_per_cue: Annotated[int | None, typer.Option("--words-per-cue", min=1, help="At most this many words "
                                                      "per cue (1 = word by word).", show_default=False)] = None,
    highlight: Annotated[bool, typer.Option("--highlight/--no-highlight", help="While playing on a terminal, "
                                            "highlight each word as it is heard.")] = True,
    voice: VoiceOpt = None,
    model: ModelOpt = None,
    fmt: FormatOpt = None,
    stability: StabilityOpt = None,
    similarity: SimilarityOpt = None,
    style: StyleOpt = None,
    speaker_boost: BoostOpt = None,
    speed: SpeedOpt = None,
    seed: SeedOpt = None,
    language: LanguageOpt = None,
    normalize: NormalizeOpt = None,
    latency: LatencyOpt = None,
    no_logging: NoLoggingOpt = False,
    dicts: DictOpt = None,
    previous_text: PrevTextOpt = None,
    next_text: NextTextOpt = None,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Speech plus character timing: write alignment JSON and word-level SRT/VTT captions."""
    from eleven_cli import longform
    from eleven_cli.audio.decode import to_pcm
    from eleven_cli.cli.plan import cost_line
    from eleven_cli.cli.playback import play_pcm
    from eleven_cli.config import cache_dir
    from eleven_cli.errors import UsageError

    opts = collect(locals())
    dash = [name for name, v in (("--alignment", alignment_out), ("--srt", srt), ("--vtt", vtt)) if v == "-"]
    if len(dash) > 1 or (dash and output == "-"):
        raise UsageError("only one output can go to stdout (`-`)")
    text_outputs = [alignment_out, srt, vtt]
    captions_only = output is None and any(text_outputs) and (
        play is False or (play is None and (not sys.stdout.isatty() or bool(dash))))
    from eleven_cli.audio.sink import check_output_path

    for path in text_outputs:
        if path and path != "-":
            check_output_path(path)
    g, req, plan, client, voice_id, limit = _prepare(ctx, opts, text, file, output, play, device, use_stream,
                                                     captions_only)
    live = highlight and sys.stderr.isatty() and not g.quiet
    if use_stream:
        alignment, norm, metas, seconds, info = _run_stream(
            g, req, plan, client, voice_id, limit, 150.0, as_json, timestamps={"highlight": live})
    else:
        result = longform.synthesize(client, voice_id, req, plan.fmt, limit, timestamps=True,
                                     cache=longform.PieceCache(cache_dir() / "pieces"))
        sink = plan.sink()
        if sink is not None:
            with sink:
                sink.write(result.audio)
                sink.commit()
        result.forget_cache()
        alignment, norm, metas, seconds = result.alignment, result.normalized, result.metas, result.duration
        info = _summary(plan, voice_id, req, metas, seconds, result.cached_pieces)
    chosen = norm if normalized else alignment
    _write_captions(chosen, alignment_out, srt, vtt, max_chars, max_lines, max_duration, words_per_cue)
    if plan.play and not use_stream:
        from eleven_cli.subtitles import words_from

        words = words_from(chosen) if chosen else []
        play_pcm(g, plan, to_pcm(result.audio, plan.fmt, plan.rate), words, highlight=live)
    audio_on_stdout = plan.output == "-" or bool(dash)
    cost_line(g, as_json, audio_on_stdout, **info)


def _write_captions(alignment: Any, alignment_out: str | None, srt: str | None, vtt: str | None,
                    max_chars: int, max_lines: int, max_duration: float, words_per_cue: int | None) -> None:
    import json

    from eleven_cli.api.types import Alignment
    from eleven_cli.audio.sink import write_file
    from eleven_cli.subtitles import build_cues, to_json, to_srt, to_vtt, words_from

    alignment = alignment or Alignment()
    words = words_from(alignment)
    cues = build_cues(words, max_chars, max_lines, max_duration, words_per_cue)
    outputs = []
    if alignment_out:
        outputs.append((alignment_out, json.dumps(to_json(alignment, words), ensure_ascii=False, indent=1) + "\n"))
    if srt:
        outputs.append((srt, to_srt(cues)))
    if vtt:
        outputs.append((vtt, to_vtt(cues)))
    for path, content in outputs:
        if path == "-":
            sys.stdout.write(content)
            sys.stdout.flush()
        else:
            write_file(path, content.encode("utf-8"))


def register(app: typer.Typer) -> None:
    app.command("say")(say)
    app.command("stream")(stream)
    app.command("timestamps")(timestamps)
