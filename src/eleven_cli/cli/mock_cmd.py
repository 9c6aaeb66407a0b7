"""`eleven mock`: run the local ElevenLabs-compatible server."""


from pathlib import Path
from typing import Annotated

import typer

# The fault language, as the mock's own --help says it (argparse's %% is a %).
FAULT_HELP = (
    "inject a fault (repeatable). Kinds: STATUS (400-599; 429 is too_many_concurrent_requests), busy (429 "
    "system_busy), quota (401 quota_exceeded), timeout (sockets: 1008 input_timeout_exceeded), drop@N (cut "
    "the connection without a close after N bytes of the response body, or of audio bytes on a socket), "
    "stall@MS (pause MS milliseconds after the first body chunk or first audio message), delay@MS (MS "
    "milliseconds more before the response starts, or before a socket's first audio), truncate@N (end the "
    "body cleanly after N bytes of it, as sent: container bytes, not audio time), badjson, ctype. On a "
    "socket STATUS/busy/quota/timeout close it with 1008 and the service's error at once, or after N bytes "
    "of audio with @N. Then xN (N times; x* always) or %%P (on P %% of requests), and :/path (only paths "
    "containing it). At run time: POST /__mock__/faults {\"faults\": [...]} replaces the list ({\"faults\": "
    "[]} or DELETE clears it; \"append\": true adds); GET lists it.")
_FAULTS = "I" + FAULT_HELP.replace("%%", "%")[1:]


def mock(
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT",
                                      min=0, max=65535, help="Port; 0 picks a free one.")] = 8011,
    key: Annotated[list[str] | None, typer.Option("--key", metavar="KEY",
                                                  help="Accept this API key (repeatable). Without "
                                                  "--key or --accounts the demo key sk_mock_demo_key is "
                                                  "accepted.", show_default=False)] = None,
    accounts: Annotated[Path | None, typer.Option("--accounts", metavar="FILE",
                                                  help="TOML/JSON file of accounts: key, tier, "
                                                  "character_limit, max_concurrency.", show_default=False,
                                                  exists=True, dir_okay=False)] = None,
    ttfb: Annotated[float, typer.Option("--ttfb", metavar="MS", min=0, help="Time to first byte, in ms.")] = 0.0,
    rtf: Annotated[float, typer.Option("--rtf", metavar="X",
                                       min=0, help="Real-time factor: seconds spent generating each "
                                       "second of audio (1 = real time, 0 = instant).")] = 0.0,
    fault: Annotated[list[str] | None, typer.Option("--fault", metavar="SPEC", help=_FAULTS,
                                                    show_default=False)] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Serve HTTPS and WSS with a throw-away CA and certificate; "
                                      "prints the CA file to trust as SSL_CERT_FILE=...")] = False,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", metavar="FILE",
                                                  help="Serve HTTPS with this PEM certificate.",
                                                  show_default=False, exists=True, dir_okay=False)] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", metavar="FILE", help="Private key for --tls-cert.",
                                                 show_default=False, exists=True, dir_okay=False)] = None,
) -> None:
    """Serve a local ElevenLabs-compatible API (HTTP and WebSocket) that speaks, for offline use,
    demos and tests. Point clients at the printed URL (ELEVENLABS_BASE_URL). GET /__mock__/requests
    lists the newest 10,000 requests; each account's history keeps its newest 1,000 generations."""
    from eleven_cli.errors import UsageError

    try:
        from eleven_mock.server import ConfigError, check_extras, run

        check_extras()
    except ImportError as exc:
        raise UsageError(f"`eleven mock` needs the [mock] extra ({exc.name} is not installed)",
                         hint="pip install 'eleven-cli[mock]'") from None
    try:
        run(host, port, list(key or []), accounts, ttfb, rtf, list(fault or []),
            str(tls_cert) if tls_cert else None, str(tls_key) if tls_key else None, tls=tls)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def register(app: typer.Typer) -> None:
    app.command("mock", short_help="Run a local ElevenLabs-compatible API that speaks.")(mock)
