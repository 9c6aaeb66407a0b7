"""TLS trust for both transports (httpx and websockets): one SSLContext per CA bundle, built once.

Parsing a CA store takes 25-60 ms, and OpenSSL does it without holding the GIL, so the console script
starts it in the background (`prepare`) while Python is still importing the CLI; `context` then takes
the ready result (or builds it, when nothing prepared it).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from eleven_cli.errors import UsageError

if TYPE_CHECKING:
    import ssl

_lock = threading.Lock()
_loads: dict[str | None, _Load] = {}


class _Load:
    def __init__(self, ca_bundle: str | None, background: bool) -> None:
        self.ca_bundle = ca_bundle
        self.context: ssl.SSLContext | None = None
        self.error: Exception | None = None
        self.thread: threading.Thread | None = None
        if background:
            self.thread = threading.Thread(target=self._run, daemon=True, name="eleven-tls-trust")
            self.thread.start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            self.context = _build(self.ca_bundle)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            self.error = exc

    def result(self) -> ssl.SSLContext:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None or self.context is None:
            where = self.ca_bundle or "the default CA store"
            raise UsageError(f"cannot load CA bundle {where}: {self.error}",
                             hint="give a PEM file as ca_bundle or set SSL_CERT_FILE to one",
                             cli_hint="pass --ca-bundle FILE or set SSL_CERT_FILE to a PEM file")
        return self.context


def _build(ca_bundle: str | None) -> ssl.SSLContext:
    """A bundle file; else SSL_CERT_DIR; else certifi's store (what httpx trusts by default)."""
    import ssl  # only for https (a plain-http server, eleven mock, needs none of it)

    if ca_bundle:
        context = ssl.create_default_context(cafile=ca_bundle)
    elif os.environ.get("SSL_CERT_DIR"):
        context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    context.set_alpn_protocols(["http/1.1"])  # as httpcore sets it; set here once, not per connection
    return context


def prepare(ca_bundle: str | None) -> None:
    """Start loading the trust for `ca_bundle` (None: the default store) in the background, once."""
    with _lock:
        if ca_bundle not in _loads:
            _loads[ca_bundle] = _Load(ca_bundle, background=True)


def context(ca_bundle: str | None) -> ssl.SSLContext:
    """The SSLContext trusting `ca_bundle` (None: the default store); UsageError when it cannot be loaded."""
    with _lock:
        load = _loads.get(ca_bundle)
        if load is None:
            load = _loads[ca_bundle] = _Load(ca_bundle, background=False)
    return load.result()
