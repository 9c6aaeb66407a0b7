"""Output paths never destroy what stands at them, each through the installed `eleven` against the mock: a symlink
is written through to its target, a device, FIFO or socket is written into, `/dev/stdout` is the redirection it
names; a full or closed stdout is one line and exit 2; a reader that went away ends quietly, as it did.

As root, `/dev/null` and `/dev/full` are cloned with mknod into the test's own folder (a device node there is
exactly what a regression would replace, and the machine's own /dev/null stays safe); without root the real
ones are used, which a regression could not replace anyway.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ELEVEN, Mock, err

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="creating device nodes (a /dev/null beside the test) needs root")
TEXT = "Output paths never destroy what stands at them."


def _env(m: Mock, **extra: str) -> dict[str, str]:
    return {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key, **extra}


def run(m: Mock, *args: str, cwd: Path, stdout: Any = subprocess.PIPE,
        preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([ELEVEN, *args], cwd=cwd, env=_env(m), stdout=stdout, stderr=subprocess.PIPE,
                          stdin=subprocess.DEVNULL, timeout=60, preexec_fn=preexec_fn)


def _is_mp3(data: bytes) -> bool:
    return len(data) > 1000 and (data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xe3"))


def _device(tmp_path: Path, name: str, minor: int) -> Path:
    """/dev/null (minor 3) or /dev/full (minor 7): a clone in tmp_path as root, else the real one."""
    if not ROOT:
        return Path(f"/dev/{name}")
    node = tmp_path / name
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return node


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def one_line(r: subprocess.CompletedProcess) -> bool:
    text = err(r)
    return text.count("\n") == 1 and text.startswith("eleven: error: ") and "Traceback" not in text


# symlinks ------------------------------------------------------------------------------------------------
def test_a_symlink_is_written_through_to_its_target(mock: Mock, tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    target = tmp_path / "book" / "real.mp3"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "link.mp3"
    link.symlink_to(Path("book") / "real.mp3")  # relative, as `ln -s` makes them
    r = run(mock, "say", TEXT, "-o", "link.mp3", cwd=tmp_path)
    assert r.returncode == 0, err(r)
    assert link.is_symlink() and os.readlink(link) == str(Path("book") / "real.mp3")
    assert _is_mp3(target.read_bytes())
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file replaced keeps its permissions
    assert not _leftovers(tmp_path) and not _leftovers(tmp_path / "book")


def test_a_failed_run_leaves_a_symlinks_target_as_it_was(fresh_mock: Any, tmp_path: Path) -> None:
    m = fresh_mock("--fault", "500%100:/v1/text-to-speech")
    target = tmp_path / "real.mp3"
    target.write_bytes(b"the previous take")
    (tmp_path / "link.mp3").symlink_to(target)
    r = run(m, "--retries", "0", "say", TEXT, "-o", "link.mp3", cwd=tmp_path)
    assert r.returncode == 5 and one_line(r), err(r)
    assert target.read_bytes() == b"the previous take" and (tmp_path / "link.mp3").is_symlink()
    assert not _leftovers(tmp_path)


def test_a_dangling_symlink_creates_its_target_when_the_folder_exists(mock: Mock, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "new.mp3").symlink_to(tmp_path / "out" / "made.mp3")
    r = run(mock, "say", TEXT, "-o", "new.mp3", cwd=tmp_path)
    assert r.returncode == 0, err(r)
    assert (tmp_path / "new.mp3").is_symlink() and _is_mp3((tmp_path / "out" / "made.mp3").read_bytes())


def test_a_symlink_into_a_missing_folder_is_one_line_before_any_request(cli: Any, mock: Mock,
                                                                        tmp_path: Path) -> None:
    (tmp_path / "lost.mp3").symlink_to(tmp_path / "nowhere" / "x.mp3")
    r = cli("say", TEXT, "-o", str(tmp_path / "lost.mp3"))
    assert r.returncode == 2 and one_line(r) and "nowhere" in err(r), err(r)
    assert not mock.requests("/v1/text-to-speech") and (tmp_path / "lost.mp3").is_symlink()
    assert not (tmp_path / "nowhere").exists()


def test_captions_and_alignment_are_written_through_symlinks(mock: Mock, tmp_path: Path) -> None:
    for name in ("real.srt", "real.json"):
        (tmp_path / name).write_text("old")
    (tmp_path / "cues.srt").symlink_to("real.srt")
    (tmp_path / "timing.json").symlink_to("real.json")
    r = run(mock, "timestamps", TEXT, "-o", "t.mp3", "--srt", "cues.srt", "--alignment", "timing.json", cwd=tmp_path)
    assert r.returncode == 0, err(r)
    assert (tmp_path / "cues.srt").is_symlink() and "-->" in (tmp_path / "real.srt").read_text()
    assert (tmp_path / "timing.json").is_symlink() and '"characters"' in (tmp_path / "real.json").read_text()


def test_a_symlinked_config_file_stays_a_symlink(mock: Mock, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "eleven.toml").write_text("")
    folder = tmp_path / "config" / "eleven"
    folder.mkdir(parents=True)
    (folder / "config.toml").symlink_to(dotfiles / "eleven.toml")
    env = _env(mock, XDG_CONFIG_HOME=str(tmp_path / "config"))
    r = subprocess.run([ELEVEN, "config", "set", "voice", "George"], env=env, capture_output=True, timeout=60)
    assert r.returncode == 0, err(r)
    assert (folder / "config.toml").is_symlink() and "George" in (dotfiles / "eleven.toml").read_text()


# devices, FIFOs, sockets, descriptors ----------------------------------------------------------------------
def test_dev_null_is_written_into_as_curl_does(mock: Mock, tmp_path: Path) -> None:
    null = _device(tmp_path, "null", 3)
    r = run(mock, "say", TEXT, "-o", str(null), cwd=tmp_path)  # no extension needed: the default format
    assert r.returncode == 0, err(r)
    assert stat.S_ISCHR(null.stat().st_mode) and null.stat().st_rdev == os.makedev(1, 3)
    assert not _leftovers(null.parent) if ROOT else True


@needs_root
def test_as_root_a_device_in_a_writable_folder_is_never_replaced(mock: Mock, tmp_path: Path) -> None:
    """The bug as found: as root the temp file + rename could replace /dev/null with an 11 KB file."""
    null = _device(tmp_path, "null", 3)
    for args in (["say", TEXT], ["stream", TEXT, "--no-play"], ["timestamps", TEXT, "--srt", str(null)]):
        r = run(mock, *args, "-o", str(null), cwd=tmp_path)
        assert r.returncode == 0, (args, err(r))
        assert stat.S_ISCHR(null.lstat().st_mode), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_dev_full_is_one_line_and_exit_2(mock: Mock, tmp_path: Path) -> None:
    full = _device(tmp_path, "full", 7)
    r = run(mock, "say", TEXT, "-o", str(full), cwd=tmp_path)
    assert r.returncode == 2 and one_line(r) and "No space left" in err(r), err(r)
    assert stat.S_ISCHR(full.stat().st_mode)
    if ROOT:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_a_fifo_with_a_reader_receives_the_bytes(mock: Mock, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.mp3"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = run(mock, "say", TEXT, "-o", str(fifo), cwd=tmp_path)
    reader.join(30)
    assert r.returncode == 0, err(r)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and got and _is_mp3(got[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.mp3"]


def test_a_unix_socket_receives_the_bytes(mock: Mock, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    got = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                got.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        r = run(mock, "say", TEXT, "-o", str(path), "--format", "mp3_44100_128", cwd=tmp_path)
        thread.join(30)
    finally:
        server.close()
    assert r.returncode == 0, err(r)
    assert stat.S_ISSOCK(path.stat().st_mode) and _is_mp3(bytes(got))


def test_dev_stdout_fills_the_file_stdout_is_redirected_to(mock: Mock, tmp_path: Path) -> None:
    out = tmp_path / "f.mp3"
    with out.open("wb") as fh:
        r = run(mock, "say", TEXT, "-o", "/dev/stdout", cwd=tmp_path, stdout=fh)
    assert r.returncode == 0, err(r)
    assert _is_mp3(out.read_bytes()) and Path("/dev/stdout").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.mp3"]


def test_dev_stdout_appends_to_what_the_shell_opened_for_appending(mock: Mock, tmp_path: Path) -> None:
    out = tmp_path / "log.wav"
    out.write_bytes(b"kept")
    with out.open("ab") as fh:
        r = run(mock, "say", TEXT, "-o", "/dev/stdout", "--format", "wav_16000", cwd=tmp_path, stdout=fh)
    assert r.returncode == 0, err(r)
    data = out.read_bytes()
    assert data[:4] == b"kept" and data[4:8] == b"RIFF" and len(data) > 1000  # a pipe-style WAV: sizes known


# stdout ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["say", TEXT], ["models"], ["models", "--json"], ["voices", "--json"],
                                  ["--version"], ["config", "path"]])
def test_a_full_stdout_is_one_line_and_exit_2(mock: Mock, tmp_path: Path, args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        r = run(mock, *args, cwd=tmp_path, stdout=full)
    assert r.returncode == 2 and one_line(r), err(r)
    assert "standard output" in err(r) and "no space left" in err(r).lower(), err(r)


@pytest.mark.parametrize("args", [["say", TEXT], ["models"], ["--help"]])
def test_a_closed_stdout_is_one_line_and_exit_2(mock: Mock, tmp_path: Path, args: list[str]) -> None:
    r = run(mock, *args, cwd=tmp_path, stdout=None, preexec_fn=lambda: os.close(1))
    assert r.returncode == 2 and one_line(r) and "standard output" in err(r) and "closed" in err(r), err(r)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args", [["say", TEXT], ["models", "--json"]])
def test_a_reader_that_went_away_ends_quietly_as_before(mock: Mock, tmp_path: Path, args: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte: every write is EPIPE
    try:
        r = run(mock, *args, cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    assert r.returncode == 0 and "error" not in err(r) and "Traceback" not in err(r), err(r)
