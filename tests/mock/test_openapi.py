"""The published contract, both ways: every JSON body the mock serves on the endpoints we use, and every
request the CLI sends (as the mock's log records it), validated against ElevenLabs' OpenAPI document."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import DEMO_KEY, ELEVEN, Mock, err

SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "elevenlabs-openapi.json"
pytestmark = pytest.mark.skipif(not SPEC.exists(), reason=f"the OpenAPI document is not here ({SPEC}); CI has it")
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text())


def _validator(spec: dict[str, Any], pointer: str) -> Any:
    """A Draft 2020-12 validator for the schema at `pointer` (refs resolved inside the document)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource("urn:openapi", Resource.from_contents(spec, DRAFT202012))
    return Draft202012Validator({"$ref": "urn:openapi#" + pointer}, registry=registry)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _errors(spec: dict[str, Any], pointer: str, instance: Any) -> list[str]:
    found = sorted(_validator(spec, pointer).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in found]


def response_pointer(path: str, method: str, status: str = "200") -> str:
    return f"/paths/{_escape(path)}/{method}/responses/{status}/content/application~1json/schema"


def check_response(spec: dict[str, Any], template: str, method: str, body: Any, status: str = "200") -> None:
    problems = _errors(spec, response_pointer(template, method, status), body)
    assert not problems, f"{method.upper()} {template} -> {status}:\n" + "\n".join(problems[:20])


CALLS = [  # (template, method, concrete path, query, json body)
    ("/v1/models", "get", "/v1/models", {}, None),
    ("/v1/voices", "get", "/v1/voices", {}, None),
    ("/v1/voices", "get", "/v1/voices", {"show_legacy": "true"}, None),
    ("/v2/voices", "get", "/v2/voices", {}, None),
    ("/v2/voices", "get", "/v2/voices", {"search": "british", "page_size": "2"}, None),
    ("/v2/voices", "get", "/v2/voices", {"voice_type": "default", "sort": "name", "include_total_count": "true"}, None),
    ("/v1/voices/{voice_id}", "get", f"/v1/voices/{GEORGE}", {}, None),
    ("/v1/user", "get", "/v1/user", {}, None),
    ("/v1/user/subscription", "get", "/v1/user/subscription", {}, None),
    ("/v1/single-use-token/{token_type}", "post", "/v1/single-use-token/tts_websocket", {}, None),
    ("/v1/text-to-speech/{voice_id}/with-timestamps", "post", f"/v1/text-to-speech/{GEORGE}/with-timestamps",
     {"output_format": "mp3_22050_32"}, {"text": "It costs $1,234.56 at 3:45 PM, Dr. Smith."}),
    ("/v1/text-to-dialogue/with-timestamps", "post", "/v1/text-to-dialogue/with-timestamps",
     {"output_format": "mp3_22050_32"}, {"inputs": [{"text": "One.", "voice_id": GEORGE},
                                                    {"text": "Two.", "voice_id": "EXAVITQu4vr4xnSDxMaL"}]}),
]


@pytest.mark.parametrize(("template", "method", "path", "query", "body"), CALLS,
                         ids=[f"{c[1]} {c[2]}?{'&'.join(c[3])}" for c in CALLS])
def test_every_json_body_the_mock_serves_matches_the_schema(spec, mock: Mock, template: str, method: str,
                                                           path: str, query: dict[str, str], body: Any) -> None:
    r = httpx.request(method.upper(), mock.url + path, params=query, json=body, headers={"xi-api-key": DEMO_KEY})
    assert r.status_code == 200, r.text
    check_response(spec, template, method, r.json())


def test_streamed_timestamp_chunks_match_the_schema(spec, mock: Mock) -> None:
    with httpx.stream("POST", f"{mock.url}/v1/text-to-speech/{GEORGE}/stream/with-timestamps",
                      params={"output_format": "mp3_22050_32"}, headers={"xi-api-key": DEMO_KEY},
                      json={"text": "Streaming chunks, each one a JSON object."}) as r:
        lines = [json.loads(x) for x in r.iter_lines() if x.strip()]
    assert len(lines) > 1
    for line in lines:
        check_response(spec, "/v1/text-to-speech/{voice_id}/stream/with-timestamps", "post", line)
        assert base64.b64decode(line["audio_base64"])


def test_streamed_dialogue_chunks_match_the_schema(spec, mock: Mock) -> None:
    body = {"inputs": [{"text": "A streamed dialogue.", "voice_id": GEORGE},
                       {"text": "In two voices.", "voice_id": "EXAVITQu4vr4xnSDxMaL"}]}
    with httpx.stream("POST", f"{mock.url}/v1/text-to-dialogue/stream/with-timestamps", json=body,
                      params={"output_format": "mp3_22050_32"}, headers={"xi-api-key": DEMO_KEY}) as r:
        lines = [json.loads(x) for x in r.iter_lines() if x.strip()]
    assert len(lines) > 1
    for line in lines:
        check_response(spec, "/v1/text-to-dialogue/stream/with-timestamps", "post", line)


@pytest.mark.parametrize(("path", "body", "status"), [
    (f"/v1/text-to-speech/{GEORGE}", {"txt": "no text field"}, "422"),
    (f"/v1/text-to-speech/{GEORGE}", {"text": "x", "voice_settings": {"stability": 3}}, "422"),
    ("/v1/text-to-dialogue", {"inputs": [{"text": "x"}]}, "422"),
])
def test_validation_errors_match_the_schema(spec, mock: Mock, path: str, body: Any, status: str) -> None:
    r = httpx.post(mock.url + path, json=body, headers={"xi-api-key": DEMO_KEY})
    assert str(r.status_code) == status
    template = "/v1/text-to-dialogue" if "dialogue" in path else "/v1/text-to-speech/{voice_id}"
    check_response(spec, template, "post", r.json(), status)


def _operation(spec: dict[str, Any], path: str, method: str) -> tuple[str, dict[str, Any]]:
    """The path template and operation a concrete request path belongs to."""
    parts = path.strip("/").split("/")
    for template, ops in spec["paths"].items():
        tparts = template.strip("/").split("/")
        if len(tparts) == len(parts) and method.lower() in ops and all(
                t == p or (t.startswith("{") and t.endswith("}")) for t, p in zip(tparts, parts, strict=True)):
            return template, ops[method.lower()]
    raise AssertionError(f"no operation for {method} {path} in the OpenAPI document")


def check_request(spec: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    template, op = _operation(spec, entry["path"], entry["method"])
    problems = []
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    for name, raw in (entry.get("query") or {}).items():
        if name not in params:
            problems.append(f"{template}: query parameter {name!r} is not in the contract")
            continue
        schema = params[name].get("schema", {})
        value: Any = raw
        kinds = {s.get("type") for s in schema.get("anyOf", [schema])}
        if "boolean" in kinds and raw in ("true", "false"):
            value = raw == "true"
        elif "integer" in kinds and raw.lstrip("-").isdigit():
            value = int(raw)
        idx = op["parameters"].index(params[name])
        pointer = f"/paths/{_escape(template)}/{entry['method'].lower()}/parameters/{idx}/schema"
        problems += [f"{template} ?{name}={raw}: {p}" for p in _errors(spec, pointer, value)]
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required") and p["name"] not in (entry.get("query") or {}):
            problems.append(f"{template}: required query parameter {p['name']!r} missing")
    if "requestBody" in op and entry.get("body") is not None:
        content = op["requestBody"]["content"]
        if "application/json" in content:
            operation = f"/paths/{_escape(template)}/{entry['method'].lower()}"
            pointer = f"{operation}/requestBody/content/application~1json/schema"
            problems += [f"{template} body: {p}" for p in _errors(spec, pointer, entry["body"])]
    return problems


def test_every_request_the_cli_sends_matches_the_schema(spec, mock: Mock, tmp_path: Path) -> None:
    env = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": mock.key}
    book = tmp_path / "book"
    book.mkdir()
    (book / "a.txt").write_text("First item.")
    long_text = " ".join(f"Sentence {n} makes a text long enough to need two requests." for n in range(100))
    runs = [
        ["models"], ["voices"], ["voices", "british"], ["auth", "status"],
        ["say", "Hello there.", "-o", "a.mp3", "--stability", "0.4", "--similarity", "0.7", "--style", "0.1",
         "--speed", "1.1", "--seed", "7", "--language", "en", "--normalize", "on", "--latency", "2",
         "--no-logging", "--dict", "{dictionary}", "--previous-text", "Before.", "--next-text", "After.",
         "-m", "eleven_flash_v2_5"],
        ["say", long_text, "-m", "eleven_v3", "-o", "long.wav"],
        ["stream", "Streaming.", "-o", "s.opus", "--no-play"],
        ["timestamps", "Timing.", "--srt", "t.srt", "--no-play"],
        ["timestamps", "Timing, streamed.", "--stream", "--vtt", "t.vtt", "--no-play"],
        ["ws", "Over the socket.", "-o", "w.mp3", "--no-play", "--token"],
        ["batch", str(book), "-d", "out", "--srt"],
        ["dialogue", "script.txt", "-o", "d.mp3", "--stability", "0.5", "--seed", "3", "--normalize", "auto",
         "--vtt", "d.vtt"],
        ["dialogue", "script.txt", "-o", "-"],
    ]
    (tmp_path / "script.txt").write_text("George: One line.\nSarah: Another line.\n")
    mock.clear()
    made = httpx.post(f"{mock.url}/v1/pronunciation-dictionaries/add-from-rules", headers={"xi-api-key": mock.key},
                      json={"name": "words", "rules": [{"type": "alias", "string_to_replace": "Hello", "alias": "Hi"}]})
    dictionary = f"{made.json()['id']}:{made.json()['version_id']}"  # the mock knows it: an unknown one is a 404
    for args in runs:
        args = [a.replace("{dictionary}", dictionary) for a in args]
        r = subprocess.run([ELEVEN, *args], capture_output=True, env=env, cwd=tmp_path, timeout=120)
        assert r.returncode == 0, (args, err(r))
    log = [e for e in mock.requests() if e.get("kind") == "http" and not e["path"].startswith("/__mock__")]
    assert len({e["path"].split("/")[2] for e in log}) >= 4 and len(log) >= 12
    problems = [p for e in log for p in check_request(spec, e)]
    assert not problems, "\n".join(problems)
