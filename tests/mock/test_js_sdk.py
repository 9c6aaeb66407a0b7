"""The official JavaScript SDK (@elevenlabs/elevenlabs-js, which parses every response strictly) against
`eleven mock`; and every JSON body checked against the Python SDK's own response types."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from conftest import DEMO_KEY, Mock, decode_duration

JS = Path(__file__).resolve().parents[1] / "js"
GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")),
                    reason="node and npm are not installed here (.ci/run installs them; CI always runs this)")
def test_the_javascript_sdk_parses_everything_and_gets_real_audio(mock: Mock, tmp_path: Path) -> None:
    if not (JS / "node_modules" / "@elevenlabs" / "elevenlabs-js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True,
                       timeout=600)
    env = {**os.environ, "ELEVENLABS_BASE_URL": mock.url, "ELEVENLABS_API_KEY": DEMO_KEY, "OUTDIR": str(tmp_path)}
    run = subprocess.run(["node", "run.mjs"], cwd=JS, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    failed = [r for r in report if not r["ok"]]
    assert not failed, json.dumps(failed, indent=1)
    assert len(report) == 17 and not any("ParseError" in (r.get("error") or "") for r in report)
    for r in report:
        if "file" in r:
            data = Path(r["file"]).read_bytes()
            seconds = len(data) / 8000 if r["file"].endswith(".ulaw") else decode_duration(data)
            assert seconds > 1.0, (r["name"], seconds)


BODIES = [  # (method, path, query, json, the Python SDK type the body must validate as)
    ("GET", "/v1/models", {}, None, "list[Model]"),
    ("GET", "/v1/voices", {"show_legacy": "true"}, None, "GetVoicesResponse"),
    ("GET", "/v2/voices", {"search": "a", "include_total_count": "true"}, None, "GetVoicesV2Response"),
    ("GET", f"/v1/voices/{GEORGE}", {}, None, "Voice"),
    ("GET", "/v1/user", {}, None, "User"),
    ("GET", "/v1/user/subscription", {}, None, "Subscription"),
    ("POST", "/v1/single-use-token/tts_websocket", {}, None, "SingleUseTokenResponseModel"),
    ("POST", f"/v1/text-to-speech/{GEORGE}/with-timestamps", {}, {"text": "Timed."}, "AudioWithTimestampsResponse"),
    ("POST", f"/v1/text-to-speech/{GEORGE}", {}, {"txt": "no text"}, "HttpValidationError"),
]


@pytest.mark.parametrize(("method", "path", "query", "body", "kind"), BODIES, ids=[b[4] for b in BODIES])
def test_json_bodies_validate_as_the_python_sdk_types(mock: Mock, method: str, path: str, query: dict,
                                                      body: object, kind: str) -> None:
    import elevenlabs.types as types
    from pydantic import TypeAdapter

    r = httpx.request(method, mock.url + path, params=query, json=body, headers={"xi-api-key": DEMO_KEY})
    target = list[types.Model] if kind == "list[Model]" else getattr(types, kind)
    parsed = TypeAdapter(target).validate_python(r.json(), strict=False)
    assert parsed
    if kind == "Subscription":
        assert parsed.max_credit_limit_extension is not None  # type: ignore[union-attr]
