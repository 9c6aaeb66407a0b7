"""`eleven config list|get|set|unset|path`."""


from typing import Annotated, Any

import typer

from eleven_cli.cli import complete
from eleven_cli.config import KEYS

config_app = typer.Typer(help="Read and change defaults per profile: " + ", ".join(KEYS) + ".",
                         no_args_is_help=True)


def _show(key: str, value: Any) -> str:
    from eleven_cli.config import mask

    if isinstance(value, dict):  # the cast: Alice=George,Bob=Sarah
        return ",".join(f"{k}={v}" for k, v in value.items())
    return mask(str(value)) if key == "api_key" else str(value).lower() if isinstance(value, bool) else str(value)


@config_app.command("list", short_help="Show the active profile's settings.")
def list_(ctx: typer.Context,
          as_json: Annotated[bool, typer.Option("--json", help="Print as JSON (key masked).")] = False,
          all_profiles: Annotated[bool, typer.Option("--all", help="Every profile, not only the "
                                                     "active one.")] = False) -> None:
    """Show the active profile's settings (the key masked)."""
    from eleven_cli.cli.render import print_json

    g = ctx.obj
    cfg = g.config
    name = g.resolved.profile
    names = sorted(cfg.profiles) if all_profiles else [name]
    data = {n: {k: _show(k, v) for k, v in sorted(cfg.profile(n).items())} for n in names}
    if as_json:
        print_json(data if all_profiles else data[name])
        return
    for n in names:
        if all_profiles:
            print(f"[{n}]")
        if not data[n]:
            print(f"# profile {n!r} has no settings; see `eleven config set --help`")
        for k, v in data[n].items():
            print(f"{k} = {v}")


@config_app.command("get", short_help="Print one setting.")
def get(ctx: typer.Context, key: Annotated[str, typer.Argument(
    metavar="KEY", shell_complete=complete.shell(complete.config_keys), help="Setting name.")]) -> None:
    """Print one setting of the active profile (exit 2 when it is not set)."""
    from eleven_cli.config import KEYS
    from eleven_cli.errors import UsageError

    if key not in KEYS:
        raise UsageError(f"unknown config key {key!r}", hint=f"valid keys: {', '.join(KEYS)}")
    g = ctx.obj
    value = g.resolved.settings.get(key)
    if value is None:
        raise UsageError(f"{key} is not set in profile {g.resolved.profile!r}",
                         hint=f"set it with `eleven config set {key} VALUE`")
    print(_show(key, value))


@config_app.command("set", context_settings={"ignore_unknown_options": True},  # `set timeout -1`
                   short_help="Set a default in the active profile.", help=(
    "Set a default in the active profile (validated; the file is written atomically, 0600).\n\nKeys: "
    + ", ".join(KEYS) + ". The cast is SPEAKER=VOICE pairs, e.g. Alice=George,Bob=Sarah."))
def set_(ctx: typer.Context, key: Annotated[str, typer.Argument(
    metavar="KEY", shell_complete=complete.shell(complete.config_keys), help="Setting name.")],
         value: Annotated[str, typer.Argument(metavar="VALUE", help="New value.")]) -> None:
    """Set a default in the active profile (validated; the file is written atomically, 0600)."""
    from eleven_cli.config import parse_value, update

    g = ctx.obj
    parsed = parse_value(key, value)
    if key in ("voice", "model"):
        _check_on_account(g, key, str(parsed))
    elif key == "device":
        _check_device(g, str(parsed))
    name = g.profile_name
    path = update(lambda p: p.setdefault(name, {}).__setitem__(key, parsed))
    g.say(f"eleven: {name}.{key} = {_show(key, parsed)} ({path})")


def _check_on_account(g: Any, key: str, value: str) -> None:
    """A voice or model the account does not have is refused (exit 2); offline, it is stored with a warning."""
    from eleven_cli.errors import AuthError, NetworkError, UnavailableError, UsageError

    try:
        client = g.client().derive(retries=0)  # a quick answer: offline is fine, the value is stored
    except UsageError:  # a profile that does not exist yet: check with the key and URL in effect without it
        from eleven_cli.client import Client

        client = Client(g.api_key, g.base_url, region=g.region, timeout=g.timeout, retries=0, ca_bundle=g.ca_bundle)
    try:
        if key == "voice":
            client.catalog.resolve_voice(value)
        else:
            client.catalog.max_characters(value)
    except (AuthError, NetworkError, UnavailableError) as exc:
        g.say(f"eleven: warning: could not check {key} {value!r} against the account ({exc.message}); "
              "stored anyway")


def _check_device(g: Any, name: str) -> None:
    """A device no output matches is refused (exit 7, as playing on it would be); with no sound system to
    ask, it is stored with a warning."""
    from eleven_cli.audio.player import choose_rate, output_devices
    from eleven_cli.errors import AudioDeviceError

    try:
        if not output_devices():
            raise AudioDeviceError("no output devices")
    except AudioDeviceError as exc:
        g.say(f"eleven: warning: could not check device {name!r} ({exc.message}); stored anyway")
        return
    choose_rate(name)  # AudioDeviceError (exit 7) naming the devices there are


@config_app.command("unset", short_help="Remove a setting.")
def unset(ctx: typer.Context, key: Annotated[str, typer.Argument(
    metavar="KEY", shell_complete=complete.shell(complete.config_keys), help="Setting name.")]) -> None:
    """Remove a setting from the active profile."""
    from eleven_cli.config import KEYS, update
    from eleven_cli.errors import UsageError

    if key not in KEYS:
        raise UsageError(f"unknown config key {key!r}", hint=f"valid keys: {', '.join(KEYS)}")
    g = ctx.obj
    name = g.profile_name
    update(lambda p: p.get(name, {}).pop(key, None))
    g.say(f"eleven: {name}.{key} unset")


@config_app.command("path", short_help="Print where the config file lives.")
def path() -> None:
    """Print where the config file lives."""
    from eleven_cli.config import config_path

    print(config_path())


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config", short_help="Read and change defaults per profile.")
