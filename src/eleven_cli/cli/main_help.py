"""Print `eleven --help` through the full Typer app (for docgen's pre-rendered copy)."""

import sys

from eleven_cli.cli.main import run

if __name__ == "__main__":
    sys.argv = ["eleven", "--help"]
    run(["--help"])
