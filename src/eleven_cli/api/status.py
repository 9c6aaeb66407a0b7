"""The one place a refusal from the service (an HTTP status, a WebSocket error code) becomes ours."""

from __future__ import annotations

from typing import Any

from eleven_cli.errors import AuthError, ElevenError, RejectedError, UnavailableError

AUTH_CODES = {"invalid_api_key", "needs_authorization", "missing_permissions", "invalid_token", "unauthorized"}
BUSY_CODES = {"too_many_concurrent_requests", "system_busy", "rate_limited"}
KEY_HINT = "check the key: the api_key given, ELEVENLABS_API_KEY or `eleven auth login`"
KEY_CLI = "check the key: eleven auth login, ELEVENLABS_API_KEY or --api-key"


def status_error(status: int | None, code: str | None, message: str | None, *, request_id: str | None = None,
                 what: str = "request") -> ElevenError:
    """The exception (and so the exit code) for a refusal: by HTTP status, or by error code alone (WS)."""
    said = message or (f"HTTP {status}" if status else code or "the server closed the session")
    tag = f" [{code}]" if code else ""
    kw: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    if code == "quota_exceeded":
        return RejectedError(f"quota exceeded: {said}{tag}", **kw,
                             hint="this is not a key problem: check `eleven auth status` or upgrade the plan")
    if status in (401, 403) or (status is None and code in AUTH_CODES):
        generic = code in (None, "invalid_api_key", "needs_authorization", "invalid_token", "unauthorized")
        hint = KEY_HINT if generic else "this key lacks a permission or tier for this request"
        label = f"authentication failed ({status})" if status else f"the {what} was refused"
        return AuthError(f"{label}: {said}{tag}", **kw, hint=hint, cli_hint=KEY_CLI if generic else None)
    if status is not None and (status == 429 or status >= 500) or (status is None and code in BUSY_CODES):
        label = f"service unavailable ({status})" if status else f"the {what} was refused: service busy"
        return UnavailableError(f"{label}: {said}{tag}", **kw, hint="try again later")
    label = f"request rejected ({status})" if status else f"the {what} failed"
    return RejectedError(f"{label}: {said}{tag}", **kw)
