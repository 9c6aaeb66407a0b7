"""A client's first request over a plain socket, so it leaves before httpx has loaded.

Loading httpx and httpcore takes 35-40 ms of a command's start-up, and the request a command waits on
(the synthesis whose first sound a user hears, the list of models) cannot leave before it. This sends that
one request itself: HTTP/1.1 over the standard library's socket (and ssl, with the same trust as httpx),
`Connection: close`, a JSON body or none, the answer read as it arrives (Content-Length, chunked or to
the close). It is used only where httpx would add nothing: no proxy in the environment, no transport of
the caller's, no form or file upload; every later request of the client, and every retry, goes through
httpx (`api/http.py`). Its failures are the same NetworkErrors, in the same words, as httpx's
(`api/neterrors.py`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import urlencode, urlsplit

from eleven_cli import timeline
from eleven_cli.api import neterrors
from eleven_cli.errors import NetworkError

if TYPE_CHECKING:
    import ssl

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
_READ = 65536


def usable() -> bool:
    """Whether a request may go straight to the server: no proxy is set in the environment (httpx honours
    those, and NO_PROXY, itself)."""
    return not any(os.environ.get(name) for name in PROXY_VARIABLES)


def json_body(value: Any) -> bytes:
    """A JSON body encoded exactly as httpx encodes `json=`."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


class Headers:
    """Response headers, looked up without regard to case (repeated ones joined by commas, as httpx does)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            self._values[key] = f"{self._values[key]}, {value}" if key in self._values else value

    @overload
    def get(self, name: str) -> str | None: ...

    @overload
    def get(self, name: str, default: str) -> str: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values


class Response:
    """What api/http.py reads of an answer: the status, the headers, and the body as it arrives."""

    def __init__(self, sock: socket.socket, reader: io.BufferedReader, host: str, method: str) -> None:
        self._sock = sock
        self._reader = reader
        self.host = host
        while True:  # an interim answer (100 Continue, 103 Early Hints) comes before the real one
            self.status_code, pairs = self._head()
            if not 100 <= self.status_code < 200:
                break
        self.headers = Headers(pairs)
        self._content: bytes | None = None
        self._chunked = "chunked" in (self.headers.get("transfer-encoding") or "").lower()
        length = (self.headers.get("content-length") or "").strip()
        if length and not (length.isascii() and length.isdigit()):
            raise neterrors.failure("protocol", host, f"bad Content-Length {length[:20]!r}")
        self._left: int | None = int(length) if length else None
        if method == "HEAD" or self.status_code in (204, 304):
            self._left, self._chunked = 0, False

    def _head(self) -> tuple[int, list[tuple[str, str]]]:
        """The status and header lines of one answer."""
        status_line = self._reader.readline(65537)
        if not status_line:
            raise neterrors.dropped(self.host)
        parts = status_line.decode("latin-1").split(None, 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not (parts[1].isascii() and parts[1].isdigit()):
            raise neterrors.failure("protocol", self.host, f"not an HTTP answer: {status_line[:40]!r}")
        pairs: list[tuple[str, str]] = []
        while True:
            line = self._reader.readline(65537)
            if not line:
                raise neterrors.dropped(self.host)
            if line in (b"\r\n", b"\n"):
                return int(parts[1]), pairs
            name, _, value = line.decode("latin-1").partition(":")
            pairs.append((name.strip(), value.strip()))

    # --- the body -----------------------------------------------------------------------------
    def iter_bytes(self) -> Iterator[bytes]:
        """The body's bytes as they arrive; NetworkError when the answer is cut short."""
        if self._content is not None:
            yield self._content
            return
        try:
            yield from (self._chunks() if self._chunked else self._plain())
        except TimeoutError:
            raise neterrors.failure("read_timeout", self.host) from None
        except OSError:  # a reset, or a TLS record cut short
            raise neterrors.dropped(self.host) from None
        finally:
            self.close()

    def _plain(self) -> Iterator[bytes]:
        left = self._left
        while left is None or left > 0:
            data = self._reader.read1(_READ if left is None else min(_READ, left))
            if not data:
                if left is None:
                    return  # the body ends with the connection
                raise neterrors.dropped(self.host)
            if left is not None:
                left -= len(data)
            yield data

    def _chunks(self) -> Iterator[bytes]:
        while True:
            line = self._reader.readline(65537)
            if not line:
                raise neterrors.dropped(self.host)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise neterrors.failure("protocol", self.host, f"bad chunk size {size_text[:20]!r}") from None
            if size == 0:
                while self._reader.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            while size > 0:
                data = self._reader.read1(min(_READ, size))
                if not data:
                    raise neterrors.dropped(self.host)
                size -= len(data)
                yield data
            self._reader.readline(65537)  # the CRLF after the chunk

    def read(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    @property
    def content(self) -> bytes:
        return self.read()

    @property
    def text(self) -> str:
        ctype = self.headers.get("content-type") or ""
        charset = ctype.partition("charset=")[2].split(";")[0].strip().strip('"') or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def close(self) -> None:
        for closing in (self._reader.close, self._sock.close):
            with contextlib.suppress(OSError):
                closing()


def _address(base_url: str) -> tuple[str, int, str, bool]:
    """(host, port, the server as failures name it, https?) of a base URL."""
    parts = urlsplit(base_url)
    secure = parts.scheme == "https"
    return parts.hostname or "", parts.port or (443 if secure else 80), neterrors.server(base_url), secure


class Early:
    """The first request's connection, opened in the background while the command gets ready (the audio
    device, the decoder): the TCP connection and the TLS handshake, one to three round trips to the real
    service. Opening a connection sends no request and spends nothing. `send` takes it while it is young
    and still open; if it could not be opened, the request fails as its own connection would have."""

    MAX_AGE = 5.0

    def __init__(self, base_url: str, connect_timeout: float, context: ssl.SSLContext | None) -> None:
        host, port, shown, secure = _address(base_url)
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._error: NetworkError | None = None
        self._closed = False
        self.opened = time.monotonic()
        self.thread = threading.Thread(target=self._run, args=(host, port, shown, connect_timeout,
                                                               context if secure else None),
                                       daemon=True, name="eleven-connect")
        self.thread.start()

    def _run(self, host: str, port: int, shown: str, timeout: float, context: ssl.SSLContext | None) -> None:
        try:
            sock = _connect(host, port, shown, timeout, context)
        except NetworkError as exc:
            self._error = exc
            return
        with self._lock:
            if not self._closed:
                self._sock, self.opened = sock, time.monotonic()
                return
        sock.close()  # closed while it was opening

    def take(self) -> socket.socket | None:
        """The open connection, once (the failure to open it, raised); None when it has waited too long or
        the server has closed it since."""
        self.thread.join()
        if self._error is not None:
            raise self._error
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is None:
            return None
        if time.monotonic() - self.opened > self.MAX_AGE or not _open(sock):
            sock.close()
            return None
        return sock

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()


def _open(sock: socket.socket) -> bool:
    """Whether an idle connection is still open: nothing to read yet (a TLS session ticket read, and kept,
    by the ssl layer, counts as nothing), neither an end nor a reset."""
    sock.setblocking(False)
    try:
        sock.recv(1)  # bytes before any request, or the end: either way not a connection to send on
        return False
    except BlockingIOError:
        return True
    except OSError as exc:  # a reset; or, on TLS, nothing to read yet
        ssl = sys.modules.get("ssl")  # loaded with the context of a TLS connection, and only then
        return ssl is not None and isinstance(exc, ssl.SSLWantReadError)
    finally:
        sock.setblocking(True)


def _host_header(host: str, port: int, secure: bool) -> str:
    """The Host header as httpx writes it: the name in IDNA, brackets around IPv6, the port unless default."""
    # the idna codec loads unicodedata (~5 ms): only for a name that needs it
    ascii_name = host if host.isascii() else host.encode("idna").decode("ascii")
    name = f"[{host}]" if ":" in host else ascii_name
    return name if port == (443 if secure else 80) else f"{name}:{port}"


def send(base_url: str, method: str, path: str, *, params: dict[str, str] | None, body: bytes | None,
         headers: dict[str, str], timeout: float, connect_timeout: float,
         context: ssl.SSLContext | None, early: Early | None = None) -> Response:
    """Send one request (on `early`'s connection when it has one) and read the answer's head; the body is
    read from the Response."""
    host, port, shown, secure = _address(base_url)
    target = (urlsplit(base_url).path.rstrip("/") + path) + (f"?{urlencode(params)}" if params else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {_host_header(host, port, secure)}", "Accept: */*",
             "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    elif method in ("POST", "PUT", "PATCH"):
        lines.append("Content-Length: 0")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    sock = early.take() if early is not None else None
    if sock is None:
        sock = _connect(host, port, shown, connect_timeout, context if secure else None)
    try:
        try:
            sock.settimeout(timeout)
            sock.sendall(head + (body or b""))
        except TimeoutError:
            raise neterrors.failure("read_timeout", shown) from None
        except OSError as exc:
            raise neterrors.failure("other", shown, str(exc) or type(exc).__name__) from None
        timeline.mark("sent")
        try:
            reader = sock.makefile("rb")  # buffered: read1() hands on what has arrived
            return Response(sock, reader, shown, method)
        except TimeoutError:
            raise neterrors.failure("read_timeout", shown) from None
        except OSError:
            raise neterrors.dropped(shown) from None
    except BaseException:  # a failure, Ctrl-C: the connection goes with it
        sock.close()
        raise


def _connect(host: str, port: int, shown: str, timeout: float, context: ssl.SSLContext | None) -> socket.socket:
    try:  # an ASCII name as bytes: a str is looked up through the idna codec (unicodedata: ~5 ms)
        address: Any = (host.encode() if host.isascii() else host, port)  # getaddrinfo takes either
        sock = socket.create_connection(address, timeout=timeout)
    except socket.gaierror as exc:
        raise neterrors.failure("resolve", shown, str(exc)) from None
    except TimeoutError:
        raise neterrors.failure("connect_timeout", shown) from None
    except ConnectionRefusedError as exc:
        raise neterrors.failure("refused", shown, str(exc)) from None
    except OSError as exc:
        raise neterrors.failure("connect", shown, str(exc)) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if context is None:
        return sock
    import ssl  # loaded already with the context (api/tls.py)

    try:
        return context.wrap_socket(sock, server_hostname=host)  # ALPN http/1.1: set with the context (tls.py)
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        raise neterrors.failure("tls_verify", shown, str(exc)) from None
    except ssl.SSLError as exc:
        sock.close()
        raise neterrors.failure("tls", shown, str(exc)) from None
    except TimeoutError:
        sock.close()
        raise neterrors.failure("connect_timeout", shown) from None
    except OSError as exc:
        sock.close()
        raise neterrors.failure("connect", shown, str(exc)) from None
