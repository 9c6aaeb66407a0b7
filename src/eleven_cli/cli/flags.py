"""The command-level flags of the speaking commands, declared once and without Typer.

Typer's declarations (cli/options.py) and the quick parser that answers the plain forms of these
commands before Typer is imported (cli/quick.py) are both made from this table and from the synthesis
options' own (eleven_cli.options.PARAMS), so the two parsers can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from eleven_cli.options import LIVE, SPEECH


@dataclass(frozen=True)
class Flag:
    name: str  # the command function's parameter
    decls: tuple[str, ...]  # "--output", "-o"; a bool pair as "--play/--no-play"; () for the positional text
    help: str
    kind: type = str  # str, float, bool, or list (the positional words)
    metavar: str | None = None
    default: object = None
    lo: float | None = None
    hi: float | None = None
    complete: str | None = None  # a completion source of cli/complete.py

    @property
    def takes_value(self) -> bool:
        return self.kind is not bool and bool(self.decls)


TEXT = Flag("text", (), "Text to speak; `-` or nothing (with a pipe) reads standard input.", kind=list,
            metavar="TEXT...")
FILE = Flag("file", ("--file", "-f"), "Read the text from a file (`-` = stdin).", metavar="FILE")
OUTPUT = Flag("output", ("--output", "-o"), "Write audio to FILE (atomically); `-` writes raw audio to stdout.",
              metavar="FILE")
PLAY = Flag("play", ("--play/--no-play",), "Play the audio [default: play when there is no -o and stdout is a "
            "terminal].", kind=bool)
DEVICE = Flag("device", ("--device",), "Output device name or index (see `eleven devices`).", metavar="DEVICE",
              complete="devices")
JSON = Flag("as_json", ("--json",), "Print the cost summary as JSON (stdout, or stderr when audio goes to stdout).",
            kind=bool, default=False)
BUFFER = Flag("buffer_ms", ("--buffer",), "Jitter buffer before the first sound, in ms.", kind=float,
              metavar="MS", default=150.0, lo=0, hi=5000)

# What the quick parser answers for each command: its flags, and the endpoint whose options it takes.
QUICK: dict[str, tuple[tuple[Flag, ...], str]] = {
    "say": ((TEXT, FILE, OUTPUT, PLAY, DEVICE, JSON), SPEECH),
    "stream": ((TEXT, FILE, OUTPUT, PLAY, DEVICE, BUFFER, JSON), SPEECH),
    "ws": ((TEXT, OUTPUT, PLAY, DEVICE, BUFFER, JSON), LIVE),
}
