"""The real `eleven` console script against the real mock: say, models, voices, exit codes, I/O."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ELEVEN, Mock, decode_duration, err
from eleven_cli.audio.riff import data as wav_data

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


def test_version_and_module_entry() -> None:
    out = subprocess.run([ELEVEN, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("eleven ")
    mod = subprocess.run([sys.executable, "-m", "eleven_cli", "--version"], capture_output=True, text=True)
    assert mod.stdout == out.stdout


def test_help_lists_every_command_and_exit_codes() -> None:
    out = subprocess.run([ELEVEN, "--help"], capture_output=True, text=True).stdout
    for cmd in ("say", "stream", "timestamps", "models", "ws", "voices", "config", "auth", "devices", "mock"):
        assert f"  {cmd}" in out, cmd
    assert "130 interrupted" in " ".join(out.split())


@pytest.mark.parametrize(("ext", "codec"), [(".mp3", "mp3"), (".wav", "wav"), (".opus", "opus"), (".ogg", "opus"),
                                            (".pcm", "pcm"), (".ulaw", "ulaw"), (".alaw", "alaw")])
def test_say_writes_each_container(cli, mock: Mock, tmp_path, ext: str, codec: str) -> None:
    target = tmp_path / f"hello{ext}"
    r = cli("say", "Hello there, this is a format test.", "-o", str(target))
    assert r.returncode == 0, err(r)
    data = target.read_bytes()
    if codec in ("mp3", "opus"):
        assert 1.0 < decode_duration(data) < 5
    elif codec == "wav":
        rate, pcm = wav_data(data)
        assert rate == 44100 and 1.0 < len(pcm) / 2 / rate < 5
    elif codec == "pcm":
        assert 1.0 < len(data) / 2 / 24000 < 5
    else:
        assert 1.0 < len(data) / 8000 < 5
    fmt = mock.requests("/v1/text-to-speech")[-1]["query"]["output_format"]
    assert fmt.startswith({"ogg": "opus"}.get(codec, codec))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_issue_example_stdin_to_wav(cli, tmp_path) -> None:
    r = cli("say", "-v", "george", "-o", str(tmp_path / "hello.wav"), input="Hello there.\n")
    assert r.returncode == 0, err(r)
    assert (tmp_path / "hello.wav").read_bytes()[:4] == b"RIFF"
    line = err(r)
    assert "12 characters" in line and "request-id" in line and "s audio" in line and "first byte" in line


def _dictionary(mock: Mock, word: str) -> tuple[str, str]:
    """(id, version) of a new pronunciation dictionary on the mock (an unknown one is a 404)."""
    import httpx

    made = httpx.post(f"{mock.url}/v1/pronunciation-dictionaries/add-from-rules", headers={"xi-api-key": mock.key},
                      json={"name": word, "rules": [{"type": "alias", "string_to_replace": word, "alias": "x"}]}).json()
    return made["id"], made["version_id"]


def test_request_body_and_query_as_the_mock_logged_them(cli, mock: Mock, tmp_path) -> None:
    (a, a_version), (b, _) = _dictionary(mock, "dictA"), _dictionary(mock, "dictB")
    r = cli("say", "Settings check.", "-o", str(tmp_path / "x.mp3"), "-v", "Alice", "-m", "eleven_flash_v2_5",
            "--stability", "0.3", "--similarity", "0.9", "--style", "0.2", "--no-speaker-boost", "--speed", "1.1",
            "--seed", "42", "--language", "en", "--normalize", "off", "--latency", "2", "--no-logging",
            "--dict", f"{a}:{a_version}", "--dict", b, "--previous-text", "Before.", "--next-text", "After.",
            "--format", "mp3_22050_32")
    assert r.returncode == 0, err(r)
    req = mock.requests("/v1/text-to-speech")[-1]
    assert req["path"] == "/v1/text-to-speech/Xb7hH8MSUJpSbSDYk0k2"
    assert req["query"] == {"output_format": "mp3_22050_32", "enable_logging": "false",
                            "optimize_streaming_latency": "2"}
    body = req["body"]
    assert body["model_id"] == "eleven_flash_v2_5" and body["seed"] == 42 and body["language_code"] == "en"
    assert body["voice_settings"] == {"stability": 0.3, "similarity_boost": 0.9, "style": 0.2,
                                      "use_speaker_boost": False, "speed": 1.1}
    assert body["pronunciation_dictionary_locators"] == [
        {"pronunciation_dictionary_id": a, "version_id": a_version}, {"pronunciation_dictionary_id": b}]
    assert body["apply_text_normalization"] == "off"
    assert body["previous_text"] == "Before." and body["next_text"] == "After."


def test_stdout_output_and_dash_input(cli, tmp_path) -> None:
    r = cli("say", "-", "-o", "-", input="From standard input.")
    assert r.returncode == 0 and r.stdout[:2] in (b"\xff\xfb", b"\xff\xf3", b"ID")
    assert decode_duration(r.stdout) > 0.5
    piped = cli("say", "Piped without -o.")
    assert piped.returncode == 0 and decode_duration(piped.stdout) > 0.5
    text = tmp_path / "in.txt"
    text.write_bytes(b"\xef\xbb\xbfFrom a file\r\nwith CRLF.\r\n")
    f = cli("say", "-f", str(text), "-o", str(tmp_path / "f.mp3"))
    assert f.returncode == 0, err(f)


def test_json_cost_summary(cli, tmp_path) -> None:
    r = cli("say", "JSON summary.", "-o", str(tmp_path / "j.mp3"), "--json")
    info = json.loads(r.stdout)
    assert info["characters"] == len("JSON summary.") and info["request_ids"] and info["duration_seconds"] > 0
    assert info["ttfb_ms"] is not None and info["output"].endswith("j.mp3")
    to_stdout = cli("say", "JSON with audio on stdout.", "-o", "-", "--json")
    assert json.loads(err(to_stdout).strip().splitlines()[-1])["characters"] == 26


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["say", "x", "--stability", "3"], None, "--stability"),
        (["say", "x", "--speed", "1.5"], None, "--speed"),
        (["say", "x", "--seed", "4294967296"], None, "--seed"),
        (["say", "x", "--dict", "a", "--dict", "b", "--dict", "c", "--dict", "d", "-o", "x.mp3"], None, "at most 3"),
        (["say", "x", "--format", "mp3_1_2", "-o", "x.mp3"], None, "valid formats"),
        (["say", "x", "-o", "x.mp3", "--format", "pcm_16000"], None, "does not match"),
        (["say", "   ", "-o", "x.mp3"], None, "empty"),
        (["say", "-o", "x.mp3"], b"\xff\xfe bad utf8", "UTF-8"),
        (["say", "-o", "x.mp3"], b"nul\x00byte", "NUL"),
        (["say", "-o", "x.mp3"], b"", "empty"),
        (["say", "hi", "-o", "/nonexistent-dir/x.mp3"], None, "does not exist"),
        (["say", "hi", "-o", "/"], None, "directory"),
        (["say", "hi", "-v", "Gorge", "-o", "x.mp3"], None, "George"),
        (["say", "-f", "/nonexistent.txt", "-o", "x.mp3"], None, "no such file"),
        (["say", "hi", "-f", "/etc/hostname", "extra", "-o", "x.mp3"], None, "not both"),
        (["ws", "hi", "--schedule", "10,20", "-o", "x.mp3"], None, "50 to 500"),
    ],
)
def test_bad_input_is_exit_2_before_any_request(cli, mock: Mock, tmp_path, args, stdin, needle) -> None:
    r = subprocess.run([ELEVEN, *args], input=stdin, capture_output=True, cwd=tmp_path,
                       env=dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key),
                       stdin=None if stdin is not None else subprocess.DEVNULL)
    assert r.returncode == 2, err(r)
    assert needle.lower() in err(r).lower()
    assert "Traceback" not in err(r)
    assert mock.requests("/v1/text-to-speech") == []
    assert not list(tmp_path.iterdir())


def test_voice_names_resolve_case_insensitively_and_unknown_lists_matches(cli, mock: Mock, tmp_path) -> None:
    r = cli("say", "Hi.", "-v", "sArAh", "-o", str(tmp_path / "s.mp3"))
    assert r.returncode == 0
    assert mock.requests("/v1/text-to-speech")[-1]["path"].endswith("EXAVITQu4vr4xnSDxMaL")
    bad = cli("say", "Hi.", "-v", "Jessika", "-o", str(tmp_path / "j.mp3"))
    assert bad.returncode == 2 and "Jessica" in err(bad)


@pytest.mark.parametrize(("extra", "key", "code", "needle"), [
    ([], "wrong-key", 3, "authentication"),
    (["-v", "JBFqnCBsd6RMkjVDRZzX"], None, 4, "voice_not_found"),
    (["-m", "eleven_unknown"], None, 2, "unknown model"),  # caught locally, before any request
])
def test_api_errors_map_to_exit_codes(cli, tmp_path, extra, key, code, needle) -> None:
    r = cli("say", "Hi.", "-o", str(tmp_path / "e.mp3"), *extra, key=key)
    assert r.returncode == code, err(r)
    assert needle in err(r).lower() and len(err(r).strip().splitlines()) == 1
    assert not (tmp_path / "e.mp3").exists()


def test_missing_key_is_exit_3_naming_the_fix(cli, tmp_path) -> None:
    r = cli("models", key="")
    assert r.returncode == 3 and "eleven auth login" in err(r) and "ELEVENLABS_API_KEY" in err(r)


def test_quota_is_exit_4_and_says_it_is_not_the_key(fresh_mock, cli, tmp_path) -> None:
    accounts = tmp_path / "a.toml"
    accounts.write_text('[[account]]\nkey = "k1"\ncharacter_limit = 5\n')
    m = fresh_mock("--accounts", str(accounts))
    r = cli("say", "Far too long for the quota.", "-o", str(tmp_path / "q.mp3"), base=m, key="k1")
    assert r.returncode == 4 and "quota" in err(r).lower() and "not a key problem" in err(r)
    assert len(m.requests("/v1/text-to-speech")) == 1  # never retried


def test_retries_then_success_and_persistent_429(fresh_mock, cli, tmp_path) -> None:
    m = fresh_mock("--fault", "429x2:/v1/text-to-speech")
    r = cli("say", "Retry me.", "-o", str(tmp_path / "r.mp3"), base=m)
    assert r.returncode == 0, err(r)
    assert [x["status"] for x in m.requests("/v1/text-to-speech")] == [429, 429, 200]
    m.fault("503x*:/v1/text-to-speech")
    r = cli("--retries", "1", "say", "Give up.", "-o", str(tmp_path / "g.mp3"), base=m)
    assert r.returncode == 5 and "after 2 attempts" in err(r)
    assert not (tmp_path / "g.mp3").exists()


def test_network_failures_are_exit_6(cli, tmp_path) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = cli("--retries", "0", "models", env={"ELEVENLABS_BASE_URL": f"http://127.0.0.1:{port}"})
    assert r.returncode == 6 and "refused" in err(r)


def test_plain_http_to_a_remote_host_is_refused(cli) -> None:
    r = cli("models", env={"ELEVENLABS_BASE_URL": "http://api.example.invalid"})
    assert r.returncode == 2 and "plain http" in err(r)


def test_dropped_mid_body_leaves_no_file(fresh_mock, cli, tmp_path) -> None:
    m = fresh_mock("--fault", "drop@2000x*:/v1/text-to-speech")
    r = cli("say", "This response will be cut off in the middle of its body.", "-o", str(tmp_path / "d.mp3"),
            "--retries", "1", base=m)
    assert r.returncode == 6 and "dropped" in err(r) and err(r).count("retrying") == 1, err(r)
    assert list(tmp_path.iterdir()) == []


def test_models_and_voices_json_and_tables(cli) -> None:
    models = json.loads(cli("models", "--json").stdout)
    ids = [m["model_id"] for m in models]
    assert ids == sorted(ids) and "eleven_multilingual_v2" in ids
    assert all("maximum_text_length_per_request" in m for m in models)
    table = cli("models").stdout.decode()
    assert "eleven_v3" in table and "5,000" in table
    voices = json.loads(cli("voices", "--json").stdout)
    names = [v["name"] for v in voices]
    assert names == sorted(names, key=str.casefold) and "George" in names and "Rachel" in names
    found = cli("voices", "british").stdout.decode()
    assert "George" in found and "Brian" not in found


def test_api_layer_imports_neither_typer_nor_rich() -> None:
    """Every module outside cli/ (the library, the API layer, audio, the emulator) loads without a UI library."""
    code = ("import sys, importlib, pkgutil, eleven_cli, eleven_mock\n"
            "names = [m.name for pkg in (eleven_cli, eleven_mock) for m in pkgutil.walk_packages(pkg.__path__, "
            "pkg.__name__ + '.') if '.cli' not in m.name and not m.name.endswith('__main__')]\n"
            "[importlib.import_module(n) for n in names]\n"
            "assert len(names) > 30, names\n"
            "bad = [m for m in ('typer', 'rich', 'click') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_version_loads_nothing_heavy() -> None:
    code = ("import sys; sys.argv=['eleven','--version']\nfrom eleven_cli.cli.entry import run\nrun()\n"
            "heavy=[m for m in ('rich','sounddevice','numpy','websockets','httpx','starlette','uvicorn','av',"
            "'typer') if m in sys.modules]\nprint(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "[]", out.stdout + out.stderr
