"""An .m4b read back from its boxes alone, without its per-frame index in memory (a demuxer such as
ffmpeg's loads ~28 bytes a frame, 2.4 MB an hour): the chapters from the QuickTime chapter track that
the audio track's `tref/chap` names (and the Nero `chpl`, which must agree), and the duration from the
audio track's frame durations less the edit list's skipped priming. Checks that the frames are all in
the file.

    info = read_m4b("book.m4b")
    info.chapters, info.nero, info.seconds    # [(title, start s)], [(title, start s)], 37512.4
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from eleven_cli.errors import BrokenAudioError

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"tref"}
_TABLES = {b"stts", b"stsc", b"stsz", b"stco", b"co64", b"elst", b"mdhd", b"hdlr", b"tkhd", b"mvhd", b"chap", b"chpl"}


@dataclass
class M4bInfo:
    chapters: list[tuple[str, float]]  # from the chapter track: (title, start in seconds)
    nero: list[tuple[str, float]]  # from udta/chpl (at most 255)
    seconds: float  # the audio's duration
    frames: int = 0


@dataclass
class _Track:
    boxes: dict[bytes, tuple[int, int]] = field(default_factory=dict)  # kind -> (body offset, body size)


def _walk(fh: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, body offset, body size) of each box between `start` and `end`."""
    at = start
    while at + 8 <= end:
        fh.seek(at)
        size, kind = struct.unpack(">I4s", fh.read(8))
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", fh.read(8))[0], 16
        elif size == 0:
            size = end - at
        if size < head or at + size > end:
            raise BrokenAudioError(f"a {kind!r} box runs past its container")
        yield kind, at + head, size - head
        at += size


def _read(fh: BinaryIO, box: tuple[int, int], limit: int = 1 << 20) -> bytes:
    if box[1] > limit:
        raise BrokenAudioError(f"a table of {box[1]:,} bytes where at most {limit:,} were expected")
    fh.seek(box[0])
    data = fh.read(box[1])
    if len(data) != box[1]:
        raise BrokenAudioError("the file ends inside its index")
    return data


def _table(data: bytes, fmt: str) -> list[tuple[int, ...]]:
    """The entries of a full box with an entry count (stts, stsc, stco, co64)."""
    (n,) = struct.unpack(">I", data[4:8])
    size = struct.calcsize(">" + fmt)
    if 8 + n * size > len(data):
        raise BrokenAudioError("an index table is shorter than its count")
    return list(struct.iter_unpack(">" + fmt, data[8:8 + n * size]))


def _version(data: bytes) -> int:
    return data[0]


def _tracks(fh: BinaryIO, start: int, end: int) -> tuple[list[_Track], dict[bytes, tuple[int, int]]]:
    tracks: list[_Track] = []
    top: dict[bytes, tuple[int, int]] = {}

    def visit(s: int, e: int, into: dict[bytes, tuple[int, int]]) -> None:
        for kind, body, size in _walk(fh, s, e):
            if kind == b"trak":
                t = _Track()
                tracks.append(t)
                visit(body, body + size, t.boxes)
            elif kind in _CONTAINERS:
                visit(body, body + size, into)
            elif kind in _TABLES:
                into.setdefault(kind, (body, size))

    visit(start, end, top)
    return tracks, top


def _samples(fh: BinaryIO, t: _Track) -> tuple[list[int], list[int], list[int]]:
    """A small track's sample starts (in its timescale), sizes and file offsets."""
    starts, at = [], 0
    for n, d in _table(_read(fh, t.boxes[b"stts"]), "II"):
        for _ in range(n):
            starts.append(at)
            at += d
    stsz = _read(fh, t.boxes[b"stsz"])
    fixed, count = struct.unpack(">II", stsz[4:12])
    sizes = [fixed] * count if fixed else [s for (s,) in struct.iter_unpack(">I", stsz[12:12 + 4 * count])]
    chunks = [o for (o,) in _table(_read(fh, t.boxes[b"co64"]), "Q")] if b"co64" in t.boxes else \
        [o for (o,) in _table(_read(fh, t.boxes[b"stco"]), "I")]
    runs = _table(_read(fh, t.boxes[b"stsc"]), "III")
    offsets: list[int] = []
    for i, (first, per, _) in enumerate(runs):
        last = runs[i + 1][0] - 1 if i + 1 < len(runs) else len(chunks)
        for c in range(first - 1, last):
            at = chunks[c]
            for _ in range(per):
                if len(offsets) == len(sizes):
                    break
                offsets.append(at)
                at += sizes[len(offsets) - 1]
    if not (len(starts) == len(sizes) == len(offsets)):
        raise BrokenAudioError("the chapter track's tables disagree on its number of samples")
    return starts, sizes, offsets


def _timescale(fh: BinaryIO, t: _Track) -> tuple[int, int]:
    """A track's (timescale, duration) from its mdhd."""
    d = _read(fh, t.boxes[b"mdhd"])
    scale, duration = struct.unpack(">IQ", d[20:32]) if _version(d) else struct.unpack(">II", d[12:20])
    return scale, duration


def _track_id(fh: BinaryIO, t: _Track) -> int:
    d = _read(fh, t.boxes[b"tkhd"])
    return int(struct.unpack(">I", d[20:24] if _version(d) else d[12:16])[0])


def _info(fh: BinaryIO, size: int) -> M4bInfo:
    moov = next(((body, n) for kind, body, n in _walk(fh, 0, size) if kind == b"moov"), None)
    if moov is None:
        raise BrokenAudioError("no moov box: not an MP4 file, or one whose index was never written")
    tracks, top = _tracks(fh, moov[0], moov[0] + moov[1])
    handlers = {id(t): _read(fh, t.boxes[b"hdlr"])[8:12] for t in tracks if b"hdlr" in t.boxes}
    audio = next((t for t in tracks if handlers.get(id(t)) == b"soun"), None)
    if audio is None:
        raise BrokenAudioError("no audio track")
    rate, _ = _timescale(fh, audio)
    durations = _table(_read(fh, audio.boxes[b"stts"]), "II")
    frames = sum(n for n, _ in durations)
    stsz = _read(fh, (audio.boxes[b"stsz"][0], 12))
    fixed, count = struct.unpack(">II", stsz[4:12])
    if count != frames:
        raise BrokenAudioError(f"the audio track lists {count:,} frame sizes for {frames:,} frames")
    skip = 0
    if b"elst" in audio.boxes:
        e = _read(fh, audio.boxes[b"elst"])
        skip = struct.unpack(">q", e[16:24])[0] if _version(e) else struct.unpack(">i", e[12:16])[0]
    seconds = (sum(n * d for n, d in durations) - max(0, skip)) / rate
    _check_frames(fh, audio, fixed, count, size)
    chapters: list[tuple[str, float]] = []
    if b"chap" in audio.boxes:
        ids = {i for (i,) in struct.iter_unpack(">I", _read(fh, audio.boxes[b"chap"]))}
        ids_of = {_track_id(fh, t): t for t in tracks if b"tkhd" in t.boxes}
        track = next((ids_of[i] for i in sorted(ids) if i in ids_of), None)
        if track is not None:
            scale, _ = _timescale(fh, track)
            for start, n, at in zip(*_samples(fh, track), strict=True):
                fh.seek(at)
                data = fh.read(n)
                length = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 0
                chapters.append((data[2:2 + length].decode("utf-8", "replace"), start / scale))
    nero: list[tuple[str, float]] = []
    if b"chpl" in top:
        d = _read(fh, top[b"chpl"])
        at = 9 if _version(d) else 5
        for _ in range(d[at - 1]):
            start, n = struct.unpack(">QB", d[at:at + 9])
            nero.append((d[at + 9:at + 9 + n].decode("utf-8", "replace"), start / 10_000_000))
            at += 9 + n
    return M4bInfo(chapters, nero, seconds, frames)


def _check_frames(fh: BinaryIO, audio: _Track, fixed: int, count: int, size: int) -> None:
    """The last audio frame ends inside the file (it was not cut short)."""
    if not count:
        return
    kind = b"co64" if b"co64" in audio.boxes else b"stco"
    body, n = audio.boxes[kind]
    width = 8 if kind == b"co64" else 4
    head = _read(fh, (body, 8))
    chunks = struct.unpack(">I", head[4:8])[0]
    if not chunks or 8 + chunks * width > n:
        raise BrokenAudioError("the audio track has no chunk offsets")
    last_chunk = struct.unpack(">Q" if width == 8 else ">I", _read(fh, (body + 8 + (chunks - 1) * width, width)))[0]
    runs = _table(_read(fh, audio.boxes[b"stsc"]), "III")
    before = 0  # frames in the chunks before the last
    for i, (first, per, _) in enumerate(runs):
        upto = min(runs[i + 1][0] - 1 if i + 1 < len(runs) else chunks - 1, chunks - 1)
        before += max(0, upto - (first - 1)) * per
    in_last = count - before
    if fixed:
        end = last_chunk + fixed * in_last
    else:
        sizes = _read(fh, (audio.boxes[b"stsz"][0] + 12 + 4 * before, 4 * in_last))
        end = last_chunk + sum(s for (s,) in struct.iter_unpack(">I", sizes))
    if end > size:
        raise BrokenAudioError(f"the audio ends {end - size:,} bytes past the end of the file")


def read_m4b(path: str | Path) -> M4bInfo:
    """Chapters and duration of an .m4b: see the module's docstring. BrokenAudioError if it is not one."""
    try:
        with open(path, "rb") as fh:
            return _info(fh, os.fstat(fh.fileno()).st_size)
    except (struct.error, KeyError, IndexError, ValueError) as exc:
        raise BrokenAudioError(f"{Path(path).name} is not a readable MP4 file ({exc})") from None
