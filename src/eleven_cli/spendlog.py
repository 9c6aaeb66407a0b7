"""The generation log: every synthesis, what it cost and where its audio went, in one SQLite file.

`platformdirs.user_data_dir("eleven")/log.db` (XDG_DATA_HOME moves it, as XDG_CONFIG_HOME moves the config),
mode 0600 in a 0700 folder, WAL, schema versioned by `PRAGMA user_version` and migrated on open. `record()` is
called after a synthesis finished and never raises: a locked or broken database is one warning, passed to
`warn`, and the synthesis stands. Readers (`Log.query`, `Log.spend`) raise `LogError` with the one line that
says which file to move away.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from eleven_cli.errors import ElevenError, UsageError

Warn = Callable[[str], None]
BUSY_SECONDS = 10.0  # SQLite's own wait for a writer's lock, per attempt
ATTEMPTS = 4  # then a warning: the log is never worth failing a synthesis for

# One script per schema version; a database at version N runs scripts N+1.. in one transaction.
MIGRATIONS: list[str] = [
    # 1: the generations
    """
    CREATE TABLE generations (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        command TEXT NOT NULL,
        profile TEXT,
        voice_id TEXT,
        voice_name TEXT,
        model_id TEXT,
        output_format TEXT,
        characters INTEGER,
        request_ids TEXT NOT NULL DEFAULT '[]',
        history_item_id TEXT,
        ttfb REAL,
        audio_seconds REAL,
        output TEXT,
        text TEXT,
        text_sha256 TEXT,
        run_id TEXT
    );
    CREATE INDEX generations_at ON generations (at);
    """,
    # 2: several history items per generation (a long text is several requests), the base URL they belong
    # to, the text's length when only its hash is kept, and what a run, a voice or a model looks up
    """
    ALTER TABLE generations ADD COLUMN history_item_ids TEXT NOT NULL DEFAULT '[]';
    UPDATE generations SET history_item_ids = json_array(history_item_id) WHERE history_item_id IS NOT NULL;
    ALTER TABLE generations ADD COLUMN base_url TEXT;
    ALTER TABLE generations ADD COLUMN text_length INTEGER;
    ALTER TABLE generations ADD COLUMN status TEXT NOT NULL DEFAULT 'ok';
    CREATE INDEX generations_run ON generations (run_id) WHERE run_id IS NOT NULL;
    CREATE INDEX generations_voice ON generations (voice_id);
    CREATE INDEX generations_model ON generations (model_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
GROUPS = {"day": "date(at, 'unixepoch', 'localtime')", "voice": "coalesce(voice_name, voice_id, '?')",
          "model": "coalesce(model_id, '?')", "command": "command"}


class LogError(ElevenError):
    """The log cannot be read or written (broken, locked, not a database)."""


def log_path() -> Path:
    """platformdirs.user_data_dir("eleven")/log.db (XDG_DATA_HOME moves it)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("eleven")) / "log.db"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id() -> str:
    """An id that groups the generations of one batch, book or dialogue run (sortable by time)."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + os.urandom(3).hex()


@dataclass
class Generation:
    """One row: a finished synthesis (one command's output, however many requests it took).

    `characters` is what the service billed (`x-character-count`, else `character-cost`; None when it did not
    say), `text_length` the characters sent. `text` is None when only `text_sha256` is kept (log_text off).
    """

    command: str
    voice_id: str | None = None
    voice_name: str | None = None
    model_id: str | None = None
    output_format: str | None = None
    characters: int | None = None
    request_ids: list[str] = field(default_factory=list)
    history_item_ids: list[str] = field(default_factory=list)
    ttfb: float | None = None
    audio_seconds: float | None = None
    output: str | None = None
    text: str | None = None
    text_sha256: str | None = None
    text_length: int | None = None
    run_id: str | None = None
    profile: str | None = None
    base_url: str | None = None
    status: str = "ok"
    at: float = field(default_factory=time.time)
    id: int | None = None  # set when read back

    @property
    def history_item_id(self) -> str | None:
        """The history item of a one-request generation (the first of several)."""
        return self.history_item_ids[0] if self.history_item_ids else None

    def with_text(self, text: str, keep: bool = True) -> Generation:
        """This row with `text` (or only its hash and length when `keep` is false)."""
        self.text = text if keep else None
        self.text_sha256 = text_hash(text)
        self.text_length = len(text)
        return self

    @classmethod
    def from_result(cls, result: Any, *, command: str, text: str, keep_text: bool = True,
                    voice_name: str | None = None, run_id: str | None = None, profile: str | None = None,
                    base_url: str | None = None, status: str = "ok") -> Generation:
        """The row of a finished synthesis (an events.Result: format, voice_id, model_id, characters,
        duration, request_ids, ttfb, output, and history_item_ids once the engine collects them)."""
        output = getattr(result, "output", None)
        if output and output != "-":
            output = str(Path(output).resolve())
        return cls(command, voice_id=getattr(result, "voice_id", None), voice_name=voice_name,
                   model_id=getattr(result, "model_id", None), output_format=getattr(result, "format", None),
                   characters=getattr(result, "characters", None),
                   request_ids=list(getattr(result, "request_ids", None) or []),
                   history_item_ids=list(getattr(result, "history_item_ids", None) or []),
                   ttfb=getattr(result, "ttfb", None), audio_seconds=getattr(result, "duration", None),
                   output=output, run_id=run_id, profile=profile, base_url=base_url,
                   status=status).with_text(text, keep_text)

    def to_json(self) -> dict[str, Any]:
        date = datetime.datetime.fromtimestamp(self.at).astimezone().isoformat(timespec="seconds")
        return {"id": self.id, "date": date, **{k: v for k, v in asdict(self).items() if k != "id"},
                "history_item_id": self.history_item_id}


_COLUMNS = [f.name for f in fields(Generation) if f.name != "id"]
_LISTS = ("request_ids", "history_item_ids")


@dataclass(frozen=True)
class Spend:
    """Generations grouped by one key (a day, voice, model or command)."""

    key: str
    generations: int
    credits: int  # what the service billed (the rows' `characters`)
    characters_sent: int
    audio_seconds: float


def parse_since(raw: str, now: float | None = None) -> float:
    """A point in time: 2026-11-01, 2026-11-01T09:30 (local time unless it says otherwise), today, yesterday,
    or an age: 30m, 12h, 7d, 2w. Raises UsageError."""
    raw = raw.strip()
    if raw.lower() in ("today", "yesterday"):
        midnight = datetime.datetime.fromtimestamp(time.time() if now is None else now).replace(
            hour=0, minute=0, second=0, microsecond=0)
        return (midnight - datetime.timedelta(days=1 if raw.lower() == "yesterday" else 0)).timestamp()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([mhdw])", raw)
    if m:
        unit = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[m.group(2)]
        return (time.time() if now is None else now) - float(m.group(1)) * unit
    try:
        when = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"cannot read {raw!r} as a date", hint="use a date (2026-11-01), a date and time "
                         "(2026-11-01T09:30), today, yesterday or an age (7d, 12h)") from None
    return when.timestamp()  # naive: local time


class Log:
    """The database at `path` (default: log_path()); each call opens and closes its own connection."""

    def __init__(self, path: Path | str | None = None, warn: Warn | None = None) -> None:
        self.path = Path(path) if path is not None else log_path()
        self.warn = warn

    # --- opening ----------------------------------------------------------------------------
    def afresh_hint(self) -> str:
        return f"move it away to start afresh: mv {self.path} {self.path}.broken"

    def _failure(self, exc: Exception) -> LogError:
        text = str(exc) or type(exc).__name__
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            return LogError(f"the generation log {self.path} is locked by another program ({text})",
                            hint="try again once it is done")
        if isinstance(exc, OSError):
            return LogError(f"cannot open the generation log {self.path}: {exc.strerror or exc}")
        return LogError(f"the generation log {self.path} is unreadable ({text})", hint=self.afresh_hint())

    def _create(self) -> None:
        """The folder (0700) and an empty file (0600) before SQLite opens it: its -wal and -shm files copy
        the database's permissions."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)

    @contextlib.contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        if write:
            self._create()
        elif not self.path.exists():
            raise FileNotFoundError(self.path)
        conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            self._migrate(conn)
            yield conn
        finally:
            conn.close()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LogError(f"the generation log {self.path} is from a newer eleven (schema {version}, this one "
                           f"knows {SCHEMA_VERSION})", hint="upgrade eleven, or " + self.afresh_hint())
        if version == SCHEMA_VERSION:
            return
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: set once, when the file is new
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _retry(self, work: Callable[[], Any]) -> Any:
        """`work`, again after a short pause while the database stays locked past SQLite's own wait."""
        for attempt in range(ATTEMPTS):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if attempt + 1 == ATTEMPTS or not any(w in str(exc) for w in ("locked", "busy")):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- writing ----------------------------------------------------------------------------
    def add(self, row: Generation) -> int:
        """Insert one row; returns its id. Raises LogError."""
        values = [json.dumps(getattr(row, c)) if c in _LISTS else getattr(row, c) for c in _COLUMNS]
        sql = (f"INSERT INTO generations ({', '.join(_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _COLUMNS)})")

        def work() -> int:
            with self._connect(write=True) as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    rowid = conn.execute(sql, values).lastrowid
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                return int(rowid or 0)

        try:
            return int(self._retry(work))
        except LogError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None

    def record(self, row: Generation) -> int | None:
        """Insert one row, never raising: a failure is one warning (through `warn`) and None."""
        try:
            return self.add(row)
        except LogError as exc:
            if self.warn:
                self.warn(f"warning: not logged: {exc.line()}")
        except Exception as exc:  # noqa: BLE001 - the log must never fail a synthesis
            if self.warn:
                self.warn(f"warning: not logged: {type(exc).__name__}: {exc}")
        return None

    def delete_history_item(self, history_item_id: str) -> int:
        """Forget a deleted history item in every row that names it; returns how many rows changed."""
        def work() -> int:
            with self._connect(write=True) as conn:
                cur = conn.execute(
                    "UPDATE generations SET history_item_ids = (SELECT coalesce(json_group_array(j.value), '[]') "
                    "FROM json_each(generations.history_item_ids) AS j WHERE j.value != ?1) "
                    "WHERE EXISTS (SELECT 1 FROM json_each(generations.history_item_ids) WHERE value = ?1)",
                    (history_item_id,))
                return cur.rowcount

        try:
            return int(self._retry(work))
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None

    # --- reading ----------------------------------------------------------------------------
    def _read(self, sql: str, args: Sequence[Any]) -> list[sqlite3.Row]:
        def work() -> list[sqlite3.Row]:
            with self._connect(write=False) as conn:
                return conn.execute(sql, args).fetchall()

        try:
            return list(self._retry(work))
        except FileNotFoundError:
            return []
        except LogError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise self._failure(exc) from None

    def query(self, *, voice: str | None = None, model: str | None = None, since: float | None = None,
              until: float | None = None, search: str | None = None, run: str | None = None,
              command: str | None = None, history_item_id: str | None = None,
              limit: int | None = 50) -> list[Generation]:
        """Rows newest first. `voice` matches the id or the name (any case), `search` the text or output path."""
        where, args = _where(voice=voice, model=model, since=since, until=until, search=search, run=run,
                             command=command)
        if history_item_id:
            where.append("EXISTS (SELECT 1 FROM json_each(history_item_ids) WHERE value = ?)")
            args.append(history_item_id)
        sql = "SELECT * FROM generations" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY at DESC, id DESC" + (" LIMIT ?" if limit is not None else "")
        return [_row(r) for r in self._read(sql, args + ([limit] if limit is not None else []))]

    def reusable(self, output: str | Path, text: str, base_url: str | None = None) -> Generation | None:
        """The newest good generation of this same text into this same file that the account's history still
        has (history item ids kept, on this base URL when given): a resume downloads it instead of paying
        again. Never raises: a log that cannot be read reuses nothing."""
        sql = ("SELECT * FROM generations WHERE output = ? AND text_sha256 = ? AND status = 'ok' "
               "AND history_item_ids != '[]'" + (" AND base_url = ?" if base_url else "")
               + " ORDER BY at DESC, id DESC LIMIT 1")
        args: list[Any] = [str(Path(output).resolve()), text_hash(text)] + ([base_url] if base_url else [])
        try:
            rows = self._read(sql, args)
        except LogError:
            return None
        return _row(rows[0]) if rows else None

    def get(self, row_id: int) -> Generation | None:
        rows = self._read("SELECT * FROM generations WHERE id = ?", [row_id])
        return _row(rows[0]) if rows else None

    def spend(self, by: str = "day", *, since: float | None = None, until: float | None = None,
              voice: str | None = None, model: str | None = None) -> list[Spend]:
        """Totals per day (oldest first), or per voice, model or command (costliest first)."""
        if by not in GROUPS:
            raise UsageError(f"cannot group by {by!r}", hint=f"use one of {', '.join(GROUPS)}")
        where, args = _where(voice=voice, model=model, since=since, until=until)
        sql = (f"SELECT {GROUPS[by]} AS key, count(*) AS n, coalesce(sum(characters), 0) AS chars, "
               "coalesce(sum(text_length), 0) AS sent, coalesce(sum(audio_seconds), 0) AS secs FROM generations"
               + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY key"
               + (" ORDER BY key" if by == "day" else " ORDER BY chars DESC, key"))
        return [Spend(str(r["key"]), int(r["n"]), int(r["chars"]), int(r["sent"]), float(r["secs"]))
                for r in self._read(sql, args)]


def record(row: Generation, *, path: Path | str | None = None, warn: Warn | None = None) -> int | None:
    """Log one finished generation; never raises (see Log.record)."""
    return Log(path, warn).record(row)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _where(*, voice: str | None = None, model: str | None = None, since: float | None = None,
           until: float | None = None, search: str | None = None, run: str | None = None,
           command: str | None = None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if voice:
        where.append("(voice_id = ? OR lower(voice_name) = lower(?))")
        args += [voice, voice]
    if model:
        where.append("model_id = ?")
        args.append(model)
    if since is not None:
        where.append("at >= ?")
        args.append(since)
    if until is not None:
        where.append("at < ?")
        args.append(until)
    if search:
        needle = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(text LIKE ? ESCAPE '\\' OR output LIKE ? ESCAPE '\\')")
        args += [needle, needle]
    if run:
        where.append("run_id = ?")
        args.append(run)
    if command:
        where.append("command = ?")
        args.append(command)
    return where, args


def _row(r: sqlite3.Row) -> Generation:
    values = {c: (json.loads(r[c] or "[]") if c in _LISTS else r[c]) for c in _COLUMNS}
    return Generation(**values, id=int(r["id"]))
