"""The API key in the system's keyring (macOS Keychain, Secret Service, Windows Credential Locker), where
the `keyring` library finds one; else nowhere (the config file's 0600 `api_key` is the fallback).

A keyring is used when its backend is a real one (keyring priority >= 1), or was chosen explicitly
(PYTHON_KEYRING_BACKEND, keyringrc.cfg); never the fail or null backend, nor a low-priority plain-text
one that keyring only fell back to. `keyring` is imported only here, and this module only when a key is
stored, removed, or looked up because no flag, environment variable or config file gave one: plain
commands with a key in the environment never load it.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

SERVICE = "eleven-cli"  # the keyring's service name; the user name is the profile's


def _backend() -> Any | None:
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except Exception:  # noqa: BLE001 - not installed, or broken: the file is the store
        return None
    try:
        kr = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(kr, fail.Keyring | null.Keyring):
        return None
    if isinstance(kr, chainer.ChainerBackend):
        real = [b for b in kr.backends if getattr(b, "priority", 0) >= 1]
        return kr if real else None
    explicit = bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or _configured_in_rc()
    return kr if explicit or getattr(kr, "priority", 0) >= 1 else None


def _configured_in_rc() -> bool:
    with contextlib.suppress(Exception):
        from keyring.core import load_config

        return load_config() is not None
    return False


def name() -> str | None:
    """The keyring in use, e.g. "SecretService Keyring", or None when there is none usable."""
    kr = _backend()
    return getattr(kr, "name", None) or (type(kr).__name__ if kr is not None else None)


def get(profile: str) -> str | None:
    kr = _backend()
    if kr is None:
        return None
    try:
        return kr.get_password(SERVICE, profile) or None
    except Exception:  # noqa: BLE001 - a locked or broken keyring: as if it held nothing
        return None


def put(profile: str, key: str) -> str | None:
    """Store the key; the keyring's name, or None when no keyring could take it."""
    kr = _backend()
    if kr is None:
        return None
    try:
        kr.set_password(SERVICE, profile, key)
    except Exception:  # noqa: BLE001 - refused (locked, no session bus): the caller falls back to the file
        return None
    return str(getattr(kr, "name", None) or type(kr).__name__)


def delete(profile: str) -> bool:
    """Remove the key; whether there was one."""
    kr = _backend()
    if kr is None:
        return False
    try:
        if kr.get_password(SERVICE, profile) is None:
            return False
        kr.delete_password(SERVICE, profile)
        return True
    except Exception:  # noqa: BLE001
        return False
