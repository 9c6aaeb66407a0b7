"""`eleven history` (the local log, or the account's with --remote), `history show|get|delete`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eleven_cli.cli import complete

if TYPE_CHECKING:
    from eleven_cli.cli.context import Globals
    from eleven_cli.history import History
    from eleven_cli.spendlog import Log

history_app = typer.Typer(help="Every generation remembered: the local log, or the account's history with --remote.",
                          invoke_without_command=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print as JSON.")]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="A row of the local log (a number) or a history item id.",
                                      show_default=False)]


def _log(g: Globals) -> Log:
    from eleven_cli.spendlog import Log

    return Log(warn=lambda m: g.say("eleven: " + m))


def _history(g: Globals) -> History:
    from eleven_cli.history import History

    return History(g.client().http)


def _since(raw: str | None) -> float | None:
    from eleven_cli.spendlog import parse_since

    return parse_since(raw) if raw else None


@history_app.callback()
def history(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", min=0, help="Show at most N generations "
                                       "(0: all).")] = 20,
    voice: Annotated[str | None, typer.Option("--voice", "-v", metavar="VOICE",
                                              shell_complete=complete.shell(complete.voices),
                                              help="Only this voice (id or name).", show_default=False)] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", metavar="MODEL",
                                              shell_complete=complete.shell(complete.models),
                                              help="Only this model.", show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="WHEN", help="Only from then on: a date "
                                              "(2026-11-01), a date and time, or an age (7d, 12h).",
                                              show_default=False)] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Only before then (as --since).",
                                              show_default=False)] = None,
    search: Annotated[str | None, typer.Option("--search", "-s", metavar="TEXT", help="Only generations whose "
                                               "text (or output path) contains TEXT.", show_default=False)] = None,
    run: Annotated[str | None, typer.Option("--run", metavar="RUN", help="Only the generations of one batch, book "
                                            "or dialogue run.", show_default=False)] = None,
    remote: Annotated[bool, typer.Option("--remote", help="List the account's history (/v1/history) instead of "
                                         "the local log.")] = False,
    source: Annotated[str | None, typer.Option("--source", metavar="TTS|STS", help="With --remote: only text to "
                                               "speech or speech to speech.", show_default=False)] = None,
    after: Annotated[str | None, typer.Option("--after", metavar="HISTORY_ITEM_ID", help="With --remote: start "
                                              "after this item (the next page).", show_default=False)] = None,
) -> None:
    """The local log of generations, newest first (or the account's history with --remote). Nothing is billed."""
    if ctx.invoked_subcommand is not None:
        return
    from eleven_cli.errors import UsageError

    g: Globals = ctx.obj
    if remote:
        if run:
            raise UsageError("--run selects a run of the local log; the account's history has no runs",
                             hint="drop --remote or --run")
        _remote(g, as_json, limit, voice, model, since, until, search, source, after)
        return
    if source or after:
        raise UsageError(f"{'--source' if source else '--after'} applies to the account's history",
                         hint="add --remote")
    from eleven_cli.cli import history_view as view
    from eleven_cli.cli.render import print_json

    log = _log(g)
    rows = log.query(voice=voice, model=model, since=_since(since), until=_since(until), search=search, run=run,
                     limit=limit or None)
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        filtered = any((voice, model, since, until, search, run))
        g.say("eleven: no generations match" if filtered else f"eleven: no generations logged yet ({log.path})")
        return
    view.local_rows(rows)


def _remote(g: Globals, as_json: bool, limit: int, voice: str | None, model: str | None, since: str | None,
            until: str | None, search: str | None, source: str | None, after: str | None) -> None:
    from eleven_cli.cli import history_view as view
    from eleven_cli.cli.render import print_json
    from eleven_cli.history import HistoryFilter

    start, end = _since(since), _since(until)
    client = g.client()
    filters = HistoryFilter(voice_id=client.catalog.resolve_voice(voice) if voice else None, model_id=model,
                            search=search, source=source.upper() if source else None,
                            date_after_unix=int(start) if start is not None else None,
                            date_before_unix=int(end) if end is not None else None)
    items = list(_history(g).items(limit=limit or None, filters=filters, start_after=after,
                                   page_size=min(limit or 100, 100)))
    if as_json:
        print_json([i.raw for i in items])
        return
    if not items:
        g.say("eleven: the account's history has no matching generations")
        return
    view.remote_items(items)


@history_app.command("show")
def show(ctx: typer.Context, item: IdArg, as_json: JsonOpt = False) -> None:
    """One generation: a row of the local log (a number), or an item of the account's history."""
    from eleven_cli.cli import history_view as view
    from eleven_cli.cli.render import print_json
    from eleven_cli.errors import UsageError

    g: Globals = ctx.obj
    if item.isdigit():
        row = _log(g).get(int(item))
        if row is None:
            raise UsageError(f"the log has no generation {item}", hint="`eleven history` lists them")
        if as_json:
            print_json(row.to_json())
        else:
            view.detail(view.local_detail(row))
        return
    found = _history(g).get(item)
    if as_json:
        print_json(found.raw)
    else:
        view.detail(view.remote_detail(found))


def _item_ids(g: Globals, given: list[str]) -> list[str]:
    """History item ids, rows of the local log (numbers) replaced by theirs."""
    from eleven_cli.errors import UsageError

    out: list[str] = []
    for value in given:
        if not value.isdigit():
            out.append(value)
            continue
        row = _log(g).get(int(value))
        if row is None:
            raise UsageError(f"the log has no generation {value}", hint="`eleven history` lists them")
        if not row.history_item_ids:
            raise UsageError(f"generation {value} has no history item to download",
                             hint="the service kept none (zero retention), or it was deleted")
        out += row.history_item_ids
    return list(dict.fromkeys(out))


@history_app.command("get")
def get(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="ID...", help="History item ids, or rows of the local "
                                               "log (numbers).", show_default=False)],
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help="Write the audio here "
                                               "(- for stdout); several ids are joined in order.",
                                               show_default=False)] = None,
    outdir: Annotated[Path | None, typer.Option("--outdir", "-d", metavar="FOLDER", help="Write each item as "
                                                "HISTORY_ITEM_ID.EXT in this folder (made if missing) "
                                                "[default: the current folder].",
                                                show_default=False)] = None,
) -> None:
    """Download audio already generated, from the account's history: no synthesis, nothing billed."""
    from eleven_cli.errors import UsageError

    g: Globals = ctx.obj
    if output and outdir:
        raise UsageError("give -o FILE or -d FOLDER, not both")
    ids = _item_ids(g, items)
    history = _history(g)
    if output == "-":
        from eleven_cli.history import join_audio

        data = join_audio([history.audio(i) for i in ids])
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if output:
        from eleven_cli.history import download_history_audio

        size = download_history_audio(history.http, ids, output)
        g.say(f"eleven: wrote {output} ({size:,} bytes) from the history; nothing billed")
        return
    folder = outdir or Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {folder}: {(exc.strerror or str(exc)).lower()}") from None
    for name, size in _unpack(history, ids, folder):
        g.say(f"eleven: wrote {name} ({size:,} bytes)")
    g.say(f"eleven: {len(ids)} item{'s' if len(ids) != 1 else ''} from the history; nothing billed")


def _unpack(history: History, ids: list[str], folder: Path) -> list[tuple[Path, int]]:
    """One item through its /audio; several through the zip download, unpacked as ID.EXT (atomically)."""
    from eleven_cli.atomic import write_file
    from eleven_cli.history import unzip_audio

    if len(ids) == 1:
        got = history.audio(ids[0])
        files = [(folder / f"{ids[0]}{got.extension}", got.data)]
    else:
        entries = unzip_audio(history.download(ids).data, ids)
        files = [(folder / (f"{found}{Path(name).suffix}" if found else name), data)
                 for found, name, data in entries]
    for path, data in files:
        write_file(path, data)
    return [(path, len(data)) for path, data in files]


@history_app.command("delete")
def delete(
    ctx: typer.Context,
    items: Annotated[list[str], typer.Argument(metavar="ID...", help="History item ids, or rows of the local "
                                               "log (numbers).", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask (needed when stdin is not a "
                                      "terminal).")] = False,
) -> None:
    """Delete items from the account's history (asks first on a terminal). The local log keeps its rows."""
    from eleven_cli.errors import UsageError

    g: Globals = ctx.obj
    ids = _item_ids(g, items)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without --yes when stdin is not a terminal",
                             hint="pass --yes to delete " + ", ".join(ids))
        listed = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        if not typer.confirm(f"Delete {listed} from the account's history? The audio cannot be downloaded again",
                             default=False, err=True):
            g.say("eleven: nothing deleted")
            raise typer.Exit(1)
    history = _history(g)
    log = _log(g)
    for history_item_id in ids:
        history.delete(history_item_id)
        _forget(log, history_item_id)
        g.say(f"eleven: deleted {history_item_id}")


def _forget(log: Log, history_item_id: str) -> None:
    """The local rows no longer name a deleted item (a resume will not try to download it)."""
    from eleven_cli.spendlog import LogError

    try:
        log.delete_history_item(history_item_id)
    except LogError as exc:
        if log.warn:
            log.warn(f"warning: {exc.line()}")


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history", short_help="The log of generations, and the account's history.")
