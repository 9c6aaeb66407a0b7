"""The generation log (spendlog.py), and `eleven history` / `eleven usage` against the real mock."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import DEMO_KEY, ELEVEN, Mock, err
from eleven_cli.api.http import Client as HttpClient
from eleven_cli.cli.history_view import bars
from eleven_cli.cli.usage_cmd import period_start
from eleven_cli.errors import ExitCode, UsageError
from eleven_cli.history import History, HistoryFilter, download_history_audio
from eleven_cli.spendlog import MIGRATIONS, SCHEMA_VERSION, Generation, Log, LogError, Spend, log_path, parse_since

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
SARAH = "EXAVITQu4vr4xnSDxMaL"


def row(text: str = "Hello.", **kw: object) -> Generation:
    base: dict[str, object] = {"voice_id": GEORGE, "voice_name": "George", "model_id": "eleven_multilingual_v2",
                               "output_format": "mp3_44100_128", "characters": len(text), "audio_seconds": 1.5}
    base.update(kw)
    return Generation("say", **base).with_text(text)  # type: ignore[arg-type]


# --- the store ---------------------------------------------------------------------------------
def test_the_log_lives_under_xdg_data_home_never_the_real_folder(isolated: Path) -> None:
    assert log_path() == isolated / "data" / "eleven" / "log.db"


def test_rows_come_back_newest_first_and_filtered(tmp_path: Path) -> None:
    log = Log(tmp_path / "log.db")
    now = time.time()
    log.add(row("An old line about cats.", at=now - 10 * 86400))
    log.add(row("Fifty percent_off sale.", at=now - 3600, voice_id=SARAH, voice_name="Sarah", run_id="r1"))
    log.add(row("A new line about dogs.", at=now, model_id="eleven_flash_v2_5", run_id="r1",
                request_ids=["q1", "q2"], history_item_ids=["h1", "h2"]))
    assert [r.text for r in log.query()] == ["A new line about dogs.", "Fifty percent_off sale.",
                                             "An old line about cats."]
    assert [r.voice_name for r in log.query(voice="sarah")] == ["Sarah"]
    assert len(log.query(voice=GEORGE)) == 2
    assert [r.model_id for r in log.query(model="eleven_flash_v2_5")] == ["eleven_flash_v2_5"]
    assert len(log.query(since=now - 86400)) == 2
    assert [r.text for r in log.query(until=now - 86400)] == ["An old line about cats."]
    assert [r.text for r in log.query(search="CATS")] == ["An old line about cats."]
    assert [r.text for r in log.query(search="t_o")] == ["Fifty percent_off sale."]  # _ is no wildcard
    assert log.query(search="%") == []
    assert len(log.query(run="r1")) == 2
    assert len(log.query(limit=1)) == 1
    newest = log.query(history_item_id="h2")[0]
    assert newest.request_ids == ["q1", "q2"] and newest.history_item_id == "h1"
    assert log.get(newest.id or 0) == newest


def test_only_the_hash_of_the_text_when_the_text_is_not_kept(tmp_path: Path) -> None:
    log = Log(tmp_path / "log.db")
    log.add(Generation("say").with_text("A secret line.", keep=False))
    got = log.query()[0]
    assert got.text is None and got.text_length == 14
    assert got.text_sha256 == hashlib.sha256(b"A secret line.").hexdigest()
    assert b"secret" not in (tmp_path / "log.db").read_bytes()


def test_file_is_0600_in_a_0700_folder_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "new" / "log.db"
    Log(path).add(row())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for extra in path.parent.glob("log.db-*"):  # -wal and -shm copy the database's mode
        assert stat.S_IMODE(extra.stat().st_mode) == 0o600


def test_an_older_schema_is_migrated_and_its_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO generations (at, command, voice_id, characters, request_ids, history_item_id, text) "
                 "VALUES (?, 'say', ?, 12, '[\"r1\"]', 'hist1', 'Hello again.')", (time.time(), GEORGE))
    conn.commit()
    conn.close()
    log = Log(path)
    old = log.query()[0]
    assert old.history_item_ids == ["hist1"] and old.request_ids == ["r1"] and old.status == "ok"
    log.add(row(run_id="r9"))
    assert len(log.query(run="r9")) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LogError, match="newer eleven") as info:
        Log(path).query()
    assert "upgrade eleven" in info.value.line().lower()


def test_a_corrupt_file_is_a_warning_when_recording_and_one_line_when_reading(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    path.write_bytes(b"this is not a database at all" * 200)
    warnings: list[str] = []
    assert Log(path, warn=warnings.append).record(row()) is None
    assert len(warnings) == 1 and "not logged" in warnings[0] and f"mv {path} {path}.broken" in warnings[0]
    with pytest.raises(LogError) as info:
        Log(path).query()
    assert info.value.exit_code == ExitCode.FAILURE and "start afresh" in info.value.line()


def test_a_locked_database_is_a_warning_not_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import eleven_cli.spendlog as spendlog

    path = tmp_path / "log.db"
    Log(path).add(row())
    monkeypatch.setattr(spendlog, "BUSY_SECONDS", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        warnings: list[str] = []
        assert Log(path, warn=warnings.append).record(row()) is None
        assert "locked" in warnings[0]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(Log(path).query()) == 1


def test_fifty_rows_from_eight_threads(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    warnings: list[str] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        start.wait()
        for i in range(n):
            Log(path, warn=warnings.append).record(row(f"thread line {i}"))

    threads = [threading.Thread(target=writer, args=(7 if k < 2 else 6,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert warnings == []
    assert len(Log(path).query(limit=None)) == 50


def test_fifty_rows_from_several_processes_on_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "log.db"  # every process races to create and migrate it
    code = ("import sys\nfrom eleven_cli.spendlog import Generation, Log\n"
            "log = Log(sys.argv[1], warn=lambda m: print(m, file=sys.stderr))\n"
            "for i in range(int(sys.argv[2])):\n"
            "    log.record(Generation('batch', run_id='many').with_text(f'line {i}'))\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(n)], stderr=subprocess.PIPE, text=True)
             for n in (7, 7, 6, 6, 6, 6, 6, 6)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert "".join(errors) == ""
    assert len(Log(path).query(run="many", limit=None)) == 50


def test_a_row_from_a_result_and_what_a_resume_may_reuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eleven_cli.events import Result

    monkeypatch.chdir(tmp_path)
    log = Log(tmp_path / "log.db")
    result = Result("mp3_44100_128", GEORGE, "eleven_multilingual_v2", characters=11, duration=0.9,
                    request_ids=["q1"], ttfb=0.05, output="out/a.mp3")
    result.history_item_ids = ["h1"]  # type: ignore[attr-defined]  # what the engine collects from Meta
    made = Generation.from_result(result, command="batch", text="Chapter one", run_id="run1",
                                  base_url="http://127.0.0.1:1", keep_text=False)
    assert made.output == str(tmp_path / "out" / "a.mp3") and made.text is None and made.audio_seconds == 0.9
    log.add(made)
    found = log.reusable("out/a.mp3", "Chapter one", "http://127.0.0.1:1")
    assert found is not None and found.history_item_ids == ["h1"] and found.characters == 11
    assert log.reusable("out/a.mp3", "Chapter one, changed", "http://127.0.0.1:1") is None
    assert log.reusable("out/a.mp3", "Chapter one", "http://127.0.0.1:2") is None
    log.delete_history_item("h1")
    assert log.reusable("out/a.mp3", "Chapter one") is None
    (tmp_path / "broken.db").write_bytes(b"x" * 4096)
    assert Log(tmp_path / "broken.db").reusable("out/a.mp3", "Chapter one") is None


def test_a_deleted_history_item_is_forgotten(tmp_path: Path) -> None:
    log = Log(tmp_path / "log.db")
    log.add(row(history_item_ids=["a", "b"]))
    assert log.delete_history_item("a") == 1
    assert log.query()[0].history_item_ids == ["b"]
    assert log.delete_history_item("zzz") == 0


def test_spend_by_day_voice_model_and_command(tmp_path: Path) -> None:
    log = Log(tmp_path / "log.db")
    now = time.time()
    log.add(row("x" * 10, at=now - 2 * 86400))
    log.add(row("x" * 20, at=now, voice_id=SARAH, voice_name="Sarah"))
    log.add(row("x" * 30, at=now, model_id="eleven_v3"))
    log.add(Generation("ws", voice_id=GEORGE, voice_name="George", at=now).with_text("no cost header"))
    by_voice = log.spend("voice")
    assert [(s.key, s.generations, s.credits) for s in by_voice] == [("George", 3, 40), ("Sarah", 1, 20)]
    assert [(s.key, s.credits) for s in log.spend("model")] == [("eleven_multilingual_v2", 30), ("eleven_v3", 30),
                                                                  ("?", 0)]
    assert {s.key: s.generations for s in log.spend("command")} == {"say": 3, "ws": 1}
    days = log.spend("day")
    assert len(days) == 2 and days[0].key < days[1].key and days[1].credits == 50
    assert sum(s.credits for s in log.spend("day", since=now - 86400)) == 50
    with pytest.raises(UsageError):
        log.spend("week")


def test_a_missing_log_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    log = Log(tmp_path / "none" / "log.db")
    assert log.query() == [] and log.spend() == []
    assert not (tmp_path / "none").exists()


def test_since_takes_dates_times_and_ages() -> None:
    now = time.mktime((2026, 11, 15, 12, 0, 0, 0, 0, -1))
    assert parse_since("2026-11-01") == time.mktime((2026, 11, 1, 0, 0, 0, 0, 0, -1))
    assert parse_since("2026-11-01T09:30") == time.mktime((2026, 11, 1, 9, 30, 0, 0, 0, -1))
    assert parse_since("7d", now) == now - 7 * 86400
    assert parse_since("12h", now) == now - 12 * 3600
    assert parse_since("yesterday", now) == time.mktime((2026, 11, 14, 0, 0, 0, 0, 0, -1))
    with pytest.raises(UsageError, match="cannot read"):
        parse_since("last tuesday")


def test_bars_scale_to_the_largest_day() -> None:
    lines = bars([Spend("2026-11-01", 1, 100, 100, 1.0), Spend("2026-11-02", 2, 50, 50, 1.0),
                  Spend("2026-11-03", 1, 1, 1, 0.1), Spend("2026-11-04", 1, 0, 5, 0.1)], width=20)
    assert lines[0] == "2026-11-01  " + "█" * 20 + " 100"
    assert lines[1].count("█") == 10 and lines[2].count("█") == 1 and "█" not in lines[3]


def test_the_billing_month_starts_a_calendar_month_before_the_reset() -> None:
    reset = time.mktime((2026, 12, 1, 0, 0, 0, 0, 0, -1))
    assert period_start(int(reset), now=reset - 86400) == time.mktime((2026, 11, 1, 0, 0, 0, 0, 0, -1))
    march = time.mktime((2027, 3, 31, 0, 0, 0, 0, 0, -1))
    assert period_start(int(march), now=march - 86400) == time.mktime((2027, 2, 28, 0, 0, 0, 0, 0, -1))
    assert period_start(None, now=1e9) == 1e9 - 30 * 86400


# --- the commands, against the mock -----------------------------------------------------------
def _say(mock: Mock, text: str, voice: str = GEORGE, fmt: str = "mp3_22050_32") -> httpx.Response:
    r = httpx.post(f"{mock.url}/v1/text-to-speech/{voice}", params={"output_format": fmt}, json={"text": text},
                   headers={"xi-api-key": mock.key})
    assert r.status_code == 200, r.text
    return r


def _used(mock: Mock) -> int:
    return next(a["character_count"] for a in mock.accounts() if a["key_preview"].startswith(mock.key[:3]))


def test_history_get_downloads_without_billing(cli, mock: Mock, tmp_path: Path) -> None:
    first, second = _say(mock, "The first remembered line."), _say(mock, "And a second one.")
    ids = [first.headers["history-item-id"], second.headers["history-item-id"]]
    used = _used(mock)
    r = cli("history", "get", ids[0], "-o", str(tmp_path / "again.mp3"))
    assert r.returncode == 0, err(r)
    assert (tmp_path / "again.mp3").read_bytes() == first.content
    assert "nothing billed" in err(r)
    out = tmp_path / "both"
    out.mkdir()
    r = cli("history", "get", *ids, "-d", str(out))
    assert r.returncode == 0, err(r)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{i}.mp3" for i in ids)  # unpacked, no temp files
    assert (out / f"{ids[1]}.mp3").read_bytes() == second.content
    assert mock.requests("/v1/history/download")[0]["method"] == "POST"
    r = cli("history", "get", ids[1], "-o", "-")
    assert r.returncode == 0 and r.stdout == second.content
    assert _used(mock) == used


def test_history_get_by_local_row_joins_its_pieces(cli, mock: Mock, tmp_path: Path) -> None:
    pieces = [_say(mock, "Piece one of a long text."), _say(mock, "Piece two of it.")]
    rowid = Log().add(row(history_item_ids=[p.headers["history-item-id"] for p in pieces]))
    r = cli("history", "get", str(rowid), "-o", str(tmp_path / "long.mp3"))
    assert r.returncode == 0, err(r)
    assert (tmp_path / "long.mp3").read_bytes() == pieces[0].content + pieces[1].content


def test_download_history_audio_joins_wav_pieces_under_one_header(mock: Mock, tmp_path: Path) -> None:
    from eleven_cli.audio.riff import data as wav_data

    pieces = [_say(mock, "A wave.", fmt="wav_16000"), _say(mock, "Another wave.", fmt="wav_16000")]
    with HttpClient(mock.url, mock.key) as http:
        size = download_history_audio(http, [p.headers["history-item-id"] for p in pieces], tmp_path / "w.wav")
    joined = (tmp_path / "w.wav").read_bytes()
    assert size == len(joined)
    assert wav_data(joined) == (16000, wav_data(pieces[0].content)[1] + wav_data(pieces[1].content)[1])


def test_history_delete_asks_refuses_without_a_terminal_and_forgets_locally(cli, mock: Mock) -> None:
    gone = _say(mock, "Soon to be deleted.").headers["history-item-id"]
    Log().add(row(history_item_ids=[gone]))
    r = cli("history", "delete", gone)
    assert r.returncode == ExitCode.USAGE and "--yes" in err(r)
    assert httpx.get(f"{mock.url}/v1/history/{gone}", headers={"xi-api-key": mock.key}).status_code == 200
    r = cli("history", "delete", gone, "--yes")
    assert r.returncode == 0, err(r)
    assert httpx.get(f"{mock.url}/v1/history/{gone}", headers={"xi-api-key": mock.key}).status_code == 404
    assert Log().query()[0].history_item_ids == []
    r = cli("history", "show", gone)
    assert r.returncode == ExitCode.REJECTED and "not found" in err(r)


def _on_a_terminal(mock: Mock, args: list[str], answer: bytes = b"") -> tuple[int, str]:
    """Run eleven with stdin, stdout and stderr on a pseudo-terminal; type `answer` once it asks."""
    leader, follower = pty.openpty()
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key, COLUMNS="120")
    proc = subprocess.Popen([ELEVEN, *args], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    out = b""
    sent = False
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if answer and not sent and b"[y/N]" in out:
            os.write(leader, answer)
            sent = True
    os.close(leader)
    return proc.wait(10), out.decode("utf-8", "replace")


def test_history_delete_on_a_terminal_asks_first(mock: Mock) -> None:
    kept = _say(mock, "Kept after all.").headers["history-item-id"]
    code, text = _on_a_terminal(mock, ["history", "delete", kept], b"n\n")
    assert "[y/N]" in text and code == 1 and "nothing deleted" in text
    assert httpx.get(f"{mock.url}/v1/history/{kept}", headers={"xi-api-key": mock.key}).status_code == 200
    code, text = _on_a_terminal(mock, ["history", "delete", kept], b"y\n")
    assert code == 0, text
    assert httpx.get(f"{mock.url}/v1/history/{kept}", headers={"xi-api-key": mock.key}).status_code == 404


def test_history_remote_lists_with_filters(cli, mock: Mock) -> None:
    tag = f"tag{time.time_ns()}"
    _say(mock, f"{tag} George speaks.")
    sarah = _say(mock, f"{tag} Sarah speaks.", voice=SARAH)
    r = cli("history", "--remote", "--search", tag, "--json")
    assert r.returncode == 0, err(r)
    assert [i["text"] for i in json.loads(r.stdout)] == [f"{tag} Sarah speaks.", f"{tag} George speaks."]
    r = cli("history", "--remote", "--search", tag, "--voice", "Sarah")
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("history item\t") and len(lines) == 2
    assert lines[1].split("\t")[0] == sarah.headers["history-item-id"]
    assert mock.requests("/v1/history")[-1]["query"]["voice_id"] == SARAH
    r = cli("history", "--remote", "--search", tag, "-n", "1", "--json")
    assert len(json.loads(r.stdout)) == 1
    r = cli("history", "--remote", "--search", tag, "--after", sarah.headers["history-item-id"], "--json")
    assert [i["text"] for i in json.loads(r.stdout)] == [f"{tag} George speaks."]
    r = cli("history", "--remote", "--run", "x")
    assert r.returncode == ExitCode.USAGE
    r = cli("history", "--source", "TTS")
    assert r.returncode == ExitCode.USAGE and "--remote" in err(r)


def test_the_library_pages_through_the_history(fresh_mock) -> None:
    m = fresh_mock()
    for n in range(5):
        _say(m, f"Line number {n}.")
    with HttpClient(m.url, m.key) as http:
        history = History(http)
        texts = [i.text for i in history.items(page_size=2)]
        assert texts == [f"Line number {n}." for n in reversed(range(5))]
        assert [i.text for i in history.items(limit=3, page_size=2)] == texts[:3]
        oldest = history.page(2, filters=HistoryFilter(sort_direction="asc")).items
        assert [i.text for i in oldest] == ["Line number 0.", "Line number 1."]
        one = history.get(oldest[0].history_item_id)
        assert one.characters == len("Line number 0.") and one.voice_name == "George"
    pages = [r["query"] for r in m.requests("/v1/history") if r["method"] == "GET" and r["path"] == "/v1/history"]
    assert [q.get("start_after_history_item_id") is None for q in pages[:3]] == [True, False, False]


def test_local_history_lists_filters_and_shows(cli, mock: Mock) -> None:
    log = Log()
    log.add(row("An old generation.", at=time.time() - 5 * 86400))
    log.add(row("Part of a run.", run_id="run-7", voice_id=SARAH, voice_name="Sarah"))
    newest = log.add(row("The newest one.", output="/tmp/newest.mp3"))
    r = cli("history")
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and lines[0].startswith("id\twhen\tcommand") and len(lines) == 4
    assert lines[1].startswith(f"{newest}\t")
    for args, expect in ((["--voice", "sarah"], ["Part of a run."]), (["--run", "run-7"], ["Part of a run."]),
                         (["--since", "2d"], ["The newest one.", "Part of a run."]),
                         (["--search", "OLD"], ["An old generation."]), (["-n", "1"], ["The newest one."])):
        r = cli("history", *args, "--json")
        assert r.returncode == 0, err(r)
        assert [x["text"] for x in json.loads(r.stdout)] == expect, args
    r = cli("history", "show", str(newest))
    assert "output:" in r.stdout.decode() and "/tmp/newest.mp3" in r.stdout.decode()
    r = cli("history", "show", "999")
    assert r.returncode == ExitCode.USAGE
    r = cli("history", "--since", "someday")
    assert r.returncode == ExitCode.USAGE and len(err(r).strip().splitlines()) == 1


def test_a_corrupt_log_explains_how_to_start_afresh(cli, isolated: Path) -> None:
    path = isolated / "data" / "eleven" / "log.db"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    for args in (["history"], ["usage", "--offline"]):
        r = cli(*args)
        assert r.returncode == ExitCode.FAILURE
        lines = err(r).strip().splitlines()
        assert len(lines) == 1 and f"mv {path} {path}.broken" in lines[0], lines
        assert "Traceback" not in err(r)


def test_usage_shows_the_subscription_and_the_spend(cli, mock: Mock) -> None:
    log = Log()
    log.add(row("x" * 40, at=time.time() - 86400))
    log.add(row("x" * 60, voice_id=SARAH, voice_name="Sarah", model_id="eleven_v3"))
    r = cli("usage", "--json", "--by", "voice", "--since", "7d")
    assert r.returncode == 0, err(r)
    data = json.loads(r.stdout)
    account = mock.accounts()[0]
    assert data["subscription"]["character_count"] == account["character_count"]
    assert data["subscription"]["remaining"] == account["character_limit"] - account["character_count"]
    assert [(s["key"], s["credits"]) for s in data["spend"]] == [("Sarah", 60), ("George", 40)]
    assert data["total"]["credits"] == 100 and data["by"] == "voice"
    r = cli("usage")
    text = r.stdout.decode()
    assert r.returncode == 0 and "credits:" in text and "resets:" in text and "█" not in text  # no bars in a pipe
    r = cli("usage", "--by", "week")
    assert r.returncode == ExitCode.USAGE
    mock.clear()
    r = cli("usage", "--offline", "--json")
    assert json.loads(r.stdout)["subscription"] is None
    assert not mock.requests("/v1/user/subscription")  # --offline asked nothing


def test_usage_draws_bars_per_day_on_a_terminal(mock: Mock) -> None:
    log = Log()
    log.add(row("x" * 80, at=time.time() - 86400))
    log.add(row("x" * 40))
    code, text = _on_a_terminal(mock, ["usage", "--since", "3d"])
    assert code == 0, text
    bars_seen = [line for line in text.splitlines() if "█" in line]
    assert len(bars_seen) == 2 and bars_seen[0].count("█") == 2 * bars_seen[1].count("█")


def test_no_api_key_is_one_line_for_the_remote_commands(cli) -> None:
    r = cli("history", "--remote", key="")
    assert r.returncode == ExitCode.AUTH and len(err(r).strip().splitlines()) == 1
    assert DEMO_KEY not in err(r)
