"""Long text: split below the model's limit with continuity hints, and keep finished pieces in a cache
(so a rerun spends nothing twice). Joining pieces into one stream of one format: audio/codecs.py."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from eleven_cli.api.types import SynthesisRequest
from eleven_cli.errors import ElevenError
from eleven_cli.formats import Format
from eleven_cli.request import NO_CONTINUITY_MODELS
from eleven_cli.text import split_text


class PieceCache:
    """Finished pieces on disk, keyed by everything that shapes their audio."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def key(self, base_url: str, voice_id: str, req: Any, fmt: Format, timestamps: bool) -> str:
        body = req.body()
        body.pop("previous_request_ids", None)  # these change per run; the text context does not
        blob = json.dumps([base_url, voice_id, body, req.query(fmt.name), timestamps], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

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


class pieces_of:  # noqa: N801 - used like a generator function
    """The requests for one text: split below `limit` at natural boundaries, each with the text
    around it and the request ids before it (read from `previous_ids` as the caller appends them)."""

    def __init__(self, req: SynthesisRequest, limit: int, previous_ids: list[str]) -> None:
        text = req.text.strip()  # leading and trailing whitespace is billed but never spoken
        pieces = split_text(text, limit) if len(text) > limit else [text]
        self.pieces: list[str] = []
        self.gaps: list[str] = []  # the whitespace before each piece in the text (not sent, kept in timing)
        gap = ""
        for piece in pieces:
            if not piece.strip():
                gap += piece
                continue
            core = piece.strip()
            lead = piece[: len(piece) - len(piece.lstrip())]
            self.gaps.append(gap + lead if self.pieces else "")
            self.pieces.append(core)
            gap = piece[len(piece.rstrip()):]
        self.req = req
        self.previous_ids = previous_ids

    @property
    def count(self) -> int:
        return len(self.pieces)

    def __iter__(self) -> Iterator[tuple[int, SynthesisRequest]]:
        pieces, req = self.pieces, self.req
        for i, piece in enumerate(pieces):
            sub = dataclasses.replace(req, text=piece)
            if len(pieces) > 1 and req.model_id not in NO_CONTINUITY_MODELS:
                sub.previous_text = (pieces[i - 1][-300:] if i else req.previous_text) or None
                sub.next_text = (pieces[i + 1][:300] if i + 1 < len(pieces) else req.next_text) or None
                sub.previous_request_ids = self.previous_ids[-3:]
            yield i, sub
