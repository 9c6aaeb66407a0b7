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
