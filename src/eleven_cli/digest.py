"""SHA-256 of a cache key before the request, without hashlib: hashlib loads OpenSSL's libcrypto (~5 ms of a
command's start-up); the interpreter's own implementation gives the same digest."""

from __future__ import annotations

try:
    from _sha256 import sha256
except ImportError:  # an interpreter without it (3.12 and later name it _sha2)
    try:
        from _sha2 import sha256  # type: ignore[no-redef]
    except ImportError:
        from hashlib import sha256  # type: ignore[no-redef]


def sha256_hex(data: bytes) -> str:
    return sha256(data).hexdigest()
