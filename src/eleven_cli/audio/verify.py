"""Is this audio whole? Checked in its own container before a result is ever called done.

A response can end early (a dropped proxy, a server cut), or carry an error body under an audio
content type. Either way the bytes must never become a "successful" file: `check` raises
`BrokenAudio` (a network error, exit 6), and the pipeline retries while no audio reached the user.
"""

from __future__ import annotations

import struct

from eleven_cli.audio.containers import mp3_frame_length
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


def mp3_seconds(data: bytes) -> float:
    """Seconds of whole MPEG frames; raises BrokenAudio on junk or a frame cut short."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        pos = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    seconds, frames = 0.0, 0
    while pos + 4 <= len(data):
        length = mp3_frame_length(data[pos : pos + 4])
        if not length:
            if data[pos : pos + 3] == b"TAG" and len(data) - pos == 128:  # ID3v1 at the end
                break
            raise BrokenAudio(f"the MP3 audio is corrupt at byte {pos}")
        if pos + length > len(data):
            raise BrokenAudio(f"the MP3 audio was truncated mid-frame ({len(data) - pos} of {length} "
                              "bytes)")
        version = (data[pos + 1] >> 3) & 3
        rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}[version]
        seconds += (1152 if version == 3 else 576) / rates[(data[pos + 2] >> 2) & 3]
        frames += 1
        pos += length
    if 0 < len(data) - pos < 4 and data[pos:] != b"\0" * (len(data) - pos):
        raise BrokenAudio("the MP3 audio was truncated mid-frame")
    if not frames:
        raise BrokenAudio("the MP3 response holds no audio frames")
    return seconds


def ogg_opus_seconds(data: bytes) -> float:
    """Seconds of an Ogg Opus stream whose pages are all whole, the last one marked end-of-stream."""
    pos, granule, pre_skip, last_flags, pages = 0, -1, 0, 0, 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or len(data) < pos + 27:
            raise BrokenAudio(f"the Ogg audio is corrupt or truncated at byte {pos}")
        flags = data[pos + 5]
        nsegs = data[pos + 26]
        if len(data) < pos + 27 + nsegs:
            raise BrokenAudio("the Ogg audio was truncated in a page header")
        body = sum(data[pos + 27 : pos + 27 + nsegs])
        end = pos + 27 + nsegs + body
        if end > len(data):
            raise BrokenAudio("the Ogg audio was truncated mid-page")
        if pages == 0:
            head = data[pos + 27 + nsegs : end]
            if head[:8] != b"OpusHead":
                raise BrokenAudio("the Ogg stream is not Opus")
            pre_skip = struct.unpack("<H", head[10:12])[0] if len(head) >= 12 else 0
        page_granule = struct.unpack("<q", data[pos + 6 : pos + 14])[0]
        if page_granule >= 0:
            granule = page_granule
        last_flags = flags
        pages += 1
        pos = end
    if not pages:
        raise BrokenAudio("the Ogg response is empty")
    if not last_flags & 4:
        raise BrokenAudio("the Ogg audio was truncated (no end-of-stream page)")
    return max(0, granule - pre_skip) / 48000


def wav_seconds(data: bytes) -> float:
    """Seconds of a RIFF WAV file whose data chunk is all there (a streamed 'unknown size' is allowed)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise BrokenAudio("the WAV response has no RIFF header")
    pos, rate, block = 12, 0, 2
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if cid == b"fmt ":
            if len(data) < pos + 24:
                break
            channels, rate = struct.unpack("<HI", data[pos + 10 : pos + 16])
            block = max(1, channels * struct.unpack("<H", data[pos + 22 : pos + 24])[0] // 8)
        elif cid == b"data":
            have = len(data) - pos - 8
            unknown = size in (0, 0xFFFFFFFF, 0x7FFFFFFF)
            if not unknown and have < size:
                raise BrokenAudio(f"the WAV audio was truncated ({have} of {size} bytes)")
            if not rate:
                raise BrokenAudio("the WAV file has no format chunk before its data")
            return (have if unknown else size) // block / rate
        pos += 8 + size + (size & 1)
    raise BrokenAudio("the WAV response has no data chunk")


def seconds_of(data: bytes, fmt: Format) -> float:
    """The duration of `data`, checked in its container (raises BrokenAudio)."""
    if fmt.codec == "mp3":
        return mp3_seconds(data)
    if fmt.codec == "opus":
        return ogg_opus_seconds(data)
    if fmt.codec == "wav":
        return wav_seconds(data)
    if fmt.codec == "pcm":
        if len(data) % 2:
            raise BrokenAudio("the PCM audio was truncated mid-sample")
        return len(data) / 2 / fmt.rate
    return len(data) / fmt.rate  # G.711: one byte a sample, nothing to cut


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
