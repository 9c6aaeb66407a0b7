"""Where the text of a command comes from: its words, a file, or standard input (whole, or as it arrives).
The library never reads a standard stream; these are the command line's."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from eleven_cli.errors import UsageError
from eleven_cli.text import read_stream


def read_text(words: list[str], file: str | None, stdin: BinaryIO | None = None,
              stdin_is_tty: bool | None = None) -> str:
    """cli.md: TEXT words; `-` or no TEXT with stdin not a TTY reads stdin; -f PATH (-f - = stdin)."""
    stdin = stdin if stdin is not None else sys.stdin.buffer
    if stdin_is_tty is None:
        stdin_is_tty = sys.stdin.isatty()
    if file is not None and words:
        raise UsageError("give the text as words or with -f/--file, not both")
    if file == "-" or words == ["-"] or (file is None and not words and not stdin_is_tty):
        text = read_stream(stdin, "standard input")
    elif file is not None:
        path = Path(file)
        try:
            with path.open("rb") as fh:
                text = read_stream(fh, str(path))  # type: ignore[arg-type]
        except FileNotFoundError:
            raise UsageError(f"no such file: {file}") from None
        except IsADirectoryError:
            raise UsageError(f"{file} is a directory, not a text file") from None
        except PermissionError:
            raise UsageError(f"cannot read {file}: permission denied") from None
    elif words:
        text = " ".join(words)
    else:
        raise UsageError("no text given", hint='pass it as words (eleven say "Hello"), pipe it in, or use -f FILE')
    if not text.strip():
        raise UsageError("the text is empty or only whitespace")
    return text


def stream_pieces(fd: int, *, flush_on_newline: bool = False,
                  keepalive: float | None = None) -> Iterator[tuple[str, bool] | None]:
    """Read text as it arrives on a file descriptor (never waiting for EOF): yields (piece, flush)
    cut at whitespace so no word is split, or None when `keepalive` seconds pass with no input."""
    import codecs
    import os
    import select

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    pending = ""
    first = True
    while True:
        if keepalive is not None:
            ready, _, _ = select.select([fd], [], [], keepalive)
            if not ready:
                yield None
                continue
        data = os.read(fd, 65536)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise UsageError("standard input is not valid UTF-8") from None
        if "\0" in text:
            raise UsageError("standard input contains NUL bytes; is it a binary stream?")
        if first and text:
            text = text.removeprefix("\ufeff")
            first = False
        pending += text.replace("\r\n", "\n").replace("\r", "\n")
        if not data:
            break
        if flush_on_newline and "\n" in pending:
            cut = pending.rindex("\n") + 1
            yield pending[:cut], True
            pending = pending[cut:]
            continue
        cut = max(pending.rfind(" "), pending.rfind("\n"), pending.rfind("\t")) + 1
        if cut:
            yield pending[:cut], False
            pending = pending[cut:]
    if pending.strip():
        yield pending + " ", False
