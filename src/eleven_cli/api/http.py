"""HTTP side of the client: one httpx.Client, retries, and the single place errors are mapped.

Nothing here imports typer or rich; every failure leaves as an eleven_cli.errors exception.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from eleven_cli import __version__, timeline
from eleven_cli.api import first, neterrors, tls
from eleven_cli.api.status import status_error
from eleven_cli.api.transport import check_key, check_transport
from eleven_cli.api.types import Meta, Model, Subscription, TimedChunk, Voice, WireRequest
from eleven_cli.errors import (
    AuthError,
    BrokenAudioError,
    ElevenError,
    NetworkError,
    RejectedError,
    UnavailableError,
    UsageError,
)

if TYPE_CHECKING:
    import ssl

    import httpx

    Response = httpx.Response | first.Response

RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
Trace = Callable[[str], None]


def _httpx():  # type: ignore[no-untyped-def]
    """httpx, loaded when a request needs it (a client's first request goes without: api/first.py)."""
    # httpx imports its own command line (click, rich, pygments) when they are installed; we never use
    # it, and it costs start-up time and would drag a UI library into the API layer.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    import httpx

    return httpx


def _detail(response: Response) -> tuple[str | None, str | None]:
    """(status code word, message) from an error body, whatever its shape."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None, None
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, str):
        return None, detail
    if isinstance(detail, dict):
        msg = detail.get("message") or detail.get("msg")
        return (str(detail["status"]) if detail.get("status") else None), (str(msg) if msg else None)
    if isinstance(detail, list) and detail:
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x not in ("body", "query"))
                parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
        return "validation_error", "; ".join(parts)
    return None, None


def error_for(response: Response, path: str) -> ElevenError:
    """Map an error response to `path` to our exception (and so to its exit code)."""
    status = response.status_code
    code, message = _detail(response)
    rid = response.headers.get("request-id")
    if status == 404 and code is None and message == "Not Found":
        return RejectedError(f"not found ({status}): the server has no {path}",
                             status=status, request_id=rid, hint="check the base URL",
                             cli_hint="check --base-url")
    return status_error(status, code, message, request_id=rid)


def _network_error(exc: Exception, url: str) -> NetworkError:
    """An httpx failure, named in the words both transports share (api/neterrors.py)."""
    httpx = _httpx()
    host = neterrors.server(url)
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return neterrors.failure("connect_timeout", host)
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
        return neterrors.failure("read_timeout", host)
    if isinstance(exc, httpx.ConnectError):
        return neterrors.failure(neterrors.connect_kind(text), host, text or type(exc).__name__)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return neterrors.dropped(host)
    if isinstance(exc, httpx.ProxyError):
        return neterrors.failure("proxy", host, text)
    if isinstance(exc, httpx.LocalProtocolError):  # its text may quote a header, the key among them
        return neterrors.failure("other", host, "the request could not be sent as HTTP")
    return neterrors.failure("other", host, text or type(exc).__name__)


@contextlib.contextmanager
def mapped(url: str, midway: bool = False) -> Iterator[None]:
    """The one place transport exceptions become ours. `midway`: while a body is read, after the
    request's own retries: a failure there may be retried by whoever knows nothing was handed on."""
    try:
        yield
    except ElevenError as ours:
        if not midway and isinstance(ours, NetworkError):
            ours.retryable = False  # as for httpx's failures: whatever the transport
        raise
    except Exception as exc:
        ssl = sys.modules.get("ssl")  # not loaded (a plain-http server): the failure cannot be a TLS one
        if ssl is not None and isinstance(exc, ssl.SSLError):
            if any(s in str(exc).lower() for s in neterrors.NOT_TLS):
                raise neterrors.failure("tls", neterrors.server(url), str(exc)) from None
            raise NetworkError(f"TLS error: {exc}", hint=neterrors.CA_HINT, cli_hint=neterrors.CA_CLI) from None
        httpx = sys.modules.get("httpx")  # not loaded: the failure cannot be one of its own
        if httpx is not None and isinstance(exc, httpx.HTTPError):
            err = _network_error(exc, url)
            err.retryable = midway and err.retryable
            raise err from None
        if not isinstance(exc, OSError):
            raise
        err = NetworkError(f"network error: {exc.strerror or exc}")
        err.retryable = midway
        raise err from None


class Client:
    """A synchronous ElevenLabs client with connection reuse and retries before the first byte."""

    def __init__(self, base_url: str, api_key: str | None, *, timeout: float = 60.0, retries: int = 3,
                 trace: Trace | None = None, ca_bundle: str | None = None, backoff: float = 0.4,
                 on_retry: Callable[[str], None] | None = None,
                 on_headers: Callable[[Meta], None] | None = None,
                 wait: Callable[[float], None] | None = None, transport: httpx.BaseTransport | None = None) -> None:
        check_transport(base_url)
        check_key(api_key)
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.retries = retries
        self.backoff = backoff
        self.trace = trace
        self.on_retry = on_retry
        self.on_headers = on_headers  # e.g. batch reads the concurrency limit from the first response
        self.wait = wait or time.sleep  # e.g. batch lends its concurrency slot while a retry waits
        self.headers = {"user-agent": f"eleven-cli/{__version__}", "accept-encoding": "identity"}
        if api_key:
            self.headers["xi-api-key"] = api_key
        # A plain-http base URL (loopback only, see check_transport) never negotiates TLS: no CA store
        # is loaded (25-60 ms). Otherwise the trust comes from api/tls.py, often already loaded in the
        # background while the CLI was starting.
        self.verify: ssl.SSLContext | None = None
        if urlsplit(base_url).scheme != "http":
            self.verify = tls.context(ca_bundle)
        elif ca_bundle and not os.path.isfile(ca_bundle):
            raise UsageError(f"cannot load CA bundle {ca_bundle}: no such file")
        self.timeout = timeout
        self.transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        # The first request may go over a plain socket before httpx has loaded (api/first.py); not with a
        # user name in the URL (httpx sends it as Basic authorisation).
        parts = urlsplit(base_url)
        self._first_free = transport is None and first.usable() and not (parts.username or parts.password)
        self._early: first.Early | None = None

    def preconnect(self) -> None:
        """Open the first request's connection now, in the background, while the caller gets ready (once;
        nothing when the first request goes through httpx or has gone)."""
        with self._lock:
            if self._first_free and self._early is None:
                self._early = first.Early(self.base_url, min(self.timeout, 15.0), self.verify)

    @property
    def _http(self) -> httpx.Client:
        """The httpx client, made on first use (one, shared by threads)."""
        with self._lock:
            if self._client is None:
                httpx = _httpx()
                self._client = httpx.Client(base_url=self.base_url, headers=self.headers,
                                            verify=self.verify if self.verify is not None else False,
                                            trust_env=True, transport=self.transport,
                                            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 15.0)))
            return self._client

    def _take_first(self) -> bool:
        """Whether this request is the client's first, and so may go without httpx (once)."""
        with self._lock:
            taken, self._first_free = self._first_free, False
            return taken

    def close(self) -> None:
        with self._lock:
            client, self._client, self._first_free = self._client, None, False
            early, self._early = self._early, None
        if early is not None:
            early.close()
        if client is not None:
            client.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the core: send with retries, map errors ---------------------------------------------
    def _require_key(self) -> None:
        if not self.api_key:
            raise AuthError("no API key", hint="pass api_key, set ELEVENLABS_API_KEY, or run `eleven auth login`",
                            cli_hint="run `eleven auth login`, set ELEVENLABS_API_KEY, or pass --api-key")

    def _trace(self, line: str) -> None:
        if self.trace:
            self.trace(line)

    def _open(self, method: str, path: str, *, json_body: Any = None, params: dict[str, str] | None = None,
              stream: bool = False, form: dict[str, str] | None = None,
              files: dict[str, tuple[str, bytes, str]] | None = None) -> tuple[Response, float]:
        """Send, retrying 429/5xx/connection failures with backoff; returns an OK response. `form` and
        `files` make a multipart/form-data body instead of JSON."""
        self._require_key()
        attempt = 0
        while True:
            lite = attempt == 0 and form is None and files is None and self._take_first()
            if lite:
                query = f"?{urlencode(params)}" if params else ""
                self._trace(f"> {method} {self.base_url}{path}{query}")  # (no user name: not this way)
            else:
                request = self._http.build_request(method, path, json=json_body, params=params, data=form,
                                                   files=files)
                self._trace(f"> {method} {request.url.copy_with(query=None, userinfo=b'')}"
                            + (f"?{request.url.query.decode()}" if request.url.query else ""))
            self._trace("> xi-api-key: [redacted]")
            if json_body is not None:
                self._trace("> " + _short(json.dumps(json_body, ensure_ascii=False)))
            started = time.monotonic()
            if timeline.ON:
                timeline.mark("request")
            retry_after: float | None = None
            try:
                with mapped(self.base_url, midway=True):
                    response: Response
                    if lite:
                        response = first.send(self.base_url, method, path, params=params, headers=self.headers,
                                              body=None if json_body is None else first.json_body(json_body),
                                              timeout=self.timeout, connect_timeout=min(self.timeout, 15.0),
                                              context=self.verify, early=self._early)
                    else:
                        response = self._http.send(request, stream=True)
                        timeline.mark("sent")
                    self._trace(f"< {response.status_code} request-id={response.headers.get('request-id', '-')}")
                    if response.status_code < 400 and not stream:
                        response.read()
            except NetworkError as err:
                if attempt >= self.retries or not err.retryable:
                    err.retryable = False  # retried here already
                    raise
                failure: ElevenError = err
            else:
                if response.status_code < 400:
                    return response, started
                with mapped(self.base_url):
                    response.read()
                failure = error_for(response, path)
                self._trace("< " + _short(response.text))
                response.close()
                retryable = response.status_code in RETRY_STATUSES and failure.code != "quota_exceeded"
                if not retryable or attempt >= self.retries:
                    if attempt and isinstance(failure, UnavailableError):
                        failure.message += f" (after {attempt + 1} attempts)"
                    raise failure
                retry_after = _retry_after(response.headers.get("retry-after"))
            attempt = self.pause(failure, attempt, retry_after)

    def pause(self, failure: ElevenError, attempt: int, retry_after: float | None = None) -> int:
        """Wait before retry number `attempt + 1` (backoff with jitter, or Retry-After); says so."""
        delay = retry_after if retry_after is not None else self.backoff * (2 ** attempt)
        delay = min(delay, 8.0 if retry_after is None else 60.0) * (1 + random.uniform(0, 0.25))
        attempt += 1
        if self.on_retry:
            self.on_retry(f"{failure.message}; retrying in {delay:.1f}s ({attempt}/{self.retries})")
        self.wait(delay)
        return attempt

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        """A JSON answer; one that is cut short or not JSON is asked for again (these calls are safe to
        repeat), then named: a body cut short is not a --base-url problem, an HTML page may be."""
        attempt = 0
        while True:
            response, _ = self._open(method, path, **kw)
            ctype = response.headers.get("content-type", "").split(";")[0].strip()
            try:
                if ctype and "json" not in ctype:
                    raise TypeError(ctype)
                return response.json()
            except (ValueError, UnicodeDecodeError, TypeError):
                if ctype and "json" not in ctype:
                    failure = NetworkError(f"the server answered {ctype} instead of JSON for {path}",
                                           hint="check the base URL points at the ElevenLabs API (or a proxy "
                                           "in between)", cli_hint="check --base-url points at the ElevenLabs API "
                                           "(or a proxy in between)")
                else:
                    failure = NetworkError(f"the JSON response for {path} was cut short or is not valid JSON",
                                           hint="run the command again")
                if attempt >= self.retries or method not in ("GET", "DELETE"):
                    raise failure from None
                attempt = self.pause(failure, attempt)

    # --- endpoints ---------------------------------------------------------------------------
    def models(self) -> list[Model]:
        data = self._json("GET", "/v1/models")
        if not isinstance(data, list):
            raise NetworkError("unexpected /v1/models response (not a list)")
        return [Model.parse(d) for d in data if isinstance(d, dict) and "model_id" in d]

    def voices(self, show_legacy: bool = True) -> list[Voice]:
        params = {"show_legacy": "true"} if show_legacy else None
        data = self._json("GET", "/v1/voices", params=params)
        voices = data.get("voices") if isinstance(data, dict) else None
        if not isinstance(voices, list):
            raise NetworkError("unexpected /v1/voices response (no voices list)")
        return [Voice.parse(v) for v in voices if isinstance(v, dict) and "voice_id" in v]

    def search_voices(self, search: str, page_size: int = 100) -> list[Voice]:
        """All pages of GET /v2/voices?search=..."""
        out: list[Voice] = []
        token: str | None = None
        while True:
            params = {"search": search, "page_size": str(page_size)}
            if token:
                params["next_page_token"] = token
            data = self._json("GET", "/v2/voices", params=params)
            if not isinstance(data, dict):
                raise NetworkError("unexpected /v2/voices response")
            out += [Voice.parse(v) for v in data.get("voices") or [] if isinstance(v, dict) and "voice_id" in v]
            token = data.get("next_page_token")
            if not data.get("has_more") or not token:
                return out

    def user(self) -> dict[str, Any]:
        data = self._json("GET", "/v1/user")
        return data if isinstance(data, dict) else {}

    def subscription(self) -> Subscription:
        data = self._json("GET", "/v1/user/subscription")
        return Subscription.parse(data if isinstance(data, dict) else {})

    def single_use_token(self) -> str:
        data = self._json("POST", "/v1/single-use-token/tts_websocket")
        if not isinstance(data, dict) or not data.get("token"):
            raise NetworkError("unexpected single-use token response")
        return str(data["token"])

    @contextlib.contextmanager
    def synthesize(self, request: WireRequest, *, streaming: bool = False,
                   timestamps: bool = False) -> Iterator[tuple[Meta, Iterator[TimedChunk]]]:
        """Any of the four shapes of a synthesis endpoint (text-to-speech or text-to-dialogue: whole or
        /stream, audio or /with-timestamps), as (meta, chunks of audio with their alignment)."""
        path = request.url_path(streaming=streaming, timestamps=timestamps)
        if timestamps and not streaming:
            yield self._timed_post(path, request.body, request.query)
            return
        with self._stream_post(path, request.body, request.query, audio=not timestamps) as (meta, chunks):
            yield meta, (_ndjson(chunks) if timestamps else (TimedChunk(c, None, None) for c in chunks))

    @contextlib.contextmanager
    def _stream_post(self, path: str, body: dict[str, Any], params: dict[str, str],
                     audio: bool = True) -> Iterator[tuple[Meta, Iterator[bytes]]]:
        """POST, then the headers at once and the body as it arrives (closed on exit). `audio`: the
        answer must be audio (an HTML or JSON document instead is a broken answer, retried)."""
        response, started = self._open("POST", path, json_body=body, params=params, stream=True)
        meta = Meta.from_headers(response.headers)
        if self.on_headers:
            self.on_headers(meta)
        ctype = response.headers.get("content-type", "")
        if ctype.startswith("text/html") or (audio and ctype.startswith("application/json")):
            response.close()
            raise BrokenAudioError(f"the server answered {ctype.split(';')[0]} instead of audio",
                                   hint="check the base URL points at the ElevenLabs API",
                                   cli_hint="check --base-url points at the ElevenLabs API")

        def chunks() -> Iterator[bytes]:
            with mapped(self.base_url, midway=True):
                for chunk in response.iter_bytes():
                    if chunk:
                        if meta.ttfb is None:
                            meta.ttfb = time.monotonic() - started
                            meta.first_byte_at = time.time()
                            if timeline.ON:
                                timeline.mark("first_byte")
                        yield chunk

        try:
            yield meta, chunks()
        finally:
            response.close()

    def _timed_post(self, path: str, body: dict[str, Any], params: dict[str, str]) -> tuple[Meta, Iterator[TimedChunk]]:
        """A whole with-timestamps answer: one JSON object of base64 audio and its alignment."""
        with self._stream_post(path, body, params, audio=False) as (meta, chunks):
            data = b"".join(chunks)
        try:
            chunk = _timed(json.loads(data))
        except (ValueError, UnicodeDecodeError, TypeError, KeyError):
            raise _cut_short("the with-timestamps response was cut short or is not valid JSON") from None
        return meta, iter([chunk])


def _cut_short(what: str) -> NetworkError:
    err = NetworkError(what, hint="run the command again")
    err.retryable = True
    return err


def _ndjson(chunks: Iterator[bytes]) -> Iterator[TimedChunk]:
    """NDJSON lines as TimedChunks, as the bytes arrive."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield _parse_line(line)
    if buffer.strip():
        yield _parse_line(buffer)


def _parse_line(line: bytes) -> TimedChunk:
    try:
        return _timed(json.loads(line))
    except (ValueError, UnicodeDecodeError, TypeError, KeyError):
        raise _cut_short("the timed stream was cut short or sent an invalid NDJSON line") from None


def _timed(data: Any) -> TimedChunk:
    if not isinstance(data, dict):
        raise TypeError("not an object")
    from eleven_cli.api.alignment import to_alignment

    audio = base64.b64decode(data.get("audio_base64") or "", validate=True)
    segments = data.get("voice_segments")
    return TimedChunk(audio, to_alignment(data.get("alignment")), to_alignment(data.get("normalized_alignment")),
                      [x for x in segments if isinstance(x, dict)] if isinstance(segments, list) else None)


def _retry_after(raw: str | None) -> float | None:
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _quote(voice_id: str) -> str:
    from urllib.parse import quote

    return quote(voice_id, safe="")


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"
