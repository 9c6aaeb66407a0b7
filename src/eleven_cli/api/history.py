"""The account's generation history (`/v1/history`): list, one item, its audio, several as a zip, delete.

Reading or downloading history bills nothing. Field names are the published contract's
(GetSpeechHistoryResponseModel, SpeechHistoryItemResponseModel).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from eleven_cli.api.http import Client
from eleven_cli.errors import BrokenAudioError, NetworkError, UsageError

DOWNLOAD_FORMATS = ("wav",)  # what /v1/history/download converts to (else the audio as it was made)
MAX_PAGE = 1000  # the service's limit on page_size
SOURCES = ("TTS", "STS")
_MIME_EXT = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
             "audio/wave": ".wav", "audio/pcm": ".pcm", "audio/basic": ".ulaw", "audio/x-alaw-basic": ".alaw",
             "audio/ogg": ".opus", "audio/opus": ".opus", "application/zip": ".zip"}


@dataclass(frozen=True)
class DialogueLine:
    text: str
    voice_id: str
    voice_name: str


@dataclass(frozen=True)
class HistoryItem:
    """One generation as the account's history keeps it."""

    history_item_id: str
    date_unix: int
    request_id: str | None
    voice_id: str | None
    voice_name: str | None
    voice_category: str | None
    model_id: str | None
    text: str | None
    character_count_change_from: int
    character_count_change_to: int
    content_type: str
    state: str
    source: str | None
    output_format: str | None
    settings: dict[str, Any] | None
    dialogue: list[DialogueLine] | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def characters(self) -> int:
        """What the generation cost (the account's count before and after)."""
        return self.character_count_change_to - self.character_count_change_from

    @property
    def extension(self) -> str:
        from eleven_cli.formats import FORMATS

        fmt = FORMATS.get(self.output_format or "")
        return fmt.extension if fmt else _MIME_EXT.get(self.content_type.split(";")[0].strip(), ".mp3")

    @classmethod
    def parse(cls, d: dict[str, Any]) -> HistoryItem:
        def text(name: str) -> str | None:
            value = d.get(name)
            return str(value) if value is not None else None

        def count(name: str) -> int:
            value = d.get(name)
            return int(value) if isinstance(value, int | float) else 0

        lines = d.get("dialogue")
        dialogue = [DialogueLine(str(x.get("text", "")), str(x.get("voice_id", "")), str(x.get("voice_name", "")))
                    for x in lines if isinstance(x, dict)] if isinstance(lines, list) else None
        settings = d.get("settings")
        return cls(str(d["history_item_id"]), count("date_unix"), text("request_id"), text("voice_id"),
                   text("voice_name"), text("voice_category"), text("model_id"), text("text"),
                   count("character_count_change_from"), count("character_count_change_to"),
                   str(d.get("content_type") or ""), str(d.get("state") or ""), text("source"),
                   text("output_format"), settings if isinstance(settings, dict) else None, dialogue, d)


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryItem]
    has_more: bool
    last_history_item_id: str | None
    scanned_until: int | None


@dataclass(frozen=True)
class HistoryFilter:
    """The list's filters, named as the query parameters are."""

    voice_id: str | None = None
    model_id: str | None = None
    search: str | None = None
    source: str | None = None  # TTS or STS
    date_after_unix: int | None = None  # inclusive
    date_before_unix: int | None = None  # exclusive
    sort_direction: str | None = None  # desc (default) or asc

    def params(self) -> dict[str, str]:
        if self.source is not None and self.source not in SOURCES:
            raise UsageError(f"unknown history source {self.source!r}", hint=f"use one of {', '.join(SOURCES)}")
        if self.sort_direction is not None and self.sort_direction not in ("asc", "desc"):
            raise UsageError(f"unknown sort direction {self.sort_direction!r}", hint="use asc or desc")
        return {k: str(v) for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class Downloaded:
    """Audio fetched from the history: its bytes and the extension its content type calls for."""

    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return _MIME_EXT.get(self.content_type.split(";")[0].strip(), ".mp3")


class History:
    """`/v1/history` through an existing HTTP client (its key, retries, trace and error mapping)."""

    def __init__(self, http: Client) -> None:
        self.http = http

    def page(self, page_size: int = 100, start_after: str | None = None,
             filters: HistoryFilter | None = None) -> HistoryPage:
        """One page, newest first unless the filter sorts ascending."""
        if not 1 <= page_size <= MAX_PAGE:
            raise UsageError(f"page size {page_size} is out of range", hint=f"use 1 to {MAX_PAGE}")
        params = {"page_size": str(page_size), **(filters or HistoryFilter()).params()}
        if start_after:
            params["start_after_history_item_id"] = start_after
        data = self.http._json("GET", "/v1/history", params=params)
        if not isinstance(data, dict) or not isinstance(data.get("history"), list):
            raise NetworkError("unexpected /v1/history response (no history list)")
        items = [HistoryItem.parse(x) for x in data["history"] if isinstance(x, dict) and "history_item_id" in x]
        last = data.get("last_history_item_id")
        scanned = data.get("scanned_until")
        return HistoryPage(items, bool(data.get("has_more")), str(last) if last else None,
                           int(scanned) if isinstance(scanned, int) else None)

    def items(self, limit: int | None = None, filters: HistoryFilter | None = None,
              start_after: str | None = None, page_size: int = 100) -> Iterator[HistoryItem]:
        """Every item (or the first `limit`), page after page."""
        given = 0
        while limit is None or given < limit:
            size = page_size if limit is None else max(1, min(page_size, limit - given))
            page = self.page(size, start_after, filters)
            for item in page.items:
                if limit is not None and given >= limit:
                    return
                given += 1
                yield item
            start_after = page.last_history_item_id or (page.items[-1].history_item_id if page.items else None)
            if not page.has_more or not page.items or not start_after:
                return

    def get(self, history_item_id: str) -> HistoryItem:
        data = self.http._json("GET", f"/v1/history/{_quote(history_item_id)}")
        if not isinstance(data, dict) or "history_item_id" not in data:
            raise NetworkError("unexpected /v1/history/{id} response")
        return HistoryItem.parse(data)

    def audio(self, history_item_id: str) -> Downloaded:
        """The audio of one item, whole."""
        return self._binary("GET", f"/v1/history/{_quote(history_item_id)}/audio")

    def download(self, history_item_ids: Sequence[str], output_format: str | None = None) -> Downloaded:
        """POST /v1/history/download: one item's audio file, or a zip of several (`output_format`: wav)."""
        if not history_item_ids:
            raise UsageError("no history item ids to download")
        if output_format not in (None, *DOWNLOAD_FORMATS):
            raise UsageError(f"history downloads come as they were made or as wav, not {output_format!r}")
        body: dict[str, Any] = {"history_item_ids": list(history_item_ids)}
        if output_format:
            body["output_format"] = output_format
        return self._binary("POST", "/v1/history/download", json_body=body)

    def delete(self, history_item_id: str) -> None:
        data = self.http._json("DELETE", f"/v1/history/{_quote(history_item_id)}")
        if isinstance(data, dict) and data.get("status") not in (None, "ok"):
            raise NetworkError(f"the service did not delete {history_item_id}: {data.get('status')}")

    def _binary(self, method: str, path: str, json_body: Any = None) -> Downloaded:
        response, _ = self.http._open(method, path, json_body=json_body)
        ctype = response.headers.get("content-type", "")
        if ctype.startswith(("text/html", "application/json")):
            raise BrokenAudioError(f"the server answered {ctype.split(';')[0]} instead of audio for {path}",
                                   hint="check --base-url points at the ElevenLabs API")
        if not response.content:
            raise BrokenAudioError(f"the server sent no audio for {path}")
        return Downloaded(response.content, ctype)


def _quote(history_item_id: str) -> str:
    return quote(history_item_id, safe="")
