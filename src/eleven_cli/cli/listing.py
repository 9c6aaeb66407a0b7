"""`eleven models` and `eleven voices` (what they print is in catalog_view.py; their flags in flags.py, which the
quick parser also reads)."""


import typer

from eleven_cli.cli.catalog_view import show_models, show_voices
from eleven_cli.cli.options import AllModelsOpt, LegacyOpt, ListJsonOpt, SearchArg


def models(ctx: typer.Context, as_json: ListJsonOpt = False, all_models: AllModelsOpt = False) -> None:
    """List models: id, name, capabilities, max characters per request, cost factor, languages."""
    show_models(ctx.obj, as_json=as_json, all_models=all_models)


def voices(ctx: typer.Context, search: SearchArg = None, as_json: ListJsonOpt = False,
           legacy: LegacyOpt = True) -> None:
    """List voices: name, id, category, labels."""
    show_voices(ctx.obj, search, as_json=as_json, legacy=legacy)


def register(app: typer.Typer) -> None:
    app.command("models", short_help="List models and their limits.")(models)
    app.command("voices", short_help="List or search voices.")(voices)
