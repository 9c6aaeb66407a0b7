"""`eleven usage`: the subscription (used, limit, reset date) and the spend the local log remembers."""

from __future__ import annotations

import datetime
import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from eleven_cli.cli.context import Globals
    from eleven_cli.history import Subscription


def period_start(next_reset_unix: int | None, now: float | None = None) -> float:
    """When the current billing month began: a calendar month before the next reset (else 30 days ago)."""
    now = time.time() if now is None else now
    if not next_reset_unix:
        return now - 30 * 86400
    reset = datetime.datetime.fromtimestamp(next_reset_unix)
    year, month = (reset.year, reset.month - 1) if reset.month > 1 else (reset.year - 1, 12)
    day = min(reset.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31,
                          31, 30, 31, 30, 31][month - 1])
    start = reset.replace(year=year, month=month, day=day).timestamp()
    return start if start <= now else now - 30 * 86400


def _account(sub: Subscription) -> dict[str, Any]:
    left = max(0, sub.character_limit - sub.character_count)
    reset = (datetime.datetime.fromtimestamp(sub.next_reset_unix).astimezone().isoformat(timespec="seconds")
             if sub.next_reset_unix else None)
    return {"tier": sub.tier, "character_count": sub.character_count, "character_limit": sub.character_limit,
            "remaining": left, "next_reset_unix": sub.next_reset_unix, "next_reset": reset}


def usage(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", metavar="day|voice|model|command", help="Group the spend by day, "
                                    "voice, model or command.")] = "day",
    since: Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Spend from then on: a date "
                                              "(2026-11-01), a date and time, or an age (7d) [default: the "
                                              "start of the billing month].", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Only the local log: do not ask the service for "
                                          "the subscription.")] = False,
) -> None:
    """Credits used and left this month, and the spend from the log by day, voice, model or command."""
    from eleven_cli.cli import history_view as view
    from eleven_cli.cli.render import print_json
    from eleven_cli.errors import UsageError
    from eleven_cli.spendlog import GROUPS, Log, parse_since

    g: Globals = ctx.obj
    if by not in GROUPS:
        raise UsageError(f"cannot group by {by!r}", hint=f"use one of {', '.join(GROUPS)}")
    account = None if offline else _account(g.client().subscription())
    start = parse_since(since) if since else period_start(account["next_reset_unix"] if account else None)
    log = Log(warn=lambda m: g.say("eleven: " + m))
    rows = log.spend(by, since=start)
    total = {"generations": sum(r.generations for r in rows), "credits": sum(r.credits for r in rows),
             "characters_sent": sum(r.characters_sent for r in rows),
             "audio_seconds": round(sum(r.audio_seconds for r in rows), 3)}
    begin = datetime.datetime.fromtimestamp(start)
    if as_json:
        print_json({"subscription": account, "since": begin.astimezone().isoformat(timespec="seconds"), "by": by,
                    "spend": [asdict(r) for r in rows], "total": total})
        return
    if account:
        share = account["character_count"] / account["character_limit"] * 100 if account["character_limit"] else 0
        print(f"tier:     {account['tier']}")
        print(f"credits:  {account['character_count']:,} of {account['character_limit']:,} used "
              f"({account['remaining']:,} left, {share:.1f} %)")
        if account["next_reset_unix"]:
            days = max(0, round((account["next_reset_unix"] - time.time()) / 86400))
            print(f"resets:   {view.when(account['next_reset_unix'])[:10]} (in {days} day{'s' if days != 1 else ''})")
        print()
    print(f"spend logged since {begin:%Y-%m-%d %H:%M}, by {by}:")
    if not rows:
        print(f"  nothing logged ({log.path})")
        return
    view.spend_table(rows, by)
    if by == "day" and sys.stdout.isatty():
        print()
        for line in view.bars(rows):
            print(line)
    print(f"total: {total['generations']:,} generations, {total['credits']:,} credits, "
          f"{total['audio_seconds'] / 60:.1f} min of audio")


def register(app: typer.Typer) -> None:
    app.command("usage", short_help="Credits used and left, and what was spent when.")(usage)
