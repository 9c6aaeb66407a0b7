"""One retry policy: any retryable failure of a synthesis (dropped or cut short mid-body, a body that is
not audio or not valid JSON/NDJSON, 429/5xx) is retried while nothing of it has been handed on, for every
endpoint and command; never once audio reached stdout or a player. Against the real mock and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import decode_duration, err

TEXT = ("A sentence long enough that its audio runs well past the point where the mock cuts the "
        "connection, so that the cut cannot go unnoticed by the client or its checks.")
SCRIPT = "Alice: " + TEXT + "\nGeorge: And a reply, long enough to be worth a second voice.\n"

# command -> (arguments, the output file it writes)
COMMANDS = {
    "say": (["say", TEXT, "-o", "{d}/o.mp3"], "o.mp3"),
    "stream": (["stream", TEXT, "-o", "{d}/o.mp3", "--no-play"], "o.mp3"),
    "timestamps": (["timestamps", TEXT, "-o", "{d}/o.mp3", "--alignment", "{d}/a.json"], "o.mp3"),
    "timestamps-stream": (["timestamps", TEXT, "--stream", "-o", "{d}/o.mp3", "--srt", "{d}/a.srt"], "o.mp3"),
    "dialogue": (["dialogue", "-", "-o", "{d}/o.mp3"], "o.mp3"),
    "dialogue-srt": (["dialogue", "-", "-o", "{d}/o.mp3", "--srt", "{d}/a.srt"], "o.mp3"),
}
# fault -> the commands whose endpoint answers in that shape
ONCE = {
    "drop@4096x1": set(COMMANDS),
    "truncate@3000x1": set(COMMANDS),
    "ctypex1": {"say", "stream", "dialogue"},
    "badjsonx1": {"timestamps", "timestamps-stream", "dialogue-srt"},
    "500x1": set(COMMANDS),
}
CELLS = [(c, f) for f, cmds in ONCE.items() for c in COMMANDS if c in cmds]


def _run(cli, fresh_mock, command: str, fault: str, tmp_path: Path, *extra: str):
    m = fresh_mock("--fault", f"{fault}:/v1/text-to-")
    args, out = COMMANDS[command]
    args = [a.format(d=tmp_path) for a in args]
    r = cli(*args, *extra, base=m, input=SCRIPT if command.startswith("dialogue") else None)
    return r, tmp_path / out


@pytest.mark.parametrize(("command", "fault"), CELLS)
def test_a_failure_before_anything_was_handed_on_is_retried(cli, fresh_mock, command, fault, tmp_path) -> None:
    r, out = _run(cli, fresh_mock, command, fault, tmp_path)
    assert r.returncode == 0, err(r)
    assert err(r).count("retrying") == 1, err(r)
    assert decode_duration(out.read_bytes()) > 3.0  # the whole text, once: no cut, no doubled audio
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.parametrize("command", ["say", "timestamps", "timestamps-stream", "dialogue-srt"])
def test_every_attempt_failing_is_named_for_what_happened(cli, fresh_mock, command, tmp_path) -> None:
    r, out = _run(cli, fresh_mock, command, "truncate@3000x*", tmp_path, "--retries", "2")
    line = err(r).strip().splitlines()[-1]
    assert r.returncode == 6 and err(r).count("retrying") == 2, err(r)
    assert "base-url" not in line.lower() and ("cut short" in line or "truncated" in line), line
    assert list(tmp_path.iterdir()) == []  # nothing kept: no audio, no captions


def test_audio_already_on_stdout_is_never_retried(cli, fresh_mock, tmp_path) -> None:
    r, _ = _run(cli, fresh_mock, "say", "drop@4096x1", tmp_path)  # warm-up: one drop is retried
    assert r.returncode == 0
    m = fresh_mock("--fault", "drop@4096x1:/v1/text-to-")
    r = cli("stream", TEXT, "-o", "-", "--no-play", base=m)
    assert r.returncode == 6 and "retrying" not in err(r) and r.stdout, err(r)


def test_a_batch_loses_no_item_to_dropped_connections(cli, fresh_mock, tmp_path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    for n in range(8):
        (folder / f"{n:02d}.txt").write_text(f"Item {n}. {TEXT}")
    m = fresh_mock("--fault", "drop@4096%40:/v1/text-to-speech")
    r = cli("batch", str(folder), "-d", str(tmp_path / "out"), "-j", "4", "--retries", "6", base=m)
    assert r.returncode == 0, err(r)
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert sorted(x["id"] for x in rows if x["status"] == "ok") == [f"{n:02d}" for n in range(8)]
