"""A tiny HTTP proxy for tests: CONNECT tunnels and absolute-form forwarding, loopback targets only.

Any other host gets 502 without a DNS lookup, so "remote host" tests never leave the machine.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import socketserver
import threading
from urllib.parse import urlsplit


def _loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        conn: socket.socket = self.request
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        self.server.seen.append((method, target))  # type: ignore[attr-defined]
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            path_head = None
        else:
            parts = urlsplit(target)  # absolute-form: http://host:port/path?query
            host, port = parts.hostname or "", str(parts.port or 80)
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            path_head = [f"{method} {path} HTTP/1.1"] + lines[1:]
        if not _loopback(host):
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 27\r\nconnection: close\r\n\r\n"
                         b"cannot resolve that host\r\n\r\n")
            return
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port or 80)), timeout=10)
        except OSError:
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            return
        if path_head is None:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            upstream.sendall("\r\n".join(path_head).encode("latin-1") + b"\r\n\r\n" + rest)
        self._pipe(conn, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            b.close()


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
