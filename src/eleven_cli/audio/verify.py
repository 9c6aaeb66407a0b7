"""Is this audio whole? Checked in its own container before a result is ever called done.

A response can end early (a dropped proxy, a server cut), or carry an error body under an audio
content type. Either way the bytes must never become a "successful" file: `check` raises
`BrokenAudio` (a network error, exit 6), and the pipeline retries while no audio reached the user.
"""

from __future__ import annotations

from eleven_cli.audio.codecs import codec_of
from eleven_cli.errors import BrokenAudioError as BrokenAudio
from eleven_cli.formats import Format
from eleven_cli.timing import Alignment

# Speech is never faster than this: 50 characters a second is far beyond any voice at speed 1.2.
MAX_CHARS_PER_SECOND = 50.0
MIN_TEXT_FOR_RATE_CHECK = 40
# How far an alignment may run past the audio it describes (encoder padding, rounding).
ALIGNMENT_TOLERANCE = 0.25


def _textual(data: bytes) -> str | None:
    """'JSON' or 'HTML' when the body is a text document rather than audio."""
    head = data[:256].lstrip()
    if not head or head[:1] not in (b"{", b"[", b"<"):
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head[:-3].decode("utf-8", "replace")  # a cut multi-byte character at the end
    if not all(c.isprintable() or c in "\r\n\t" for c in text):
        return None
    return "HTML" if head[:1] == b"<" else "JSON"


def not_a_document(data: bytes, fmt: Format) -> None:
    """Raise at the first bytes when an "audio" body is really a JSON or HTML document."""
    kind = _textual(data)
    if kind:
        raise BrokenAudio(f"the server sent a {kind} document instead of {fmt.codec} audio")


def seconds_of(data: bytes, fmt: Format) -> float:
    """The duration of `data`, checked in its container (raises BrokenAudio)."""
    return codec_of(fmt).seconds(data, fmt)


def check(data: bytes, fmt: Format, text: str, alignment: Alignment | None = None) -> float:
    """Seconds of audio in `data`, or BrokenAudio when it cannot be the whole speech of `text`."""
    spoken = text.strip()
    if not data:
        if spoken:
            raise BrokenAudio("the server sent no audio")
        return 0.0
    not_a_document(data, fmt)
    seconds = seconds_of(data, fmt)
    if alignment is not None and alignment.ends:
        last = max(alignment.ends)
        if seconds + ALIGNMENT_TOLERANCE < last:
            raise BrokenAudio(f"the audio was truncated: {seconds:.2f} s, but its timing runs to {last:.2f} s")
    # Applies with an alignment too: a stream cut between two messages cuts audio and timing alike.
    if len(spoken) >= MIN_TEXT_FOR_RATE_CHECK and seconds < len(spoken) / MAX_CHARS_PER_SECOND:
        raise BrokenAudio(f"the audio was truncated: {seconds:.2f} s for {len(spoken)} characters")
    return seconds
