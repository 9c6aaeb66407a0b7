"""Rendering helpers: JSON to stdout, tables via rich (imported only when a table is drawn)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def color_ok(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def table(columns: list[str], rows: list[list[str]], *, title: str | None = None) -> None:
    """A table fitted to the terminal; plain tab-separated lines when stdout is not a terminal."""
    if not sys.stdout.isatty():
        sys.stdout.write("\t".join(c.lower() for c in columns) + "\n")
        for row in rows:
            sys.stdout.write("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) + "\n")
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(no_color=not color_ok(), highlight=False)
    t = Table(title=title, header_style="bold" if color_ok() else None, expand=False)
    for i, c in enumerate(columns):
        t.add_column(c, overflow="fold", no_wrap=i == 0)
    for row in rows:
        t.add_row(*row)
    console.print(t)


def human_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def stderr_console() -> Any:
    """A rich console on stderr (colourless with NO_COLOR), for progress bars."""
    import os

    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
