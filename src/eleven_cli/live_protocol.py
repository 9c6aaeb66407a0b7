"""The bookkeeping of a live (stream-input) session, without any I/O: what was sent, what is spoken
for certain, what to resend after a dropped connection and where the audio stands.

Modelled on the sans-I/O protocols of the websockets library: the driver (eleven_cli.live_session)
tells it what happened (`sent`, `received`, `final`, `dropped`) and does what it answers; nothing
here touches a socket, a thread or a clock, so every case is a plain unit test.

Confirmation. The server sends each generation's audio with the characters it speaks:
- with `sync_alignment`, each message holds exactly the characters whose sound starts in it, so the
  text is confirmed message by message, after the message;
- without it, a generation's first message carries the whole generation's characters, and the
  generation is complete only when the next one begins (or the final message comes): the text is
  confirmed, and the audio safe, just before a message with characters.
After a drop, the text past the confirmed characters is sent again on a new connection, and the
audio past the safe position is discarded (held back by the driver, or rolled back in a file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eleven_cli.errors import NetworkError

KEEP = 4096  # characters of confirmed text kept before they are forgotten (memory stays flat)


@dataclass(frozen=True)
class Position:
    """A point in the audio of the whole session."""

    bytes: int = 0  # audio bytes (of every connection, in order)
    seconds: float = 0.0
    characters: int = 0  # alignment entries
    normalized: int = 0  # normalized alignment entries


@dataclass(frozen=True)
class Resend:
    """What to do after a dropped connection: open a new one, send `pieces` (text, flush) on it, and
    continue the audio at `rollback_to` (everything after it is discarded)."""

    pieces: tuple[tuple[str, bool], ...]
    rollback_to: Position
    attempt: int
    repeated: float = 0.0  # seconds already handed on that will be heard again (no rollback possible)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)


class LiveProtocol:
    """One logical session over one or more connections."""

    def __init__(self, sync_alignment: bool = False, retries: int = 3, can_roll_back: bool = True) -> None:
        self.sync = sync_alignment
        self.retries = retries
        self.can_roll_back = can_roll_back  # False: audio once received stays (it was played)
        self._text = ""  # text sent on the current connection's lineage, from absolute index `_base`
        self._base = 0
        self._flush_end = 0  # absolute end of the last text sent with flush
        self.confirmed = 0  # characters whose audio has fully arrived (absolute)
        self._pending_end = 0  # without sync: the end of the generation being received
        self.position = Position()  # where the audio stands
        self.safe = Position()  # the audio up to the confirmed characters
        self.billed = 0  # characters sent over every connection (resends included)
        self.attempt = 0  # drops since the last confirmed progress
        self.drops = 0
        self.finished = False

    @property
    def sent_characters(self) -> int:
        return self._base + len(self._text)

    @property
    def unconfirmed(self) -> str:
        return self._text[self.confirmed - self._base:]

    def sent(self, text: str, flush: bool = False) -> None:
        """`text` went out in a text message (keep-alives too: the server buffers them)."""
        self._text += text
        self.billed += len(text)
        if flush:
            self._flush_end = self.sent_characters

    def received(self, audio: int, seconds: float, characters: int | None = None,
                 normalized: int | None = None) -> Position | None:
        """A message with `audio` bytes lasting `seconds`, and the count of `characters` (and normalized
        ones) it is aligned with (None: no alignment). Returns the new safe position when it moved:
        everything up to it can be handed on for good."""
        moved = None
        if not self.sync and characters is not None:
            moved = self._confirm(self._pending_end)  # a new generation: the previous one is whole
            self._pending_end = min(self.confirmed + characters, self.sent_characters)
        p = self.position
        self.position = Position(p.bytes + audio, p.seconds + seconds, p.characters + (characters or 0),
                                 p.normalized + (normalized or 0))
        if self.sync and characters:
            moved = self._confirm(min(self.confirmed + characters, self.sent_characters))
            self._pending_end = self.confirmed
        return moved

    def final(self) -> Position:
        """The final message: everything sent has been spoken."""
        self.finished = True
        self._pending_end = self.sent_characters
        self._confirm(self.sent_characters, force=True)
        return self.safe

    def dropped(self, reason: str) -> Resend | None:
        """The connection ended before the final message. None when the session had already finished;
        NetworkError when `retries` drops came in a row without progress."""
        if self.finished:
            return None
        if self.attempt >= self.retries:
            raise NetworkError(f"the WebSocket connection was lost ({reason}) and {self.retries} reconnects failed",
                               hint="check the network and run the command again")
        self.attempt += 1
        self.drops += 1
        repeated = 0.0
        if self.can_roll_back:
            self.position = self.safe
        else:
            repeated = self.position.seconds - self.safe.seconds
            self.safe = self.position
        resend = self.unconfirmed
        self._text = self._text[: self.confirmed - self._base]
        self._pending_end = self.confirmed
        pieces: list[tuple[str, bool]] = []
        if resend.strip():  # whitespace alone would only be buffered: not worth a message
            cut = min(max(0, self._flush_end - self.confirmed), len(resend))
            head, tail = resend[:cut], resend[cut:]
            both = head.strip() and tail.strip()  # flushed before: flushed again; the rest as it was
            pieces = [(head, True), (tail, False)] if both else [(resend, bool(head.strip()))]
        self._flush_end = self.confirmed
        for text, flush in pieces:
            self.sent(text, flush)
        return Resend(tuple(pieces), self.safe, self.attempt, repeated)

    def _confirm(self, upto: int, force: bool = False) -> Position | None:
        if upto <= self.confirmed and not force:
            return None
        if upto > self.confirmed:
            self.attempt = 0  # progress: a later drop starts counting again
        self.confirmed = max(self.confirmed, upto)
        self.safe = self.position
        if self.confirmed - self._base > KEEP:  # forget text whose audio is safely out
            self._text = self._text[self.confirmed - self._base:]
            self._base = self.confirmed
        return self.safe


class TextGate:
    """What of the caller's text goes out: whitespace alone is never a message (blank lines are not
    sent, so not billed), runs of blank lines become one newline, leading whitespace is dropped, and
    the whitespace between two pieces survives as one separator. With `flush_on_newline`, a piece
    with a newline is sent up to its last newline with flush, the rest after it without."""

    def __init__(self, flush_on_newline: bool = False) -> None:
        self.flush_on_newline = flush_on_newline
        self.held = ""  # whitespace not yet sent
        self.spoken = False  # any text sent yet
        self.after_space = True  # the last character sent was whitespace (or nothing was sent)
        self.unflushed = False  # text sent since the last flush

    def take(self, text: str, flush: bool = False) -> list[tuple[str, bool]]:
        """The messages (text, flush) for one piece of the caller's text."""
        text = re.sub(r"[ \t]*\n\s*", "\n", text.replace("\r\n", "\n").replace("\r", "\n"))
        if not text.strip():
            if (flush or (self.flush_on_newline and "\n" in text)) and self.unflushed:
                # flush what went out before, with one separator
                return self._out(["\n" if "\n" in text else " "], True)
            self.held += text
            return []
        if self.after_space:
            text = text.lstrip()
        elif self.held and not text[0].isspace():
            text = ("\n" if "\n" in self.held else " ") + text
        self.held = ""
        if self.flush_on_newline and not flush and "\n" in text:
            cut = text.rindex("\n") + 1
            return self._out([text[:cut], text[cut:]], True)
        return self._out([text], flush)

    def _out(self, parts: list[str], flush: bool) -> list[tuple[str, bool]]:
        out = []
        for i, part in enumerate(parts):
            if not part:
                continue
            f = flush if i == 0 else False
            out.append((part, f))
            self.spoken = True
            self.after_space = part[-1].isspace()
            self.unflushed = not f
        return out
