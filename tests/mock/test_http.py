"""The mock, over real sockets with httpx: shapes, strictness, headers, formats, accounts, faults."""

from __future__ import annotations

import base64
import concurrent.futures
import json
import math
import time
from array import array

import httpx
import pytest

from conftest import DEMO_KEY, Mock, decode_duration
from eleven_cli.audio import g711
from eleven_cli.audio.riff import data as wav_data
from eleven_cli.formats import FORMATS

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
TEXT = "The quick brown fox jumps over the lazy dog."


def client(m: Mock, key: str | None = DEMO_KEY) -> httpx.Client:
    return httpx.Client(base_url=m.url, headers={"xi-api-key": key} if key else {}, timeout=30)


def tts(m: Mock, body: dict, fmt: str | None = None, suffix: str = "", voice: str = GEORGE,
        key: str | None = DEMO_KEY) -> httpx.Response:
    params = {"output_format": fmt} if fmt else {}
    with client(m, key) as c:
        return c.post(f"/v1/text-to-speech/{voice}{suffix}", json=body, params=params)


def test_models_have_the_service_fields(mock: Mock) -> None:
    with client(mock) as c:
        models = c.get("/v1/models").json()
    ids = {m["model_id"]: m for m in models}
    assert {"eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3"} <= set(ids)
    assert ids["eleven_multilingual_v2"]["maximum_text_length_per_request"] == 10000
    assert ids["eleven_v3"]["maximum_text_length_per_request"] == 5000
    assert ids["eleven_flash_v2_5"]["maximum_text_length_per_request"] == 40000
    for m in models:
        assert {"languages", "model_rates", "token_cost_factor", "can_do_text_to_speech"} <= set(m)


def test_voices_v1_hides_legacy_unless_asked(mock: Mock) -> None:
    with client(mock) as c:
        plain = {v["voice_id"] for v in c.get("/v1/voices").json()["voices"]}
        legacy = {v["voice_id"] for v in c.get("/v1/voices", params={"show_legacy": "true"}).json()["voices"]}
        one = c.get(f"/v1/voices/{GEORGE}").json()
        missing = c.get("/v1/voices/nope")
    assert GEORGE in plain and "21m00Tcm4TlvDq8ikWAM" not in plain
    assert "21m00Tcm4TlvDq8ikWAM" in legacy
    assert one["name"] == "George" and one["labels"]["accent"] == "british"
    assert missing.status_code == 404 and missing.json()["detail"]["status"] == "voice_not_found"


def test_voices_v2_search_and_pages(mock: Mock) -> None:
    seen = []
    token = None
    with client(mock) as c:
        while True:
            params = {"page_size": "2", "sort": "name", "sort_direction": "asc"}
            if token:
                params["next_page_token"] = token
            page = c.get("/v2/voices", params=params).json()
            seen += [v["name"] for v in page["voices"]]
            total = page["total_count"]
            token = page["next_page_token"]
            if not page["has_more"]:
                assert token is None
                break
        assert seen == sorted(seen, key=str.lower) and len(seen) == total
        british = c.get("/v2/voices", params={"search": "british"}).json()
        assert british["total_count"] >= 2
        assert all("british" in json.dumps(v).lower() for v in british["voices"])
        bad = c.get("/v2/voices", params={"page_size": "0"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "page_size"]


def test_user_subscription_and_tokens(mock: Mock) -> None:
    with client(mock) as c:
        user = c.get("/v1/user").json()
        sub = c.get("/v1/user/subscription").json()
        tok = c.post("/v1/single-use-token/tts_websocket").json()
        bad = c.post("/v1/single-use-token/nope")
    assert user["subscription"]["tier"] == sub["tier"]
    assert {"character_count", "character_limit", "next_character_count_reset_unix", "status"} <= set(sub)
    assert tok["token"] and DEMO_KEY not in tok["token"]
    assert bad.status_code == 422


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_is_401_invalid_api_key(mock: Mock, key: str | None) -> None:
    with client(mock, key) as c:
        for path in ("/v1/models", "/v1/voices", "/v1/user"):
            r = c.get(path)
            assert r.status_code == 401
            assert r.json()["detail"]["status"] == "invalid_api_key"
    r = tts(mock, {"text": "hi"}, key=key)
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"text": "hi", "voice_settings": {"stability": 3}}, ["body", "voice_settings", "stability"]),
        ({"text": "hi", "voice_settings": {"speed": 1.5}}, ["body", "voice_settings", "speed"]),
        ({"text": "hi", "voice_settings": {"similarity_boost": -0.1}}, ["body", "voice_settings", "similarity_boost"]),
        ({"text": "hi", "seed": 4294967296}, ["body", "seed"]),
        ({"text": "hi", "previous_request_ids": ["a", "b", "c", "d"]}, ["body", "previous_request_ids"]),
        ({"text": "hi", "pronunciation_dictionary_locators": [{"pronunciation_dictionary_id": str(i)}
                                                              for i in range(4)]},
         ["body", "pronunciation_dictionary_locators"]),
        ({"text": "hi", "apply_text_normalization": "sometimes"}, ["body", "apply_text_normalization"]),
        ({}, ["body", "text"]),
    ],
)
def test_validation_errors_use_fastapi_list_form(mock: Mock, body: dict, loc: list) -> None:
    r = tts(mock, body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"] == loc
    assert {"type", "loc", "msg", "input"} <= set(detail[0])


def test_unknown_format_and_wav_on_streaming_are_422(mock: Mock) -> None:
    assert tts(mock, {"text": "hi"}, fmt="mp3_1_1").status_code == 422
    assert tts(mock, {"text": "hi"}, fmt="wav_44100", suffix="/stream").status_code == 422
    assert tts(mock, {"text": "hi"}, fmt="wav_44100", suffix="/stream/with-timestamps").status_code == 422
    assert tts(mock, {"text": "hi"}, fmt="wav_44100").status_code == 200


def test_text_limits_and_empty_text(mock: Mock) -> None:
    r = tts(mock, {"text": "a" * 5001, "model_id": "eleven_v3"})
    assert r.status_code == 400 and r.json()["detail"]["status"] == "max_character_limit_exceeded"
    assert tts(mock, {"text": "   "}).status_code == 400
    assert tts(mock, {"text": ""}).status_code == 400
    assert tts(mock, {"text": "hi"}, voice="nope").json()["detail"]["status"] == "voice_not_found"
    assert tts(mock, {"text": "hi", "model_id": "no_such_model"}).status_code == 400


def test_headers_of_a_synthesis(mock: Mock) -> None:
    r = tts(mock, {"text": TEXT})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg"
    for h in ("request-id", "history-item-id", "x-character-count", "character-cost",
              "current-concurrent-requests", "maximum-concurrent-requests"):
        assert r.headers.get(h), h
    assert int(r.headers["x-character-count"]) == len(TEXT)
    flash = tts(mock, {"text": TEXT, "model_id": "eleven_flash_v2_5"})
    assert int(flash.headers["x-character-count"]) == math.ceil(len(TEXT) * 0.5)


def _duration(data: bytes, name: str) -> float:
    fmt = FORMATS[name]
    if fmt.codec == "pcm":
        return len(data) / 2 / fmt.rate
    if fmt.codec in ("ulaw", "alaw"):
        return len(data) / fmt.rate
    return decode_duration(data)


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_decodes_to_the_aligned_duration(mock: Mock, name: str) -> None:
    r = tts(mock, {"text": TEXT}, fmt=name, suffix="/with-timestamps")
    assert r.status_code == 200, r.text
    body = r.json()
    audio = base64.b64decode(body["audio_base64"])
    end = body["alignment"]["character_end_times_seconds"][-1]
    assert "".join(body["alignment"]["characters"]) == TEXT
    got = _duration(audio, name)
    slack = 0.12 if FORMATS[name].codec == "mp3" else 0.03  # MP3 encoder delay and frame padding
    assert abs(got - end) <= slack, (name, got, end)
    fmt = FORMATS[name]
    if fmt.codec == "wav":
        rate, pcm = wav_data(audio)
        assert rate == fmt.rate and len(pcm) % 2 == 0
    if fmt.codec in ("mp3", "opus"):
        import io

        import av

        with av.open(io.BytesIO(audio)) as box:
            assert box.streams.audio[0].rate == fmt.rate


def test_convert_is_real_speech_that_follows_the_text(mock: Mock) -> None:
    short = tts(mock, {"text": "Hi."}, fmt="pcm_16000").content
    long = tts(mock, {"text": TEXT * 3}, fmt="pcm_16000").content
    assert len(long) > 3 * len(short)
    samples = array("h")
    samples.frombytes(long)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert rms > 500  # audible, not silence
    # G.711 output is the same speech: decode and compare envelopes with the PCM
    ulaw = tts(mock, {"text": "Hi."}, fmt="ulaw_8000").content
    pcm8 = tts(mock, {"text": "Hi."}, fmt="pcm_8000").content
    decoded = g711.decode(ulaw, "ulaw")
    assert abs(len(decoded) - len(pcm8)) <= 0.01 * len(pcm8)


def _pitch(pcm: bytes, rate: int = 16000) -> float:
    """Zero-crossing rate of voiced parts: a rough pitch indicator."""
    a = array("h")
    a.frombytes(pcm)
    loud = [s for s in a if abs(s) > 300]
    crossings = sum(1 for x, y in zip(loud, loud[1:], strict=False) if (x < 0) != (y < 0))
    return crossings / max(1, len(loud)) * rate


def test_voices_sound_different_and_speed_changes_duration(mock: Mock) -> None:
    george = tts(mock, {"text": TEXT}, fmt="pcm_16000").content
    jessica = tts(mock, {"text": TEXT}, fmt="pcm_16000", voice="cgSgspJ2msm6clMCkdW9").content
    assert george != jessica
    assert _pitch(jessica) > _pitch(george)
    slow = tts(mock, {"text": TEXT, "voice_settings": {"speed": 0.7}}, fmt="pcm_16000").content
    fast = tts(mock, {"text": TEXT, "voice_settings": {"speed": 1.2}}, fmt="pcm_16000").content
    assert len(slow) > len(george) > len(fast)


def test_alignment_follows_the_audio(mock: Mock) -> None:
    text = "One. " + "Two three four five six seven eight nine ten eleven twelve. " * 3 + "End."
    body = tts(mock, {"text": text}, fmt="pcm_16000", suffix="/with-timestamps").json()
    a = body["alignment"]
    starts, ends = a["character_start_times_seconds"], a["character_end_times_seconds"]
    assert starts == sorted(starts) and all(e >= s for s, e in zip(starts, ends, strict=True))
    pcm = base64.b64decode(body["audio_base64"])
    samples = array("h")
    samples.frombytes(pcm)
    # The word "End" starts where there is sound after a pause: the audio just before the start of
    # "End" is quieter than the audio within it.
    i = text.rindex("End")
    s = int(starts[i] * 16000)
    e = int(ends[i + 2] * 16000)
    inside = sum(abs(x) for x in samples[s:e]) / max(1, e - s)
    assert inside > 200


def test_stream_arrives_in_several_chunks_paced_by_rtf(fresh_mock) -> None:
    m = fresh_mock("--rtf", "0.5", "--ttfb", "100")
    text = "A first sentence for streaming. A second sentence follows it. A third ends the paragraph."
    times = []
    t0 = time.monotonic()
    with client(m) as c, c.stream("POST", f"/v1/text-to-speech/{GEORGE}/stream", json={"text": text},
                                  params={"output_format": "pcm_16000"}) as r:
        assert r.headers.get("transfer-encoding") == "chunked"
        data = b""
        for chunk in r.iter_raw():
            times.append(time.monotonic() - t0)
            data += chunk
    duration = len(data) / 32000
    assert len(times) > 3
    assert times[0] >= 0.09 and times[0] < duration * 0.5  # first bytes long before the end
    assert times[-1] >= duration * 0.5 * 0.8


def test_stream_with_timestamps_is_ndjson(mock: Mock) -> None:
    text = "Stream with timestamps. It has two sentences."
    r = tts(mock, {"text": text}, fmt="mp3_44100_128", suffix="/stream/with-timestamps")
    lines = [json.loads(x) for x in r.text.splitlines() if x.strip()]
    assert len(lines) > 1
    chars = "".join("".join(x["alignment"]["characters"]) for x in lines if x["alignment"])
    assert chars == text
    starts = [t for x in lines if x["alignment"] for t in x["alignment"]["character_start_times_seconds"]]
    assert starts == sorted(starts)
    audio = b"".join(base64.b64decode(x["audio_base64"]) for x in lines)
    assert abs(decode_duration(audio) - starts[-1]) < 0.6


def test_accounts_quota_and_concurrency(fresh_mock, tmp_path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('[[account]]\nkey = "k-small"\ncharacter_limit = 60\nmax_concurrency = 1\n'
                        '[[account]]\nkey = "k-free"\ntier = "free"\n')
    m = fresh_mock("--accounts", str(accounts), "--rtf", "1")
    assert tts(m, {"text": "x"}).status_code == 401  # the demo key is off when accounts are given
    assert tts(m, {"text": "mp3 192"}, fmt="mp3_44100_192", key="k-free").status_code == 403
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a = pool.submit(tts, m, {"text": "Hold the line for a while."}, "pcm_16000", "", GEORGE, "k-small")
        time.sleep(0.3)
        b = pool.submit(tts, m, {"text": "Second."}, "pcm_16000", "", GEORGE, "k-small")
        ra, rb = a.result(), b.result()
    assert ra.status_code == 200
    assert rb.status_code == 429 and rb.json()["detail"]["status"] == "too_many_concurrent_requests"
    over = tts(m, {"text": "y" * 50}, key="k-small")
    assert over.status_code == 401 and over.json()["detail"]["status"] == "quota_exceeded"
    with client(m, "k-small") as c:
        sub = c.get("/v1/user/subscription").json()
    assert sub["character_count"] == len("Hold the line for a while.")


def test_faults_by_flag_and_at_runtime(fresh_mock) -> None:
    m = fresh_mock("--fault", "429x2")
    assert [tts(m, {"text": "hi"}).status_code for _ in range(3)] == [429, 429, 200]
    m.fault("503x1:/v1/models")
    with client(m) as c:
        assert c.get("/v1/voices").status_code == 200
        assert c.get("/v1/models").status_code == 503
        assert c.get("/v1/models").status_code == 200
    m.fault("drop@1000")
    with pytest.raises(httpx.RemoteProtocolError), client(m) as c:
        c.post(f"/v1/text-to-speech/{GEORGE}/stream", json={"text": TEXT}).read()
    m.fault("stall@600")
    t0 = time.monotonic()
    r = tts(m, {"text": "hi"}, suffix="/stream")
    assert r.status_code == 200 and time.monotonic() - t0 >= 0.55


def test_request_log_redacts_the_key(fresh_mock) -> None:
    m = fresh_mock("--key", "sk-sentinel-123456789")
    tts(m, {"text": "logged", "model_id": "eleven_flash_v2_5"}, key="sk-sentinel-123456789", fmt="pcm_16000")
    log = m.requests("/v1/text-to-speech")
    assert log[-1]["body"]["model_id"] == "eleven_flash_v2_5"
    assert log[-1]["query"] == {"output_format": "pcm_16000"}
    assert log[-1]["headers"]["xi-api-key"] == "[redacted]"
    assert "sk-sentinel-123456789" not in json.dumps(m.requests())


# --- the catalogue and rules as the service has them -------------------------------------------------
def test_catalogue_models_and_their_languages(mock: Mock) -> None:
    models = {m["model_id"]: m for m in httpx.get(mock.url + "/v1/models", headers={"xi-api-key": DEMO_KEY}).json()}
    for model_id in ("eleven_v3", "eleven_turbo_v2", "eleven_flash_v2", "eleven_monolingual_v1",
                     "eleven_multilingual_v1", "eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5"):
        assert models[model_id]["can_do_text_to_speech"]
    langs = {k: {x["language_id"] for x in m["languages"]} for k, m in models.items()}
    assert len(langs["eleven_v3"]) >= 70 and langs["eleven_flash_v2"] == {"en"}
    assert langs["eleven_flash_v2_5"] < langs["eleven_v3"] and len(langs["eleven_multilingual_v2"]) == 29


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"text": "Hi.", "model_id": "eleven_v3", "previous_text": "Before."}, 400, "unsupported_model_parameter"),
    ({"text": "Hi.", "model_id": "eleven_v3", "previous_request_ids": ["abc"]}, 400, "unsupported_model_parameter"),
    ({"text": "Hi.", "model_id": "eleven_multilingual_v2", "previous_text": "Before."}, 200, None),
    ({"text": "Hi.", "model_id": "eleven_multilingual_v2", "language_code": "en"}, 400, "unsupported_language"),
    ({"text": "Hi.", "model_id": "eleven_flash_v2_5", "language_code": "th"}, 400, "unsupported_language"),
    ({"text": "Hi.", "model_id": "eleven_v3", "language_code": "th"}, 200, None),
])
def test_model_rules(mock: Mock, body: dict, status: int, code: str | None) -> None:
    r = tts(mock, body)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["detail"]["status"] == code


@pytest.mark.parametrize(("query", "names"), [
    ([("gender", "female"), ("accent", "british")], {"Alice", "Lily"}),
    ([("age", "young"), ("use_cases", "entertainment_tv"), ("use_cases", "narrative_story")], {"Sarah", "Rachel"}),
    ([("voice_ids", "JBFqnCBsd6RMkjVDRZzb"), ("voice_ids", "nPczCjzI2devNBz1zQrb")], {"George", "Brian"}),
    ([("voice_type", "personal")], {"My Narrator"}),
    ([("category", "premade"), ("search", "resonant and comforting")], {"Brian"}),
    ([("search", "cloned")], {"My Narrator"}),  # search covers the category too
    ([("language", "en"), ("gender", "male"), ("accent", "australian")], {"Charlie"}),
])
def test_v2_voice_filters(mock: Mock, query: list, names: set) -> None:
    r = httpx.get(mock.url + "/v2/voices", params=query + [("include_total_count", "true")],
                  headers={"xi-api-key": DEMO_KEY})
    assert r.status_code == 200, r.text
    assert {v["name"] for v in r.json()["voices"]} == names and r.json()["total_count"] == len(names)


def test_every_single_use_token_type_and_what_each_opens(mock: Mock) -> None:
    h = {"xi-api-key": DEMO_KEY}
    for kind in ("tts_websocket", "realtime_scribe"):
        r = httpx.post(f"{mock.url}/v1/single-use-token/{kind}", headers=h)
        assert r.status_code == 200 and r.json()["token"].startswith("sutkn_")
    assert httpx.post(f"{mock.url}/v1/single-use-token/other", headers=h).status_code == 422
    from websockets.exceptions import ConnectionClosedError
    from websockets.sync.client import connect

    scribe = httpx.post(f"{mock.url}/v1/single-use-token/realtime_scribe", headers=h).json()["token"]
    url = mock.url.replace("http", "ws", 1) + f"/v1/text-to-speech/{GEORGE}/stream-input?single_use_token={scribe}"
    with connect(url) as ws, pytest.raises(ConnectionClosedError):  # a scribe token does not open a TTS socket
        ws.send(json.dumps({"text": " "}))
        while True:
            ws.recv(timeout=10)


def test_preview_urls_are_served(mock: Mock) -> None:
    voices = httpx.get(mock.url + "/v1/voices", headers={"xi-api-key": DEMO_KEY}).json()["voices"]
    url = voices[0]["preview_url"]
    assert url.startswith(mock.url)
    r = httpx.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "audio/mpeg" and decode_duration(r.content) > 1
