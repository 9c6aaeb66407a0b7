"""`eleven models` and `eleven voices` (what they print is in catalog_view.py)."""


from typing import Annotated

import typer

from eleven_cli.cli.catalog_view import show_models, show_voices

JsonList = Annotated[bool, typer.Option("--json", help="Print the API's fields as JSON.")]


def models(
    ctx: typer.Context,
    as_json: JsonList = False,
    all_models: Annotated[bool, typer.Option("--all", help="Include models that cannot do text to "
                                             "speech.")] = False,
) -> None:
    """List models: id, name, capabilities, max characters per request, cost factor, languages."""
    show_models(ctx.obj, as_json=as_json, all_models=all_models)


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
    show_voices(ctx.obj, search, as_json=as_json, legacy=legacy)


def register(app: typer.Typer) -> None:
    app.command("models", short_help="List models and their limits.")(models)
    app.command("voices", short_help="List or search voices.")(voices)
