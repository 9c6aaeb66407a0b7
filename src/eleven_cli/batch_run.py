"""Running a batch: plan each item, estimate the cost, narrate concurrently, summarise, survive Ctrl-C.

    batch = Batch(client, load_manifest(Path("book")), "audio")
    print(batch.estimate()["credits"])
    summary = batch.run(on_outcome=print)      # Outcome per item; results.jsonl beside the audio
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eleven_cli.batch import Item, Limiter, Outcome, Results, file_hash, run_pool
from eleven_cli.errors import ElevenError, ExitCode, RejectedError, UsageError
from eleven_cli.formats import Format, choose_format

if TYPE_CHECKING:
    from eleven_cli.api.types import Meta
    from eleven_cli.client import Client


@dataclass
class Summary:
    """What a batch run came to (the command's summary line and `--json`)."""

    items: int
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    not_started: int = 0
    characters: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    peak_concurrency: int = 0
    results: str = ""
    failures: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("interrupted")
        return out


class Batch:
    """Many texts into one folder: concurrent (adapting to 429s), retried, resumable, verified."""

    def __init__(self, client: Client, items: list[Item], outdir: str | Path, *, format: str | None = None,
                 jobs: int | None = None, resume: bool = False, srt: bool = False, vtt: bool = False,
                 results: str | Path | None = None, speech_args: Mapping[str, Any] | None = None,
                 max_credits: float | None = None, on_note: Callable[[str], None] | None = None) -> None:
        from eleven_cli.audio.sink import check_folder

        if not isinstance(outdir, str | Path):
            raise UsageError(f"the output folder must be a path, not {type(outdir).__name__}")
        outdir = Path(outdir)
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"{outdir} is not a folder")
        check_folder(outdir, missing_ok=True)  # before any request, even a dry run
        self.items = items
        self.outdir = outdir
        self.format = format
        self.jobs = jobs
        self.resume = resume
        self.captions = (srt, vtt)
        self.results_path = Path(results) if results else outdir / "results.jsonl"
        self.args = dict(speech_args or {})
        self.limiter = Limiter(jobs or 1, jobs or 1)
        self._probed = threading.Event()
        self._local = threading.local()  # .holding: this worker thread has a concurrency slot
        if jobs:
            self._probed.set()
        # A client of its own: same configuration, the batch's hooks, at least three retries.
        from eleven_cli.spendlog import new_run_id

        # The budget is the batch's (a whole plan), not each item's.
        self.on_note = on_note  # what the user should know (an item taken from the history)
        self.max_credits = max_credits if max_credits is not None else client._options["max_credits"]
        self.spent = 0.0
        self._budget = threading.Lock()
        self.run_id = new_run_id()
        self.client = client.derive(retries=max(client.retries, 3), on_retry=self._on_retry,
                                    on_headers=self._on_headers, wait=self._wait, max_credits=None,
                                    run_id=self.run_id, command=client._options["command"] or "batch")
        self.on_retry: Callable[[str], None] | None = client.on_retry

    # --- the client's hooks ------------------------------------------------------------------
    def _on_retry(self, message: str) -> None:
        if "429" in message:
            self.limiter.back_off()
        if self.on_retry:
            self.on_retry(message)

    def _wait(self, seconds: float) -> None:
        """A request waiting to retry (after a 429 or a 5xx) lends its slot to the next item meanwhile."""
        if not getattr(self._local, "holding", False):  # e.g. the dry run's model list: no slot to lend
            time.sleep(seconds)
            return
        self.limiter.lend()
        try:
            time.sleep(seconds)
        finally:
            self.limiter.reclaim()

    def _on_headers(self, meta: Meta) -> None:
        # Probe once: the first response's headers tell how many requests the account may run.
        if not self._probed.is_set() and meta.max_concurrency:
            self.limiter.set_maximum(meta.max_concurrency)
            self._probed.set()

    # --- plan and estimate -------------------------------------------------------------------
    def plan_of(self, item: Item) -> tuple[Format, str, str]:
        """(format, model id, output file name inside the folder) of one item."""
        model_id = item.model or self.args.get("model") or self.client.profile.get("model") or _default_model()
        chosen = choose_format(item.format or (self.format if not item.output else None), item.output,
                               self.client.profile.get("format"))
        name = item.output or f"{item.id}{chosen.extension}"
        if self.outdir.resolve() not in (self.outdir / name).resolve().parents:
            raise UsageError(f"item {item.id}: output {name!r} leaves {self.outdir}")
        return chosen, model_id, name

    def estimate(self) -> dict[str, Any]:
        """Per item: file, characters, model, format, credits; and the totals. Spends nothing."""
        factors = {m.model_id: (m.cost_factor or 1.0) for m in self.client.catalog.models()}
        rows, chars_total, credits_total = [], 0, 0.0
        for item in self.items:
            try:
                if item.error:
                    raise UsageError(item.error)
                chosen, model_id, name = self.plan_of(item)
                fmt_name: str | None = chosen.name
                chars, note = len(item.text.strip()), "" if item.text.strip() else "empty text"
            except ElevenError as exc:
                fmt_name, model_id, name, chars, note = None, item.model or "?", "?", 0, exc.line()
            credits = chars * factors.get(model_id, 1.0)
            chars_total += chars
            credits_total += credits
            rows.append({"id": item.id, "file": name, "characters": chars, "model_id": model_id,
                         "format": fmt_name, "credits": round(credits, 1), "note": note, "will_fail": bool(note)})
        return {"items": rows, "characters": chars_total, "credits": round(credits_total, 1),
                "will_fail": sum(r["will_fail"] for r in rows)}

    def check_quota(self) -> None:
        """RejectedError when what is left to narrate would cost more than the account has left."""
        left_items = self.todo()
        if not left_items:
            return
        sub = self.client.subscription()
        if not sub.character_limit:
            return
        left = max(0, sub.character_limit - sub.character_count)
        need = sum(self.client.credits_for(self.plan_of(i)[1], len(i.text.strip())) for i in left_items)
        if need > left:
            raise RejectedError(f"the plan needs about {need:,.0f} credits and the account has {left:,} left "
                                f"this period; nothing was sent")

    # --- run ---------------------------------------------------------------------------------
    def work(self, item: Item) -> Outcome:
        """Narrate one item: verified audio, captions if asked, its results line."""
        self._local.holding = True
        try:
            return self._work(item)
        finally:
            self._local.holding = False

    def _reserve(self, item: Item, model_id: str) -> str | None:
        """Take the item's estimated credits from the budget; why not, when it would pass it."""
        if self.max_credits is None:
            return None
        cost = self.client.credits_for(model_id, len(item.text.strip()))
        with self._budget:
            if self.spent + cost > self.max_credits:
                return (f"not started: its {cost:,.0f} credits would pass the limit of {self.max_credits:,g} "
                        f"({self.spent:,.0f} taken by this run)")
            self.spent += cost
        return None

    def _from_history(self, item: Item, target: Path, chosen: Format, t0: float) -> Outcome | None:
        """On --resume: a file that is missing or broken, but whose generation the log and the account's
        history still have, is downloaded instead of paid for again."""
        from eleven_cli.audio import verify
        from eleven_cli.history import download_history_audio
        from eleven_cli.spendlog import Log

        row = Log().reusable(target, item.text.strip(), self.client.base_url)
        if row is None:
            return None
        try:
            download_history_audio(self.client.http, row.history_item_ids, target)
            seconds = verify.check(target.read_bytes(), chosen, item.text)
        except ElevenError:
            target.unlink(missing_ok=True)
            return None
        if self.on_note:
            self.on_note(f"item {item.id}: downloaded from the account's history, not synthesised again")
        return Outcome(item.id, target.relative_to(self.outdir).as_posix(), "ok", 0, row.request_ids,
                       round(seconds, 3), round(time.monotonic() - t0, 3), bytes=target.stat().st_size,
                       sha256=file_hash(target), text_hash=item.text_hash, format=chosen.name)

    def _work(self, item: Item) -> Outcome:
        t0 = time.monotonic()
        if item.error:
            return Outcome(item.id, None, "failed", error=item.error, exit_code=int(ExitCode.USAGE))
        if not item.text.strip():
            return Outcome(item.id, None, "failed", error="empty text", exit_code=int(ExitCode.USAGE))
        chosen, model_id, name = self.plan_of(item)
        target = self.outdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.resume and not any(self.captions):  # the history keeps audio, not its timing
            reused = self._from_history(item, target, chosen, t0)
            if reused is not None:
                return reused
        over = self._reserve(item, model_id)
        if over:
            return Outcome(item.id, name, "failed", error=over, exit_code=int(ExitCode.REJECTED))
        args = {**self.args, "voice": item.voice or self.args.get("voice"), "model": model_id}
        speech = self.client.speech(item.text, format=chosen.name, timestamps=any(self.captions),
                                    pieces_dir=self.outdir / ".eleven-cache", **args)
        res = speech.save(target)
        srt, vtt = self.captions
        if srt or vtt:
            from eleven_cli.captions import write_captions

            stem = str(target.with_suffix(""))
            write_captions(res.alignment, srt=stem + ".srt" if srt else None, vtt=stem + ".vtt" if vtt else None)
        if not self._probed.is_set():  # the server sends no limit: run a few at once, adapting on 429
            self.limiter.set_maximum(3)
            self._probed.set()
        return Outcome(item.id, name, "ok", res.characters, res.request_ids, audio_seconds=round(res.duration, 3),
                       elapsed_seconds=round(time.monotonic() - t0, 3), bytes=target.stat().st_size,
                       sha256=file_hash(target), text_hash=item.text_hash, format=chosen.name)

    def todo(self) -> list[Item]:
        """What is left: everything, or with resume what results.jsonl does not vouch for; longest first,
        so the last requests to finish are short ones and no slot idles at the end."""
        done = Results(self.results_path).completed(self.outdir) if self.resume else {}
        left = [i for i in self.items if not (i.id in done and done[i.id].text_hash == i.text_hash)]
        return sorted(left, key=lambda i: len(i.text), reverse=True)

    def run(self, on_outcome: Callable[[Outcome], None] | None = None,
            on_interrupt: Callable[[int], None] | None = None) -> Summary:
        """Narrate what is left. Ctrl-C stops taking items, lets the ones in flight finish (a second
        Ctrl-C abandons them), and returns a Summary marked interrupted."""
        from eleven_cli.audio.sink import check_folder

        check_folder(self.outdir, create=True)
        self._sweep()  # temp files of an interrupted run
        todo = self.todo()
        store = Results(self.results_path)
        outcomes: list[Outcome] = []

        def finished(outcome: Outcome) -> None:
            store.append(outcome)
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)

        stop = threading.Event()
        t0 = time.monotonic()
        interrupted = False
        try:
            # Until the first response's headers arrive, the limiter lets one request through.
            run_pool(todo, self.work, self.limiter, stop, finished, self.jobs or 32)
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            if on_interrupt:
                on_interrupt(self.limiter.active)
            try:
                while self.limiter.active:
                    time.sleep(0.1)
            except KeyboardInterrupt:  # the second Ctrl-C abandons the items in flight: none of their files stay
                self._sweep()
                atexit.register(self._sweep)  # and whatever a worker starts before the process is gone
                raise
        return self._summary(todo, outcomes, time.monotonic() - t0, interrupted)

    def _sweep(self) -> None:
        """Remove the hidden temp files (`.NAME.XXXX.part`) of unfinished outputs and cached pieces."""
        for stale in self.outdir.rglob(".*.part") if self.outdir.is_dir() else ():
            with contextlib.suppress(OSError):
                stale.unlink()

    def _summary(self, todo: list[Item], outcomes: list[Outcome], wall: float, interrupted: bool) -> Summary:
        ok = [o for o in outcomes if o.status == "ok"]
        failed = [o for o in outcomes if o.status == "failed"]
        return Summary(items=len(self.items), ok=len(ok), failed=len(failed), skipped=len(self.items) - len(todo),
                       not_started=len(todo) - len(outcomes), characters=sum(o.characters for o in ok),
                       audio_seconds=round(sum(o.audio_seconds for o in ok), 3), wall_seconds=round(wall, 3),
                       peak_concurrency=self.limiter.peak, results=str(self.results_path),
                       failures=[{"id": o.id, "error": o.error} for o in failed], interrupted=interrupted)


def _default_model() -> str:
    from eleven_cli.options import DEFAULT_MODEL

    return DEFAULT_MODEL
