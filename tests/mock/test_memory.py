"""The mock's memory stays bounded over a long run: the history keeps what made each generation, not its audio,
whole files are encoded a piece at a time, and the request log keeps its newest entries."""

from __future__ import annotations

import concurrent.futures
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from conftest import DEMO_KEY, Mock

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
WORDS = ["the", "keeper", "climbed", "the", "stairs", "at", "dusk", "and", "lit", "the", "lamp", "while", "the",
         "sea", "rolled", "against", "the", "rocks", "below", "and", "gulls", "cried", "over", "the", "point"]


def _page(n: int) -> str:
    """About 700 characters of narration, different every time."""
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(120)]
    return " ".join(words).capitalize()[:680] + f", said the keeper on day {n}."


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert m, status
    return int(m.group(1)) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the resident size from /proc")
def test_a_long_run_of_long_generations_keeps_the_memory_small(fresh_mock) -> None:
    """Before: each ~700-character generation (≈36 s of audio) left ≈2 MB in the history and the whole-file
    encoders ≈15 MB more: 60 of them grew the process by about 1 GB. Now some tens of MB while the allocator
    settles, then flat (about 140 MB after a few hundred)."""
    m: Mock = fresh_mock("--rtf", "0")
    ids: list[str] = []

    def one(n: int) -> None:
        suffix = "/with-timestamps" if n % 2 else "/stream"
        r = httpx.post(f"{m.url}/v1/text-to-speech/{GEORGE}{suffix}", headers={"xi-api-key": DEMO_KEY},
                       params={"output_format": "mp3_44100_128"}, json={"text": _page(n)}, timeout=120)
        assert r.status_code == 200, r.text
        assert len(r.content) > 100_000
        ids.append(r.headers["history-item-id"])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(20)))  # warm up: the allocator's arenas, the engine, the first encoders
        settled = _rss_mb(m.proc.pid)
        list(pool.map(one, range(20, 80)))
    grown = _rss_mb(m.proc.pid) - settled
    assert grown < 60, f"{grown:.0f} MB more after 60 generations (from {settled:.0f} MB)"
    assert settled + grown < 300
    listing = httpx.get(f"{m.url}/v1/history", headers={"xi-api-key": DEMO_KEY}, params={"page_size": 100}).json()
    assert {i["history_item_id"] for i in listing["history"]} == set(ids)  # all 80 kept, and servable:
    again = httpx.get(f"{m.url}/v1/history/{ids[0]}/audio", headers={"xi-api-key": DEMO_KEY}, timeout=60)
    assert again.status_code == 200 and len(again.content) > 100_000


@contextmanager
def _served(log_size: int) -> Iterator[str]:
    """The mock's app, with a short request log, under uvicorn on a free loopback port."""
    import uvicorn

    from eleven_mock.app import build
    from eleven_mock.state import Account, MockState

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(build(MockState([Account(DEMO_KEY)], log_size=log_size)),
                                           host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_request_log_keeps_the_newest_entries_and_counts_them_all() -> None:
    with _served(log_size=5) as url, httpx.Client(base_url=url, headers={"xi-api-key": DEMO_KEY}) as c:
        for n in range(8):
            assert c.get("/v1/models", params={"n": str(n)}).status_code == 200
        log = c.get("/__mock__/requests").json()
        assert [e["query"]["n"] for e in log] == ["3", "4", "5", "6", "7"]
        assert [e["seq"] for e in log] == [3, 4, 5, 6, 7]  # seq still counts every request
        assert c.delete("/__mock__/requests").json() == []
        c.get("/v1/models", params={"n": "again"})
        assert [(e["seq"], e["query"]["n"]) for e in c.get("/__mock__/requests").json()] == [(0, "again")]


def test_the_default_log_is_bounded() -> None:
    from eleven_mock.state import LOG_SIZE, Account, MockState

    state = MockState([Account(DEMO_KEY)])
    for n in range(LOG_SIZE + 3):
        state.record({"kind": "http", "path": f"/{n}"})
    kept = state.logged()
    assert len(kept) == LOG_SIZE and kept[0]["seq"] == 3 and kept[-1]["path"] == f"/{LOG_SIZE + 2}"
