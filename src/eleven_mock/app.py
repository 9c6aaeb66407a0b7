"""The mock's ASGI application: ElevenLabs' HTTP routes, plus /__mock__ control endpoints."""

from __future__ import annotations

import base64
import json
import math
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute

from eleven_cli.formats import FORMATS
from eleven_mock import data, history
from eleven_mock.dictionaries import spoken
from eleven_mock.faults import FaultMiddleware
from eleven_mock.speech import Job, alignment, audio_stream, normalize, speak, timestamp_stream, voicing_for
from eleven_mock.state import Account, MockState, parse_fault
from eleven_mock.validate import ApiFailure, check_body, check_query, fail, json_object

TIER_FORMATS = {  # formats a tier may not use, as the service documents
    "free": {"mp3_44100_192", "pcm_44100", "wav_44100", "pcm_48000", "wav_48000"},
    "starter": {"mp3_44100_192", "pcm_44100", "wav_44100", "pcm_48000", "wav_48000"},
    "creator": {"pcm_44100", "wav_44100", "pcm_48000", "wav_48000"},
}


def new_id() -> str:
    return secrets.token_urlsafe(15).replace("-", "x").replace("_", "y")


def error_response(exc: ApiFailure) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=exc.headers)


def authenticate(state: MockState, request: Request) -> Account:
    key = request.headers.get("xi-api-key")
    account = state.account(key)
    if account is None:
        raise fail(401, "invalid_api_key", "Invalid API key" if key else
                   "Missing xi-api-key header: pass your API key in the xi-api-key header")
    return account


def handler(fn: Any) -> Any:
    """Turn ApiFailure into the service's error body."""

    async def wrapped(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiFailure as exc:
            return error_response(exc)

    return wrapped


def _state(conn: Any) -> MockState:
    """The server state, kept on the application (one per `build`)."""
    return conn.app.state.mock


@handler
async def models(request: Request) -> Response:
    authenticate(_state(request), request)
    return JSONResponse(data.MODELS)


@handler
async def voices_v1(request: Request) -> Response:
    authenticate(_state(request), request)
    legacy = request.query_params.get("show_legacy", "false").lower() == "true"
    voices = [data.public(v, str(request.base_url)) for v in data.VOICES if legacy or not v["is_legacy"]]
    return JSONResponse({"voices": voices})


@handler
async def voice_one(request: Request) -> Response:
    authenticate(_state(request), request)
    voice = data.VOICE_BY_ID.get(request.path_params["voice_id"])
    if voice is None:
        raise _voice_missing(request.path_params["voice_id"])
    return JSONResponse(data.public(voice, str(request.base_url)))


@handler
async def voices_v2(request: Request) -> Response:
    authenticate(_state(request), request)
    return JSONResponse(search_voices(request.query_params.multi_items(), str(request.base_url)))


@handler
async def user(request: Request) -> Response:
    account = authenticate(_state(request), request)
    return JSONResponse({
        "user_id": account.user_id, "subscription": subscription(account),
        "subscription_extras": None, "is_new_user": False, "xi_api_key": None,
        "can_use_delayed_payment_methods": False, "is_onboarding_completed": True,
        "is_onboarding_checklist_completed": True, "first_name": "Mock",
        "is_api_key_hashed": True, "xi_api_key_preview": None, "referral_link_code": None,
        "partnerstack_partner_default_link": None, "created_at": 1700000000,
        "seat_type": "workspace_admin", "workspace_id": "mockworkspace",
    })


@handler
async def user_subscription(request: Request) -> Response:
    return JSONResponse(subscription(authenticate(_state(request), request)))


@handler
async def token(request: Request) -> Response:
    state = _state(request)
    account = authenticate(state, request)
    kind = request.path_params["token_type"]
    if kind not in TOKEN_TYPES:  # the SingleUseTokenType enum of the published contract
        raise ApiFailure(422, [{"type": "enum", "loc": ["path", "token_type"],
                                "msg": "Input should be " + " or ".join(f"'{t}'" for t in TOKEN_TYPES),
                                "input": kind, "ctx": {"expected": " or ".join(f"'{t}'" for t in TOKEN_TYPES)}}])
    return JSONResponse({"token": state.issue_token(account.key, kind)})


async def preview(request: Request) -> Response:
    """A voice's preview_url: a short sample in that voice, made once."""
    voice = data.VOICE_BY_ID.get(request.path_params["voice_id"])
    if voice is None:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    if voice["voice_id"] not in _PREVIEWS:
        from eleven_mock.encode import Encoder

        job = Job(f"Hello, my name is {voice['name']}. {voice['description']}",
                  voicing_for(voice, {}, data.MODEL_BY_ID["eleven_multilingual_v2"]), 1.0, FORMATS["mp3_44100_128"])
        speech = await anyio.to_thread.run_sync(speak, job)
        enc = Encoder(job.fmt)
        _PREVIEWS[voice["voice_id"]] = enc.feed(speech.samples.tobytes()) + enc.flush()
    return Response(_PREVIEWS[voice["voice_id"]], media_type="audio/mpeg")


async def _tts_body(request: Request) -> dict[str, Any]:
    """The checked JSON body of a text-to-speech request."""
    return check_body(json_object(await request.body()))


TOKEN_TYPES = ("realtime_scribe", "tts_websocket")
_PREVIEWS: dict[str, bytes] = {}
_CONTINUITY = ("previous_text", "next_text", "previous_request_ids", "next_request_ids")


def _tts_rules(account: Account, body: dict[str, Any], fmt_name: str) -> tuple[dict[str, Any], int]:
    """The service's rules for one request (model, text, language, tier); returns (model, cost)."""
    model_id = body.get("model_id") or "eleven_multilingual_v2"
    model = data.MODEL_BY_ID.get(model_id)
    if model is None or not model["can_do_text_to_speech"]:
        raise fail(400, "model_not_found" if model is None else "model_cannot_do_tts",
                   f"A model with model ID {model_id} does not exist or cannot do text to speech.")
    text: str = body["text"]
    if not text.strip():
        raise fail(400, "empty_text", "Text must contain at least one non-whitespace character.")
    limit = model["maximum_text_length_per_request"]
    if len(text) > limit:
        raise fail(400, "max_character_limit_exceeded",
                   f"Text is {len(text)} characters long, above the limit of {limit} characters "
                   f"for model {model_id}. Split the text into shorter requests.")
    lang = body.get("language_code")
    if lang and model_id not in data.LANGUAGE_CODE_MODELS:
        # Spec comment: the service documents language_code as unsupported by these models; the error
        # code is not documented, so the mock uses the one it uses for an unknown language.
        raise fail(400, "unsupported_language",
                   f"Model {model_id} does not accept a language_code; it detects the language. Models that do: "
                   f"{', '.join(sorted(data.LANGUAGE_CODE_MODELS))}.")
    if lang and lang not in {x["language_id"] for x in model["languages"]}:
        raise fail(400, "unsupported_language", f"Model {model_id} does not support language_code {lang!r}.")
    given = [k for k in _CONTINUITY if body.get(k)]
    if given and model_id in data.NO_CONTINUITY_MODELS:
        raise fail(400, "unsupported_model_parameter",
                   f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not supported with model {model_id}.")
    if fmt_name in TIER_FORMATS.get(account.tier, set()):
        raise fail(403, "output_format_not_allowed",
                   f"The output format {fmt_name} is not available on the {account.tier} tier.")
    return model, math.ceil(len(text) * model["token_cost_factor"])


class _Slot:
    """One of the account's concurrent-request slots, released exactly once."""

    def __init__(self, state: MockState, account: Account) -> None:
        if not state.acquire(account):
            raise fail(429, "too_many_concurrent_requests",
                       f"Too many concurrent requests: this key allows {account.max_concurrency}; "
                       "wait for one to finish or upgrade.")
        self.state, self.account, self.released = state, account, False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self.state.release(self.account)


async def _tts(request: Request, kind: str) -> Response:
    """The four text-to-speech endpoints: convert, stream, timestamps, stream_ts."""
    t0 = time.monotonic()
    state = _state(request)
    account = authenticate(state, request)
    fmt_name, logging = check_query(dict(request.query_params), kind in ("stream", "stream_ts"))
    body = await _tts_body(request)
    voice = data.VOICE_BY_ID.get(request.path_params["voice_id"])
    if voice is None:
        raise _voice_missing(request.path_params["voice_id"])
    model, cost = _tts_rules(account, body, fmt_name)
    rules = state.dictionaries.rules_for(account.key, body.get("pronunciation_dictionary_locators"))
    settings = body.get("voice_settings") or {}
    job = Job(spoken(body["text"], rules), voicing_for(voice, body, model), float(settings.get("speed") or 1.0),
              FORMATS[fmt_name])
    return await respond(state, account, kind, cost, t0, lambda: (job, speak(job), None),
                         history.draft_speech(voice["voice_id"], body, model, fmt_name, logging))


async def respond(state: MockState, account: Account, kind: str, cost: int, t0: float, make: Any,
                  draft: dict[str, Any] | None = None) -> Response:
    """Take a concurrency slot, charge, synthesise (`make`, in a thread: job, speech and a dialogue's voice
    segments or None), and answer in the shape of the endpoint: a whole file, a paced stream, JSON with
    timing, or NDJSON chunks with timing."""
    slot = _Slot(state, account)
    try:
        if not state.charge(account, cost):
            left = account.character_limit - account.character_count
            raise fail(401, "quota_exceeded",
                       f"This request exceeds your quota of {account.character_limit}. You have "
                       f"{left} credits remaining, while {cost} credits are required.")
        count_to = account.character_count
        job, speech, segments = await anyio.to_thread.run_sync(make)
    except BaseException:
        slot.release()
        raise
    headers = _headers(account, cost, t0)
    history.remember(state.history, account.key, draft, headers, count_to, cost, make)
    extra = {} if segments is None else {"voice_segments": segments}
    if kind == "timestamps":
        try:
            chunks = [c async for c in audio_stream(job, speech, state.ttfb, state.rtf, t0, True)]
        finally:
            slot.release()
        ntext, ns, ne = normalize(job.text, speech.starts, speech.ends)
        return JSONResponse({
            "audio_base64": base64.b64encode(b"".join(chunks)).decode(),
            "alignment": alignment(job.text, speech.starts, speech.ends),
            "normalized_alignment": alignment(ntext, ns, ne), **extra,
        }, headers=headers)
    if kind == "stream_ts":
        lines = timestamp_stream(job, speech, state.ttfb, state.rtf, t0)
        if segments is not None:
            from eleven_mock.dialogue import with_segments

            lines = with_segments(lines, segments)
        return StreamingResponse(_ndjson(lines, slot.release), media_type="application/x-ndjson", headers=headers)
    chunks_iter = audio_stream(job, speech, state.ttfb, state.rtf, t0, kind == "convert")
    return StreamingResponse(_guarded(chunks_iter, slot.release), media_type=job.fmt.mime, headers=headers)


def _headers(account: Account, cost: int, t0: float) -> dict[str, str]:
    """The response headers of a synthesis: ids, what it cost, the account's concurrency."""
    return {
        "request-id": new_id(), "history-item-id": new_id(),
        "x-character-count": str(cost), "character-cost": str(cost),
        "current-concurrent-requests": str(account.in_flight),
        "maximum-concurrent-requests": str(account.max_concurrency),
        "tts-latency-ms": str(int((time.monotonic() - t0) * 1000)),
    }


async def _dialogue(request: Request, kind: str) -> Response:
    """The four text-to-dialogue endpoints, shaped as the text-to-speech ones."""
    from eleven_mock import dialogue

    t0 = time.monotonic()
    state = _state(request)
    account = authenticate(state, request)
    fmt_name, logging = check_query(dict(request.query_params), kind in ("stream", "stream_ts"))
    body, model, cost = dialogue.check(await request.body(), fmt_name, TIER_FORMATS.get(account.tier, set()),
                                       account.tier)
    rules = state.dictionaries.rules_for(account.key, body.get("pronunciation_dictionary_locators"))
    said = {**body, "inputs": [{**turn, "text": spoken(turn["text"], rules)} for turn in body["inputs"]]}
    return await respond(state, account, kind, cost, t0,
                         lambda: dialogue.perform(said, model, fmt_name, kind in ("stream", "stream_ts")),
                         history.draft_dialogue(body, model, fmt_name, logging))


def _endpoint(serve: Any, kind: str) -> Any:
    """One route's handler: `serve` (text-to-speech or text-to-dialogue) in the shape `kind`."""

    @handler
    async def endpoint(request: Request) -> Response:
        return await serve(request, kind)

    endpoint.__name__ = f"{serve.__name__.strip('_')}_{kind}"
    return endpoint


async def mock_faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":  # the list given replaces the faults ({"faults": []} clears them)
        try:
            payload = json.loads(await request.body() or b"{}")
            specs = payload.get("faults", []) if isinstance(payload, dict) else payload
            parsed = [parse_fault(str(s)) for s in specs]
        except (ValueError, AttributeError, TypeError) as exc:
            return JSONResponse({"detail": {"status": "bad_fault", "message": str(exc)}}, status_code=400)
        if isinstance(payload, dict) and payload.get("append"):
            state.faults.extend(parsed)
        else:
            state.faults[:] = parsed
    elif request.method == "DELETE":
        state.faults.clear()
    return JSONResponse({"faults": [f.describe() for f in state.faults]})


async def mock_requests(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.clear_log()
    return JSONResponse(state.logged())


async def mock_accounts(request: Request) -> Response:
    state = _state(request)
    return JSONResponse([
        {"key_preview": a.key[:3] + "…" + a.key[-2:], "tier": a.tier, "character_count": a.character_count,
         "character_limit": a.character_limit, "max_concurrency": a.max_concurrency,
         "in_flight": a.in_flight, "peak_concurrency": state.peak_concurrency.get(a.key, 0)}
        for a in state.accounts.values()
    ])


@handler
async def history_endpoint(request: Request) -> Response:
    state = _state(request)
    return await history.route(request, state.history, authenticate(state, request).key)


@handler
async def dictionaries_endpoint(request: Request) -> Response:
    from eleven_mock import dictionaries

    state = _state(request)
    account = authenticate(state, request)
    return await dictionaries.route(request, state.dictionaries, account.key, account.user_id)


async def stream_input_endpoint(websocket: Any) -> None:
    from eleven_mock.ws import stream_input

    await stream_input(_state(websocket), websocket)


async def multi_stream_input_endpoint(websocket: Any) -> None:
    from eleven_mock.multi import multi_stream_input

    await multi_stream_input(_state(websocket), websocket)


async def dialogue_socket_endpoint(websocket: Any) -> None:
    from eleven_mock.dialogue_ws import dialogue_stream_input

    await dialogue_stream_input(_state(websocket), websocket)


async def not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": "Not Found"}, status_code=404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"detail": "Method Not Allowed"}, status_code=405)


PREFIX = "/v1/text-to-speech/{voice_id}"
ROUTES = [
    Route("/v1/models", models),
    Route("/v1/voices", voices_v1),
    Route("/v1/voices/{voice_id}", voice_one),
    Route("/v2/voices", voices_v2),
    Route("/v1/user", user),
    Route("/v1/user/subscription", user_subscription),
    Route("/v1/single-use-token/{token_type}", token, methods=["POST"]),
    Route("/v1/history", history_endpoint),
    Route("/v1/history/download", history_endpoint, methods=["POST"]),
    Route("/v1/history/{history_item_id}", history_endpoint, methods=["GET", "DELETE"]),
    Route("/v1/history/{history_item_id}/audio", history_endpoint),
    Route("/v1/pronunciation-dictionaries", dictionaries_endpoint),
    Route("/v1/pronunciation-dictionaries/add-from-rules", dictionaries_endpoint, methods=["POST"]),
    Route("/v1/pronunciation-dictionaries/add-from-file", dictionaries_endpoint, methods=["POST"]),
    Route("/v1/pronunciation-dictionaries/{pronunciation_dictionary_id}", dictionaries_endpoint),
    Route("/v1/pronunciation-dictionaries/{dictionary_id}/{version_id}/download", dictionaries_endpoint),
    *[Route(base + suffix, _endpoint(serve, kind), methods=["POST"])
      for base, serve in ((PREFIX, _tts), ("/v1/text-to-dialogue", _dialogue))
      for suffix, kind in (("", "convert"), ("/stream", "stream"), ("/with-timestamps", "timestamps"),
                           ("/stream/with-timestamps", "stream_ts"))],
    WebSocketRoute(PREFIX + "/stream-input", stream_input_endpoint),
    WebSocketRoute(PREFIX + "/multi-stream-input", multi_stream_input_endpoint),
    WebSocketRoute("/v1/text-to-dialogue/multi-stream-input", dialogue_socket_endpoint),
    Route("/__mock__/faults", mock_faults, methods=["GET", "POST", "DELETE"]),
    Route("/__mock__/requests", mock_requests, methods=["GET", "DELETE"]),
    Route("/__mock__/accounts", mock_accounts),
    Route("/__mock__/previews/{voice_id}.mp3", preview),
]


def build(state: MockState) -> Starlette:
    """The Starlette app serving `state`."""
    app = Starlette(routes=ROUTES, exception_handlers={404: not_found, 405: not_allowed})
    app.state.mock = state
    app.add_middleware(FaultMiddleware, state=state)
    return app


def _voice_missing(voice_id: str) -> ApiFailure:
    return fail(404, "voice_not_found", f"A voice with the voice_id {voice_id} was not found.")


async def _guarded(chunks: AsyncIterator[bytes], release: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        release()


async def _ndjson(lines: AsyncIterator[dict[str, Any]], release: Any) -> AsyncIterator[bytes]:
    try:
        async for line in lines:
            yield (json.dumps(line, separators=(",", ":")) + "\n").encode()
    finally:
        release()


def subscription(account: Account) -> dict[str, Any]:
    """The /v1/user/subscription body for an account."""
    now = int(time.time())
    return {
        "tier": account.tier, "character_count": account.character_count,
        "character_limit": account.character_limit, "max_character_limit_extension": None,
        "max_credit_limit_extension": 0 if account.tier == "free" else "unlimited",
        "can_extend_character_limit": account.tier != "free",
        "allowed_to_extend_character_limit": account.tier != "free",
        "next_character_count_reset_unix": now - now % 86400 + 30 * 86400,
        "voice_slots_used": 1, "professional_voice_slots_used": 0,
        "professional_voice_slots_used_in_workspace": 0, "voice_limit": 30,
        "max_voice_add_edits": None, "voice_add_edit_counter": 0, "professional_voice_limit": 1,
        "can_extend_voice_limit": False, "can_use_instant_voice_cloning": True,
        "can_use_professional_voice_cloning": account.tier not in ("free", "starter"),
        "currency": "usd", "status": "active", "billing_period": "monthly_period",
        "character_refresh_period": "monthly_period", "can_use_delayed_payment_methods": False,
        "current_overage": {"amount": "0.00", "currency": "usd"}, "open_invoices": [],
        "has_open_invoices": False, "pending_change": None,
        "max_concurrency": account.max_concurrency,
    }


_LISTS = {"voice_ids", "language", "use_cases"}  # repeated (or comma-separated) query parameters


def _filters(query: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in query:
        values = [v for v in value.split(",") if v] if key in _LISTS else [value]
        out.setdefault(key, []).extend(values)
    return out


def _matches(v: dict[str, Any], q: dict[str, list[str]]) -> bool:
    """The /v2/voices filters, as the SDKs document them."""
    labels = {k: str(x).lower() for k, x in v["labels"].items()}
    one = lambda name: (q.get(name) or [""])[0].lower()  # noqa: E731
    needle = one("search")
    hay = " ".join([v["name"], v["description"] or "", v["category"], *labels.values()]).lower()
    vtype = one("voice_type")
    checks = [
        not needle or needle in hay,
        not one("category") or v["category"] == one("category"),
        vtype not in ("personal", "non-default", "non-community", "saved", "workspace") or v["category"] != "premade",
        vtype != "default" or v["category"] == "premade",
        vtype != "community",  # the mock's library has no community voices
        all(not one(k) or labels.get(k) == one(k) for k in ("gender", "age", "accent")),
        not q.get("language") or labels.get("language", "en") in {x.lower() for x in q["language"]},
        not q.get("use_cases") or labels.get("use_case") in {x.lower() for x in q["use_cases"]},
        not q.get("voice_ids") or v["voice_id"] in q["voice_ids"],
    ]
    return all(checks)


def search_voices(items: list[tuple[str, str]], base_url: str | None = None) -> dict[str, Any]:
    """GET /v2/voices: search, filter, sort and paginate."""
    from eleven_mock.validate import Problems

    q = _filters(items)
    query = {k: v[0] for k, v in q.items()}
    p = Problems()
    try:
        page_size = int(query.get("page_size", "10"))
    except ValueError:
        page_size = -1
    p.number(["query", "page_size"], page_size, 1, 100, integer=True)
    sort = query.get("sort", "created_at_unix")
    if sort not in ("created_at_unix", "name"):
        p.add("enum", ["query", "sort"], "Input should be 'created_at_unix' or 'name'", sort)
    direction = query.get("sort_direction", "desc")
    if direction not in ("asc", "desc"):
        p.add("enum", ["query", "sort_direction"], "Input should be 'asc' or 'desc'", direction)
    token = query.get("next_page_token")
    offset = 0
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
        except ValueError:
            p.add("value_error", ["query", "next_page_token"], "Invalid page token", token)
    p.raise_if_any()
    if len(q.get("voice_ids") or []) > 100:
        p.add("too_long", ["query", "voice_ids"], "List should have at most 100 items", q["voice_ids"])
    p.raise_if_any()
    found = [v for v in data.VOICES if _matches(v, q)]
    key = "name" if sort == "name" else "created_at_unix"
    found.sort(key=lambda v: (v[key].lower() if key == "name" else v[key]), reverse=direction == "desc")
    page = found[offset : offset + page_size]
    more = offset + page_size < len(found)
    nxt = base64.urlsafe_b64encode(f"offset:{offset + page_size}".encode()).decode() if more else None
    return {"voices": [data.public(v, base_url) for v in page], "has_more": more, "total_count": len(found),
            "next_page_token": nxt}
