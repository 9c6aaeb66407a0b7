"""Request validation with the service's error shapes (FastAPI's 422 list form, detail objects)."""

from __future__ import annotations

import json
from typing import Any

from eleven_cli.formats import FORMATS


class ApiFailure(Exception):
    """An error response: status code and the JSON `detail`."""

    def __init__(self, status: int, detail: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def fail(status: int, code: str, message: str) -> ApiFailure:
    return ApiFailure(status, {"status": code, "message": message})


class Problems:
    """Collects 422 validation problems, FastAPI style."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, kind: str, loc: list[Any], msg: str, value: Any, ctx: dict[str, Any] | None = None) -> None:
        item: dict[str, Any] = {"type": kind, "loc": loc, "msg": msg, "input": value}
        if ctx:
            item["ctx"] = ctx
        self.items.append(item)

    def number(self, loc: list[Any], value: Any, lo: float, hi: float, integer: bool = False) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not float(value).is_integer()
        ):
            kind, msg = ("int_type", "Input should be a valid integer") if integer else (
                "float_type", "Input should be a valid number")
            self.add(kind, loc, msg, value)
        elif value < lo:
            self.add("greater_than_equal", loc, f"Input should be greater than or equal to {lo}", value,
                     {"ge": lo})
        elif value > hi:
            self.add("less_than_equal", loc, f"Input should be less than or equal to {hi}", value, {"le": hi})

    def max_items(self, loc: list[Any], value: Any, limit: int) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.add("list_type", loc, "Input should be a valid list", value)
        elif len(value) > limit:
            self.add("too_long", loc, f"List should have at most {limit} items after validation, not "
                     f"{len(value)}", value, {"field_type": "List", "max_length": limit,
                                               "actual_length": len(value)})

    def raise_if_any(self) -> None:
        if self.items:
            raise ApiFailure(422, self.items)


def _bool_query(p: Problems, name: str, raw: str | None, default: bool) -> bool:
    if raw is None:
        return default
    low = raw.lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    p.add("bool_parsing", ["query", name], "Input should be a valid boolean, unable to interpret input", raw)
    return default


def check_query(query: dict[str, str], streaming: bool) -> tuple[str, bool]:
    """Validate the TTS query string; returns (output_format, enable_logging)."""
    p = Problems()
    fmt = query.get("output_format", "mp3_44100_128")
    if fmt not in FORMATS or (streaming and not FORMATS[fmt].streamable):
        allowed = [n for n, f in FORMATS.items() if f.streamable or not streaming]
        p.add("enum", ["query", "output_format"],
              "Input should be " + ", ".join(f"'{a}'" for a in allowed), fmt,
              {"expected": ", ".join(f"'{a}'" for a in allowed)})
    logging = _bool_query(p, "enable_logging", query.get("enable_logging"), True)
    latency = query.get("optimize_streaming_latency")
    if latency is not None:
        try:
            p.number(["query", "optimize_streaming_latency"], int(latency), 0, 4, integer=True)
        except ValueError:
            p.add("int_parsing", ["query", "optimize_streaming_latency"],
                  "Input should be a valid integer, unable to parse string as an integer", latency)
    p.raise_if_any()
    return fmt, logging


def json_object(raw: bytes) -> dict[str, Any]:
    """A request's JSON body, which must be an object (FastAPI's 422s for anything else)."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiFailure(422, [{"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error",
                                "input": {}, "ctx": {"error": str(exc)}}]) from None
    if not isinstance(body, dict):
        p = Problems()
        p.add("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract "
              "fields from", body)
        p.raise_if_any()
    return body


def check_body(body: dict[str, Any]) -> dict[str, Any]:
    """Validate a TTS JSON body like the service's pydantic model does; returns it."""
    p = Problems()
    text = body.get("text")
    if "text" not in body:
        p.add("missing", ["body", "text"], "Field required", body)
    elif not isinstance(text, str):
        p.add("string_type", ["body", "text"], "Input should be a valid string", text)
    for name in ("model_id", "language_code", "previous_text", "next_text"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            p.add("string_type", ["body", name], "Input should be a valid string", value)
    vs = body.get("voice_settings")
    if vs is not None:
        if not isinstance(vs, dict):
            p.add("model_attributes_type", ["body", "voice_settings"], "Input should be a valid dictionary",
                  vs)
        else:
            for name in ("stability", "similarity_boost", "style"):
                p.number(["body", "voice_settings", name], vs.get(name), 0.0, 1.0)
            p.number(["body", "voice_settings", "speed"], vs.get("speed"), 0.7, 1.2)
            boost = vs.get("use_speaker_boost")
            if boost is not None and not isinstance(boost, bool):
                p.add("bool_type", ["body", "voice_settings", "use_speaker_boost"],
                      "Input should be a valid boolean", boost)
    p.max_items(["body", "pronunciation_dictionary_locators"], body.get("pronunciation_dictionary_locators"), 3)
    for i, loc in enumerate(body.get("pronunciation_dictionary_locators") or []):
        if not isinstance(loc, dict) or not isinstance(loc.get("pronunciation_dictionary_id"), str):
            p.add("missing", ["body", "pronunciation_dictionary_locators", i, "pronunciation_dictionary_id"],
                  "Field required", loc)
    for name in ("previous_request_ids", "next_request_ids"):
        p.max_items(["body", name], body.get(name), 3)
    p.number(["body", "seed"], body.get("seed"), 0, 4294967295, integer=True)
    norm = body.get("apply_text_normalization")
    if norm is not None and norm not in ("auto", "on", "off"):
        p.add("enum", ["body", "apply_text_normalization"], "Input should be 'auto', 'on' or 'off'", norm,
              {"expected": "'auto', 'on' or 'off'"})
    p.raise_if_any()
    return body
