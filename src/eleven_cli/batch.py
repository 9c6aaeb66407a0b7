"""Batch narration: manifests, a concurrency limiter that adapts to 429s, resumable results, and the
run itself (`Batch`: plan, estimate, run, summary, interruption).

No typer or rich here: the command in cli/batch_cmd.py renders progress from the callbacks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eleven_cli.errors import ElevenError, UsageError
from eleven_cli.text import decode

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Item:
    """One thing to narrate."""

    id: str
    text: str
    voice: str | None = None
    model: str | None = None
    format: str | None = None
    output: str | None = None
    source: str = ""

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def safe_name(raw: str) -> str:
    name = _SAFE.sub("-", raw).strip("-.")
    return name[:120] or "item"


def _strip_markdown(text: str) -> str:
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    return re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)


def _read(path: Path) -> str:
    try:
        return decode(path.read_bytes(), str(path))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def load_manifest(path: Path, split: str | None = None) -> list[Item]:
    """A folder of .txt/.md files, a CSV or JSONL manifest, or one text file split in parts."""
    if not path.exists():
        raise UsageError(f"no such manifest: {path}")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".md") and p.is_file())
        if not files:
            raise UsageError(f"{path} holds no .txt or .md files")
        items = []
        for f in files:
            text = _read(f)
            items.append(Item(safe_name(f.stem), _strip_markdown(text) if f.suffix.lower() == ".md" else text,
                              source=str(f)))
        return _unique(items)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _unique(_from_rows(csv.DictReader(_read(path).splitlines()), str(path)))
    if suffix in (".jsonl", ".ndjson"):
        rows = []
        for n, line in enumerate(_read(path).splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise UsageError(f"{path}:{n}: not valid JSON") from None
            if not isinstance(row, dict):
                raise UsageError(f"{path}:{n}: each line must be a JSON object")
            rows.append(row)
        return _unique(_from_rows(rows, str(path)))
    text = _read(path)
    text_for: Callable[[str], str] = _strip_markdown if suffix == ".md" else str
    if split == "paragraphs":
        parts = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        return [Item(f"{safe_name(path.stem)}-{i:03d}", text_for(p), source=str(path)) for i, p in
                enumerate(parts, 1)]
    if split == "chapters":
        heading = re.compile(r"^(#{1,2}\s+.+|chapter\s+\S+.*|CHAPTER\s+\S+.*)$", re.M | re.I)
        starts = [m.start() for m in heading.finditer(text)]
        if not starts or starts[0] != 0:
            starts = [0] + starts
        parts = [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)], strict=True)]
        parts = [p for p in parts if p]
        return [Item(f"{safe_name(path.stem)}-ch{i:02d}", text_for(p), source=str(path)) for i, p in
                enumerate(parts, 1)]
    if split is not None:
        raise UsageError(f"unknown --split {split!r}: use paragraphs or chapters")
    return [Item(safe_name(path.stem), text_for(text), source=str(path))]


def _from_rows(rows: Any, source: str) -> list[Item]:
    items = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "text" not in row:
            raise UsageError(f"{source}: row {n} has no text column (columns: id,text[,voice,model,format,output])")
        ident = str(row.get("id") or n)
        items.append(Item(safe_name(ident), str(row.get("text") or ""), row.get("voice") or None,
                          row.get("model") or None, row.get("format") or None, row.get("output") or None,
                          source=f"{source}:{n}"))
    return items


def _unique(items: list[Item]) -> list[Item]:
    seen: dict[str, int] = {}
    for item in items:
        if item.id in seen:
            seen[item.id] += 1
            item.id = f"{item.id}-{seen[item.id]}"
        else:
            seen[item.id] = 1
    return items


@dataclass
class Outcome:
    """One line of the results JSONL."""

    id: str
    file: str | None
    status: str  # ok | failed | skipped
    characters: int = 0
    request_ids: list[str] = field(default_factory=list)
    duration: float = 0.0
    seconds: float = 0.0
    error: str | None = None
    bytes: int = 0
    sha256: str | None = None
    text_hash: str | None = None
    exit_code: int | None = None
    format: str | None = None


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Results:
    """The results JSONL: appended as items finish; read back to resume."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def completed(self, outdir: Path) -> dict[str, Outcome]:
        """Items whose recorded output is still there, whole: size and hash match, and the audio is
        checked again in its container (a broken file recorded as ok by an older run is redone)."""
        done: dict[str, Outcome] = {}
        if not self.path.exists():
            return done
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                data = json.loads(line)
                outcome = Outcome(**{k: v for k, v in data.items() if k in Outcome.__dataclass_fields__})
            except (ValueError, TypeError):
                continue  # a line cut by a crash
            if outcome.status != "ok" or not outcome.file:
                done.pop(outcome.id, None) if outcome.status == "failed" else None
                continue
            if _still_whole(outdir / outcome.file, outcome):
                done[outcome.id] = outcome
            else:
                done.pop(outcome.id, None)
        return done

    def append(self, outcome: Outcome) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
            fh.flush()


def _still_whole(target: Path, outcome: Outcome) -> bool:
    from eleven_cli.audio.verify import seconds_of
    from eleven_cli.formats import FORMATS, format_for_path

    try:
        data = target.read_bytes()
    except OSError:
        return False
    if len(data) != outcome.bytes or hashlib.sha256(data).hexdigest() != outcome.sha256:
        return False
    fmt = FORMATS.get(outcome.format or "") or FORMATS.get(format_for_path(str(target)) or "")
    if fmt is None:
        return True  # an extension we cannot check: size and hash are all there is
    try:
        seconds = seconds_of(data, fmt)
    except ElevenError:
        return False
    return seconds > 0 and (not outcome.duration or abs(seconds - outcome.duration) < 0.05 + outcome.duration / 100)


class Limiter:
    """A concurrency limit that steps down on each 429 and grows back by one after a run of successes."""

    def __init__(self, limit: int, maximum: int) -> None:
        self.limit = max(1, limit)
        self.maximum = max(self.limit, maximum)
        self.active = 0
        self.peak = 0
        self._streak = 0
        self._last_429 = -1e9
        self._cond = threading.Condition()

    def set_maximum(self, maximum: int) -> None:
        with self._cond:
            self.maximum = max(1, maximum)
            self.limit = min(max(self.limit, self.maximum), self.maximum)
            self._cond.notify_all()

    def acquire(self, stop: threading.Event) -> bool:
        with self._cond:
            while self.active >= self.limit:
                if stop.is_set():
                    return False
                self._cond.wait(0.1)
            if stop.is_set():
                return False
            self.active += 1
            self.peak = max(self.peak, self.active)
            return True

    def release(self, ok: bool) -> None:
        with self._cond:
            self.active -= 1
            if ok:
                self._streak += 1
                if self._streak >= self.limit and self.limit < self.maximum:
                    self.limit += 1
                    self._streak = 0
            self._cond.notify_all()

    def lend(self) -> None:
        """Give a held slot back while its request waits to retry, so another item can run."""
        with self._cond:
            self.active -= 1
            self._cond.notify_all()

    def reclaim(self) -> None:
        """Take a slot again after a wait (however the limit has moved meanwhile)."""
        with self._cond:
            while self.active >= self.limit:
                self._cond.wait(0.1)
            self.active += 1
            self.peak = max(self.peak, self.active)

    def back_off(self) -> None:
        """A lone 429 is retried at the same concurrency; 429s in a burst (two within two
        seconds) mean real pressure, and the limit steps down by one."""
        with self._cond:
            now = time.monotonic()
            if now - self._last_429 < 2.0:
                self.limit = max(1, self.limit - 1)
            self._last_429 = now
            self._streak = 0


def run_pool(items: list[Item], work: Callable[[Item], Outcome], limiter: Limiter, stop: threading.Event,
             done: Callable[[Outcome], None], workers: int) -> None:
    """Run `work` over items with at most `limiter.limit` at once; stops taking items when `stop` is set."""
    queue: Iterator[Item] = iter(items)
    lock = threading.Lock()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                item = next(queue, None)
            if item is None:
                return
            if not limiter.acquire(stop):
                return
            ok = False
            try:
                outcome = work(item)
                ok = outcome.status == "ok"
            except ElevenError as exc:
                outcome = Outcome(item.id, None, "failed", error=exc.line(), exit_code=int(exc.exit_code))
            except Exception as exc:  # noqa: BLE001 - one bad item must not sink the batch
                outcome = Outcome(item.id, None, "failed", error=f"{type(exc).__name__}: {exc}", exit_code=1)
            finally:
                limiter.release(ok)
            done(outcome)

    threads = [threading.Thread(target=worker, daemon=True, name=f"eleven-batch-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)

