"""What `eleven history` and `eleven usage` print: rows of the local log, items of the account's history,
spend tables and the bar chart of credits per day. No Typer here."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from eleven_cli.cli.render import table

if TYPE_CHECKING:
    from eleven_cli.history import HistoryItem
    from eleven_cli.spendlog import Generation, Spend

BAR = "█"


def when(unix: float) -> str:
    return datetime.datetime.fromtimestamp(unix).strftime("%Y-%m-%d %H:%M")


def snippet(text: str | None, width: int = 48) -> str:
    if text is None:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else ""


def number(value: int | None) -> str:
    return f"{value:,}" if value is not None else "?"


def local_rows(rows: list[Generation]) -> None:
    table(["ID", "When", "Command", "Voice", "Model", "Credits", "Audio s", "Output", "Text"],
          [[str(r.id), when(r.at), r.command, r.voice_name or r.voice_id or "", r.model_id or "",
            number(r.characters), seconds(r.audio_seconds), r.output or "",
            snippet(r.text) if r.text is not None else f"(sha256 {(r.text_sha256 or '')[:12]})"]
           for r in rows])


def remote_items(items: list[HistoryItem]) -> None:
    table(["History item", "When", "Voice", "Model", "Credits", "Format", "Text"],
          [[i.history_item_id, when(i.date_unix), i.voice_name or i.voice_id or "", i.model_id or "",
            f"{i.characters:,}", i.output_format or i.content_type, snippet(i.text)] for i in items])


def local_detail(r: Generation) -> list[tuple[str, str]]:
    return [("id", str(r.id)), ("when", when(r.at)), ("command", r.command), ("status", r.status),
            ("profile", r.profile or ""), ("base url", r.base_url or ""),
            ("voice", f"{r.voice_name or ''} ({r.voice_id or '?'})"), ("model", r.model_id or ""),
            ("format", r.output_format or ""), ("credits", number(r.characters)),
            ("characters sent", number(r.text_length)),
            ("time to first byte", f"{r.ttfb * 1000:.0f} ms" if r.ttfb is not None else ""),
            ("audio", f"{r.audio_seconds:.2f} s" if r.audio_seconds is not None else ""),
            ("output", r.output or ""), ("run", r.run_id or ""), ("request ids", ", ".join(r.request_ids)),
            ("history items", ", ".join(r.history_item_ids)), ("text sha256", r.text_sha256 or ""),
            ("text", r.text if r.text is not None else "(not kept)")]


def remote_detail(i: HistoryItem) -> list[tuple[str, str]]:
    out = [("history item", i.history_item_id), ("when", when(i.date_unix)), ("state", i.state),
           ("source", i.source or ""), ("voice", f"{i.voice_name or ''} ({i.voice_id or '?'})"),
           ("model", i.model_id or ""), ("format", i.output_format or i.content_type),
           ("credits", f"{i.characters:,} (account count {i.character_count_change_from:,} → "
                       f"{i.character_count_change_to:,})"), ("request id", i.request_id or "")]
    if i.dialogue:
        out += [(f"line {n + 1}", f"{d.voice_name}: {d.text}") for n, d in enumerate(i.dialogue)]
    else:
        out.append(("text", i.text or ""))
    return out


def detail(pairs: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in pairs)
    for key, value in pairs:
        if value:
            print(f"{key + ':':<{width + 1}} {value}")


def spend_table(rows: list[Spend], by: str) -> None:
    table([by.capitalize(), "Generations", "Credits", "Characters sent", "Audio min"],
          [[r.key, f"{r.generations:,}", f"{r.credits:,}", f"{r.characters_sent:,}",
            f"{r.audio_seconds / 60:.1f}"]
           for r in rows])


def bars(rows: list[Spend], width: int = 40) -> list[str]:
    """Credits per key as a bar each, the largest `width` characters long (a non-zero one at least one)."""
    if not rows:
        return []
    top = max(r.credits for r in rows) or 1
    label = max(len(r.key) for r in rows)
    out = []
    for r in rows:
        n = round(r.credits / top * width)
        out.append(f"{r.key:<{label}}  {BAR * max(n, 1 if r.credits else 0)} {r.credits:,}".rstrip())
    return out
