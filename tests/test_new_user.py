"""What a new user trips over, each through the installed `eleven` against the mock."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BIN, ELEVEN, Mock, err

LONG = " ".join(f"Sentence number {n} of a text long enough to be split into several requests." for n in range(160))


def tty_run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run with stderr on a pseudo-terminal (stdout and stdin elsewhere); returns (code, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stderr=slave, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
                            cwd=cwd)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(60), out.decode("utf-8", "replace")


def env_for(m: Mock, **extra: str) -> dict[str, str]:
    return {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key, **extra}


# 1. output names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["x.flac", "noext", "take.two"])
def test_unknown_output_extension_is_a_usage_error_before_any_request(cli, mock: Mock, tmp_path: Path,
                                                                      name: str) -> None:
    r = cli("say", "Hello.", "-o", str(tmp_path / name))
    said = "FLAC is not a format the API offers" if name.endswith(".flac") else "--format"
    assert r.returncode == 2 and ".mp3" in err(r) and said in err(r), err(r)
    assert name in err(r) and not mock.requests("/v1/text-to-speech") and not list(tmp_path.iterdir())
    ok = cli("say", "Hello.", "-o", str(tmp_path / name), "--format", "mp3_22050_32")
    assert ok.returncode == 0 and (tmp_path / name).read_bytes()[:1] in (b"\xff", b"I")


# 2. bad output folders --------------------------------------------------------------------------------
def test_bad_output_folders_are_usage_errors(cli, mock: Mock, tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.txt").write_text("Hello.")
    (tmp_path / "afile").write_text("not a folder")
    cases = [["batch", str(tmp_path / "book"), "-d", str(tmp_path / "afile" / "sub")],
             ["batch", str(tmp_path / "book"), "-d", "/proc/nope"],
             ["batch", str(tmp_path / "book"), "-d", "/proc/nope", "--dry-run"],
             ["say", "Hello.", "-o", "/proc/x.mp3"],
             ["timestamps", "Hello.", "--srt", "/proc/x.srt"]]
    for args in cases:
        r = cli(*args)
        lines = err(r).strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1 and "unexpected" not in err(r), (args, err(r))
    assert not mock.requests("/v1/text-to-speech")


def test_mock_without_its_extra_names_the_extra(tmp_path: Path) -> None:
    fake = tmp_path / "site"
    (fake / "uvicorn").mkdir(parents=True)
    (fake / "uvicorn" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'uvicorn'\", name='uvicorn')\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    for cmd in ([ELEVEN, "mock", "--port", "0"], [str(BIN / "eleven-mock"), "--port", "0"]):
        r = subprocess.run(cmd, capture_output=True, env=env, timeout=30)
        assert r.returncode == 2 and "eleven-cli[mock]" in err(r) and "uvicorn" in err(r), err(r)
        assert "Traceback" not in err(r)


# 3. names keep their case -----------------------------------------------------------------------------
def test_file_names_keep_their_case_in_messages(cli, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "m.jsonl").write_text('{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\nnot json\n')
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.txt").write_text("Hello.")
    checks = {("batch", str(tmp_path / "bin.dat"), "-d", str(tmp_path / "o")): "bin.dat",
              ("batch", str(tmp_path / "book"), "-d", "afile"): "error: afile is not a folder",
              ("batch", str(tmp_path / "m.jsonl"), "-d", str(tmp_path / "o")): "m.jsonl:3"}
    for args, needle in checks.items():
        r = subprocess.run([ELEVEN, *args], capture_output=True, cwd=tmp_path, timeout=30,
                           env={**os.environ, "ELEVENLABS_API_KEY": "k"})
        assert r.returncode == 2 and needle in err(r), err(r)
        assert needle[:1].upper() + needle[1:] not in err(r) or needle[0].isupper()


# 4. no paying for whitespace --------------------------------------------------------------------------
def test_leading_and_trailing_whitespace_is_not_sent_or_billed(cli, mock: Mock, tmp_path: Path) -> None:
    r = cli("say", "-o", str(tmp_path / "x.mp3"), "--json", input="  Hello there.\n\n")
    assert r.returncode == 0, err(r)
    assert json.loads(r.stdout)["characters"] == len("Hello there.")
    assert mock.requests("/v1/text-to-speech")[0]["body"]["text"] == "Hello there."
    book = tmp_path / "book"
    book.mkdir()
    (book / "one.txt").write_text("\nFirst paragraph.\n\nSecond paragraph.\n")
    plan = json.loads(cli("batch", str(book), "-d", str(tmp_path / "out"), "--dry-run", "--json").stdout)
    assert plan["characters"] == len("First paragraph.\n\nSecond paragraph.")
    mock.clear()
    r = cli("batch", str(book), "-d", str(tmp_path / "out"))
    assert r.returncode == 0, err(r)
    sent = mock.requests("/v1/text-to-speech")[0]["body"]["text"]
    assert sent == "First paragraph.\n\nSecond paragraph."  # inner paragraph breaks stay
    result = json.loads((tmp_path / "out" / "results.jsonl").read_text().splitlines()[0])
    assert result["characters"] == len(sent)


# 5. config values checked when set ---------------------------------------------------------------------
def test_config_set_checks_voices_and_models(cli, mock: Mock, isolated: Path) -> None:
    r = cli("config", "set", "voice", "NoSuchVoice")
    assert r.returncode == 2 and "NoSuchVoice" in err(r)
    assert cli("config", "get", "voice").returncode == 2  # not stored (an unset key is exit 2)
    r = cli("config", "set", "model", "eleven_nonexistent")
    assert r.returncode == 2 and "eleven_v3" in err(r)  # the models the account has
    assert cli("config", "set", "voice", "rachel").returncode == 0
    assert cli("config", "set", "format", "flac").returncode == 2
    assert cli("config", "set", "stability", "1.5").returncode == 2
    offline = cli("config", "set", "voice", "Offline Voice", env={"ELEVENLABS_BASE_URL": "http://127.0.0.1:9"})
    assert offline.returncode == 0 and "warning" in err(offline) and "stored anyway" in err(offline)
    r = cli("say", "Hello.", "-o", str(isolated / "x.mp3"))
    assert r.returncode == 2 and "profile 'default'" in err(r) and "voice" in err(r), err(r)
    assert "eleven config set voice" in err(r)


# 6. messages say what is true ------------------------------------------------------------------------
def test_messages_say_what_is_true(cli, fresh_mock, tmp_path: Path) -> None:
    m = fresh_mock("--fault", "drop@3000x*:/v1/text-to-speech", "--fault", "429x2:/v1/models")
    r = cli("say", LONG[:400], "-o", "-", base=m)
    assert r.returncode == 6 and "saved" not in err(r).lower() and r.stdout, err(r)
    r = cli("models", base=m)
    retry_lines = [x for x in err(r).splitlines() if "retrying" in x]
    assert r.returncode == 0 and len(retry_lines) == 2 and all(x.startswith("eleven: ") for x in retry_lines)
    m.clear()
    m.fault("503x*:/v1/text-to-speech")
    r = cli("say", "Hello.", "-o", str(tmp_path / "x.mp3"), "--retries", "0", base=m)
    assert r.returncode == 5 and "--jobs" not in err(r), err(r)
    r = cli("say", "Hello.", "--device", "no-such-device", "--play")
    if r.returncode == 7:  # a sound server is running: the device is unknown, said once
        assert err(r).lower().count("no output device matching") == 1, err(r)
    dead = cli("models", env={"ELEVENLABS_BASE_URL": "http://127.0.0.1:9"}, timeout=60)
    assert dead.returncode == 6 and "Is the server running? Check --base-url" in err(dead), err(dead)


def test_mock_announces_a_usable_url_and_a_busy_port_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.Popen([ELEVEN, "mock", "--host", "0.0.0.0", "--port", "0"], stderr=subprocess.PIPE,
                            text=True)
    try:
        first = proc.stderr.readline() if proc.stderr else ""
        hint = proc.stderr.readline() + proc.stderr.readline() if proc.stderr else ""
        assert "http://127.0.0.1:" in first and "0.0.0.0:" not in hint.split("try:")[-1], first + hint
    finally:
        proc.terminate()
        proc.wait(10)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        r = subprocess.run([ELEVEN, "mock", "--port", str(busy.getsockname()[1])], capture_output=True, timeout=30)
    finally:
        busy.close()
    assert r.returncode == 2 and err(r).strip().count("\n") == 0 and "ERROR" not in err(r), err(r)


# 7. progress ------------------------------------------------------------------------------------------
def test_long_work_shows_progress(cli, mock: Mock, tmp_path: Path) -> None:
    piped = cli("say", LONG, "-m", "eleven_v3", "-o", str(tmp_path / "a.mp3"))
    lines = [x for x in err(piped).splitlines() if x.startswith("eleven: piece")]
    assert piped.returncode == 0 and len(lines) >= 2 and re.search(r"piece 1 of \d+ done: [\d,]+ characters", lines[0])
    quiet = cli("-q", "say", LONG, "-m", "eleven_v3", "-o", str(tmp_path / "b.mp3"))
    assert quiet.returncode == 0 and err(quiet) == ""
    code, screen = tty_run([ELEVEN, "say", LONG, "-m", "eleven_v3", "-o", str(tmp_path / "c.mp3")], env_for(mock),
                           tmp_path)
    assert code == 0 and "speaking" in screen and re.search(r"\d+/\d+\S* pieces", screen), screen[-500:]
    assert "cached" in screen and "s audio" in screen


def test_after_a_failure_it_says_what_was_kept_and_a_rerun_reuses_it(fresh_mock, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.toml"  # k1 can pay for the first piece only; k2 for everything
    accounts.write_text('[[account]]\nkey = "k1"\ncharacter_limit = 6000\n\n[[account]]\nkey = "k2"\n')
    m = fresh_mock("--accounts", str(accounts))
    args = [ELEVEN, "say", LONG, "-m", "eleven_v3", "-o", str(tmp_path / "y.mp3")]
    r = subprocess.run(args, capture_output=True, env={**env_for(m), "ELEVENLABS_API_KEY": "k1"}, timeout=60)
    assert r.returncode == 4 and "quota" in err(r), err(r)
    found = re.search(r"eleven: 1 piece is kept of (\d+)", err(r))
    assert found and int(found.group(1)) >= 2, err(r)
    assert not (tmp_path / "y.mp3").exists()
    m.clear()
    again = subprocess.run(args, capture_output=True, env={**env_for(m), "ELEVENLABS_API_KEY": "k2"}, timeout=60)
    assert again.returncode == 0, err(again)
    assert "piece 1 of" in err(again) and "(from the cache, not billed)" in err(again).splitlines()[0]
    assert len(m.requests("/v1/text-to-speech")) == int(found.group(1)) - 1


# 8. empty answers -------------------------------------------------------------------------------------
def test_empty_answers_say_so(cli) -> None:
    r = cli("voices", "zzzz")
    assert r.returncode == 0 and "no voices match 'zzzz'" in err(r) and r.stdout == b""
    r = cli("voices", "zzzz", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == []
    r = cli("devices", "--json", env={"PULSE_SERVER": "unix:/nonexistent", "AUDIODEV": "null"})
    if r.returncode == 0 and json.loads(r.stdout) == []:
        assert "no audio output devices" in err(r)
    r = cli("devices", env={"PULSE_SERVER": "unix:/nonexistent"})
    assert r.returncode in (0, 7) and "Traceback" not in err(r)


# 9. help and completion --------------------------------------------------------------------------------
def _helps() -> dict[str, str]:
    out = {}
    for cmd in ([], ["say"], ["stream"], ["timestamps"], ["ws"], ["batch"], ["models"], ["voices"], ["devices"],
                ["mock"], ["config", "set"], ["auth", "login"]):
        out[" ".join(cmd)] = subprocess.run([ELEVEN, *cmd, "--help"], capture_output=True, text=True).stdout
    return out


def test_help_says_what_goes_where() -> None:
    helps = _helps()
    summaries = helps[""].split("Commands:")[1].split("\n\n")[0]
    for line in summaries.strip().splitlines():
        assert line.rstrip().endswith(".") and not line.rstrip().endswith(("e.g.", "...")), line
    for name, text in helps.items():
        assert "<str>" not in text and "<float" not in text and "<int" not in text, (name, text)
    assert "--voice VOICE" in helps["say"] and "--model MODEL" in helps["say"] and "--format FORMAT" in helps["say"]
    assert "--output FILE" in helps["say"] and "[TEXT...]" in helps["say"] and "--timeout SECONDS" in helps[""]
    assert "--jobs N" in helps["batch"] and "MANIFEST" in helps["batch"]
    assert "the -o" not in helps["batch"] and "audio goes to stdout" not in helps["batch"]


def _complete(shell: str, line: str, env: dict[str, str]) -> str:
    words = line.split(" ")
    extra = ({"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)} if shell == "bash" else
             {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    r = subprocess.run([ELEVEN], capture_output=True, text=True, timeout=30,
                       env={**env, **extra, "_ELEVEN_COMPLETE": f"complete_{shell}"})
    return r.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_offers_values_from_the_cache(cli, mock: Mock, shell: str, isolated: Path) -> None:
    assert cli("voices").returncode == 0 and cli("models").returncode == 0  # fills the cache
    assert cli("--profile", "work", "config", "set", "model", "eleven_v3").returncode in (0, 2)
    (isolated / "config" / "eleven").mkdir(parents=True, exist_ok=True)
    cfg = isolated / "config" / "eleven" / "config.toml"
    cfg.write_text('[profiles.work]\nmodel = "eleven_v3"\n')
    cfg.chmod(0o600)
    dead = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": mock.key}
    mock.stop_requests_seen = len(mock.requests())  # type: ignore[attr-defined]
    assert "Rachel" in _complete(shell, "eleven say --voice Ra", dead)
    assert "eleven_flash_v2_5" in _complete(shell, "eleven say -m eleven_fl", dead)
    assert "opus_48000_64" in _complete(shell, "eleven say --format opus", dead)
    assert "stability" in _complete(shell, "eleven config set st", dead)
    assert "work" in _complete(shell, "eleven --profile w", dead)
    assert len(mock.requests()) == mock.stop_requests_seen  # type: ignore[attr-defined]  # no network


def test_man_page_is_found_with_the_venv_on_path() -> None:
    page = BIN.parent / "share" / "man" / "man1" / "eleven.1"
    assert page.exists(), "make install puts the man page under .venv/share/man"
    if shutil.which("man"):
        r = subprocess.run(["man", "-w", "eleven"], capture_output=True, text=True,
                           env={**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "MANPATH": ""})
        assert r.returncode == 0 and r.stdout.strip() == str(page), r.stdout + r.stderr


# 10. captions read well ---------------------------------------------------------------------------------
def test_captions_break_at_phrases_and_headings_close_their_cue(cli, tmp_path: Path) -> None:
    text = "Chapter one.\n\nIt was a bright cold day in April, and the clocks were striking thirteen."
    r = cli("timestamps", text, "--srt", str(tmp_path / "c.srt"), "--no-play")
    assert r.returncode == 0, err(r)
    blocks = [b.splitlines()[2:] for b in (tmp_path / "c.srt").read_text().strip().split("\n\n")]
    assert blocks[0] == ["Chapter one."]
    for lines in blocks[1:]:
        assert all(len(line.split()) > 1 for line in lines), blocks  # never a lone word on a line
    assert blocks[1] == ["It was a bright cold day in April,", "and the clocks were striking thirteen."]


def test_lines_are_balanced_without_a_paragraph_break() -> None:
    from eleven_cli.api.types import Alignment
    from eleven_cli.subtitles import build_cues, words_from

    text = "Chapter one. It was a bright cold day in April."
    chars = list(text)
    cues = build_cues(words_from(Alignment(chars, [i * 0.06 for i in range(len(chars))],
                                           [(i + 1) * 0.06 for i in range(len(chars))])))
    assert cues[0].lines == ("Chapter one.", "It was a bright cold day in April.")


# 11. -V shows the WebSocket ------------------------------------------------------------------------------
def test_verbose_traces_the_websocket_without_the_key(cli, mock: Mock, tmp_path: Path) -> None:
    r = cli("-V", "ws", "Hello over the socket.", "-o", str(tmp_path / "w.mp3"), "--no-play")
    assert r.returncode == 0, err(r)
    sent = [x for x in err(r).splitlines() if x.startswith("> WS {")]
    got = [x for x in err(r).splitlines() if x.startswith("< WS {")]
    assert any("Hello over the socket." in x for x in sent) and any("bytes>" in x for x in got)
    assert any('"isFinal": true' in x for x in got)
    assert mock.key not in err(r) and sys.executable
