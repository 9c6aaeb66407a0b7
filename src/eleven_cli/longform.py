"""Long text: split below the model's limit with continuity hints, and keep finished pieces in a cache
(so a rerun spends nothing twice). Joining pieces into one stream of one format: audio/codecs.py."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from eleven_cli.errors import ElevenError


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
        with contextlib.suppress(OSError):
            self.folder.rmdir()  # only when nothing else waits in it (a run's own folder of pieces)
