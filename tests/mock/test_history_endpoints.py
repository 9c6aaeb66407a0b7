"""The mock's /v1/history: every generation kept under the ids its headers carried, listed with the published
filters and paging, served again without billing, zipped, deleted; bodies and requests held against the
OpenAPI document."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_openapi import SPEC, check_request, check_response

from conftest import ELEVEN, Mock, err
from eleven_cli.audio.riff import data as wav_data

GEORGE = "JBFqnCBsd6RMkjVDRZzb"
SARAH = "EXAVITQu4vr4xnSDxMaL"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"the OpenAPI document is not here ({SPEC}); CI has it")
    return json.loads(SPEC.read_text())


def _h(mock: Mock) -> dict[str, str]:
    return {"xi-api-key": mock.key}


def _tts(mock: Mock, text: str, voice: str = GEORGE, suffix: str = "", **query: str) -> httpx.Response:
    r = httpx.post(f"{mock.url}/v1/text-to-speech/{voice}{suffix}", json={"text": text}, headers=_h(mock),
                   params={"output_format": "mp3_22050_32", **query})
    assert r.status_code == 200, r.text
    return r


def _used(mock: Mock) -> int:
    return int(mock.accounts()[0]["character_count"])


def test_every_endpoint_records_what_its_headers_name(mock: Mock) -> None:
    before = _used(mock)
    made = [_tts(mock, f"Kind {suffix or 'convert'}.", suffix=suffix)
            for suffix in ("", "/stream", "/with-timestamps", "/stream/with-timestamps")]
    dialogue = httpx.post(f"{mock.url}/v1/text-to-dialogue", headers=_h(mock),
                          json={"inputs": [{"text": "One.", "voice_id": GEORGE}, {"text": "Two.", "voice_id": SARAH}]})
    assert dialogue.status_code == 200
    for r in [*made, dialogue]:
        item = httpx.get(f"{mock.url}/v1/history/{r.headers['history-item-id']}", headers=_h(mock)).json()
        assert item["request_id"] == r.headers["request-id"]
        cost = int(r.headers["x-character-count"])
        assert cost == int(r.headers["character-cost"])
        assert item["character_count_change_to"] - item["character_count_change_from"] == cost
    assert [x["voice_name"] for x in item["dialogue"]] == ["George", "Sarah"] and item["text"] == "One. Two."
    assert _used(mock) - before == sum(int(r.headers["x-character-count"]) for r in [*made, dialogue])


def test_the_audio_is_served_again_as_it_was_sent_and_billed_nothing(mock: Mock) -> None:
    sent = _tts(mock, "The same bytes, twice.")
    used = _used(mock)
    again = httpx.get(f"{mock.url}/v1/history/{sent.headers['history-item-id']}/audio", headers=_h(mock))
    assert again.status_code == 200 and again.headers["content-type"] == "audio/mpeg"
    assert again.content == sent.content
    assert _used(mock) == used


def test_zero_retention_keeps_nothing(mock: Mock) -> None:
    r = _tts(mock, "Not kept.", enable_logging="false")
    assert httpx.get(f"{mock.url}/v1/history/{r.headers['history-item-id']}", headers=_h(mock)).status_code == 404


def test_download_one_as_audio_several_as_a_zip_or_as_wav(mock: Mock) -> None:
    ids = [_tts(mock, f"Zipped {n}.").headers["history-item-id"] for n in range(3)]
    one = httpx.post(f"{mock.url}/v1/history/download", headers=_h(mock), json={"history_item_ids": ids[:1]})
    assert one.headers["content-type"] == "audio/mpeg"
    box = httpx.post(f"{mock.url}/v1/history/download", headers=_h(mock), json={"history_item_ids": ids})
    assert box.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(box.content)) as z:
        names = z.namelist()
        assert len(names) == 3 and all(any(i in n for n in names) for i in ids)
        assert z.read(next(n for n in names if ids[0] in n)) == one.content
    wav = httpx.post(f"{mock.url}/v1/history/download", headers=_h(mock),
                     json={"history_item_ids": ids[:1], "output_format": "wav"})
    assert wav_data(wav.content)[0] == 22050
    bad = httpx.post(f"{mock.url}/v1/history/download", headers=_h(mock),
                     json={"history_item_ids": ids[:1], "output_format": "flac"})
    assert bad.status_code == 400 and bad.json()["detail"]["status"] == "invalid_output_format"
    missing = httpx.post(f"{mock.url}/v1/history/download", headers=_h(mock), json={"history_item_ids": ["nope"]})
    assert missing.status_code == 404


def test_list_filters_sorts_and_pages(fresh_mock) -> None:
    m = fresh_mock()
    _tts(m, "Alpha by George.")
    _tts(m, "Beta by Sarah.", voice=SARAH)
    httpx.post(f"{m.url}/v1/text-to-speech/{GEORGE}", headers=_h(m), json={"text": "Gamma, flash.",
               "model_id": "eleven_flash_v2_5"})

    def texts(**query: Any) -> list[str]:
        r = httpx.get(f"{m.url}/v1/history", headers=_h(m), params=query)
        assert r.status_code == 200, r.text
        return [i["text"] for i in r.json()["history"]]

    assert texts() == ["Gamma, flash.", "Beta by Sarah.", "Alpha by George."]
    assert texts(sort_direction="asc")[0] == "Alpha by George."
    assert texts(voice_id=SARAH) == ["Beta by Sarah."]
    assert texts(model_id="eleven_flash_v2_5") == ["Gamma, flash."]
    assert texts(search="BETA") == ["Beta by Sarah."]
    assert texts(source="STS") == []
    date = httpx.get(f"{m.url}/v1/history", headers=_h(m)).json()["history"][-1]["date_unix"]  # the oldest
    assert len(texts(date_after_unix=date)) == 3 and texts(date_before_unix=date) == []
    first = httpx.get(f"{m.url}/v1/history", headers=_h(m), params={"page_size": 2}).json()
    assert first["has_more"] and len(first["history"]) == 2
    assert first["last_history_item_id"] == first["history"][1]["history_item_id"]
    rest = httpx.get(f"{m.url}/v1/history", headers=_h(m),
                     params={"page_size": 2, "start_after_history_item_id": first["last_history_item_id"]}).json()
    assert [i["text"] for i in rest["history"]] == ["Alpha by George."] and not rest["has_more"]


def test_history_is_per_account(fresh_mock) -> None:
    m = fresh_mock("--key", "sk_one_key_000000", "--key", "sk_two_key_000000")
    one = Mock(m.proc, m.url, key="sk_one_key_000000")
    hid = _tts(one, "Only mine.").headers["history-item-id"]
    other = {"xi-api-key": "sk_two_key_000000"}
    assert httpx.get(f"{m.url}/v1/history/{hid}", headers=other).status_code == 404
    assert httpx.get(f"{m.url}/v1/history", headers=other).json()["history"] == []
    assert httpx.get(f"{m.url}/v1/history").status_code == 401


def test_delete_then_gone(mock: Mock) -> None:
    hid = _tts(mock, "Deleted soon.").headers["history-item-id"]
    r = httpx.delete(f"{mock.url}/v1/history/{hid}", headers=_h(mock))
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    for path in (hid, f"{hid}/audio"):
        gone = httpx.get(f"{mock.url}/v1/history/{path}", headers=_h(mock))
        assert gone.status_code == 404 and gone.json()["detail"]["status"] == "history_item_not_found"
    assert httpx.delete(f"{mock.url}/v1/history/{hid}", headers=_h(mock)).status_code == 404


def test_history_bodies_match_the_schema(spec, mock: Mock) -> None:
    hid = _tts(mock, "Checked against the contract.").headers["history-item-id"]
    httpx.post(f"{mock.url}/v1/text-to-dialogue", headers=_h(mock),
               json={"inputs": [{"text": "A line.", "voice_id": GEORGE}, {"text": "Reply.", "voice_id": SARAH}]})
    listing = httpx.get(f"{mock.url}/v1/history", headers=_h(mock), params={"page_size": 5})
    check_response(spec, "/v1/history", "get", listing.json())
    check_response(spec, "/v1/history/{history_item_id}", "get",
                   httpx.get(f"{mock.url}/v1/history/{hid}", headers=_h(mock)).json())
    check_response(spec, "/v1/history", "get", httpx.get(f"{mock.url}/v1/history", headers=_h(mock),
                                                          params={"page_size": 0}).json(), "422")
    check_response(spec, "/v1/history/{history_item_id}", "delete",
                   httpx.delete(f"{mock.url}/v1/history/{hid}", headers=_h(mock)).json())


def test_every_history_request_the_cli_sends_matches_the_schema(spec, mock: Mock, tmp_path: Path) -> None:
    ids = [_tts(mock, f"For the CLI {n}.").headers["history-item-id"] for n in range(2)]
    env = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": mock.key}
    mock.clear()
    runs = [["history", "--remote", "-n", "3", "--voice", "George", "--model", "eleven_multilingual_v2",
             "--search", "CLI", "--source", "TTS", "--since", "2026-01-01", "--until", "2099-01-01"],
            ["history", "--remote", "--after", ids[1]], ["history", "show", ids[0]],
            ["history", "get", ids[0], "-o", "one.mp3"], ["history", "get", *ids, "-d", "."],
            ["history", "delete", ids[0], "--yes"], ["usage"]]
    for args in runs:
        r = subprocess.run([ELEVEN, *args], capture_output=True, env=env, cwd=tmp_path, timeout=60)
        assert r.returncode == 0, (args, err(r))
    log = [e for e in mock.requests() if e.get("kind") == "http" and e["path"].startswith("/v1/history")]
    assert {(e["method"], e["path"].split("/")[-1]) for e in log} >= {("GET", "history"), ("GET", "audio"),
                                                                      ("POST", "download"), ("DELETE", ids[0])}
    problems = [p for e in log for p in check_request(spec, e)]
    assert not problems, "\n".join(problems)


LONG = ("The keeper climbed the stairs at dusk, as he had done for 42 years, and lit the lamp for the UN "
        "ships. The sea rolled against the rocks below; gulls cried over the point, and at 9:45 PM the "
        "first beam swept the water. Dr. Hale wrote it all down, page after page, $3.50 a week for ink.")


def test_the_audio_is_spoken_again_byte_for_byte_whatever_came_between(mock: Mock) -> None:
    """An item keeps what made it, not its audio: served again, it is synthesised again, and must be the
    same bytes as first sent, whatever the engine spoke in between (other voices, speeds, languages)."""
    h = _h(mock)
    added = httpx.post(f"{mock.url}/v1/pronunciation-dictionaries/add-from-rules", headers=h, json={
        "name": "kept", "rules": [{"type": "alias", "string_to_replace": "UN", "alias": "United Nations"}]})
    assert added.status_code == 200, added.text
    locator = [{"pronunciation_dictionary_id": added.json()["id"], "version_id": added.json()["version_id"]}]

    def disturb(n: int) -> None:  # other speech between the original and its replay
        for voice, speed in ((SARAH, 1.2), (GEORGE, 0.8))[: n]:
            r = httpx.post(f"{mock.url}/v1/text-to-speech/{voice}", headers=h, params={"output_format": "pcm_16000"},
                           json={"text": f"Something else entirely, {n} times.", "voice_settings": {"speed": speed}})
            assert r.status_code == 200

    made: list[tuple[str, bytes]] = []
    for suffix, fmt, voice, extra in (
            ("", "mp3_44100_128", GEORGE, {"pronunciation_dictionary_locators": locator}),
            ("/with-timestamps", "pcm_44100", SARAH, {"voice_settings": {"stability": 0.2, "speed": 1.1}}),
            ("/stream", "mp3_22050_32", GEORGE, {"language_code": "de", "model_id": "eleven_flash_v2_5"}),
            ("", "wav_22050", SARAH, {}),
            ("/stream", "ulaw_8000", GEORGE, {})):
        r = httpx.post(f"{mock.url}/v1/text-to-speech/{voice}{suffix}", headers=h, params={"output_format": fmt},
                       json={"text": LONG, **extra}, timeout=60)
        assert r.status_code == 200, r.text
        audio = base64.b64decode(r.json()["audio_base64"]) if suffix == "/with-timestamps" else r.content
        made.append((r.headers["history-item-id"], audio))
        disturb(len(made) % 3)
    dialogue = httpx.post(f"{mock.url}/v1/text-to-dialogue", headers=h, params={"output_format": "mp3_44100_64"},
                          json={"inputs": [{"text": LONG[:120], "voice_id": GEORGE},
                                           {"text": LONG[120:240], "voice_id": SARAH}]}, timeout=60)
    assert dialogue.status_code == 200
    made.append((dialogue.headers["history-item-id"], dialogue.content))
    disturb(2)
    for hid, sent in made:
        again = httpx.get(f"{mock.url}/v1/history/{hid}/audio", headers=h, timeout=60)
        assert again.status_code == 200
        assert len(again.content) == len(sent) and again.content == sent, hid
    one = httpx.post(f"{mock.url}/v1/history/download", headers=h, json={"history_item_ids": [made[0][0]]})
    assert one.content == made[0][1]
    # The same request twice: the same audio (each synthesis starts from a fresh engine).
    twice = [httpx.post(f"{mock.url}/v1/text-to-speech/{GEORGE}", headers=h, params={"output_format": "pcm_22050"},
                        json={"text": LONG}, timeout=60).content for _ in range(2)]
    assert twice[0] == twice[1] and len(twice[0]) > 22050 * 2 * 5
