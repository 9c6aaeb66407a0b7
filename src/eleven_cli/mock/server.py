"""Run the mock under uvicorn: bind, announce the URL and key, stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from eleven_cli.mock.state import DEMO_KEY, Account, Fault, MockState, load_accounts


def make_state(keys: list[str], accounts_file: Path | None, ttfb_ms: float, rtf: float,
               faults: list[Fault]) -> MockState:
    """Accounts from --accounts and --key; with neither, the documented demo key."""
    accounts = load_accounts(accounts_file) if accounts_file else []
    accounts += [Account(key=k) for k in keys]
    if not accounts:
        accounts = [Account(key=DEMO_KEY)]
    return MockState(accounts, ttfb_ms=ttfb_ms, rtf=rtf, faults=faults)


def serve(state: MockState, host: str, port: int, announce: Callable[[str], None] | None = None,
          certfile: str | None = None, keyfile: str | None = None) -> None:
    """Serve until interrupted; `announce` receives the URL once the socket is listening."""
    import uvicorn

    from eleven_cli.mock.app import build
    from eleven_cli.mock.engine import engine_status

    warning = engine_status()
    if warning:
        print(f"eleven mock: warning: {warning}", file=sys.stderr, flush=True)
    config = uvicorn.Config(build(state), host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=2, ssl_certfile=certfile,
                            ssl_keyfile=keyfile, ws_ping_interval=None)
    server = uvicorn.Server(config)
    original = server.startup

    async def startup(sockets: list | None = None) -> None:
        await original(sockets)
        if server.servers and announce:
            sock = server.servers[0].sockets[0]
            bound_host, bound_port = sock.getsockname()[:2]
            scheme = "https" if certfile else "http"
            shown = f"[{bound_host}]" if ":" in bound_host else bound_host
            announce(f"{scheme}://{shown}:{bound_port}")

    server.startup = startup  # type: ignore[method-assign]
    server.run()
