"""How `eleven book` shows itself: the plan, the progress of a long narration, the summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

CHARS_PER_HOUR = 15.0 * 3600


def check_paths(output: str | None, outdir: str | None, *others: str | None) -> None:
    """Every file the book will write, checked before anything is sent."""
    from eleven_cli.audio.audiobook import output_kind
    from eleven_cli.audio.sink import check_folder, check_output_path

    if output is not None:
        output_kind(output)  # .m4b or .mp3
        check_output_path(output)
    if outdir is not None:
        check_folder(Path(outdir), missing_ok=True)
    for path in others:
        if path:
            check_output_path(path)


def pauses(spec: str | None) -> Any:
    from eleven_cli.audio.audiobook_timeline import Pauses, parse_pauses

    return parse_pauses(spec) if spec else Pauses()


def export(g: Any, narration: Any, path: str) -> None:
    from eleven_cli.atomic import write_file
    from eleven_cli.book.markdown import export_markdown

    write_file(path, export_markdown(narration.book).encode("utf-8"))
    n = len(narration.book.chapters)
    g.say(f"eleven: wrote the text of {n:,} chapter{'s' if n != 1 else ''} to {path}; edit it, then "
          f"`eleven book {path}` narrates it")


def _hours(hours: float) -> str:
    if hours * 60 < 1:
        return f"{round(hours * 3600)}s"
    minutes = round(hours * 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def show_plan(g: Any, plan: dict[str, Any], as_json: bool) -> None:
    from eleven_cli.cli.render import print_json, table

    if as_json:
        print_json(plan)
        return
    table(["Ch.", "Title", "Characters", "Credits", "Audio"],
          [[str(c["chapter"]), c["title"], f"{c['characters']:,}", f"{c['credits']:,.0f}", _hours(c["hours"])]
           for c in plan["chapters"]], title=plan["title"] + (f" — {plan['author']}" if plan["author"] else ""))
    left = plan["remaining_characters"]
    n = len(plan["chapters"])
    line = (f"eleven: {n:,} chapter{'s' if n != 1 else ''}, {plan['characters']:,} characters, about "
            f"{plan['credits']:,.0f} credits on {plan['model_id']} and {_hours(plan['hours'])} of audio")
    if left is not None:
        line += f"; the account has {left:,} characters left" + (" (not enough)" if plan["credits"] > left else "")
    g.say(line + "; nothing was sent")


def narrate(g: Any, narration: Any, out: str, **kw: Any) -> Any:
    """Run the narration with a progress bar on a terminal, plain lines when piped, nothing with -q."""
    from eleven_cli.book.narrate import Assembling, ChapterDone, Note, ParagraphDone

    total = sum(len(p) for p in narration.parts.values())
    chapters = len(narration.book.chapters)
    started = time.monotonic()
    bar = _Bar(total, chapters) if sys.stderr.isatty() and not g.quiet else None
    state = {"chapters": 0, "billed": 0, "seconds": 0.0}

    def on_event(event: Any) -> None:
        if isinstance(event, ParagraphDone):
            state["billed"] += event.characters
            state["seconds"] += event.seconds
            if bar:
                bar.update(event.done, state, chapters)
        elif isinstance(event, ChapterDone):
            state["chapters"] += 1
            line = (f"eleven: chapter {event.index} done ({event.title}): {_hours(event.seconds / 3600)}, "
                    f"{event.loudness} as narrated [{state['chapters']}/{chapters}]")
            if bar:
                bar.note(line)
            else:
                g.say(line)
        elif isinstance(event, Assembling) and bar:
            bar.assembling(event.seconds)
        elif isinstance(event, Note):
            if bar:
                bar.note(f"eleven: note: {event.text}")
            else:
                g.say(f"eleven: note: {event.text}")

    if bar:
        bar.start()
    try:
        return narration.save(out, max_credits=g.max_credits, on_event=on_event, **kw)
    finally:
        if bar:
            bar.stop()
        g.trace(f"eleven: narrated in {time.monotonic() - started:.1f}s")


def show_result(g: Any, result: Any, as_json: bool) -> None:
    from eleven_cli.cli.render import print_json

    if as_json:
        print_json(result.summary())
        return
    n = len(result.chapters)
    where = result.outputs[0] if len(result.outputs) == 1 else f"{len(result.outputs):,} files in " \
        f"{Path(result.outputs[0]).parent}"
    cached = f", {result.cached_paragraphs:,} paragraphs from an earlier run" if result.cached_paragraphs else ""
    g.say(f"eleven: book done: {n:,} chapter{'s' if n != 1 else ''}, {_hours(result.seconds / 3600)} of audio, "
          f"{result.characters:,} characters billed{cached}; loudness {result.loudness} as narrated, gain "
          f"{result.gain_db:+.1f} dB → {where}")
    for warning in result.warnings:
        g.say(f"eleven: warning: {warning}")


class _Bar:
    def __init__(self, paragraphs: int, chapters: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from eleven_cli.cli.render import stderr_console

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=stderr_console())
        self.task = self.progress.add_task("narrating", total=paragraphs, info="")

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def update(self, done: int, state: dict[str, Any], chapters: int) -> None:
        info = (f"paragraphs · {state['chapters']}/{chapters} chapters · {_hours(state['seconds'] / 3600)} audio · "
                f"{state['billed']:,} credits")
        self.progress.update(self.task, completed=done, info=info)

    def note(self, line: str) -> None:
        self.progress.console.print(line)

    def assembling(self, seconds: float) -> None:
        self.progress.update(self.task, description="encoding", info=f"{_hours(seconds / 3600)} encoded")
