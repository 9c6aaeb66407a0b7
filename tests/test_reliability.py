"""Issue 9: the fault matrix, secrets, proxies and TLS, bad input and load — each cell a real run."""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import ELEVEN, Mock, err
from proxy import Proxy

SENTINEL = "sk-SENTINEL-7f3a9c1e5b"
BOOK_TEXT = "A short line of narration for the fault matrix."


def _run(m: Mock | None, *args: str, key: str = SENTINEL, base: str | None = None, cwd: Path | None = None,
         input: bytes | None = None, env_extra: dict[str, str] | None = None,
         timeout: float = 90) -> subprocess.CompletedProcess:
    env = dict(os.environ, ELEVENLABS_API_KEY=key, ELEVENLABS_BASE_URL=base or (m.url if m else ""))
    env.update(env_extra or {})
    return subprocess.run([ELEVEN, "--retries", "2", "--timeout", "2", *args], capture_output=True, env=env,
                          cwd=cwd, input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          timeout=timeout)


# Each command that talks to the API, with the target file it would write (if any).
COMMANDS: dict[str, tuple[list[str], str | None]] = {
    "say": (["say", BOOK_TEXT, "-o", "out.mp3"], "out.mp3"),
    "stream": (["stream", BOOK_TEXT, "-o", "out.mp3", "--no-play"], "out.mp3"),
    "timestamps": (["timestamps", BOOK_TEXT, "-o", "out.mp3", "--srt", "out.srt", "--no-play"], "out.mp3"),
    "timestamps-stream": (["timestamps", "--stream", BOOK_TEXT, "-o", "out.mp3", "--srt", "out.srt", "--no-play"],
                          "out.mp3"),
    "models": (["models", "--json"], None),
    "voices": (["voices", "--json"], None),
    "auth-status": (["auth", "status"], None),
    "ws": (["ws", BOOK_TEXT, "-o", "out.mp3", "--no-play"], "out.mp3"),
    "batch": (["batch", "book", "-d", "audio"], None),
}

# (fault spec, expected exit code, a word the error line must contain); None = "no fault, but ..."
FAULTS = {
    "429-then-ok": ("429x2", 0, ""),
    "429-persistent": ("429x*", 5, "unavailable"),
    "500": ("500x*", 5, "500"),
    "502": ("502x*", 5, "502"),
    "503": ("503x*", 5, "503"),
    "dropped-mid-body": ("drop@600x*", 6, "dropped"),
    "stalled": ("stall@4000x*", 6, "timed out"),
    "invalid-json": ("badjson x*", 6, "not valid JSON"),
    "wrong-content-type": ("ctype x*", 6, "instead of"),
    "truncated": ("truncate@300x*", 6, "cut short"),
}

# Which cells apply: a fault only where that kind of response exists.
JSON_ONLY = {"invalid-json"}
AUDIO_STREAM_ONLY = {"truncated"}


def _applies(cmd: str, fault: str) -> bool:
    if cmd == "ws":
        return fault in ("429-then-ok", "dropped-mid-body")
    if fault in JSON_ONLY:
        return cmd in ("models", "voices", "auth-status", "timestamps")
    if fault in AUDIO_STREAM_ONLY:
        return cmd in ("timestamps-stream", "models", "voices")
    if fault == "wrong-content-type":
        return cmd in ("say", "stream", "models", "voices", "auth-status")
    if fault == "stalled":
        return cmd in ("say", "stream", "models")
    return True


CELLS = [(c, f) for c in COMMANDS for f in FAULTS if _applies(c, f)]


@pytest.mark.parametrize(("command", "fault"), CELLS, ids=[f"{c}:{f}" for c, f in CELLS])
def test_fault_matrix(fresh_mock, tmp_path, command: str, fault: str) -> None:
    spec, code, word = FAULTS[fault]
    spec = spec.replace(" ", "")
    path = "/stream-input" if command == "ws" else ("/v1/text-to-speech" if command in (
        "say", "stream", "timestamps", "timestamps-stream", "batch") else
        {"models": "/v1/models", "voices": "/v1/voices", "auth-status": "/v1/user/subscription"}[command])
    if command == "ws" and fault == "dropped-mid-body":
        spec, code = "drop@600", 0  # one drop: the WebSocket reconnects and resends, nothing lost
    m = fresh_mock("--key", SENTINEL, "--fault", f"{spec}:{path}")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "one.txt").write_text(BOOK_TEXT)
    args, target = COMMANDS[command]
    if command == "batch" and code in (5, 6):
        code = 4  # a failed item; the batch reports it and exits 4
    r = _run(m, *args, cwd=tmp_path)
    stderr = err(r)
    assert r.returncode == code, stderr
    assert "Traceback" not in stderr
    if code:
        lines = [x for x in stderr.strip().splitlines() if x.startswith("eleven: error:") or "failed" in x]
        assert lines and word.lower() in stderr.lower(), stderr
        if target:
            assert not (tmp_path / target).exists()
        leftovers = [p.name for p in tmp_path.rglob(".*.part")]
        assert not leftovers
    elif target:
        assert (tmp_path / target).stat().st_size > 1000
    # The key never leaks: not in any output, not in any URL the server saw.
    assert SENTINEL not in stderr + r.stdout.decode("latin-1")
    log = m.requests()
    assert all(SENTINEL not in json.dumps(x["query"]) and SENTINEL not in x["path"] for x in log)


def test_connection_refused_dns_failure_and_timeouts(tmp_path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    for args in (["models"], ["say", "x", "-o", "x.mp3"], ["ws", "x", "-o", "x.mp3"], ["auth", "status"]):
        r = _run(None, *args, base=dead, cwd=tmp_path)
        assert r.returncode == 6 and ("refused" in err(r) or "cannot" in err(r)), err(r)
        assert "Traceback" not in err(r) and SENTINEL not in err(r)
    # DNS failure, through a loopback proxy that never resolves remote names
    proxy = Proxy()
    try:
        env = {"HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "NO_PROXY": ""}
        r = _run(None, "models", base="https://api.example.invalid", cwd=tmp_path, env_extra=env)
        assert r.returncode == 6 and "proxy" in err(r).lower(), err(r)
        assert proxy.seen and proxy.seen[0][1].startswith("api.example.invalid")
    finally:
        proxy.stop()
    # a server that accepts but never answers: a read timeout
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        r = _run(None, "models", base=f"http://127.0.0.1:{silent.getsockname()[1]}", cwd=tmp_path)
        assert r.returncode == 6 and "timed out" in err(r)
    finally:
        silent.close()


def test_websocket_closed_abnormally_without_recovery_is_exit_6(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--fault", "drop@100x*:/stream-input")
    r = _run(m, "ws", BOOK_TEXT, "-o", "w.mp3", key=m.key, cwd=tmp_path)
    assert r.returncode == 6 and "reconnect" in err(r) and not (tmp_path / "w.mp3").exists()


def test_secrets_never_appear_in_verbose_traces_files_or_logs(fresh_mock, tmp_path) -> None:
    m = fresh_mock("--key", SENTINEL)
    runs = [
        _run(m, "-V", "say", "Secret check.", "-o", "s.mp3", cwd=tmp_path),
        _run(m, "-V", "stream", "Secret check.", "-o", "s2.mp3", "--no-play", cwd=tmp_path),
        _run(m, "-V", "ws", "Secret check.", "-o", "s3.mp3", "--no-play", cwd=tmp_path),
        _run(m, "-V", "ws", "Secret check.", "--token", "-o", "s4.mp3", "--no-play", cwd=tmp_path),
        _run(m, "-V", "models", cwd=tmp_path),
        _run(m, "-V", "auth", "status", cwd=tmp_path),
        _run(m, "-V", "say", "Secret check.", "-v", "nobody-at-all", "-o", "s5.mp3", cwd=tmp_path),
        _run(m, "-V", "--api-key", SENTINEL, "say", "Flag key.", "-o", "s6.mp3", cwd=tmp_path, key=""),
        _run(m, "-V", "models", cwd=tmp_path, key=SENTINEL + "x"),
    ]
    for r in runs:
        assert "xi-api-key: [redacted]" in err(r) or "WS" in err(r) or r.returncode, err(r)
        assert SENTINEL not in err(r) and SENTINEL.encode() not in r.stdout
    assert "process list" in err(runs[7])  # the --api-key note
    for f in tmp_path.iterdir():
        assert SENTINEL.encode() not in f.read_bytes()
    log = json.dumps(m.requests())
    assert SENTINEL not in log
    assert {x["key_in"] for x in m.requests() if x["kind"] == "ws"} == {"header", "single_use_token"}


def test_proxy_carries_http_and_websocket(mock: Mock, tmp_path) -> None:
    proxy = Proxy()
    try:
        base = mock.url.replace("127.0.0.1", "localhost")
        env = {"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": "",
               "no_proxy": ""}
        r = _run(mock, "say", "Through a proxy.", "-o", "p.mp3", key=mock.key, base=base, cwd=tmp_path,
                 env_extra=env)
        assert r.returncode == 0, err(r)
        w = _run(mock, "ws", "Through a proxy.", "-o", "w.mp3", key=mock.key, base=base, cwd=tmp_path,
                 env_extra=env)
        assert w.returncode == 0, err(w)
        methods = Counter(method for method, _ in proxy.seen)
        assert methods["POST"] >= 1 or methods["CONNECT"] >= 1
        assert any("stream-input" in target or method == "CONNECT" for method, target in proxy.seen[1:])
    finally:
        proxy.stop()


def test_tls_with_a_private_ca(fresh_mock, tmp_path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_pem, key_pem, ca_pem = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_pem))
    cert.private_key_pem.write_to_path(str(key_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    m = fresh_mock("--tls-cert", str(cert_pem), "--tls-key", str(key_pem))
    assert m.url.startswith("https://")
    for untrusted in (_run(m, "models", key=m.key, cwd=tmp_path, env_extra={"SSL_CERT_FILE": ""}),
                      _run(m, "-q", "models", key=m.key, cwd=tmp_path, env_extra={"SSL_CERT_FILE": ""}),
                      _run(m, "ws", "Hi.", "-o", "x.mp3", key=m.key, cwd=tmp_path, env_extra={"SSL_CERT_FILE": ""})):
        # An untrusted certificate is final: one line naming TLS and the way out, no retries.
        assert untrusted.returncode == 6, err(untrusted)
        assert err(untrusted).startswith("eleven: error: TLS verification failed"), err(untrusted)
        assert "--ca-bundle" in err(untrusted) and "retrying" not in err(untrusted), err(untrusted)
    # The CLI loads the trust in the background while it starts (entry.py), the library on demand: both
    # trust the bundle, and a bundle that cannot be loaded is a usage error (exit 2), one line.
    from eleven_cli import Client, UsageError

    assert Client(api_key=m.key, base_url=m.url, ca_bundle=str(ca_pem)).models()
    with pytest.raises(UsageError):
        Client(api_key=m.key, base_url=m.url, ca_bundle=str(tmp_path / "missing.pem")).models()
    for form in (("models",), ("-q", "models"), ("say", "Secure.", "-o", "tls-say.mp3")):
        ok = _run(m, "--ca-bundle", str(ca_pem), *form, key=m.key, cwd=tmp_path)
        assert ok.returncode == 0, err(ok)
        missing = _run(m, "--ca-bundle", str(tmp_path / "missing.pem"), *form, key=m.key, cwd=tmp_path)
        assert missing.returncode == 2 and err(missing).startswith("eleven: error: cannot load CA bundle"), \
            err(missing)
        assert err(missing).count("\n") == 1, err(missing)
    ws = _run(m, "ws", "Secure socket.", "-o", "tls.mp3", key=m.key, cwd=tmp_path,
              env_extra={"SSL_CERT_FILE": str(ca_pem)})
    assert ws.returncode == 0, err(ws)


def test_full_disk_leaves_no_partial_file(mock: Mock, tmp_path) -> None:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    r = subprocess.run([ELEVEN, "say", "A sentence long enough to exceed a four kilobyte file limit easily.",
                        "-o", "big.wav"], capture_output=True, cwd=tmp_path, preexec_fn=limit,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key))
    # An output that cannot take the bytes is exit 2 (as `-o /dev/full` and a full stdout), one line.
    assert r.returncode == 2 and "cannot write" in err(r).lower() and "Traceback" not in err(r)
    assert err(r).count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_huge_stdin_is_refused_with_a_clear_limit(mock: Mock, tmp_path) -> None:
    big = b"word " * (11 * 1024 * 1024)  # 55 MB
    r = subprocess.run([ELEVEN, "say", "-o", "x.mp3"], input=big, capture_output=True, cwd=tmp_path,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key))
    assert r.returncode == 2 and "larger than" in err(r) and "batch" in err(r)


@pytest.mark.timeout(600)
def test_under_load_500_items_with_20_percent_faults(fresh_mock, tmp_path) -> None:
    accounts = tmp_path / "a.toml"
    accounts.write_text('[[account]]\nkey = "k"\nmax_concurrency = 4\ncharacter_limit = 100000000\n')
    faults = []
    for spec in ("429%8", "500%6", "503%6"):
        faults += ["--fault", f"{spec}:/v1/text-to-speech"]
    m = fresh_mock("--accounts", str(accounts), *faults)
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps({"id": f"i{n}", "text": f"Item {n}."}) + "\n" for n in range(500)))
    r = subprocess.run([ELEVEN, "--retries", "8", "batch", str(manifest), "-d", str(tmp_path / "o"), "--json",
                        "--format", "pcm_16000"], capture_output=True, timeout=600,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=m.url, ELEVENLABS_API_KEY="k"))
    assert r.returncode == 0, err(r)[-2000:]
    summary = json.loads(r.stdout)
    assert summary["ok"] == 500 and summary["failed"] == 0
    log = m.requests("/v1/text-to-speech")
    ok = Counter(x["body"]["text"] for x in log if x["status"] == 200)
    assert len(ok) == 500 and set(ok.values()) == {1}
    assert sum(1 for x in log if x["status"] != 200) >= 50  # about 20 % of the attempts failed
    assert m.accounts()[0]["peak_concurrency"] <= 4


@pytest.mark.timeout(600)
def test_cli_argument_fuzzing_never_crashes(tmp_path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    options = ["--stability", "--similarity", "--style", "--speed", "--seed", "--latency", "--format", "-v", "-m",
               "--dict", "--normalize", "--language", "--previous-text", "-o", "-f", "--play", "--no-play",
               "--json", "--speaker-boost", "--no-logging", "--buffer", "--max-chars", "--srt"]
    values = st.one_of(st.sampled_from(["0", "1", "-1", "0.5", "2", "1e9", "nan", "", "mp3_44100_128", "x.mp3",
                                        "-", "auto", "on", "a:b"]),
                       st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=8))
    code = ("import sys\nfrom eleven_cli.cli.main import run\n"
            "try:\n    run(sys.argv[1:])\nexcept SystemExit as e:\n    sys.exit(e.code)\n")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(["say", "stream", "timestamps", "ws", "batch", "models", "voices", "config"]),
           st.lists(st.tuples(st.sampled_from(options), values), max_size=4))
    def check(command: str, pairs: list[tuple[str, str]]) -> None:
        argv = [command] + [x for pair in pairs for x in pair] + ["--no-play"] * (command in ("say", "stream"))
        r = subprocess.run([sys.executable, "-c", code, "--retries", "0", "--timeout", "1", *argv],
                           capture_output=True, cwd=tmp_path, timeout=60, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, ELEVENLABS_BASE_URL="http://127.0.0.1:9",
                                    ELEVENLABS_API_KEY=SENTINEL))
        assert r.returncode in (0, 1, 2, 3, 4, 5, 6, 7), (argv, err(r))
        assert "Traceback" not in err(r), (argv, err(r))
        assert r.returncode != 1 or "cannot write" in err(r).lower(), (argv, err(r))

    check()
