"""`eleven batch` and long text against a mock limited to 4 concurrent requests, with faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter

from conftest import ELEVEN, decode_duration, err
from eleven_cli.text import split_text


def _env(m) -> dict[str, str]:
    return dict(os.environ, ELEVENLABS_BASE_URL=m.url, ELEVENLABS_API_KEY="k4")


def _accounts(tmp_path, concurrency: int = 4) -> str:
    path = tmp_path / "accounts.toml"
    path.write_text(f'[[account]]\nkey = "k4"\nmax_concurrency = {concurrency}\ncharacter_limit = 10000000\n')
    return str(path)


def _book(tmp_path, chapters: list[str]):
    """A folder of chapter files ch00.txt, ch01.txt, ..."""
    book = tmp_path / "book"
    book.mkdir()
    for n, text in enumerate(chapters):
        (book / f"ch{n:02d}.txt").write_text(text)
    return book


def test_hundred_items_with_429s_and_5xx(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--accounts", _accounts(tmp_path), "--rtf", "0.05",
                   "--fault", "429x3:/v1/text-to-speech", "--fault", "500x2:/v1/text-to-speech",
                   "--fault", "503x1:/v1/text-to-speech")
    manifest = tmp_path / "items.jsonl"
    manifest.write_text("".join(json.dumps({"id": f"item{n:03d}", "text": f"Item number {n} is spoken here."}) + "\n"
                                for n in range(100)))
    r = subprocess.run([ELEVEN, "--retries", "6", "batch", str(manifest), "-d", str(tmp_path / "out"), "--json"],
                       capture_output=True, env=_env(m), timeout=300)
    assert r.returncode == 0, err(r)
    summary = json.loads(r.stdout)
    assert summary["ok"] == 100 and summary["failed"] == 0
    log = m.requests("/v1/text-to-speech")
    ok_texts = Counter(x["body"]["text"] for x in log if x["status"] == 200)
    assert len(ok_texts) == 100 and set(ok_texts.values()) == {1}  # none requested twice after success
    assert any(x["status"] == 429 for x in log) and any(x["status"] == 500 for x in log)
    assert m.accounts()[0]["peak_concurrency"] <= 4
    assert summary["peak_concurrency"] == 4  # probed from maximum-concurrent-requests
    results = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert len(results) == 100 and all(x["status"] == "ok" and x["request_ids"] for x in results)
    assert len(list((tmp_path / "out").glob("*.mp3"))) == 100


def test_bad_items_do_not_sink_the_batch(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--accounts", _accounts(tmp_path))
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,voice\nok1,First good item.,\nempty,,\nbadvoice,Unknown voice here.,Nobody\n"
                        "ok2,Second good item.,Alice\n")
    r = subprocess.run([ELEVEN, "batch", str(manifest), "-d", str(tmp_path / "o")], capture_output=True,
                       env=_env(m), timeout=60)
    assert r.returncode == 4, err(r)
    results = {x["id"]: x for x in map(json.loads, (tmp_path / "o" / "results.jsonl").read_text().splitlines())}
    assert results["ok1"]["status"] == results["ok2"]["status"] == "ok"
    assert results["empty"]["error"] == "empty text"
    assert "Nobody" in results["badvoice"]["error"]


def test_resume_after_a_kill_spends_nothing_twice(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--accounts", _accounts(tmp_path, 2), "--rtf", "0.5")
    book = _book(tmp_path, [f"Chapter {n}. A short chapter that takes a moment to speak." for n in range(12)])
    out = tmp_path / "audio"
    proc = subprocess.Popen([ELEVEN, "batch", str(book), "-d", str(out), "--jobs", "2"], env=_env(m),
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        results = out / "results.jsonl"
        if results.exists() and len(results.read_text().splitlines()) >= 3:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 130
    assert proc.stderr is not None and "--resume" in proc.stderr.read().decode(), "items were left: say how to go on"
    assert not list(out.glob(".*.part"))
    first = Counter(x["body"]["text"] for x in m.requests("/v1/text-to-speech") if x["status"] == 200)
    r = subprocess.run([ELEVEN, "batch", str(book), "-d", str(out), "--resume"], capture_output=True,
                       env=_env(m), timeout=120)
    assert r.returncode == 0, err(r)
    total = Counter(x["body"]["text"] for x in m.requests("/v1/text-to-speech") if x["status"] == 200)
    assert len(total) == 12 and set(total.values()) == {1}, (first, total)
    assert len(list(out.glob("*.mp3"))) == 12


def test_an_interrupt_with_nothing_left_suggests_no_resume(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--accounts", _accounts(tmp_path, 2), "--ttfb", "1500")
    book = _book(tmp_path, ["Chapter 0.", "Chapter 1."])
    proc = subprocess.Popen([ELEVEN, "batch", str(book), "-d", str(tmp_path / "audio"), "--jobs", "2"],
                            env=_env(m), stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while len(m.requests("/v1/text-to-speech")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # both items are in flight: they finish, nothing is left
    assert proc.wait(60) == 130
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    assert "finishing 2 in-flight" in stderr and "--resume" not in stderr, stderr
    assert len(list((tmp_path / "audio").glob("*.mp3"))) == 2


def test_long_text_is_split_stitched_and_continuous(cli, mock, tmp_path) -> None:
    text = "\n\n".join(" ".join(f"Paragraph {p}, sentence {s} has some words in it." for s in range(12))
                       for p in range(12))
    assert len(text) > 5000
    f = tmp_path / "long.txt"
    f.write_text(text)
    for ext in ("mp3", "wav", "opus", "ulaw"):
        mock.clear()
        r = cli("say", "-f", str(f), "-m", "eleven_v3", "-o", str(tmp_path / f"long.{ext}"))
        assert r.returncode == 0, err(r)
        calls = mock.requests("/v1/text-to-speech")
        assert len(calls) >= 2 and all(len(c["body"]["text"]) <= 5000 for c in calls)
        assert " ".join(c["body"]["text"] for c in calls).split() == text.split()
        assert "previous_request_ids" not in calls[1]["body"] and "next_text" not in calls[0]["body"]  # v3
        data = (tmp_path / f"long.{ext}").read_bytes()
        seconds = len(data) / 8000 if ext == "ulaw" else decode_duration(data)
        assert seconds > 60
        if ext == "mp3":
            assert data.count(b"Xing") == 0 and data[:3] != b"ID3"
        if ext == "wav":
            assert data.count(b"RIFF") == 1


def test_long_text_pieces_carry_continuity_where_the_model_takes_it(cli, mock, tmp_path) -> None:
    text = " ".join(f"Sentence {n} is one of many that together exceed the model's limit." for n in range(160))
    assert len(text) > 10000
    mock.clear()
    r = cli("say", text, "-m", "eleven_multilingual_v2", "--format", "mp3_22050_32", "-o", str(tmp_path / "c.mp3"))
    assert r.returncode == 0, err(r)
    calls = mock.requests("/v1/text-to-speech")
    assert len(calls) == 2 and all(len(c["body"]["text"]) <= 10000 for c in calls)
    first, second = (c["body"] for c in calls)
    assert first["next_text"] == second["text"][:300] and "previous_text" not in first
    assert second["previous_text"] == first["text"][-300:]
    assert len(second["previous_request_ids"]) == 1 and "previous_request_ids" not in first
    r = cli("say", "Hi.", "-m", "eleven_v3", "--previous-text", "Before.", "-o", str(tmp_path / "v3.mp3"))
    assert r.returncode == 2 and "eleven_v3" in err(r) and "--previous-text" in err(r)


def test_split_text_never_cuts_words_and_keeps_everything() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.text(min_size=1, max_size=2000), st.integers(20, 400))
    def check(text: str, limit: int) -> None:
        pieces = split_text(text, limit)
        assert "".join(pieces) == text
        assert all(len(p) <= limit for p in pieces)
        for a, b in zip(pieces, pieces[1:], strict=False):
            word_cut = a and b and not a[-1].isspace() and not b[0].isspace()
            if word_cut:  # only a "word" longer than the limit may be cut
                run = (a.split()[-1] if a.split() else "") + (b.split()[0] if b.split() else "")
                assert len(run) > limit or not a.strip() or not b.strip()

    check()
