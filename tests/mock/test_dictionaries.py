"""Pronunciation dictionaries against the real mock: each endpoint (answers and our requests held against
the OpenAPI document), a rule heard in the alignment (HTTP, socket, dialogue), an unknown dictionary, the
official SDK, and `dictionary_for` making a dictionary once and finding it again by its rules' hash."""

from __future__ import annotations

import json
import os
import subprocess
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import DEMO_KEY, ELEVEN, Mock, err
from eleven_cli.api.dictionaries import Dictionaries
from eleven_cli.api.http import Client
from eleven_cli.book.lexicon import Rule, parse_lexicon, parse_pls
from eleven_cli.book.pronounce import dictionary_for, dictionary_name, model_takes_dictionaries, prepare
from eleven_cli.errors import RejectedError

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "elevenlabs-openapi.json"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"
BASE = "/v1/pronunciation-dictionaries"
PLS = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>UN</grapheme><alias>United Nations</alias></lexeme>
  <lexeme><grapheme>tomato</grapheme><phoneme>t\xc9\x99\xcb\x88me\xc9\xaato\xca\x8a</phoneme></lexeme>
</lexicon>
"""


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"the OpenAPI document is not here ({SPEC}); CI has it")
    return json.loads(SPEC.read_text())


@pytest.fixture
def client(mock: Mock) -> Client:
    with Client(mock.url, mock.key, retries=0) as c:
        yield c


def _check(spec: dict[str, Any], template: str, method: str, body: Any) -> None:
    from test_openapi import check_response

    check_response(spec, template, method, body)


def _multipart_problems(spec: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    """A logged multipart request's fields against the operation's form schema."""
    op = spec["paths"][BASE + "/add-from-file"]["post"]
    ref = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    schema = spec["components"]["schemas"][ref]
    ctype = next(v for k, v in entry["headers"].items() if k.lower() == "content-type")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {ctype}\r\n\r\n{entry['body']}".encode())
    names = [p.get_param("name", header="content-disposition") for p in message.iter_parts()]
    if "file" not in names:
        return [f"the logged multipart body has no file part (fields: {names})"]
    problems = [f"field {n!r} is not in the contract" for n in names if n not in schema["properties"]]
    problems += [f"required field {n!r} missing" for n in schema["required"] if n not in names]
    return problems


def test_each_endpoint_with_our_client(spec, mock: Mock, client: Client) -> None:
    from test_openapi import check_request

    api = Dictionaries(client)
    mock.clear()
    rules = [Rule("Nginx", alias="engine x"), Rule("tomato", phoneme="təˈmeɪtoʊ", alphabet="ipa")]
    made = api.add_from_rules("tech words", [r.to_api() for r in rules], description="for a test")
    assert made.name == "tech words" and made.rules_count == 2 and made.description == "for a test"
    from_file = api.add_from_file("from a file", PLS)
    assert from_file.rules_count == 2 and from_file.id != made.id

    got = api.get(made.id)
    assert (got.id, got.version_id, got.rules_count) == (made.id, made.version_id, 2)
    assert got.rules == [r.to_api() for r in rules]
    assert parse_pls(api.download(made.id, made.version_id).encode()) == rules
    assert [(r.grapheme, r.alias, r.phoneme) for r in parse_pls(api.download(from_file.id, from_file.version_id)
                                                                 .encode())] == \
        [("UN", "United Nations", None), ("tomato", None, "təˈmeɪtoʊ")]

    listed = list(api.list_all(page_size=1))  # one per page: the cursor is followed
    assert {d.id for d in listed} >= {made.id, from_file.id} and len({d.id for d in listed}) == len(listed)
    assert listed.index(next(d for d in listed if d.id == from_file.id)) < \
        listed.index(next(d for d in listed if d.id == made.id))  # newest first, as the service sorts

    log = [e for e in mock.requests(BASE)]
    assert {e["path"].rsplit("/", 1)[-1] for e in log} >= {"add-from-rules", "add-from-file", "download"}
    problems = [p for e in log if isinstance(e["body"], dict | type(None)) for p in check_request(spec, e)]
    problems += _multipart_problems(spec, next(e for e in log if e["path"].endswith("add-from-file")))
    assert not problems, "\n".join(problems)


def test_every_answer_matches_the_schema(spec, mock: Mock) -> None:
    h = {"xi-api-key": DEMO_KEY}
    added = httpx.post(f"{mock.url}{BASE}/add-from-rules", headers=h, json={
        "name": "schema", "rules": [{"type": "alias", "string_to_replace": "UN", "alias": "United Nations"},
                                    {"type": "phoneme", "string_to_replace": "tomato", "phoneme": "təˈmeɪtoʊ",
                                     "alphabet": "ipa", "case_sensitive": False}]})
    assert added.status_code == 200, added.text
    _check(spec, BASE + "/add-from-rules", "post", added.json())
    filed = httpx.post(f"{mock.url}{BASE}/add-from-file", headers=h, data={"name": "f", "description": "d"},
                       files={"file": ("l.pls", PLS, "application/pls+xml")})
    _check(spec, BASE + "/add-from-file", "post", filed.json())
    one = httpx.get(f"{mock.url}{BASE}/{added.json()['id']}", headers=h).json()
    _check(spec, BASE + "/{pronunciation_dictionary_id}", "get", one)
    assert one["rules"][1]["case_sensitive"] is False and one["rules"][0]["word_boundaries"] is True
    listing = httpx.get(f"{mock.url}{BASE}", headers=h, params={"page_size": "2", "sort": "name",
                                                                "sort_direction": "ascending"}).json()
    _check(spec, BASE, "get", listing)
    names = [d["name"] for d in listing["pronunciation_dictionaries"]]
    assert names == sorted(names, key=str.lower) and listing["has_more"] in (True, False)
    pls = httpx.get(f"{mock.url}{BASE}/{added.json()['id']}/{added.json()['version_id']}/download", headers=h)
    assert pls.headers["content-type"].startswith("text/plain") and "attachment" in pls.headers["content-disposition"]
    assert [r.grapheme for r in parse_pls(pls.content)] == ["UN", "tomato"]


@pytest.mark.parametrize(("method", "path", "kw", "status", "loc"), [
    ("POST", "/add-from-rules", {"json": {"rules": []}}, 422, ["body", "name"]),
    ("POST", "/add-from-rules", {"json": {"name": "x", "rules": [{"type": "alias", "string_to_replace": "a"}]}},
     422, ["body", "rules", 0, "alias"]),
    ("POST", "/add-from-rules", {"json": {"name": "x", "rules": [{"type": "ipa"}]}}, 422, ["body", "rules", 0, "type"]),
    ("POST", "/add-from-rules", {"json": {"name": "x", "rules": [], "workspace_access": "owner"}}, 422,
     ["body", "workspace_access"]),
    ("POST", "/add-from-file", {"data": {"description": "no name"}}, 422, ["body", "name"]),
    ("GET", "", {"params": {"page_size": "101"}}, 422, ["query", "page_size"]),
    ("GET", "", {"params": {"sort": "size"}}, 422, ["query", "sort"]),
])
def test_bad_requests_are_the_services_422(spec, mock: Mock, method: str, path: str, kw: dict, status: int,
                                           loc: list) -> None:
    r = httpx.request(method, f"{mock.url}{BASE}{path}", headers={"xi-api-key": DEMO_KEY}, **kw)
    assert r.status_code == status and r.json()["detail"][0]["loc"] == loc, r.text
    from test_openapi import check_response

    check_response(spec, BASE + path, method.lower(), r.json(), "422")


def test_a_pls_that_cannot_be_read_is_400(mock: Mock) -> None:
    h = {"xi-api-key": DEMO_KEY}
    for bad in (b"<lexicon><lexeme>", b"<speak/>", b'<!DOCTYPE x [<!ENTITY a "b">]><lexicon/>'):
        r = httpx.post(f"{mock.url}{BASE}/add-from-file", headers=h, data={"name": "bad"},
                       files={"file": ("l.pls", bad, "application/pls+xml")})
        assert r.status_code == 400 and r.json()["detail"]["status"] == "invalid_pls_file", r.text


def _run(mock: Mock, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": key or mock.key}
    return subprocess.run([ELEVEN, *args], capture_output=True, env=env, timeout=60, stdin=subprocess.DEVNULL)


def test_an_alias_is_heard_in_the_alignment(mock: Mock, client: Client, tmp_path) -> None:
    made = Dictionaries(client).add_from_rules("heard", [Rule("Nginx", alias="engine x").to_api()])
    text = "Nginx serves pages, NGINX too."
    for locator in (made.locator, made.id):  # a version, or the latest
        r = _run(mock, "timestamps", text, "--dict", locator, "--alignment", "-", "-o", str(tmp_path / "a.mp3"),
                 "--no-play")
        assert r.returncode == 0, err(r)
        said = json.loads(r.stdout)
        assert said["text"] == "engine x serves pages, NGINX too."
        assert [w["word"] for w in said["words"]][:2] == ["engine", "x"]
    plain = _run(mock, "timestamps", text, "--alignment", "-", "-o", str(tmp_path / "b.mp3"), "--no-play")
    assert json.loads(plain.stdout)["text"] == text  # without the dictionary, the word as written
    billed = [e for e in mock.requests("/with-timestamps")][-3:]
    assert all(e["body"]["text"] == text for e in billed)  # what is sent (and billed) is the text as written


def test_an_alias_is_heard_over_the_socket(mock: Mock, client: Client, tmp_path) -> None:
    made = Dictionaries(client).add_from_rules("socket", [Rule("UN", alias="United Nations").to_api()])
    r = _run(mock, "ws", "The UN met today.", "--dict", made.locator, "--alignment", "-", "-o",
             str(tmp_path / "w.mp3"), "--no-play")
    assert r.returncode == 0, err(r)
    assert json.loads(r.stdout)["text"].strip() == "The United Nations met today."  # pieces end with a space


def test_an_alias_is_heard_in_a_dialogue(mock: Mock, client: Client) -> None:
    made = Dictionaries(client).add_from_rules("dialogue", [Rule("UN", alias="United Nations").to_api()])
    body = {"inputs": [{"text": "The UN met.", "voice_id": GEORGE}, {"text": "UN, again.", "voice_id": GEORGE}],
            "pronunciation_dictionary_locators": [{"pronunciation_dictionary_id": made.id}]}
    r = httpx.post(f"{mock.url}/v1/text-to-dialogue/with-timestamps", headers={"xi-api-key": DEMO_KEY}, json=body)
    assert r.status_code == 200, r.text
    assert "".join(r.json()["alignment"]["characters"]) == "The United Nations met. United Nations, again."


def test_an_unknown_dictionary_is_404_and_exit_4(mock: Mock, client: Client, tmp_path) -> None:
    made = Dictionaries(client).add_from_rules("known", [Rule("a", alias="b").to_api()])
    for locator in ("nosuchdictionary", f"{made.id}:nosuchversion"):
        r = _run(mock, "say", "Hello.", "--dict", locator, "-o", str(tmp_path / "x.mp3"))
        assert r.returncode == 4 and "pronunciation_dictionary_not_found" in err(r), err(r)
        assert len(err(r).strip().splitlines()) == 1 and not (tmp_path / "x.mp3").exists()
    r = httpx.post(f"{mock.url}/v1/text-to-speech/{GEORGE}", headers={"xi-api-key": DEMO_KEY}, json={
        "text": "Hi.", "pronunciation_dictionary_locators": [{"pronunciation_dictionary_id": "nope"}]})
    assert r.status_code == 404 and r.json()["detail"]["status"] == "pronunciation_dictionary_not_found"
    with pytest.raises(RejectedError, match="pronunciation_dictionary_not_found"):
        Dictionaries(client).get("nosuchdictionary")
    with pytest.raises(RejectedError, match="pronunciation_dictionary_not_found"):
        Dictionaries(client).download(made.id, "nosuchversion")
    ws = _run(mock, "ws", "Hello.", "--dict", "nosuchdictionary", "-o", str(tmp_path / "w.mp3"), "--no-play")
    assert ws.returncode == 4 and "pronunciation_dictionary_not_found" in err(ws), err(ws)


def test_dictionaries_belong_to_their_account(fresh_mock, tmp_path) -> None:
    accounts = tmp_path / "a.toml"
    accounts.write_text('[[account]]\nkey = "k1"\n[[account]]\nkey = "k2"\n')
    m = fresh_mock("--accounts", str(accounts))
    with Client(m.url, "k1", retries=0) as one, Client(m.url, "k2", retries=0) as two:
        made = Dictionaries(one).add_from_rules("mine", [Rule("a", alias="b").to_api()])
        assert [d.id for d in Dictionaries(one).list_all()] == [made.id]
        assert list(Dictionaries(two).list_all()) == []
        with pytest.raises(RejectedError, match="pronunciation_dictionary_not_found"):
            Dictionaries(two).get(made.id)
    r = _run(m, "say", "a", "--dict", made.locator, "-o", str(tmp_path / "x.mp3"), key="k2")
    assert r.returncode == 4, err(r)


def test_dictionary_for_makes_one_and_finds_it_again(fresh_mock) -> None:
    m = fresh_mock()
    rules = parse_lexicon("Nginx = engine x\nkubectl = kube control\ntomato = /təˈmeɪtoʊ/\n")
    with Client(m.url, m.key, retries=0) as c:
        assert dictionary_for(c, []) is None
        first = dictionary_for(c, rules)
        again = dictionary_for(c, parse_lexicon('"Nginx" = engine x   # the same rules\nkubectl = "kube control"\n'
                                                "tomato = /təˈmeɪtoʊ/"))
        assert first == again and first is not None
        assert len(m.requests(BASE + "/add-from-rules")) == 1
        made = Dictionaries(c).get(first[0])
        assert made.name == dictionary_name(rules) and made.name.startswith("eleven-lexicon-")
        assert made.version_id == first[1] and made.rules == [r.to_api() for r in rules]

        other = dictionary_for(c, rules[:2])  # other rules, another dictionary
        assert other is not None and other[0] != first[0]
        assert len(m.requests(BASE + "/add-from-rules")) == 2

        # A dictionary with the name but other rules (edited elsewhere) is not used in place of ours.
        edited = Dictionaries(c).add_from_rules(dictionary_name(rules[:1]), [Rule("Nginx", alias="N G").to_api()])
        mine = dictionary_for(c, rules[:1])
        assert mine is not None and mine[0] != edited.id
        assert Dictionaries(c).get(mine[0]).rules == [rules[0].to_api()]


def test_prepare_for_a_model(fresh_mock) -> None:
    m = fresh_mock()
    rules = parse_lexicon("Nginx = engine x\ntomato = /təˈmeɪtoʊ/\n")
    with Client(m.url, m.key, retries=0) as c:
        flash = prepare(c, "eleven_flash_v2", rules)
        assert flash.locator and not flash.unheard and not flash.notes and flash.text("Nginx") == "Nginx"
        multi = prepare(c, "eleven_multilingual_v2", rules)
        assert multi.locator == flash.locator  # one dictionary per lexicon, whatever the model
        assert [r.grapheme for r in multi.unheard] == ["tomato"] and "eleven_multilingual_v2" in multi.notes[0]
        in_text = prepare(c, "eleven_multilingual_v2", rules, in_text=True)
        assert in_text.locator is None and in_text.dictionaries == []
        assert in_text.text("Nginx and tomato.") == "engine x and tomato." and "in the text" in in_text.notes[0]
        assert prepare(c, "eleven_v3", []).dictionaries == []
    assert len(m.requests(BASE + "/add-from-rules")) == 1
    assert model_takes_dictionaries("eleven_v3") and not model_takes_dictionaries("eleven_multilingual_sts_v2")


def test_the_official_sdk_against_the_mock(mock: Mock) -> None:
    elevenlabs = pytest.importorskip("elevenlabs")
    from elevenlabs.pronunciation_dictionaries import (
        BodyAddAPronunciationDictionaryV1PronunciationDictionariesAddFromRulesPostRulesItem_Alias as Alias,
    )

    sdk = elevenlabs.ElevenLabs(api_key=DEMO_KEY, base_url=mock.url)
    made = sdk.pronunciation_dictionaries.create_from_rules(
        name="sdk", rules=[Alias(string_to_replace="Nginx", alias="engine x", case_sensitive=True)])
    filed = sdk.pronunciation_dictionaries.create_from_file(name="sdk file", file=("l.pls", PLS))
    assert made.version_rules_num == 1 and filed.version_rules_num == 2
    got = sdk.pronunciation_dictionaries.get(made.id)
    assert got.latest_version_id == made.version_id and got.rules[0].alias == "engine x"
    listed = sdk.pronunciation_dictionaries.list(page_size=100)
    assert {made.id, filed.id} <= {d.id for d in listed.pronunciation_dictionaries}
    pls = b"".join(sdk.pronunciation_dictionaries.download(made.id, made.version_id))
    assert parse_pls(pls)[0] == Rule("Nginx", alias="engine x")
    said = sdk.text_to_speech.convert_with_timestamps(
        voice_id=GEORGE, text="Nginx.", pronunciation_dictionary_locators=[
            {"pronunciation_dictionary_id": made.id, "version_id": made.version_id}])
    assert "".join(said.alignment.characters) == "engine x."
