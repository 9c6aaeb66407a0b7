"""The library face, in-process: Client, speech().save/audio/stream, typed events, recovery, and the
promise that only eleven_cli errors ever leave it (as httpx tests its own exception mapping)."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

import eleven_cli
from conftest import DEMO_KEY, Mock, decode_duration
from eleven_cli import Audio, Client, ElevenError, Finished, PieceDone, Started, Timing
from eleven_cli.errors import BrokenAudioError, ExitCode, NetworkError, UsageError

SENTENCE = "This sentence is long enough that a cut in its audio cannot go unnoticed by the check."


def client_for(mock: Mock, **kw: object) -> Client:
    return Client(api_key=mock.key, base_url=mock.url, **kw)  # type: ignore[arg-type]


def test_import_loads_no_ui_and_exports_the_face() -> None:
    import subprocess
    import sys

    code = ("import sys, eleven_cli; c = eleven_cli.Client; s = eleven_cli.Speech; "
            "print([m for m in ('typer', 'rich', 'click', 'sounddevice') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
    for name in eleven_cli.__all__:
        assert getattr(eleven_cli, name) is not None


def test_save_audio_and_stream(mock: Mock, tmp_path: Path) -> None:
    mock.clear()
    with client_for(mock) as client:
        result = client.speech("Hello from the library.", voice="George").save(tmp_path / "hello.mp3")
        assert result.characters == len("Hello from the library.") and result.request_ids
        assert abs(result.duration - decode_duration((tmp_path / "hello.mp3").read_bytes())) < 0.1
        speech = client.speech("In memory, as a WAV file.", format="wav_24000")
        data = speech.audio()
        assert data[:4] == b"RIFF" and speech.result is not None and speech.result.duration > 0.5
        events = list(client.speech("Streamed with timing.", timestamps=True, streaming=True).stream())
    kinds = [type(e) for e in events]
    assert kinds[0] is Started and kinds[-1] is Finished and Audio in kinds and Timing in kinds
    assert kinds[-2] is PieceDone
    timing = next(e for e in events if isinstance(e, Timing))
    assert "".join(timing.alignment.characters) == "Streamed with timing."
    body = mock.requests("/v1/text-to-speech")[0]["body"]
    assert body["text"] == "Hello from the library." and body["model_id"] == "eleven_multilingual_v2"


def test_models_voices_and_profile_defaults(mock: Mock, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = isolated / "config" / "eleven"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text(f'[profiles.default]\napi_key = "{DEMO_KEY}"\nbase_url = "{mock.url}"\n'
                                     'voice = "Rachel"\nmodel = "eleven_flash_v2_5"\nstability = 0.3\n')
    (cfg / "config.toml").chmod(0o600)
    mock.clear()
    client = Client()  # everything from the profile, as the CLI would
    assert any(m.model_id == "eleven_v3" for m in client.models())
    assert [v.name for v in client.voices(search="british")] and "George" in [v.name for v in client.voices()]
    client.speech("Defaults from the profile.", settings={"speed": 1.1}).audio()
    call = mock.requests("/v1/text-to-speech")[0]
    assert call["body"]["model_id"] == "eleven_flash_v2_5"
    assert call["body"]["voice_settings"] == {"stability": 0.3, "speed": 1.1}
    assert call["path"].endswith("21m00Tcm4TlvDq8ikWAM")  # Rachel


def test_long_text_is_one_verified_file_with_continuity(mock: Mock, tmp_path: Path) -> None:
    text = "\n\n".join(f"Paragraph {p}. " + "These words fill the paragraph to a good length. " * 30
                       for p in range(12))
    mock.clear()
    events = list(client_for(mock).speech(text, model="eleven_multilingual_v2",
                                          format="mp3_22050_32").stream(False))
    started = events[0]
    assert isinstance(started, Started) and started.pieces >= 2
    done = [e for e in events if isinstance(e, PieceDone)]
    assert [d.index for d in done] == list(range(started.pieces))
    calls = mock.requests("/v1/text-to-speech")
    assert calls[1]["body"]["previous_request_ids"] == [done[0].request_id]
    audio = b"".join(e.data for e in events if isinstance(e, Audio))
    result = events[-1].result  # type: ignore[union-attr]
    assert abs(decode_duration(audio) - result.duration) < 0.2


@pytest.mark.parametrize("fault", ["truncate@3000", "badjson", "ctype"])
def test_a_broken_response_is_retried_before_anything_is_handed_on(fresh_mock, tmp_path: Path,
                                                                   fault: str) -> None:
    m = fresh_mock("--fault", f"{fault}x1:/v1/text-to-speech")
    retries: list[str] = []
    result = client_for(m, on_retry=retries.append).speech(SENTENCE).save(tmp_path / "ok.mp3")
    assert len(retries) == 1 and result.duration > 2
    assert len(m.requests("/v1/text-to-speech")) == 2
    assert abs(decode_duration((tmp_path / "ok.mp3").read_bytes()) - result.duration) < 0.1


@pytest.mark.parametrize(("fault", "word"), [("truncate@3000", "truncated"), ("badjson", "JSON"),
                                             ("ctype", "instead of"), ("truncate@417", "truncated")])
def test_broken_audio_after_retries_is_exit_6_and_no_file(fresh_mock, tmp_path: Path, fault: str,
                                                          word: str) -> None:
    m = fresh_mock("--fault", f"{fault}x*:/v1/text-to-speech")
    client = client_for(m, retries=1)
    with pytest.raises(BrokenAudioError) as caught:
        client.speech(SENTENCE).save(tmp_path / "x.mp3")
    assert caught.value.exit_code == ExitCode.NETWORK == 6 and word in caught.value.message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BrokenAudioError):
        client.speech(SENTENCE).audio()
    assert len(m.requests("/v1/text-to-speech")) == 4


def test_truncation_after_audio_was_handed_on_is_an_error_not_a_retry(fresh_mock) -> None:
    m = fresh_mock("--fault", "truncate@3000x*:/stream")
    handed = []
    with pytest.raises(BrokenAudioError):
        for event in client_for(m).speech(SENTENCE, streaming=True).stream(live=True):
            if isinstance(event, Audio):
                handed.append(event)
    assert handed and len(m.requests("/stream")) == 1


def test_a_cached_piece_is_checked_before_it_is_trusted(mock: Mock, tmp_path: Path) -> None:
    text = " ".join(f"Sentence number {n} of a text that must be split." for n in range(160))
    client = client_for(mock, cache_dir=tmp_path / "cache")
    speech = client.speech(text, model="eleven_v3")
    pipeline_events = speech.stream(live=False)
    for event in pipeline_events:  # stop after the first piece: it stays cached for the rerun
        if isinstance(event, PieceDone):
            break
    pipeline_events.close()
    pieces = sorted((tmp_path / "cache" / "pieces").glob("*.audio"))
    assert len(pieces) == 1
    pieces[0].write_bytes(pieces[0].read_bytes()[:500])  # damaged on disk
    mock.clear()
    result = client.speech(text, model="eleven_v3").save(tmp_path / "out.mp3")
    assert result.cached_pieces == 0 and len(mock.requests("/v1/text-to-speech")) == result.pieces
    assert not list((tmp_path / "cache" / "pieces").glob("*.audio"))  # forgotten once the file is stored


# --- nothing but ElevenError leaves the library -------------------------------------------------------
def _closing_server(reply: bytes) -> tuple[str, threading.Event]:
    """A loopback server that answers every connection with `reply` and hangs up."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    stop = threading.Event()

    def loop() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            try:
                conn.recv(65536)
                conn.sendall(reply)
            except OSError:
                pass
            conn.close()
        srv.close()

    threading.Thread(target=loop, daemon=True).start()
    return f"http://127.0.0.1:{srv.getsockname()[1]}", stop


def _calls(client: Client, tmp_path: Path) -> list:
    return [
        lambda: client.models(),
        lambda: client.voices(search="x"),
        lambda: client.subscription(),
        lambda: client.speech("Hello there.", voice="JBFqnCBsd6RMkjVDRZzb").save(tmp_path / "a.mp3"),
        lambda: client.speech("Hello there.", voice="JBFqnCBsd6RMkjVDRZzb", streaming=True).audio(),
        lambda: list(client.speech("Hi.", voice="JBFqnCBsd6RMkjVDRZzb", timestamps=True).stream()),
        lambda: _ws(client),
    ]


def _ws(client: Client) -> None:
    client.live(["Hello there. "], voice="JBFqnCBsd6RMkjVDRZzb", model="eleven_flash_v2_5", timeout=2).audio()


@pytest.mark.parametrize("server", ["refused", "garbage", "hangup", "html", "faulty-mock"])
def test_no_transport_or_os_exception_escapes(server: str, fresh_mock, tmp_path: Path) -> None:
    stop = None
    if server == "refused":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        s.close()
    elif server == "faulty-mock":
        m = fresh_mock("--fault", "drop@300x*", "--fault", "stall@3000x*:/v1/user")
        url = m.url
    else:
        reply = {"garbage": b"\x00\x01 not http at all\r\n\r\n", "hangup": b"",
                 "html": b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 13\r\n\r\n<html></html>"}
        url, stop = _closing_server(reply[server])
    try:
        client = Client(api_key=DEMO_KEY, base_url=url, retries=0, timeout=1.5, cache_dir=None)
        for call in _calls(client, tmp_path):
            with pytest.raises(ElevenError) as caught:
                call()
            assert isinstance(caught.value.exit_code, int) and caught.value.exit_code >= 1
            assert not isinstance(caught.value, UsageError) or server == "html"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith((".mp3", ".part"))]
    finally:
        if stop:
            stop.set()


def test_bad_local_input_is_a_usage_error_not_an_os_error(mock: Mock, tmp_path: Path) -> None:
    client = client_for(mock)
    for call in (lambda: client.speech("Hi.").save(tmp_path / "no" / "such" / "dir.mp3"),
                 lambda: client.speech("Hi.").save("/proc/eleven-test.mp3"),
                 lambda: client.speech("   "),
                 lambda: client.speech("Hi.", format="flac_44100"),
                 lambda: client.speech("Hi.", settings={"loudness": 3}),
                 lambda: client.speech("Hi.", voice="No Such Voice At All"),
                 lambda: Client(api_key="k", base_url="http://api.example.invalid"),
                 lambda: Client(api_key="k", base_url=mock.url, ca_bundle=str(tmp_path / "missing.pem")).models()):
        with pytest.raises(ElevenError) as caught:
            call()
        assert caught.value.exit_code in (1, 2), caught.value


def test_every_failure_carries_the_cli_exit_code(fresh_mock, tmp_path: Path) -> None:
    cases = {"401x*": 3, "422x*": 4, "503x*": 5, "drop@300x*": 6}
    for spec, code in cases.items():
        m = fresh_mock("--fault", f"{spec}:/v1/text-to-speech")
        with pytest.raises(ElevenError) as caught:
            client_for(m, retries=0).speech(SENTENCE).save(tmp_path / "x.mp3")
        assert caught.value.exit_code == code, (spec, caught.value)
        assert isinstance(caught.value, NetworkError) == (code == 6)


def test_readme_library_example_runs(mock: Mock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Library", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("ELEVENLABS_API_KEY", mock.key)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", mock.url)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert (tmp_path / "book.mp3").stat().st_size > 1000
    assert json.loads((tmp_path / "book.json").read_text())["characters"] > 0
