"""The account's history, as the commands and a resume use it: the wire's `History` (list, item, audio,
zip, delete; reading bills nothing) and turning what it sends into files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from eleven_cli.api.history import Downloaded, History, HistoryFilter, HistoryItem, HistoryPage
from eleven_cli.api.http import Client
from eleven_cli.api.types import Subscription
from eleven_cli.errors import BrokenAudioError, UsageError

__all__ = ["Downloaded", "History", "HistoryFilter", "HistoryItem", "HistoryPage", "Subscription",
           "download_history_audio", "join_audio", "unzip_audio"]


def unzip_audio(data: bytes, history_item_ids: Sequence[str]) -> list[tuple[str | None, str, bytes]]:
    """The entries of a history zip as (the history item id the entry's name holds or None, a safe file
    name, bytes); folders and anything that is not a plain file name are flattened to their last part."""
    try:
        box = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BrokenAudioError("the history download is not a valid zip file", hint="run the command again") from None
    out: list[tuple[str | None, str, bytes]] = []
    with box:
        for info in box.infolist():
            if info.is_dir():
                continue
            name = re.sub(r"[^\w.\- ]", "_", PurePosixPath(info.filename.replace("\\", "/")).name).lstrip(".")
            found = [i for i in history_item_ids if i in info.filename]
            try:
                out.append((found[0] if len(found) == 1 else None, name or "audio", box.read(info)))
            except (zipfile.BadZipFile, OSError) as exc:
                raise BrokenAudioError(f"the history download is damaged ({exc})",
                                       hint="run the command again") from None
    return out


def download_history_audio(http: Client, history_item_id: str | Sequence[str], path: str | Path) -> int:
    """Write the audio of a past generation to `path` atomically, billing nothing; returns its size.

    Several ids (the pieces of one long text) are fetched in order and joined into one file: a WAV keeps one
    header, the other formats are concatenated as the pieces were. For a batch's resume from the history.
    """
    from eleven_cli.atomic import write_file

    ids = [history_item_id] if isinstance(history_item_id, str) else list(history_item_id)
    if not ids:
        raise UsageError("no history item ids to download")
    history = History(http)
    parts = [history.audio(i) for i in ids]
    data = join_audio(parts)
    write_file(path, data)
    return len(data)


def join_audio(parts: list[Downloaded]) -> bytes:
    """The pieces of one generation as one file (a WAV keeps one header)."""
    if len(parts) == 1:
        return parts[0].data
    if all(p.extension == ".wav" for p in parts):
        from eleven_cli.audio.riff import data as wav_data
        from eleven_cli.audio.riff import header as wav_header

        rate = 0
        pcm = bytearray()
        for p in parts:
            try:
                rate, samples = wav_data(p.data)
            except ValueError as exc:
                raise BrokenAudioError(f"a WAV file from the history is damaged ({exc})") from None
            pcm += samples
        return wav_header(rate, len(pcm)) + bytes(pcm)
    return b"".join(p.data for p in parts)
