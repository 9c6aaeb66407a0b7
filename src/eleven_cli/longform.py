"""Long text: split below the model's limit with continuity hints, keep finished pieces in a cache
(so a rerun spends nothing twice), and join pieces into one stream of one format."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from eleven_cli.errors import ElevenError
from eleven_cli.formats import Format


class PieceCache:
    """Finished pieces on disk, keyed by everything that shapes their audio."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def get(self, key: str) -> tuple[bytes, dict] | None:
        if self.folder is None:
            return None
        try:
            audio = (self.folder / f"{key}.audio").read_bytes()
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return audio, meta
        except (OSError, ValueError):
            return None

    def put(self, key: str, audio: bytes, meta: dict) -> None:
        if self.folder is None:
            return
        from eleven_cli.atomic import write_file

        with contextlib.suppress(OSError, ElevenError):  # a cache that cannot be written is no cache
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_file(self.folder / f"{key}.json", json.dumps(meta).encode(), mode=0o600, durable=False)
            write_file(self.folder / f"{key}.audio", audio, mode=0o600, durable=False)

    def drop(self, keys: list[str]) -> None:
        if self.folder is None:
            return
        for key in keys:
            for suffix in (".audio", ".json"):
                with contextlib.suppress(OSError):
                    (self.folder / f"{key}{suffix}").unlink()


class PartFilter:
    """Streams one generated piece into a growing file of the same format: drops the per-piece
    container headers that must appear only once (ID3/Xing in MP3, the RIFF header in WAV)."""

    def __init__(self, fmt: Format, first: bool) -> None:
        self.fmt = fmt
        self.keep_all = first and fmt.codec != "wav"
        self._head = b""
        # Ogg Opus pieces pass whole (a chained stream); a file of several is remuxed (audio/stitch).
        self._passing = self.keep_all or fmt.codec in ("pcm", "ulaw", "alaw", "opus")

    def feed(self, data: bytes) -> bytes:
        if self._passing:
            return data
        self._head += data
        if self.fmt.codec == "wav":
            at = self._head.find(b"data")
            if at < 0 or len(self._head) < at + 8:
                return b""
            out, self._head = self._head[at + 8 :], b""
            self._passing = True
            return out
        # MP3: skip an ID3v2 tag, then a Xing/Info frame, then pass everything.
        head = self._head
        if head[:3] == b"ID3":
            if len(head) < 10:
                return b""
            size = 10 + ((head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9])
            if len(head) < size:
                return b""
            head = head[size:]
        from eleven_cli.audio.containers import mp3_frame_length

        length = mp3_frame_length(head[:4]) if len(head) >= 4 else None
        if length is None and len(head) < 4:
            self._head = head
            return b""
        if length is not None and len(head) < length:
            self._head = head
            return b""
        if length is not None and (b"Xing" in head[:64] or b"Info" in head[:64]):
            head = head[length:]
        self._head = b""
        self._passing = True
        return head

    def flush(self) -> bytes:
        out, self._head = self._head, b""
        return out if self.fmt.codec != "wav" else b""


