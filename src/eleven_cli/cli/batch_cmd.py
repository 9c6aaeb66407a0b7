"""`eleven batch`: narrate many texts concurrently, resumably, with a cost summary."""

import dataclasses
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import (
    BoostOpt,
    DictOpt,
    FormatOpt,
    JsonOpt,
    LanguageOpt,
    ModelOpt,
    NoLoggingOpt,
    NormalizeOpt,
    SeedOpt,
    SimilarityOpt,
    SpeedOpt,
    StabilityOpt,
    StyleOpt,
    VoiceOpt,
    collect,
)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


def batch(
    ctx: typer.Context,
    manifest: Annotated[Path, typer.Argument(help="A folder of .txt/.md files, a CSV or JSONL manifest "
                                             "(id,text[,voice,model,format,output]), or one text file with "
                                             "--split.", show_default=False)],
    outdir: Annotated[Path, typer.Option("--outdir", "-d", help="Folder for the audio, captions and "
                                         "results.jsonl.", show_default=False)],
    split: Annotated[str | None, typer.Option("--split", help="Split one text file into items: paragraphs "
                                              "or chapters.", show_default=False)] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="Concurrent requests "
                                             "[default: what the account allows, from the "
                                             "maximum-concurrent-requests header].", show_default=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip items whose outputs are complete (per "
                                         "results.jsonl, size and hash).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan, characters and estimated credits; "
                                          "spend nothing.")] = False,
    srt: Annotated[bool, typer.Option("--srt", help="Write ID.srt captions beside each audio file.")] = False,
    vtt: Annotated[bool, typer.Option("--vtt", help="Write ID.vtt captions beside each audio file.")] = False,
    results: Annotated[Path | None, typer.Option("--results", help="Results JSONL [default: "
                                                 "OUTDIR/results.jsonl].", show_default=False)] = None,
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
    no_logging: NoLoggingOpt = False,
    dicts: DictOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Narrate many texts: concurrent (adapting to 429s), retried, resumable with --resume, with a
    progress bar, a results JSONL and a cost summary. Exit 4 if any item failed."""
    from eleven_cli import longform
    from eleven_cli.api.catalog import Catalog
    from eleven_cli.audio.sink import write_file
    from eleven_cli.batch import Limiter, Outcome, Results, file_hash, load_manifest, run_pool
    from eleven_cli.cli.render import print_json
    from eleven_cli.cli.synth import _write_captions
    from eleven_cli.config import cache_dir
    from eleven_cli.errors import ElevenError, ExitCode, UsageError
    from eleven_cli.formats import choose_format

    g = ctx.obj
    opts = collect(locals())
    base = opts.request(g, " ")
    items = load_manifest(manifest, split)
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir} is not a folder")
    results_path = results or outdir / "results.jsonl"
    client = g.client()
    catalog = Catalog(client, cache_dir())

    def plan_of(item: Any) -> tuple[Any, str, str]:
        model_id = item.model or base.model_id
        chosen = choose_format(item.format or (opts.format if not item.output else None), item.output,
                               g.setting("format"))
        name = item.output or f"{item.id}{chosen.extension}"
        target = (outdir / name).resolve()
        if outdir.resolve() not in target.parents:
            raise UsageError(f"item {item.id}: output {name!r} leaves {outdir}")
        return chosen, model_id, name

    if dry_run:
        factors = {m.model_id: (m.cost_factor or 1.0) for m in catalog.models()}
        rows, total_chars, total_credits = [], 0, 0.0
        for item in items:
            try:
                chosen, model_id, name = plan_of(item)
                chars = len(item.text)
                credits = chars * factors.get(model_id, 1.0)
                note = "empty text" if not item.text.strip() else ""
            except ElevenError as exc:
                chosen, model_id, name, chars, credits, note = None, item.model or "?", "?", 0, 0.0, exc.line()
            total_chars += chars
            total_credits += credits
            rows.append({"id": item.id, "file": name, "characters": chars, "model_id": model_id,
                         "format": chosen.name if chosen else None, "credits": round(credits, 1), "note": note})
        if as_json:
            print_json({"items": rows, "characters": total_chars, "credits": round(total_credits, 1)})
            return
        from eleven_cli.cli.render import table

        table(["ID", "File", "Chars", "Model", "Credits", "Note"],
              [[str(r["id"]), str(r["file"]), f"{r['characters']:,}", str(r["model_id"]), f"{r['credits']:,.0f}",
                str(r["note"])] for r in rows])
        g.say(f"eleven: dry run: {len(items)} items, {total_chars:,} characters, about {total_credits:,.0f} "
              "credits; nothing was spent")
        return

    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob(".*.part"):  # temp files of an interrupted run
        stale.unlink(missing_ok=True)
    store = Results(results_path)
    done_before = store.completed(outdir) if resume else {}
    todo = [i for i in items if not (i.id in done_before and done_before[i.id].text_hash == i.text_hash)]
    # Longest first: the last requests to finish are short ones, so no slot idles at the end.
    todo.sort(key=lambda i: len(i.text), reverse=True)
    skipped = len(items) - len(todo)
    limiter = Limiter(jobs or 1, jobs or 1)
    probed = threading.Event()
    if jobs:
        probed.set()
    client.retries = max(client.retries, 3)

    def on_retry(message: str) -> None:
        if "429" in message:
            limiter.back_off()
        g.trace("eleven: " + message)

    client.on_retry = on_retry

    def on_headers(meta: Any) -> None:
        # Probe once: the first response's headers tell how many requests the account may run.
        if not probed.is_set() and meta.max_concurrency:
            limiter.set_maximum(meta.max_concurrency)
            probed.set()

    client.on_headers = on_headers
    pieces = longform.PieceCache(outdir / ".eleven-cache")

    def work(item: Any) -> Outcome:
        t0 = time.monotonic()
        if not item.text.strip():
            return Outcome(item.id, None, "failed", error="empty text", exit_code=int(ExitCode.USAGE))
        chosen, model_id, name = plan_of(item)
        voice_id = catalog.resolve_voice(item.voice or opts.voice_name(g))
        limit = catalog.max_characters(model_id)
        req = dataclasses.replace(base, text=item.text, model_id=model_id)
        res = longform.synthesize(client, voice_id, req, chosen, limit, timestamps=srt or vtt, cache=pieces)
        target = outdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, res.audio)
        if srt or vtt:
            stem = str(target.with_suffix(""))
            _write_captions(res.alignment, None, stem + ".srt" if srt else None, stem + ".vtt" if vtt else None,
                            42, 2, 7.0, None)
        res.forget_cache()
        if not probed.is_set():  # the server sends no limit: run a few at once, adapting on 429
            limiter.set_maximum(3)
            probed.set()
        return Outcome(item.id, name, "ok", res.characters, res.request_ids, round(res.duration, 3),
                       round(time.monotonic() - t0, 3), bytes=len(res.audio), sha256=file_hash(target),
                       text_hash=item.text_hash)

    outcomes: list[Outcome] = []
    total_chars = sum(len(i.text) for i in todo)
    progress = _progress(g, len(todo), total_chars)

    def finished(outcome: Outcome) -> None:
        store.append(outcome)
        outcomes.append(outcome)
        progress.update(outcome, next((len(i.text) for i in todo if i.id == outcome.id), 0))

    stop = threading.Event()
    interrupted = False
    t0 = time.monotonic()
    progress.start()
    try:
        # Until the first response's headers arrive, the limiter lets one request through.
        run_pool(todo, work, limiter, stop, finished, jobs or 32)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        progress.stop()
        g.say(f"\neleven: interrupted: finishing {limiter.active} in-flight item(s); Ctrl-C again to abandon them")
        while limiter.active:
            time.sleep(0.1)
    finally:
        progress.stop()
    ok = [o for o in outcomes if o.status == "ok"]
    failed = [o for o in outcomes if o.status == "failed"]
    summary: dict[str, Any] = {
        "items": len(items), "ok": len(ok), "failed": len(failed), "skipped": skipped,
        "not_started": len(todo) - len(outcomes), "characters": sum(o.characters for o in ok),
        "audio_seconds": round(sum(o.duration for o in ok), 3), "wall_seconds": round(time.monotonic() - t0, 3),
        "peak_concurrency": limiter.peak, "results": str(results_path),
        "failures": [{"id": o.id, "error": o.error} for o in failed],
    }
    if as_json:
        print_json(summary)
    else:
        for o in failed:
            g.say(f"eleven: failed {o.id}: {o.error}")
        g.say(f"eleven: batch {'interrupted' if interrupted else 'done'}: {len(ok)} ok, {len(failed)} failed, "
              f"{skipped} skipped" + (f", {summary['not_started']} not started" if summary["not_started"] else "")
              + f" · {summary['characters']:,} characters billed · {_clock(summary['audio_seconds'])} of audio · "
              f"{_clock(summary['wall_seconds'])} wall · results in {results_path}")
        if interrupted:
            g.say("eleven: run the same command with --resume to continue")
    if interrupted:
        raise typer.Exit(int(ExitCode.INTERRUPTED))
    if failed:
        raise typer.Exit(int(ExitCode.REJECTED))


class _Plain:
    def __init__(self, g: Any, total: int) -> None:
        self.g = g
        self.total = total
        self.n = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def update(self, outcome: Any, chars: int) -> None:
        self.n += 1
        detail = f"{outcome.characters:,} chars, {outcome.duration:.1f} s" if outcome.status == "ok" else outcome.error
        self.g.say(f"[{self.n}/{self.total}] {outcome.status} {outcome.id} ({detail})")


class _Bar:
    def __init__(self, total: int, chars: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]narrating"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[chars]} chars · {task.fields[failed]} failed"),
                                 TimeRemainingColumn(), console=_stderr_console(), transient=False)
        self.task = self.progress.add_task("batch", total=total, chars="0", failed=0)
        self.chars = 0
        self.failed = 0
        self.total_chars = chars
        self._running = False

    def start(self) -> None:
        self.progress.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self.progress.stop()
            self._running = False

    def update(self, outcome: Any, chars: int) -> None:
        self.chars += chars
        self.failed += outcome.status != "ok"
        self.progress.update(self.task, advance=1, chars=f"{self.chars:,}/{self.total_chars:,}", failed=self.failed)


def _stderr_console() -> Any:
    import os

    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))


def _progress(g: Any, total: int, chars: int) -> Any:
    if sys.stderr.isatty() and not g.quiet:
        return _Bar(total, chars)
    return _Plain(g, total)  # g.say is silent with -q


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)
