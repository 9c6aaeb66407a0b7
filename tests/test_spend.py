"""Every generation remembered, and spend kept in bounds, through the installed `eleven` and the mock:
the log after each command, --no-log and --no-log-text, --max-credits spending nothing, a batch that
stops at its budget and resumes, a plan over the account's remaining characters, a resume that
downloads from the history instead of paying again, a broken log that never fails a synthesis."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import err

TEXT = "A sentence for the log, long enough to be billed and remembered."


def _history(cli) -> list[dict]:
    r = cli("history", "--json")
    assert r.returncode == 0, err(r)
    return json.loads(r.stdout)


def _tts_requests(mock) -> list[dict]:
    return [r for r in mock.requests("/v1/text-to-") if r.get("method", "POST") == "POST"]


def test_each_command_leaves_one_row_with_what_it_cost(cli, mock, tmp_path: Path) -> None:
    assert cli("say", TEXT, "-o", str(tmp_path / "a.mp3")).returncode == 0
    assert cli("stream", TEXT, "-o", str(tmp_path / "b.mp3"), "--no-play").returncode == 0
    assert cli("timestamps", TEXT, "-o", str(tmp_path / "c.mp3"), "--srt", str(tmp_path / "c.srt")).returncode == 0
    r = cli("dialogue", "-", "-o", str(tmp_path / "d.mp3"), input="Alice: Hello there.\nGeorge: Hi, Alice.\n")
    assert r.returncode == 0, err(r)
    rows = _history(cli)
    assert [x["command"] for x in rows] == ["dialogue", "timestamps", "stream", "say"]
    for row in rows:
        assert row["characters"] and row["history_item_id"] and row["request_ids"] and row["model_id"]
        assert Path(row["output"]).exists() and row["text"]
    assert rows[-1]["text"] == TEXT and rows[-1]["output_format"] == "mp3_44100_128"
    assert rows[0]["run_id"] and not rows[-1]["run_id"]  # a dialogue is a run; a single say is not


def test_no_log_and_no_log_text(cli, tmp_path: Path) -> None:
    assert cli("say", TEXT, "-o", str(tmp_path / "a.mp3"), "--no-log").returncode == 0
    assert _history(cli) == []
    assert cli("say", TEXT, "-o", str(tmp_path / "b.mp3"), "--no-log-text").returncode == 0
    (row,) = _history(cli)
    assert row["text"] is None and row["text_sha256"] and row["text_length"] == len(TEXT)
    assert cli("config", "set", "log", "false").returncode == 0
    assert cli("say", TEXT, "-o", str(tmp_path / "c.mp3")).returncode == 0
    assert len(_history(cli)) == 1


def test_max_credits_refuses_before_any_request(cli, mock, tmp_path: Path) -> None:
    r = cli("say", TEXT, "-o", str(tmp_path / "a.mp3"), "--max-credits", "10")
    assert r.returncode == 2 and "over the limit of 10" in err(r) and "nothing was sent" in err(r), err(r)
    assert _tts_requests(mock) == [] and not (tmp_path / "a.mp3").exists()
    r = cli("say", TEXT, "-o", str(tmp_path / "a.mp3"), "--max-credits", "1000")
    assert r.returncode == 0, err(r)
    # flash costs half: the same text fits a budget that multilingual does not
    half = cli("say", TEXT, "-m", "eleven_flash_v2_5", "-o", str(tmp_path / "f.mp3"), "--max-credits", "40")
    assert half.returncode == 0, err(half)


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "texts"
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:02d}.txt").write_text(f"Item {i}. {TEXT}")
    return folder


def test_a_batch_stops_at_its_budget_and_resumes(cli, mock, tmp_path: Path) -> None:
    folder = _folder(tmp_path, 6)
    out = tmp_path / "out"
    r = cli("batch", str(folder), "-d", str(out), "-j", "1", "--max-credits", "150")
    assert r.returncode == 4, err(r)
    rows = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    ok = [x for x in rows if x["status"] == "ok"]
    assert len(ok) == 2 and sum(x["characters"] for x in ok) <= 150
    assert all("would pass the limit" in x["error"] for x in rows if x["status"] != "ok")
    r = cli("batch", str(folder), "-d", str(out), "--resume")
    assert r.returncode == 0, err(r)
    assert len(list(out.glob("*.mp3"))) == 6
    assert {x["run_id"] for x in _history(cli)} and len({x["run_id"] for x in _history(cli)}) == 2


def test_a_plan_over_the_account_s_remaining_characters_stops_unless_forced(cli, fresh_mock, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('[[account]]\nkey = "sk_small"\ntier = "free"\ncharacter_limit = 200\n')
    m = fresh_mock("--accounts", str(accounts))
    folder = _folder(tmp_path, 5)
    r = cli("batch", str(folder), "-d", str(tmp_path / "out"), base=m, key="sk_small")
    assert r.returncode == 4 and "account has 200 left" in err(r) and "--force" in err(r), err(r)
    assert [x for x in m.requests("/v1/text-to-speech")] == []
    r = cli("batch", str(folder), "-d", str(tmp_path / "out"), "-j", "1", "--force", base=m, key="sk_small")
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert r.returncode == 4 and "items failed" in err(r), err(r)  # started anyway: the quota ran out
    assert [x["status"] for x in rows].count("ok") == 2 and "quota" in json.dumps(rows).lower()


def test_resume_downloads_from_the_history_instead_of_paying_again(cli, mock, tmp_path: Path) -> None:
    folder = _folder(tmp_path, 3)
    out = tmp_path / "out"
    assert cli("batch", str(folder), "-d", str(out)).returncode == 0
    lost = out / "01.mp3"
    original = lost.read_bytes()
    lost.unlink()
    mock.clear()
    r = cli("batch", str(folder), "-d", str(out), "--resume")
    assert r.returncode == 0, err(r)
    assert _tts_requests(mock) == []  # nothing synthesised, nothing billed
    assert "downloaded from the account's history" in err(r)
    assert lost.read_bytes() == original


def test_fifty_items_at_eight_jobs_leave_fifty_rows(cli, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(50):
        (folder / f"{i:02d}.txt").write_text(f"Short item {i}.")
    r = cli("batch", str(folder), "-d", str(tmp_path / "out"), "-j", "8")
    assert r.returncode == 0 and "locked" not in err(r), err(r)
    rows = json.loads(cli("history", "--json", "-n", "100").stdout)
    assert len(rows) == 50 and len({x["run_id"] for x in rows}) == 1


def test_a_broken_log_warns_and_the_synthesis_stands(cli, isolated: Path, tmp_path: Path) -> None:
    log = isolated / "data" / "eleven" / "log.db"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"this is not a database" * 100)
    r = cli("say", TEXT, "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 0 and "warning" in err(r) and (tmp_path / "a.mp3").exists(), err(r)
    r = cli("history")
    assert r.returncode != 0 and str(log) in err(r) and len(err(r).strip().splitlines()) == 1, err(r)
