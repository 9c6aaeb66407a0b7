"""The account's generation history, as the service keeps it: each text-to-speech and dialogue generation is
remembered under the `history-item-id` its response carried, listed with the published filters and paging,
served again (its audio, one or several as a zip) without billing, and deleted.

Spec comments: the contract does not document the error of an unknown history item id; the mock answers 404
`history_item_not_found`. A generation made with `enable_logging=false` (zero retention) is not kept. The
names of the files inside a zip are not documented; the mock names them `VOICE_ID.EXT` with the voice's name.
Each account keeps its newest MAX_ITEMS generations. An item keeps what it takes to speak it again, not its
audio: the text as spoken (pronunciation aliases applied), the voicing, speed and format; its audio is
synthesised and encoded again on demand, the same samples (the engine is deterministic) and the same bytes
(but for Opus, whose Ogg stream serial number is random in every file).
"""

from __future__ import annotations

import io
import itertools
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eleven_cli.formats import FORMATS
from eleven_mock import data
from eleven_mock.validate import Problems, fail, json_object

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

MAX_ITEMS = 1000
MAX_PAGE = 1000
_SEQ = itertools.count()


@dataclass
class Item:
    """One remembered generation and what it takes to make its audio again: `remake`, run in a worker
    thread, synthesises it again and returns (job, speech, dialogue voice segments or None)."""

    history_item_id: str
    request_id: str | None
    date_unix: int
    voice_id: str | None
    model_id: str
    text: str
    count_from: int
    count_to: int
    output_format: str
    settings: dict[str, Any] | None
    dialogue: list[dict[str, str]] | None
    remake: Callable[[], tuple[Any, Any, Any]]
    seq: int = field(default_factory=lambda: next(_SEQ))

    def public(self) -> dict[str, Any]:
        """SpeechHistoryItemResponseModel."""
        voice = data.VOICE_BY_ID.get(self.voice_id or "")
        return {
            "history_item_id": self.history_item_id, "request_id": self.request_id,
            "voice_id": self.voice_id, "model_id": self.model_id,
            "voice_name": voice["name"] if voice else None,
            "voice_category": voice["category"] if voice else None,
            "text": self.text, "date_unix": self.date_unix,
            "character_count_change_from": self.count_from, "character_count_change_to": self.count_to,
            "content_type": FORMATS[self.output_format].mime, "state": "created",
            "settings": self.settings, "feedback": None, "share_link_id": None, "source": "TTS",
            "alignments": None, "dialogue": self.dialogue, "output_format": self.output_format,
        }


class History:
    """Every account's items, newest last; safe from the event loop and threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, list[Item]] = {}

    def add(self, key: str, item: Item) -> None:
        with self.lock:
            kept = self.items.setdefault(key, [])
            kept.append(item)
            del kept[:-MAX_ITEMS]

    def all(self, key: str) -> list[Item]:
        with self.lock:
            return list(self.items.get(key, []))

    def find(self, key: str, history_item_id: str) -> Item:
        with self.lock:
            found = next((i for i in self.items.get(key, []) if i.history_item_id == history_item_id), None)
        if found is None:
            raise fail(404, "history_item_not_found", f"History item {history_item_id} was not found.")
        return found

    def delete(self, key: str, history_item_id: str) -> None:
        item = self.find(key, history_item_id)
        with self.lock:
            kept = self.items.get(key, [])
            if item in kept:
                kept.remove(item)


# --- what the synthesis routes hand over -------------------------------------------------------
def draft_speech(voice_id: str, body: dict[str, Any], model: dict[str, Any], fmt_name: str,
                 logging: bool) -> dict[str, Any] | None:
    """What a text-to-speech request leaves in the history (None with zero retention)."""
    if not logging:
        return None
    return {"voice_id": voice_id, "model_id": model["model_id"], "text": body["text"],
            "settings": body.get("voice_settings"), "output_format": fmt_name, "dialogue": None}


def draft_dialogue(body: dict[str, Any], model: dict[str, Any], fmt_name: str, logging: bool) -> dict[str, Any] | None:
    """What a text-to-dialogue request leaves: the lines, and the first voice at the top level."""
    if not logging:
        return None
    lines = [{"text": x["text"], "voice_id": x["voice_id"], "voice_name": data.VOICE_BY_ID[x["voice_id"]]["name"]}
             for x in body["inputs"]]
    return {"voice_id": lines[0]["voice_id"] if lines else None, "model_id": model["model_id"],
            "text": " ".join(x["text"] for x in lines), "settings": body.get("settings"),
            "output_format": fmt_name, "dialogue": lines}


def remember(history: History, key: str, draft: dict[str, Any] | None, headers: dict[str, str], count_to: int,
             cost: int, remake: Callable[[], tuple[Any, Any, Any]]) -> None:
    """Keep a generation under the ids its response headers carry, with `remake` (what made it: the
    synthesis, kept to run again, holds the job, never the speech)."""
    if draft is None or "history-item-id" not in headers:
        return
    history.add(key, Item(headers["history-item-id"], headers.get("request-id"), int(time.time()),
                          draft["voice_id"], draft["model_id"], draft["text"], count_to - cost, count_to,
                          draft["output_format"], draft["settings"], draft["dialogue"], remake))


# --- encoding again ----------------------------------------------------------------------------
async def encode(item: Item, fmt_name: str | None = None) -> tuple[bytes, str]:
    """The item's audio in its own format (or `fmt_name`), whole: (bytes, MIME type), spoken again."""
    import anyio

    from eleven_mock.speech import Job, audio_stream

    fmt = FORMATS[fmt_name or item.output_format]
    made, speech, _ = await anyio.to_thread.run_sync(item.remake)
    job = Job(made.text, made.voicing, made.speed, fmt)
    body = b"".join([c async for c in audio_stream(job, speech, 0.0, 0.0, time.monotonic(), True)])
    return body, fmt.mime


def _file_name(item: Item) -> str:
    voice = data.VOICE_BY_ID.get(item.voice_id or "")
    name = (voice["name"] if voice else "voice").replace(" ", "_")
    return f"{name}_{item.history_item_id}{FORMATS[item.output_format].extension}"


# --- the routes ----------------------------------------------------------------------------------
def _query(request: Request) -> dict[str, Any]:
    """The list's query, checked as FastAPI checks the service's (422 in its list form)."""
    q = request.query_params
    p = Problems()
    out: dict[str, Any] = {}
    for name, default in (("page_size", 100), ("date_before_unix", None), ("date_after_unix", None)):
        raw = q.get(name)
        if raw is None:
            out[name] = default
            continue
        try:
            out[name] = int(raw)
        except ValueError:
            p.add("int_parsing", ["query", name], "Input should be a valid integer, unable to parse string as an "
                  "integer", raw)
    if isinstance(out.get("page_size"), int):
        p.number(["query", "page_size"], out["page_size"], 1, MAX_PAGE, integer=True)
    direction = q.get("sort_direction", "desc")
    if direction not in ("asc", "desc"):
        p.add("enum", ["query", "sort_direction"], "Input should be 'asc' or 'desc'", direction)
    source = q.get("source")
    if source is not None and source not in ("TTS", "STS"):
        p.add("enum", ["query", "source"], "Input should be 'TTS' or 'STS'", source)
    p.raise_if_any()
    out.update(sort_direction=direction, source=source, voice_id=q.get("voice_id"), model_id=q.get("model_id"),
               search=q.get("search"), start_after=q.get("start_after_history_item_id"))
    return out


def listing(history: History, key: str, request: Request) -> dict[str, Any]:
    """GET /v1/history: filtered, sorted by date, paged after an item id."""
    q = _query(request)
    needle = (q["search"] or "").casefold()
    found = [i for i in history.all(key)
             if (not q["voice_id"] or i.voice_id == q["voice_id"]
                 or any(x["voice_id"] == q["voice_id"] for x in i.dialogue or []))
             and (not q["model_id"] or i.model_id == q["model_id"])
             and (not needle or needle in i.text.casefold())
             and q["source"] in (None, "TTS")
             and (q["date_after_unix"] is None or i.date_unix >= q["date_after_unix"])
             and (q["date_before_unix"] is None or i.date_unix < q["date_before_unix"])]
    found.sort(key=lambda i: (i.date_unix, i.seq), reverse=q["sort_direction"] == "desc")
    if q["start_after"]:
        at = next((n for n, i in enumerate(found) if i.history_item_id == q["start_after"]), None)
        if at is None:
            history.find(key, q["start_after"])  # unknown: 404; known but filtered out: nothing after it
            at = len(found)
        found = found[at + 1 :]
    page = found[: q["page_size"]]
    return {"history": [i.public() for i in page], "has_more": len(found) > len(page),
            "last_history_item_id": page[-1].history_item_id if page else None,
            "scanned_until": page[-1].date_unix if page else None}


async def route(request: Request, history: History, key: str) -> Response:
    """Every /v1/history route, for the account with `key` (already authenticated)."""
    from starlette.responses import JSONResponse, Response

    item_id = str(request.path_params.get("history_item_id", ""))
    path = request.url.path
    if path == "/v1/history":
        return JSONResponse(listing(history, key, request))
    if path == "/v1/history/download":
        return await _download(request, history, key)
    if path.endswith("/audio"):
        audio, mime = await encode(history.find(key, item_id))
        return Response(audio, media_type=mime)
    if request.method == "DELETE":
        history.delete(key, item_id)
        return JSONResponse({"status": "ok"})
    return JSONResponse(history.find(key, item_id).public())


async def _download(request: Request, history: History, key: str) -> Response:
    from starlette.responses import Response

    body = json_object(await request.body())
    ids = body.get("history_item_ids")
    if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
        p = Problems()
        p.add("missing" if ids is None else "list_type", ["body", "history_item_ids"],
              "Field required" if ids is None else "Input should be a valid list", ids)
        p.raise_if_any()
    if not ids:
        raise fail(400, "invalid_history_item_ids", "history_item_ids must name at least one history item.")
    wanted = body.get("output_format")
    if wanted not in (None, "wav", "default"):
        raise fail(400, "invalid_output_format", "output_format must be wav or none")
    items = [history.find(key, i) for i in ids]

    def fmt_of(item: Item) -> str | None:
        return f"wav_{FORMATS[item.output_format].rate}" if wanted == "wav" else None

    if len(items) == 1:
        audio, mime = await encode(items[0], fmt_of(items[0]))
        return Response(audio, media_type=mime)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as box:
        for item in items:
            audio, _ = await encode(item, fmt_of(item))
            name = _file_name(item)
            box.writestr(name.rsplit(".", 1)[0] + ".wav" if wanted == "wav" else name, audio)
    return Response(buffer.getvalue(), media_type="application/zip")
