"""Run the mock under uvicorn: bind, announce the URL and key, stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from eleven_mock.state import DEMO_KEY, Account, Fault, MockState, load_accounts, parse_fault


class ConfigError(ValueError):
    """A bad option, accounts file or address: one line for the user, exit status 2."""


def check_extras() -> None:
    """Import what serving needs (the [mock] extra) now, so a missing one is one clear line."""
    import importlib

    for name in ("uvicorn", "starlette", "anyio", "lameenc", "av", "eleven_mock.app"):
        importlib.import_module(name)


def make_state(keys: list[str], accounts_file: Path | None, ttfb_ms: float, rtf: float,
               faults: list[Fault]) -> MockState:
    """Accounts from --accounts and --key; with neither, the documented demo key."""
    accounts = load_accounts(accounts_file) if accounts_file else []
    accounts += [Account(key=k) for k in keys]
    if not accounts:
        accounts = [Account(key=DEMO_KEY)]
    return MockState(accounts, ttfb_ms=ttfb_ms, rtf=rtf, faults=faults)


def serve(state: MockState, host: str, port: int, announce: Callable[[str, str], None] | None = None,
          certfile: str | None = None, keyfile: str | None = None) -> None:
    """Serve until interrupted; `announce` receives the URL once the socket is listening."""
    import uvicorn

    from eleven_mock.app import build
    from eleven_mock.engine import engine_status

    warning = engine_status()
    if warning:
        print(f"eleven mock: warning: {warning}", file=sys.stderr, flush=True)
    config = uvicorn.Config(build(state), host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=0, ssl_certfile=certfile,
                            ssl_keyfile=keyfile, ws_ping_interval=None)
    # A port in use becomes our own one-line error (ConfigError); uvicorn's raw log line would repeat it.
    logging.getLogger("uvicorn.error").addFilter(lambda record: "attempting to bind" not in record.getMessage())
    server = uvicorn.Server(config)
    original = server.startup

    async def startup(sockets: list | None = None) -> None:
        await original(sockets)
        if server.servers and announce:
            sock = server.servers[0].sockets[0]
            bound_host, bound_port = sock.getsockname()[:2]
            scheme = "https" if certfile else "http"
            # Every interface: clients on this machine reach it on loopback, not at 0.0.0.0 or ::.
            usable = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bound_host, bound_host)
            shown = f"[{usable}]" if ":" in usable else usable
            note = f" (every interface: {bound_host})" if usable != bound_host else ""
            announce(f"{scheme}://{shown}:{bound_port}", note)

    server.startup = startup  # type: ignore[method-assign]
    server.run()


def throwaway_tls(host: str) -> tuple[str, str, str]:
    """A throw-away CA and a certificate it signs for this host, localhost and loopback, written to a
    private temporary folder: (CA file to trust, certificate, key)."""
    import atexit
    import shutil
    import tempfile

    import trustme

    folder = Path(tempfile.mkdtemp(prefix="eleven-mock-tls-"))
    atexit.register(shutil.rmtree, folder, True)
    ca = trustme.CA(organization_name="eleven mock (throw-away)")
    names = {"localhost", "127.0.0.1", "::1"} | ({host} if host not in ("0.0.0.0", "::", "") else set())
    cert = ca.issue_cert(*sorted(names))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    return str(ca_file), str(cert_file), str(key_file)


def run(host: str = "127.0.0.1", port: int = 8011, keys: list[str] | None = None, accounts: Path | None = None,
        ttfb_ms: float = 0.0, rtf: float = 0.0, faults: list[str] | None = None, tls_cert: str | None = None,
        tls_key: str | None = None, prog: str = "eleven mock", tls: bool = False) -> None:
    """Check the options, then serve until interrupted, announcing the URL and key on stderr. `tls`
    serves HTTPS/WSS with a throw-away certificate and prints the CA file to trust."""
    try:
        parsed = [parse_fault(f) for f in faults or []]
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        state = make_state(list(keys or []), accounts, ttfb_ms, rtf, parsed)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read accounts file {accounts}: {exc}") from None
    if bool(tls_cert) != bool(tls_key):
        raise ConfigError("--tls-cert and --tls-key go together")
    ca_file = None
    if tls:
        if tls_cert:
            raise ConfigError("--tls makes its own certificate: leave out --tls-cert and --tls-key")
        try:
            ca_file, tls_cert, tls_key = throwaway_tls(host)
        except ImportError:
            raise ConfigError("--tls needs trustme: pip install 'eleven-cli[mock]'") from None

    def announce(url: str, note: str = "") -> None:
        say = lambda line: print(f"{prog}: {line}", file=sys.stderr, flush=True)  # noqa: E731
        say(f"listening on {url}{note}")
        if DEMO_KEY in state.accounts:
            say(f"demo API key: {DEMO_KEY}")
        else:
            say(f"{len(state.accounts)} account(s) configured")
        if ca_file:
            say(f"trust its throw-away CA: SSL_CERT_FILE={ca_file}")
            say(f"try: SSL_CERT_FILE={ca_file} ELEVENLABS_BASE_URL={url} eleven models")
        else:
            say(f"try: ELEVENLABS_BASE_URL={url} eleven models")

    try:
        serve(state, host, port, announce, tls_cert, tls_key)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind
        if exc.code:
            raise ConfigError(f"cannot listen on {host}:{port} (is the port in use?)") from None
