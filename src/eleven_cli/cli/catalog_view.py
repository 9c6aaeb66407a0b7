"""What `eleven models` and `eleven voices` print, without Typer: the Typer commands in listing.py and the
start-up fast path in entry.py (which answers the plain forms of both before Typer is imported) call these."""

from eleven_cli.cli.context import Globals
from eleven_cli.cli.render import print_json, table


def show_models(g: Globals, *, as_json: bool = False, all_models: bool = False) -> None:
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


def show_voices(g: Globals, search: str | None = None, *, as_json: bool = False, legacy: bool = True) -> None:
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
