"""The library's seams, in-process and in seconds: `Client(transport=...)` takes an httpx transport (here
httpx.MockTransport: the piece loop, continuity and the retry policy run without a server or a
subprocess), `Client(config=False)` reads no config file, and the request shape renders every option
where the wire contract puts it."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eleven_cli import Client
from eleven_cli.errors import ElevenError, NetworkError, UsageError
from eleven_cli.events import PieceDone, Retrying
from eleven_cli.options import DIALOGUE, LIVE, PARAMS, SPEECH, SpeechOptions

VOICE = "JBFqnCBsd6RMkjVDRZzb"


def _pcm(seconds: float, rate: int) -> bytes:
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(i / 7))) for i in range(n))


def _audio(text: str, output_format: str) -> bytes:
    """Audio of the length the service would give `text` (15 characters a second), in `output_format`."""
    codec, rate = output_format.split("_")[:2]
    pcm = _pcm(max(0.5, len(text) / 15), int(rate))
    if codec == "wav":
        head = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack(
            "<IHHIIHH", 16, 1, 1, int(rate), int(rate) * 2, 2, 16) + b"data" + struct.pack("<I", len(pcm))
        return head + pcm
    assert codec == "pcm", output_format
    return pcm


class _Dropping(httpx.SyncByteStream):
    """A body that breaks off after `after` bytes, as a dropped connection does."""

    def __init__(self, data: bytes, after: int) -> None:
        self.data, self.after = data, after

    def __iter__(self) -> Iterator[bytes]:
        yield self.data[: self.after]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


class Service:
    """Just enough of the API for the piece loop: models, voices and the text-to-speech endpoints."""

    def __init__(self, limit: int = 5000, drops: int = 0, statuses: tuple[int, ...] = ()) -> None:
        self.limit = limit
        self.drops = drops
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []
        self.models = ["eleven_multilingual_v2", "eleven_flash_v2_5"]

    def bodies(self, path_part: str = "/v1/text-to-speech/") -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if path_part in r.url.path]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/v1/models":
            return httpx.Response(200, json=[{"model_id": m, "name": m, "can_do_text_to_speech": True,
                                              "maximum_text_length_per_request": self.limit} for m in self.models])
        if path == "/v1/voices":
            return httpx.Response(200, json={"voices": [{"voice_id": VOICE, "name": "George"}]})
        if path.startswith("/v1/text-to-speech/"):
            if self.statuses:
                return httpx.Response(self.statuses.pop(0), json={"detail": {"status": "busy", "message": "busy"}})
            body = json.loads(request.content)
            audio = _audio(body["text"], request.url.params["output_format"])
            headers = {"request-id": f"req{len(self.requests)}", "x-character-count": str(len(body["text"]))}
            if self.drops:
                self.drops -= 1
                return httpx.Response(200, headers=headers, stream=_Dropping(audio, len(audio) // 3))
            return httpx.Response(200, headers=headers, content=audio)
        return httpx.Response(404, json={"detail": "Not Found"})


def _client(service: Service, **kw: Any) -> Client:
    return Client(api_key="sk_test", base_url="http://127.0.0.1:9", config=False, cache_dir=None,
                  transport=httpx.MockTransport(service), wait=lambda s: None, **kw)


SENTENCE = "Every piece of this text is a sentence long enough to be worth a request of its own. "


def test_a_long_text_is_split_and_stitched_with_continuity_in_process(tmp_path: Path) -> None:
    service = Service(limit=1000)
    text = "".join(f"{n}. {SENTENCE}" for n in range(40))  # 3,500 characters: over the free limit
    events = list(_client(service).speech(text, format="pcm_16000", voice=VOICE).stream())
    bodies = service.bodies()
    assert len(bodies) >= 4 and all(len(b["text"]) <= 1000 for b in bodies)
    assert " ".join(b["text"] for b in bodies) == text.strip()
    assert "previous_text" not in bodies[0] and bodies[0]["next_text"] == bodies[1]["text"][:300]
    assert bodies[1]["previous_request_ids"] == ["req2"] and bodies[-1]["previous_text"] == bodies[-2]["text"][-300:]
    assert bodies[3]["previous_request_ids"] == ["req2", "req3", "req4"]
    assert len([e for e in events if isinstance(e, PieceDone)]) == len(bodies)


def test_a_drop_mid_body_is_retried_in_process() -> None:
    service = Service(drops=1)
    speech = _client(service).speech(SENTENCE, format="pcm_16000", voice=VOICE)
    events = list(speech.stream(live=False))
    assert [type(e).__name__ for e in events].count("Retrying") == 1
    assert isinstance(next(e for e in events if isinstance(e, Retrying)).reason, str)
    assert len(service.bodies()) == 2 and speech.result is not None and speech.result.duration > 4


def test_drops_on_every_attempt_end_in_a_network_error() -> None:
    service = Service(drops=99)
    with pytest.raises(NetworkError) as caught:
        _client(service, retries=2).speech(SENTENCE, format="pcm_16000", voice=VOICE).audio()
    assert "dropped" in caught.value.message and len(service.bodies()) == 3


def test_busy_answers_are_retried_before_the_first_byte() -> None:
    service = Service(statuses=(429, 503))
    data = _client(service).speech(SENTENCE, format="pcm_16000", voice=VOICE).audio()
    assert len(data) > 16000 * 2 * 4 and len(service.bodies()) == 3


def test_save_takes_the_format_from_the_extension_and_never_bills_twice(tmp_path: Path) -> None:
    service = Service()
    speech = _client(service).speech(SENTENCE, voice=VOICE)
    first = speech.save(tmp_path / "y.wav")
    assert (tmp_path / "y.wav").read_bytes()[:4] == b"RIFF" and first.format.startswith("wav_")
    second = speech.save(tmp_path / "again.wav")
    assert (tmp_path / "again.wav").read_bytes() == (tmp_path / "y.wav").read_bytes()
    assert len(service.bodies()) == 1 and second.characters == 0  # replayed, not billed again
    assert service.requests[-1].url.params["output_format"].startswith("wav_")
    with pytest.raises(UsageError):
        _client(service).speech(SENTENCE, voice=VOICE, format="pcm_16000").save(tmp_path / "z.wav")


def test_streamed_wav_is_asked_for_as_pcm_and_wrapped_by_the_library(tmp_path: Path) -> None:
    service = Service()
    speech = _client(service).speech(SENTENCE, voice=VOICE, format="wav_16000", streaming=True)
    speech.save(tmp_path / "s.wav")
    assert service.requests[-1].url.params["output_format"] == "pcm_16000"
    data = (tmp_path / "s.wav").read_bytes()
    assert data[:4] == b"RIFF" and struct.unpack("<I", data[40:44])[0] == len(data) - 44


def test_models_fresh_refreshes(tmp_path: Path) -> None:
    service = Service()
    client = Client(api_key="k", base_url="http://127.0.0.1:9", config=False, cache_dir=tmp_path,
                    transport=httpx.MockTransport(service))
    assert "eleven_v4" not in [m.model_id for m in client.models(fresh=False)]
    service.models.append("eleven_v4")
    assert "eleven_v4" not in [m.model_id for m in client.models(fresh=False)]  # the cache, still young
    assert "eleven_v4" in [m.model_id for m in client.models(fresh=True)]


def test_config_false_reads_no_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "eleven"
    folder.mkdir()
    (folder / "config.toml").write_text("this is [ not TOML")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    with pytest.raises(UsageError):
        Client(api_key="k", base_url="http://127.0.0.1:9")
    client = Client(api_key="k", base_url="http://127.0.0.1:9", config=False, cache_dir=None,
                    transport=httpx.MockTransport(Service()))
    assert client.speech(SENTENCE, voice=VOICE, format="pcm_16000").audio()


# --- the request shape -----------------------------------------------------------------------------
def test_every_option_renders_where_the_contract_puts_it() -> None:
    opts = SpeechOptions.merge({"stability": "0.4", "similarity": 0.8, "style": 0.1, "speaker_boost": False,
                                "speed": "1.1", "seed": "7", "language": "en", "normalize": "OFF",
                                "language_normalization": True, "latency": 2, "logging": False,
                                "dictionaries": ["dict1:v2", "dict2"], "model": "eleven_flash_v2_5"})
    speech = opts.render(SPEECH)
    assert speech["body"] == {"model_id": "eleven_flash_v2_5", "seed": 7, "language_code": "en",
                              "apply_text_normalization": "off", "apply_language_text_normalization": True,
                              "voice_settings": {"stability": 0.4, "similarity_boost": 0.8, "style": 0.1,
                                                 "use_speaker_boost": False, "speed": 1.1},
                              "pronunciation_dictionary_locators": [
                                  {"pronunciation_dictionary_id": "dict1", "version_id": "v2"},
                                  {"pronunciation_dictionary_id": "dict2"}]}
    assert speech["query"] == {"optimize_streaming_latency": "2", "enable_logging": "false"}
    live = opts.render(LIVE)
    assert live["query"] == {"model_id": "eleven_flash_v2_5", "seed": "7", "language_code": "en",
                             "apply_text_normalization": "off", "enable_logging": "false"}
    assert live["init"]["voice_settings"]["speed"] == 1.1
    assert live["init"]["pronunciation_dictionary_locators"][1]["version_id"] == "latest"
    assert [p.flag for p in opts.given_to(DIALOGUE)] == [
        "--similarity", "--style", "--speaker-boost/--no-speaker-boost", "--speed",
        "--language-normalization/--no-language-normalization", "--latency", "--no-logging"]


def test_options_are_merged_once_flags_over_profile_and_checked_before_any_request() -> None:
    profile = {"stability": 0.2, "speed": 0.9, "language_normalization": True}
    opts = SpeechOptions.merge({"stability": 0.7}, profile)
    assert (opts.stability, opts.speed, opts.language_normalization) == (0.7, 0.9, True)
    for bad, word in (({"speed": 5}, "out of range 0.7..1.2"), ({"seed": -1}, "out of range"),
                      ({"normalize": "maybe"}, "auto, on, off"), ({"loudness": 3}, "unknown option"),
                      ({"dictionaries": ["a", "b", "c", "d"]}, "at most 3"), ({"settings": {"pitch": 1}}, "pitch")):
        with pytest.raises(UsageError) as caught:
            SpeechOptions.merge(bad)
        assert word in caught.value.message + (caught.value.hint or ""), caught.value.message
    with pytest.raises(UsageError) as caught:
        SpeechOptions.merge({}, {"speed": 3.0}, profile_name="work")
    assert "profile 'work'" in caught.value.message


def test_the_declaration_and_the_options_type_agree() -> None:
    import dataclasses

    assert [p.name for p in PARAMS] == [f.name for f in dataclasses.fields(SpeechOptions)]
    assert all(set(p.wire) <= {SPEECH, DIALOGUE, LIVE} for p in PARAMS)


def test_errors_of_the_transport_are_ours() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    client = Client(api_key="k", base_url="http://127.0.0.1:9", config=False, cache_dir=None, retries=1,
                    transport=httpx.MockTransport(refuse), wait=lambda s: None)
    with pytest.raises(ElevenError) as caught:
        client.speech(SENTENCE, voice=VOICE, format="pcm_16000").audio()
    assert caught.value.exit_code == 6
