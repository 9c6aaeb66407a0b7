"""The stream-input WebSocket client (websockets' sync API). Raises only eleven_cli.errors.

The key travels in the `xi-api-key` header, or a single-use token replaces it; never in a URL.
"""

from __future__ import annotations

import base64
import contextlib
import json
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from eleven_cli import timeline
from eleven_cli.api import neterrors, tls
from eleven_cli.api.alignment import to_alignment
from eleven_cli.api.status import status_error
from eleven_cli.api.transport import check_key, check_transport
from eleven_cli.api.types import Alignment
from eleven_cli.errors import AuthError, ElevenError, NetworkError
from eleven_cli.options import LIVE, SpeechOptions


def prepare() -> None:
    """Load the WebSocket client (~15 ms) ahead of the connection."""
    _load_websockets()
    import websockets.sync.client  # noqa: F401


def _load_websockets() -> None:
    """Import websockets without importlib.metadata (18 ms before the socket opens): its version module
    imports that but a release never uses it. A stand-in holds the name while websockets loads, and
    hands any use of it to the real module."""
    if "websockets" in sys.modules or "importlib.metadata" in sys.modules:
        return
    import types

    stand_in = types.ModuleType("importlib.metadata")

    def real(name: str) -> Any:
        if sys.modules.get("importlib.metadata") is stand_in:
            del sys.modules["importlib.metadata"]
        import importlib

        return getattr(importlib.import_module("importlib.metadata"), name)

    stand_in.__getattr__ = real  # type: ignore[method-assign]
    sys.modules["importlib.metadata"] = stand_in
    try:
        import websockets.version  # noqa: F401
    finally:
        if sys.modules.get("importlib.metadata") is stand_in:
            del sys.modules["importlib.metadata"]


@dataclass
class AudioEvent:
    audio: bytes
    alignment: Alignment | None  # chunk-relative seconds (add the audio already received)
    normalized: Alignment | None


@dataclass
class WsOptions:
    """A stream-input session: the voice, the synthesis options (rendered for the socket: query and
    first message) and what only a socket has."""

    voice_id: str
    options: SpeechOptions
    output_format: str
    schedule: list[int] | None = None
    auto_mode: bool = False
    sync_alignment: bool = False
    inactivity_timeout: int | None = None

    @property
    def model_id(self) -> str:
        return self.options.model_id

    def query(self) -> dict[str, str]:
        q = {**self.options.render(LIVE)["query"], "output_format": self.output_format}
        if self.auto_mode:
            q["auto_mode"] = "true"
        if self.sync_alignment:
            q["sync_alignment"] = "true"
        if self.inactivity_timeout is not None:
            q["inactivity_timeout"] = str(self.inactivity_timeout)
        return q

    def init_message(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"text": " ", **self.options.render(LIVE)["init"]}
        if self.schedule:
            msg["generation_config"] = {"chunk_length_schedule": self.schedule}
        return msg


def ws_url(base_url: str, path: str, query: dict[str, str]) -> str:
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + path, urlencode(query), ""))


def server_error(data: dict[str, Any]) -> ElevenError:
    code = str(data.get("error") or data.get("status") or "") or None
    message = str(data.get("message") or code or "the server closed the session")
    return status_error(None, code, message, what="WebSocket session")


_SECRET = {"xi-api-key", "xi_api_key", "authorization", "single_use_token", "token"}


def _summary(message: dict[str, Any]) -> str:
    """One trace line for a message: keys redacted, audio and alignment summarised by size."""
    shown: dict[str, Any] = {}
    for key, value in message.items():
        if key.lower() in _SECRET:
            shown[key] = "[redacted]"
        elif key == "audio" and isinstance(value, str):
            shown[key] = f"<{len(value) * 3 // 4} bytes>"
        elif key in ("alignment", "normalizedAlignment") and isinstance(value, dict):
            shown[key] = f"<{len(value.get('chars') or [])} characters>"
        else:
            shown[key] = value
    return _short(json.dumps(shown, ensure_ascii=False))


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


class Dropped(Exception):
    """The connection ended abnormally: worth reconnecting."""


class Session:
    """One stream-input connection: `send()` text from one thread, iterate `events()` in another."""

    def __init__(self, base_url: str, api_key: str | None, opts: WsOptions, *, token: str | None = None,
                 timeout: float = 30.0, ca_bundle: str | None = None,
                 trace: Callable[[str], None] | None = None) -> None:
        check_transport(base_url)
        check_key(api_key)
        _load_websockets()
        from websockets.exceptions import InvalidHandshake, InvalidStatus
        from websockets.sync.client import connect

        query = opts.query()
        headers = {}
        if token:
            query["single_use_token"] = token
        elif api_key:
            headers["xi-api-key"] = api_key
        else:
            raise AuthError("no API key", hint="run `eleven auth login`, set ELEVENLABS_API_KEY, or pass --api-key")
        url = ws_url(base_url, f"/v1/text-to-speech/{opts.voice_id}/stream-input", query)
        shown = url.split("single_use_token=")[0] + ("single_use_token=[redacted]" if token else "")
        self.trace = trace
        if trace:
            trace(f"> WS {shown}")
        ctx = tls.context(ca_bundle) if url.startswith("wss:") else None
        timeline.mark("request")
        self._lock = threading.Lock()
        try:
            conn = connect(url, additional_headers=headers, open_timeout=timeout, ssl=ctx,
                           max_size=None, ping_interval=20, ping_timeout=60, close_timeout=5)
            # websockets >= 17.1 warns unless the connection is entered as a context manager; this
            # session closes it itself (close()), so it enters it here.
            self.conn = conn.__enter__()
        except InvalidStatus as exc:
            status = exc.response.status_code
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            raise status_error(status, None, f"the WebSocket upgrade was refused {body[:200]}".strip()) from None
        except InvalidHandshake as exc:
            raise NetworkError(f"WebSocket handshake failed: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise NetworkError(f"TLS verification failed for {neterrors.server(base_url)}: {exc.verify_message}",
                               hint="pass --ca-bundle FILE or set SSL_CERT_FILE") from None
        except (OSError, TimeoutError) as exc:
            host = neterrors.server(base_url)
            reason = "connection refused" if isinstance(exc, ConnectionRefusedError) else str(exc) or type(exc).__name__
            raise NetworkError(f"cannot open a WebSocket to {host}: {reason}",
                               hint="check --base-url and the network") from None
        self.send_json(opts.init_message())

    def send_json(self, message: dict[str, Any]) -> None:
        from websockets.exceptions import ConnectionClosed

        if self.trace:
            self.trace("> WS " + _summary(message))
        try:
            with self._lock:
                self.conn.send(json.dumps(message))
        except ConnectionClosed:
            raise Dropped("connection closed while sending") from None
        except OSError as exc:
            raise Dropped(str(exc)) from None

    def send_text(self, text: str, flush: bool = False) -> None:
        msg: dict[str, Any] = {"text": text}
        if flush:
            msg["flush"] = True
        self.send_json(msg)
        timeline.mark("sent")

    def end_input(self) -> None:
        self.send_json({"text": ""})

    def events(self) -> Iterator[AudioEvent]:
        """Audio events until the final message; raises our error for a server error, Dropped for
        an abnormal close."""
        from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

        while True:
            try:
                raw = self.conn.recv()
            except ConnectionClosedOK as exc:
                raise Dropped(f"closed before the final message (code {exc.rcvd.code if exc.rcvd else '?'})") from None
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else 1006
                raise Dropped(f"connection closed abnormally (code {code})") from None
            except OSError as exc:
                raise Dropped(str(exc)) from None
            try:
                data = json.loads(raw)
            except (ValueError, TypeError):
                raise NetworkError("the server sent an invalid WebSocket message") from None
            if not isinstance(data, dict):
                continue
            if self.trace:
                self.trace("< WS " + _summary(data))
            if data.get("error") or (data.get("message") and not data.get("audio") and "isFinal" not in data):
                raise server_error(data)
            if data.get("audio"):
                try:
                    audio = base64.b64decode(data["audio"])
                except ValueError:
                    raise NetworkError("the server sent invalid base64 audio") from None
                yield AudioEvent(audio, to_alignment(data.get("alignment")),
                                 to_alignment(data.get("normalizedAlignment")))
            if data.get("isFinal") is True:
                return

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort
            self.conn.close()
