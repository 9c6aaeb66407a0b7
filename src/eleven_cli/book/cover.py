"""Cover images: what an image is (by its bytes, not its name), and a cover file read for `--cover`."""

from __future__ import annotations

from pathlib import Path

from eleven_cli.errors import UsageError


def sniff_image(data: bytes) -> str | None:
    """The MIME type of an image by its first bytes, or None when it is not a JPEG, PNG, GIF or WebP."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def load_cover(path: str | Path) -> tuple[bytes, str]:
    """A cover from a file: its bytes and MIME type; a one-line UsageError when it is missing or not an image."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the cover {p}: {(exc.strerror or str(exc)).lower()}") from None
    mime = sniff_image(data)
    if mime is None:
        raise UsageError(f"the cover {p} is not an image (JPEG, PNG, GIF or WebP)")
    return data, mime
