"""`eleven devices`."""


from typing import Annotated

import typer


def devices(ctx: typer.Context,
            as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List audio output devices (index, name, host API, channels, default rate) and the default."""
    from eleven_cli.audio.player import output_devices
    from eleven_cli.cli.render import print_json, table

    items = output_devices()
    if not items:
        ctx.obj.say("eleven: no audio output devices found (is a sound server running?)")
    if as_json:
        print_json(items)
        return
    if not items:
        return
    table(["Index", "Name", "Host API", "Channels", "Rate", "Default"],
          [[str(d["index"]), d["name"], d["hostapi"], str(d["channels"]), f"{d['default_samplerate']:.0f}",
            "*" if d["default"] else ""] for d in items])


def register(app: typer.Typer) -> None:
    app.command("devices", short_help="List audio output devices.")(devices)
