"""The [book] extra: heavy packages that only making an audiobook needs, named in one line when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from eleven_cli.errors import UsageError

HINT = "pip install 'eleven-cli[book]'"


def need(module: str, what: str = "making an audiobook") -> ModuleType:
    """Import `module` (numpy, av, mutagen, lameenc) or raise a one-line UsageError that
    names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = (exc.name or module).split(".")[0]
        raise UsageError(f"{what} needs the [book] extra ({missing} is not installed)", hint=HINT) from None


def check() -> None:
    """Fail early, before anything is spent, when any package of the extra is missing."""
    for module in ("numpy", "av", "mutagen", "lameenc"):
        need(module)
