"""What a transport failure is called, in one place for both HTTP transports (httpx, and the first
request's plain socket in api/first.py): a kind of failure and the server's host become a NetworkError."""

from __future__ import annotations

from urllib.parse import urlsplit

from eleven_cli.errors import NetworkError

# What OpenSSL says when the other end answers a TLS hello in plain text (an http:// server reached with https://).
NOT_TLS = ("wrong version number", "record layer failure", "packet length too long", "http request",
           "unknown protocol")
CA_HINT = "give a CA bundle (ca_bundle=FILE) or set SSL_CERT_FILE"
CA_CLI = "pass --ca-bundle FILE or set SSL_CERT_FILE"
_UNRESOLVED = ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution",
               "no address associated")


def server(url: str) -> str:
    """The server of a URL as messages name it: host and port, never a user name or password in it."""
    return urlsplit(url).netloc.rpartition("@")[2]


def final(err: NetworkError) -> NetworkError:
    """`err`, marked as one another attempt cannot change."""
    err.retryable = False
    return err


def failure(kind: str, host: str, text: str = "") -> NetworkError:
    """The NetworkError for a failure of `kind` talking to `host` (`text`: what the transport said).

    Kinds: connect_timeout, read_timeout, resolve, refused, tls_verify, tls (any other TLS failure:
    a plain-HTTP server is named as such), connect, proxy, protocol, other (a drop: `dropped`)."""
    low = text.lower()
    if kind == "connect_timeout":
        return NetworkError(f"timed out connecting to {host}", hint="check the network or raise the timeout",
                            cli_hint="check the network or raise --timeout")
    if kind == "read_timeout":
        return NetworkError(f"timed out waiting for {host}", hint="the server stalled; raise the timeout or retry",
                            cli_hint="the server stalled; raise --timeout or retry")
    if kind == "resolve":
        return final(NetworkError(f"cannot resolve host {host}", hint="check the base URL and your DNS or proxy",
                                  cli_hint="check --base-url and your DNS or proxy"))
    if kind == "tls" and any(s in low for s in NOT_TLS):
        return final(NetworkError(f"the server at {host} does not speak TLS",
                                  hint=f"is it a plain-HTTP server? Use http://{host}"))
    if kind in ("tls", "tls_verify"):
        return final(NetworkError(f"TLS verification failed for {host}: {text}", hint=CA_HINT, cli_hint=CA_CLI))
    if kind == "refused":
        return NetworkError(f"connection refused by {host}", hint="is the server running? Check the base URL",
                            cli_hint="is the server running? Check --base-url")
    if kind == "connect":
        return NetworkError(f"cannot connect to {host}: {text or 'connection failed'}")
    if kind == "proxy":
        return NetworkError(f"proxy error reaching {host}: {text}", hint="check HTTPS_PROXY / HTTP_PROXY")
    if kind == "protocol":
        return NetworkError(f"the server at {host} broke the HTTP protocol: {text}", hint="run the command again")
    return NetworkError(f"network error talking to {host}: {text or 'unknown failure'}")


def dropped(host: str) -> NetworkError:
    """The connection ended before the answer did (retryable while nothing of it was handed on)."""
    return NetworkError(f"connection to {host} dropped mid-response", hint="run the command again")


def connect_kind(text: str) -> str:
    """The kind of a connection failure from what the transport said of it."""
    low = text.lower()
    if any(s in low for s in _UNRESOLVED):
        return "resolve"
    if any(s in low for s in NOT_TLS) or "certificate" in low or "ssl" in low:
        return "tls"
    if "refused" in low:
        return "refused"
    return "connect"
