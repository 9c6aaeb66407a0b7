"""ASGI middleware: the request log and injected faults (status, delay, stall, drop, bad bodies)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any
from urllib.parse import parse_qsl

import anyio

from eleven_mock.state import MockState

_STATUS_BODIES = {
    429: ("too_many_concurrent_requests", "You have exceeded the concurrency limit for your subscription "
          "(injected by the mock)."),
    500: ("internal_server_error", "Internal server error (injected by the mock)."),
    502: ("bad_gateway", "Bad gateway (injected by the mock)."),
    503: ("service_unavailable", "The service is temporarily unavailable (injected by the mock)."),
    504: ("gateway_timeout", "Gateway timeout (injected by the mock)."),
}


class DroppedConnection(Exception):
    """Raised inside the app to make the server abort the connection mid-body."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, DroppedConnection):
                return False
            exc = exc.__cause__ or exc.__context__ or (
                exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else None)
        return "returned without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


class FaultMiddleware:
    def __init__(self, app: Any, state: MockState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__mock__"):
            await self.app(scope, receive, send)
            return
        # Buffer the request body so it can be logged and replayed to the app.
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")[:2000]
        headers = _headers(scope)
        entry = self.state.record({
            "kind": "http", "method": scope["method"], "path": scope["path"],
            "query": dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)),
            "headers": headers, "body": body, "status": None,
            "key_in": "header" if headers.get("xi-api-key") else None,
        })
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        fault = self.state.take_fault(scope["path"])
        if fault is not None:
            entry["fault"] = fault.kind + (f"@{fault.arg}" if fault.arg else "")
        if fault is not None and (fault.kind.isdigit() or fault.kind in ("busy", "quota")):
            status, code, msg = self._error(fault.kind, headers.get("xi-api-key"))
            payload = json.dumps({"detail": {"status": code, "message": msg}}).encode()
            entry["status"] = status
            extra = []
            account = self.state.account(headers.get("xi-api-key"))
            if status == 429 and account is not None:  # the service's concurrency headers
                extra = [(b"current-concurrent-requests", str(account.in_flight).encode()),
                         (b"maximum-concurrent-requests", str(account.max_concurrency).encode())]
            await send({"type": "http.response.start", "status": status, "headers": [
                (b"content-type", b"application/json"), (b"request-id", secrets.token_hex(10).encode()),
                *extra, (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})
            return
        if fault is not None and fault.kind == "delay":
            await anyio.sleep(fault.arg / 1000)
        await self.app(scope, replay, self._wrap_send(send, entry, fault))

    def _error(self, kind: str, key: str | None) -> tuple[int, str, str]:
        """(status, detail.status, message) of an injected error, as the service words them."""
        if kind == "busy":
            return 429, "system_busy", ("Our services are experiencing high levels of traffic and your request "
                                        "could not be processed (injected by the mock).")
        if kind == "quota":
            account = self.state.account(key)
            limit = account.character_limit if account else 0
            left = limit - account.character_count if account else 0
            return 401, "quota_exceeded", (f"This request exceeds your quota of {limit}. You have {left} credits "
                                           "remaining (injected by the mock).")
        status = int(kind)
        code, msg = _STATUS_BODIES.get(status, ("injected_error", f"Injected error {status}."))
        return status, code, msg

    def _wrap_send(self, send: Any, entry: dict[str, Any], fault: Any) -> Any:
        count = 0
        bodies = 0
        finished = False

        async def wrapped(message: dict[str, Any]) -> None:
            nonlocal count, bodies, finished
            if finished:
                return
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if fault is not None and fault.kind == "ctype":
                    message = dict(message, headers=[(b"content-type", b"text/html; charset=utf-8")] + [
                        (k, v) for k, v in message.get("headers", [])
                        if k.lower() not in (b"content-type", b"content-length")])
                elif fault is not None and fault.kind in ("badjson", "truncate", "drop"):
                    message = dict(message, headers=[(k, v) for k, v in message.get("headers", [])
                                                     if k.lower() != b"content-length"])
                await send(message)
                return
            if message["type"] != "http.response.body" or fault is None:
                await send(message)
                return
            body = message.get("body", b"")
            more = message.get("more_body", False)
            kind = fault.kind
            if kind == "ctype":
                body = b"<html><body><h1>502 Bad Gateway</h1></body></html>" if bodies == 0 else b""
            elif kind == "badjson" and bodies == 0:
                body = b'{"detail": "this is not valid JSON' + body[:0]
                more = False
                finished = True
            elif kind == "stall" and (bodies == 1 or (bodies == 0 and not more)):
                await anyio.sleep(fault.arg / 1000)
            elif kind in ("drop", "truncate"):
                limit = fault.arg or 100
                if count + len(body) >= limit:
                    body = body[: limit - count]
                    if kind == "drop":
                        await send({"type": "http.response.body", "body": body, "more_body": True})
                        finished = True
                        raise DroppedConnection(f"mock dropped the connection after {limit} bytes")
                    more = False
                    finished = True
            bodies += 1
            count += len(body)
            await send({"type": "http.response.body", "body": body, "more_body": more})

        return wrapped
