"""`eleven-mock` / `python -m eleven_mock`: the emulator on its own, without the eleven CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eleven_mock.history import MAX_ITEMS
from eleven_mock.state import LOG_SIZE

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


EPILOG = (
    "GET /__mock__/requests lists the newest %d requests clients made (DELETE clears it); each account's "
    "history keeps its newest %d generations, spoken again when their audio is asked for.")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eleven-mock", description="A local ElevenLabs-compatible API (HTTP and "
                                "WebSocket) that speaks, for offline use, demos and tests.",
                                epilog=EPILOG % (LOG_SIZE, MAX_ITEMS))
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8011, help="port; 0 picks a free one (default 8011)")
    p.add_argument("--key", action="append", default=[], help="accept this API key (repeatable); without "
                   "--key or --accounts the demo key sk_mock_demo_key is accepted")
    p.add_argument("--accounts", type=Path, help="TOML/JSON file of accounts: key, tier, character_limit, "
                   "max_concurrency")
    p.add_argument("--ttfb", type=float, default=0.0, help="time to first byte, in ms")
    p.add_argument("--rtf", type=float, default=0.0, help="real-time factor: seconds spent generating each "
                   "second of audio (1 = real time, 0 = instant)")
    p.add_argument("--fault", action="append", default=[], help=FAULT_HELP)
    p.add_argument("--tls", action="store_true", help="serve HTTPS and WSS with a throw-away CA and certificate; "
                   "prints the CA file to trust as SSL_CERT_FILE=...")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate")
    p.add_argument("--tls-key", help="private key for --tls-cert")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        from eleven_mock.server import ConfigError, check_extras, run

        check_extras()
    except ImportError as exc:
        print(f"eleven-mock: error: the mock needs extra packages ({exc.name}): pip install 'eleven-cli[mock]'",
              file=sys.stderr)
        sys.exit(2)
    if not 0 <= args.port <= 65535 or args.ttfb < 0 or args.rtf < 0:
        print("eleven-mock: error: --port must be 0..65535, --ttfb and --rtf at least 0", file=sys.stderr)
        sys.exit(2)
    try:
        run(args.host, args.port, args.key, args.accounts, args.ttfb, args.rtf, args.fault, args.tls_cert,
            args.tls_key, prog="eleven-mock", tls=args.tls)
    except ConfigError as exc:
        print(f"eleven-mock: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
