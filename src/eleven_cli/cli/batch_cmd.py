"""`eleven batch`: narrate many texts concurrently, resumably, with a cost summary."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import synthesis
from eleven_cli.cli.speak import Options
from eleven_cli.options import SPEECH
from eleven_cli.words import plural


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{s}s"


@synthesis([SPEECH], after="results", help_text={
    "format": "Output format of every item without its own [default: the item's output extension, else "
              "profile, else mp3_44100_128]."})
def batch(
    ctx: typer.Context,
    manifest: Annotated[Path, typer.Argument(metavar="MANIFEST",
                                             help="A folder of .txt/.md files, a CSV or JSONL manifest "
                                             "(id,text[,voice,model,format,output]), or one text file with "
                                             "--split.", show_default=False)],
    outdir: Annotated[Path, typer.Option("--outdir", "-d", metavar="FOLDER", help="Folder for the audio, captions and "
                                         "results.jsonl.", show_default=False)],
    split: Annotated[str | None, typer.Option("--split", metavar="paragraphs|chapters",
                                              help="Split one text file into items: paragraphs "
                                              "or chapters.", show_default=False)] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", metavar="N", min=1, max=64, help="Concurrent requests "
                                             "[default: what the account allows, from the "
                                             "maximum-concurrent-requests header].", show_default=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Skip items whose outputs are complete (per "
                                         "results.jsonl: size, hash, and the audio checked again).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan, characters and estimated credits; "
                                          "spend nothing (exit 4 if an item will fail as it is).")] = False,
    srt: Annotated[bool, typer.Option("--srt", help="Write ID.srt captions beside each audio file.")] = False,
    vtt: Annotated[bool, typer.Option("--vtt", help="Write ID.vtt captions beside each audio file.")] = False,
    results: Annotated[Path | None, typer.Option("--results", metavar="FILE", help="Results JSONL [default: "
                                                 "OUTDIR/results.jsonl].", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Start even when the plan needs more credits than the "
                                        "account has left this period.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (with --dry-run: the plan) as "
                                          "JSON on stdout.")] = False,
    options: Options | None = None,
) -> None:
    """Narrate many texts: concurrent (adapting to 429s), retried, resumable with --resume, with a
    progress bar, a results JSONL and a cost summary. Exit 4 if any item failed."""
    from eleven_cli.batch import load_manifest
    from eleven_cli.batch_run import Batch
    from eleven_cli.errors import Interrupted, RejectedError

    g, options = ctx.obj, dict(options or {})
    items = load_manifest(manifest, split, warn=lambda m: g.say("eleven: warning: " + m))
    run = Batch(g.client(on_retry=lambda m: g.trace("eleven: " + m)), items, outdir,
                format=options.pop("format", None), jobs=jobs, resume=resume, srt=srt, vtt=vtt, results=results,
                speech_args=options, on_note=lambda m: g.say("eleven: " + m))
    if dry_run:
        plan = run.estimate()
        _render_estimate(g, plan, as_json)
        if plan["will_fail"]:
            raise RejectedError(f"{plan['will_fail']:,} of {plural(len(plan['items']), 'item')} will fail as "
                                "they are", hint="see the note of each")
        return
    if not force:
        try:
            run.check_quota()
        except RejectedError as exc:
            exc.hint = "narrate fewer items, or start anyway with --force"
            raise
    todo = run.todo()
    progress = _progress(g, len(todo), sum(len(i.text) for i in todo))
    sizes = {i.id: len(i.text) for i in todo}

    def interrupted(in_flight: int) -> None:
        progress.stop()
        g.say(f"\neleven: interrupted: finishing {plural(in_flight, 'in-flight item')}; Ctrl-C again to abandon "
              f"{'it' if in_flight == 1 else 'them'}")

    progress.start()
    try:
        summary = run.run(on_outcome=lambda o: progress.update(o, sizes.get(o.id, 0)), on_interrupt=interrupted)
    finally:
        progress.stop()
    _render_summary(g, summary, as_json)
    if summary.interrupted:
        left = summary.not_started or summary.failed
        raise Interrupted("interrupted", hint="run the same command with --resume to continue" if left else None)
    if summary.failed:
        raise RejectedError(f"{summary.failed:,} of {plural(summary.items, 'item')} failed",
                            hint=f"see {summary.results}")


def _render_estimate(g: Any, plan: dict[str, Any], as_json: bool) -> None:
    from eleven_cli.cli.render import print_json, table

    if as_json:
        print_json(plan)
        return
    rows = plan["items"]
    table(["ID", "File", "Chars", "Model", "Credits", "Note"],
          [[str(r["id"]), str(r["file"]), f"{r['characters']:,}", str(r["model_id"]), f"{r['credits']:,.0f}",
            str(r["note"])] for r in rows])
    g.say(f"eleven: dry run: {plural(len(rows), 'item')}, {plural(plan['characters'], 'character')}, about "
          f"{plural(round(plan['credits']), 'credit')}; nothing was spent")


def _render_summary(g: Any, summary: Any, as_json: bool) -> None:
    from eleven_cli.cli.render import print_json

    if as_json:
        print_json(summary.as_dict())
        return
    for failure in summary.failures:
        g.say(f"eleven: failed {failure['id']}: {failure['error']}")
    left = f", {summary.not_started:,} not started" if summary.not_started else ""
    g.say(f"eleven: batch {'interrupted' if summary.interrupted else 'done'}: {summary.ok:,} ok, {summary.failed:,} "
          f"failed, {summary.skipped:,} skipped{left} · {plural(summary.characters, 'character')} billed · "
          f"{_clock(summary.audio_seconds)} of audio · {_clock(summary.wall_seconds)} wall · results in "
          f"{summary.results}")


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
        detail = (f"{plural(outcome.characters, 'character')}, {outcome.audio_seconds:.1f} s of audio"
                  if outcome.status == "ok" else outcome.error)
        self.g.say(f"[{self.n}/{self.total}] {outcome.status} {outcome.id} ({detail})")


class _Bar:
    def __init__(self, total: int, chars: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from eleven_cli.cli.render import stderr_console

        self.progress = Progress(TextColumn("[bold]narrating"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[chars]} chars · {task.fields[failed]} failed"),
                                 TimeRemainingColumn(), console=stderr_console(), transient=False)
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


def _progress(g: Any, total: int, chars: int) -> Any:
    if sys.stderr.isatty() and not g.quiet:
        return _Bar(total, chars)
    return _Plain(g, total)  # g.say is silent with -q


def register(app: typer.Typer) -> None:
    app.command("batch", short_help="Narrate many texts into a folder, concurrently and resumably.")(batch)
