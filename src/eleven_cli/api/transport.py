"""Where a key may travel: never over plain http:// to a host that is not loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from eleven_cli.errors import UsageError


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(base_url: str) -> None:
    """A key never travels over plain http:// to a host that is not loopback."""
    parts = urlsplit(base_url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise UsageError(
            f"refusing to send the API key over plain http:// to {parts.hostname}",
            hint="use an https:// base URL (plain http is only allowed for loopback, e.g. eleven mock)",
        )


def check_key(api_key: str | None) -> None:
    """A key is visible ASCII (an ElevenLabs key is letters, digits and `_`): anything else (a space, a line
    break, a pasted non-breaking space) would break or smuggle a header. Named without quoting the key."""
    if api_key and not all(33 <= ord(c) <= 126 for c in api_key):
        raise UsageError("the API key has characters no API key has (spaces, line breaks or non-ASCII)",
                         hint="check ELEVENLABS_API_KEY, --api-key or the key `eleven auth login` stored")
