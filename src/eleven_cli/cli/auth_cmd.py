"""`eleven auth login|status|logout`."""


import os
import sys
from typing import Annotated

import typer

auth_app = typer.Typer(help="Store, check and remove the API key.", no_args_is_help=True)


@auth_app.command("login")
def login(ctx: typer.Context,
          no_verify: Annotated[bool, typer.Option("--no-verify", help="Store the key without checking it "
                                                  "against /v1/user.")] = False) -> None:
    """Read a key (hidden prompt, or stdin when piped), verify it, and store it for the profile: in the
    system keyring when there is one, else in the config file (mode 0600)."""
    import getpass

    from eleven_cli.config import mask, update
    from eleven_cli.errors import UsageError

    g = ctx.obj
    if sys.stdin.isatty():
        key = getpass.getpass("ElevenLabs API key (input hidden): ").strip()
    else:
        key = sys.stdin.readline().strip()
    if not key:
        raise UsageError("no key given")
    if any(c.isspace() for c in key) or not key.isprintable():
        raise UsageError("that does not look like an API key (it contains spaces or control characters)")
    name = g.profile_name
    if not no_verify:
        with g.client().derive(api_key=key, timeout=g.timeout or 30.0) as client:
            client.user()
    from eleven_cli import keystore

    where = keystore.put(name, key)
    if where:  # the file keeps no copy (an older one would shadow the keyring's)
        update(lambda p: p.get(name, {}).pop("api_key", None))
        g.say(f"eleven: key {mask(key)} stored for profile {name!r} in the system keyring ({where})")
        return
    path = update(lambda p: p.setdefault(name, {}).__setitem__("api_key", key))
    g.say(f"eleven: key {mask(key)} stored in profile {name!r} ({path}, readable only by you; no system keyring "
          "was found)")


@auth_app.command("status")
def status(ctx: typer.Context,
           as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Which key is active and where it comes from (the environment, a flag, the system keyring or the
    config file; masked), and the account's usage."""
    from eleven_cli.cli.render import print_json
    from eleven_cli.config import mask
    from eleven_cli.errors import AuthError

    g = ctx.obj
    r = g.resolved
    if not r.api_key:
        raise AuthError("no API key", hint="run `eleven auth login`, set ELEVENLABS_API_KEY, or pass --api-key")
    sub = g.client().subscription()
    store = "keyring" if "system keyring" in (r.key_source or "") else "file" if " in " in (r.key_source or "") \
        else "environment" if "environment" in (r.key_source or "") else "flag"
    info = {"key": mask(r.api_key), "source": r.key_source, "stored_in": store, "profile": r.profile,
            "base_url": r.base_url,
            "tier": sub.tier, "character_count": sub.character_count, "character_limit": sub.character_limit,
            "next_reset_unix": sub.next_reset_unix}
    if as_json:
        print_json(info)
        return
    left = max(0, sub.character_limit - sub.character_count)
    print(f"key:        {info['key']} (from {r.key_source})")
    print(f"base url:   {r.base_url}")
    print(f"tier:       {sub.tier}")
    print(f"characters: {sub.character_count:,} of {sub.character_limit:,} used ({left:,} left)")


@auth_app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Remove the profile's stored key: from the system keyring and from the config file."""
    from eleven_cli import keystore
    from eleven_cli.config import update

    g = ctx.obj
    name = g.profile_name
    removed: list[bool] = []
    update(lambda p: removed.append(p.get(name, {}).pop("api_key", None) is not None))
    places = (["the system keyring"] if keystore.delete(name) else []) + (["the config file"] if removed[0] else [])
    g.say(f"eleven: key of profile {name!r} removed from {' and '.join(places)}" if places
          else f"eleven: profile {name!r} had no stored key")
    if os.environ.get("ELEVENLABS_API_KEY"):
        g.say("eleven: note: ELEVENLABS_API_KEY is still set in the environment")


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth", short_help="Store, check and remove the API key.")
