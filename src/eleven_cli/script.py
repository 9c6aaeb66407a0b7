"""What a synthesis speaks, as requests: the script protocol, and speech (one voice) as its first kind.

A script knows its endpoint, how it splits into pieces (each one request) and how each piece is
sent (path, body, query). The piece loop (eleven_cli.pipeline) runs any script the same way;
dialogue (eleven_cli.dialogue.DialogueScript) is the other kind.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from eleven_cli.api.types import WireRequest
from eleven_cli.options import SPEECH, SpeechOptions
from eleven_cli.text import split_text


@dataclass(frozen=True)
class Piece:
    """One request of a script."""

    index: int
    text: str  # what is spoken (as the alignment spells it)
    request: WireRequest
    gap: str = ""  # the whitespace before it in the whole text (not sent; kept in the timing)
    turns: tuple[int, ...] | None = None  # a dialogue's: the script's turn of each input

    def cache_key(self, base_url: str, timestamps: bool) -> str:
        """Everything that shapes the audio (not the request ids of neighbours, which change per run)."""
        body = {k: v for k, v in self.request.body.items() if k != "previous_request_ids"}
        blob = json.dumps([base_url, self.request.path, body, self.request.query, timestamps], sort_keys=True)
        from eleven_cli.digest import sha256_hex

        return sha256_hex(blob.encode())


class Script(Protocol):
    """What the piece loop needs of a synthesis."""

    endpoint: str
    voice_id: str  # "" when the voices are in the pieces (a dialogue)
    model_id: str
    text: str  # all of it, as given (what the log remembers)
    texts: list[str]  # each piece's text, known before any request
    segmented: bool  # timed answers carry voice segments (a dialogue)

    def pieces(self, previous_ids: list[str]) -> Iterator[Piece]:
        """The requests in order; `previous_ids` grows as the caller's requests succeed."""
        ...


def _split(text: str, limit: int) -> tuple[list[str], list[str]]:
    """`text` split below `limit` at natural boundaries, and the whitespace before each piece."""
    text = text.strip()  # leading and trailing whitespace is billed but never spoken
    parts = split_text(text, limit) if len(text) > limit else [text]
    pieces: list[str] = []
    gaps: list[str] = []
    gap = ""
    for part in parts:
        if not part.strip():
            gap += part
            continue
        lead = part[: len(part) - len(part.lstrip())]
        gaps.append(gap + lead if pieces else "")
        pieces.append(part.strip())
        gap = part[len(part.rstrip()):]
    return pieces, gaps


class SpeechScript:
    """One voice speaking a text of any length: pieces below `limit`, each with the text around it
    and the request ids before it (request stitching), where the model takes them."""

    endpoint = SPEECH
    segmented = False  # answers carry no voice segments

    def __init__(self, text: str, voice_id: str, options: SpeechOptions, output_format: str, limit: int) -> None:
        options.check_for(SPEECH)
        self.voice_id = voice_id
        self.options = options
        self.model_id = options.model_id
        self.output_format = output_format
        self.text = text.strip()
        self.texts, self.gaps = _split(text, limit)
        wire = options.render(SPEECH)
        self._body, self._query = wire["body"], {**wire["query"], "output_format": output_format}
        self._path = f"/v1/text-to-speech/{quote(voice_id, safe='')}"

    def pieces(self, previous_ids: list[str]) -> Iterator[Piece]:
        texts, opts = self.texts, self.options
        stitched = len(texts) > 1 and opts.continuity
        for i, text in enumerate(texts):
            body = {**self._body, "text": text}
            if stitched:
                body.pop("previous_text", None)
                body.pop("next_text", None)
                before = texts[i - 1][-300:] if i else opts.previous_text
                after = texts[i + 1][:300] if i + 1 < len(texts) else opts.next_text
                if before:
                    body["previous_text"] = before
                if after:
                    body["next_text"] = after
                if previous_ids:
                    body["previous_request_ids"] = previous_ids[-3:]
            yield Piece(i, text, WireRequest(self._path, body, dict(self._query)), self.gaps[i])
