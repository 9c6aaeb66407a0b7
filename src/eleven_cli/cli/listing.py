"""`eleven models` and `eleven voices`."""


from typing import Annotated

import typer

JsonList = Annotated[bool, typer.Option("--json", help="Print the API's fields as JSON.")]


def models(
    ctx: typer.Context,
    as_json: JsonList = False,
    all_models: Annotated[bool, typer.Option("--all", help="Include models that cannot do text to "
                                             "speech.")] = False,
) -> None:
    """List models: id, name, capabilities, max characters per request, cost factor, languages."""
    from eleven_cli.cli.render import print_json, table

    g = ctx.obj
    items = sorted(g.client().catalog.models(fresh=True), key=lambda m: m.model_id)  # refreshes the cache
    if not all_models:
        items = [m for m in items if m.can_do_text_to_speech] or items
    if as_json:
        print_json([m.raw for m in items])
        return
    rows = []
    for m in items:
        caps = ", ".join(c for c, ok in (("tts", m.can_do_text_to_speech), ("voice-conversion",
                                          m.can_do_voice_conversion)) if ok)
        langs = ", ".join(m.languages[:6]) + (f" +{len(m.languages) - 6}" if len(m.languages) > 6 else "")
        rows.append([m.model_id, m.name, caps, f"{m.max_characters:,}" if m.max_characters else "?",
                     f"{m.cost_factor:g}" if m.cost_factor is not None else "?", langs])
    table(["ID", "Name", "Can do", "Max chars", "Cost", "Languages"], rows)


def voices(
    ctx: typer.Context,
    search: Annotated[str | None, typer.Argument(metavar="SEARCH", help="Only voices whose name, description or labels "
                                                 "contain this (server-side search, /v2/voices).",
                                                 show_default=False)] = None,
    as_json: JsonList = False,
    legacy: Annotated[bool, typer.Option("--legacy/--no-legacy", help="Include retired (legacy) "
                                         "voices.")] = True,
) -> None:
    """List voices: name, id, category, labels."""
    from eleven_cli.cli.render import print_json, table

    g = ctx.obj
    client = g.client()
    # The whole list refreshes the cache that name lookup and shell completion read.
    items = (client.voices(search=search) if search else client.catalog.voices(fresh=True) if legacy
             else client.voices(show_legacy=False))
    if not legacy:
        items = [v for v in items if not v.raw.get("is_legacy")]
    items = sorted(items, key=lambda v: (v.name.casefold(), v.voice_id))
    if not items:
        g.say(f"eleven: no voices match {search!r}" if search else "eleven: this account has no voices")
    if as_json:
        print_json([v.raw for v in items])
        return
    if not items:
        return
    rows = [[v.name + (" (legacy)" if v.raw.get("is_legacy") else ""), v.voice_id, v.category,
             ", ".join(f"{k}={val}" for k, val in sorted(v.labels.items()))] for v in items]
    table(["Name", "ID", "Category", "Labels"], rows)


def register(app: typer.Typer) -> None:
    app.command("models", short_help="List models and their limits.")(models)
    app.command("voices", short_help="List or search voices.")(voices)
