"""Batch narration: manifests, a concurrency limiter that adapts to 429s, resumable results, and the
run itself (`Batch`: plan, estimate, run, summary, interruption).

No typer or rich here: the command in cli/batch_cmd.py renders progress from the callbacks.
"""

from __future__ import annotations

import csv
import hashlib
import io
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
from eleven_cli.words import json_kind, plural

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
    error: str | None = None  # why this item cannot be narrated (read from a folder: not UTF-8, not a file)

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


COLUMNS = ("id", "text", "voice", "model", "format", "output")


def load_manifest(path: Path, split: str | None = None,
                  warn: Callable[[str], None] | None = None) -> list[Item]:
    """A folder of .txt/.md files, a CSV or JSONL manifest, or one text file split in parts.

    A manifest's faults (an unclosed quote, a row with more fields than the header, a line that is not
    JSON, a text that is not a string) are one UsageError naming every bad line; unknown keys or columns
    go to `warn`. In a folder, an entry that cannot be read as text (not UTF-8, a dangling link, a folder
    named like a text file) becomes an item with `error` set: reported by the batch, the rest go on."""
    if not path.exists():
        raise UsageError(f"no such manifest: {path}")
    if path.is_dir():
        return _unique(_from_folder(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _unique(_from_csv(_read(path), str(path), warn))
    if suffix in (".jsonl", ".ndjson"):
        return _unique(_from_jsonl(_read(path), str(path), warn))
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
        raise UsageError(f"unknown split {split!r}: use paragraphs or chapters")
    return [Item(safe_name(path.stem), text_for(text), source=str(path))]


def _from_folder(path: Path) -> list[Item]:
    entries = sorted(p for p in path.iterdir() if p.suffix.lower() in (".txt", ".md"))
    if not entries:
        raise UsageError(f"{path} holds no .txt or .md files")
    items = []
    for f in entries:
        item = Item(safe_name(f.stem), "", source=str(f))
        if f.is_symlink() and not f.exists():
            item.error = f"{f.name} is a symbolic link to nothing"
        elif f.is_dir():
            item.error = f"{f.name} is a folder, not a text file"
        elif not f.is_file():
            item.error = f"{f.name} is not a regular file"
        else:
            try:
                text = decode(f.read_bytes(), f.name)
                item.text = _strip_markdown(text) if f.suffix.lower() == ".md" else text
            except UsageError as exc:
                item.error = exc.line().rstrip(".")
            except OSError as exc:
                item.error = f"cannot read {f.name}: {exc.strerror}"
        items.append(item)
    return items


def _bad(source: str, problems: list[tuple[int, str]]) -> UsageError:
    """One error naming every bad line of a manifest."""
    shown = "; ".join(f"{source}:{n}: {what}" for n, what in problems[:10])
    more = len(problems) - 10
    if more > 0:
        shown += f"; and {plural(more, 'more bad line')}"
    hint = None if len(problems) == 1 else f"{plural(len(problems), 'bad line')} in all"
    return UsageError(shown, hint=hint)


def _from_csv(text: str, source: str, warn: Callable[[str], None] | None) -> list[Item]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            what = "a quote is not closed" if "end of data" in str(exc) or "EOF" in str(exc) else str(exc)
            problems.append((start, f"{what} (a text with quotes or commas goes in double quotes, "
                                    "a quote inside it doubled)"))
            break
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = [h.strip() for h in fields]
            if "text" not in header:
                raise UsageError(f"{source}:{start}: the header has no text column "
                                 "(columns: id,text[,voice,model,format,output])")
            _unknown_keys(header, source, start, warn)
            continue
        if len(fields) > len(header):
            problems.append((start, f"{len(fields)} fields, but the header names {len(header)} (a text with "
                                    "commas goes in double quotes)"))
            continue
        rows.append((start, dict(zip(header, fields, strict=False))))
    if problems:
        raise _bad(source, problems)
    return _from_rows(rows, source, problems)


def _from_jsonl(text: str, source: str, warn: Callable[[str], None] | None) -> list[Item]:
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    unknown: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            problems.append((n, "not valid JSON"))
            continue
        if not isinstance(row, dict):
            problems.append((n, "each line must be a JSON object"))
            continue
        for key in row:
            if key not in COLUMNS:
                unknown.setdefault(key, n)
        rows.append((n, row))
    items = _from_rows(rows, source, problems)
    if problems:
        raise _bad(source, sorted(problems))
    if unknown and warn:
        for key, n in unknown.items():
            warn(f"{source}:{n}: unknown key {key!r} ignored (keys: {', '.join(COLUMNS)})")
    return items


def _unknown_keys(header: list[str], source: str, line: int, warn: Callable[[str], None] | None) -> None:
    for key in header:
        if key not in COLUMNS and warn:
            warn(f"{source}:{line}: unknown column {key!r} ignored (columns: {', '.join(COLUMNS)})")


def _from_rows(rows: list[tuple[int, dict[str, Any]]], source: str, problems: list[tuple[int, str]]) -> list[Item]:
    items = []
    for n, (line, row) in enumerate(rows, 1):
        if "text" not in row:
            problems.append((line, "no \"text\" (keys: id,text[,voice,model,format,output])"))
            continue
        bad = [k for k in COLUMNS if row.get(k) is not None and not isinstance(row[k], str)
               and not (k == "id" and isinstance(row[k], int) and not isinstance(row[k], bool))]
        if bad:
            problems.append((line, "; ".join(f"\"{k}\" must be a string, not {json_kind(row[k])}" for k in bad)))
            continue
        ident = str(row.get("id") or n)
        items.append(Item(safe_name(ident), row.get("text") or "", row.get("voice") or None,
                          row.get("model") or None, row.get("format") or None, row.get("output") or None,
                          source=f"{source}:{line}"))
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
    audio_seconds: float = 0.0  # how long the audio plays
    elapsed_seconds: float = 0.0  # how long the item took to make
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
                data = _renamed(json.loads(line))
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


def _renamed(data: dict[str, Any]) -> dict[str, Any]:
    """A results line of an older version: `duration` was the audio's seconds, `seconds` the time taken."""
    if "duration" in data and "audio_seconds" not in data:
        data["audio_seconds"] = data.pop("duration")
    if "seconds" in data and "elapsed_seconds" not in data:
        data["elapsed_seconds"] = data.pop("seconds")
    return data


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
    expected = outcome.audio_seconds
    return seconds > 0 and (not expected or abs(seconds - expected) < 0.05 + expected / 100)


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

