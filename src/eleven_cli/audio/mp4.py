"""A minimal MP4 (.m4b) writer for one AAC track with chapters, whose memory does not grow with the
audio: the frames go straight into `mdat` and only their sizes are kept, spilled to a temporary file
(ffmpeg's muxer keeps ~64 bytes a frame, 5 MB an hour of 24 kHz audio, until it writes the index).

The layout is the one ffmpeg's `ipod` muxer writes and Apple Books, VLC and ffprobe read: `ftyp`,
`free` (room for a 64-bit `mdat` header), `mdat` (the chapter titles, then the audio), `moov` at the
end with the audio track (an edit list that skips the encoder's priming, `tref/chap` pointing to the
chapters), a QuickTime text track of chapter titles, and `udta/chpl` (Nero chapters). Tags and the
cover are mutagen's to add (audiobook_tags.tag_mp4).

    with open("book.m4b", "wb") as fh:
        box = M4bWriter(fh, 24000, [("One", 0), ("Two", 61_500)])   # titles, starts in ms
        for packet in packets: box.add(bytes(packet), packet.duration)
        box.close(config=codec.extradata, priming=1024)             # the AudioSpecificConfig
    chapters, seconds = read_chapters("book.m4b")                     # read back from the boxes alone
"""

from __future__ import annotations

import struct
import sys
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from eleven_cli.errors import BrokenAudioError

SAMPLES_PER_CHUNK = 32  # audio frames a chunk (~1.4 s at 24 kHz): one 8-byte offset each is kept
_SPILL = 8192  # frame sizes buffered before they go to the spill file
_U32 = 0xFFFFFFFF
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_ENCD = bytes.fromhex("0000000c656e636400000100")  # a chapter sample's text is UTF-8
# as ffmpeg writes them for a chapter track: the text sample description and the text media header
_TEXT_ENTRY = bytes.fromhex("00000000000000010000000100000000000000000000000000000000000000010000000000000000"
                            "000d667461620001000100")
_GMHD = bytes.fromhex("00000018676d696e000000000040800080008000000000000000002c746578740001000000000000000000000000"
                      "00000001000000000000000000000000000040000000")


def nero_title(title: str) -> str:
    """A chapter's title as a Nero `chpl` holds it: at most 255 bytes of UTF-8, cut between characters."""
    return title.encode("utf-8")[:255].decode("utf-8", "ignore")


@dataclass
class _Box:
    kind: bytes
    parts: list[bytes | _Box | _Spill]

    @property
    def size(self) -> int:
        return 8 + sum(len(p) if isinstance(p, bytes) else p.size for p in self.parts)

    def write(self, fh: BinaryIO) -> None:
        fh.write(struct.pack(">I4s", self.size, self.kind))
        for p in self.parts:
            if isinstance(p, bytes):
                fh.write(p)
            else:
                p.write(fh)


@dataclass
class _Spill:
    """Bytes copied from a temporary file when the box around them is written."""
    file: BinaryIO
    size: int

    def write(self, fh: BinaryIO) -> None:
        self.file.seek(0)
        left = self.size
        while left:
            data = self.file.read(min(left, 1 << 20))
            if not data:
                raise BrokenAudioError("the frame sizes of the book's audio were lost from their temporary file")
            fh.write(data)
            left -= len(data)


def _full(kind: bytes, version: int, flags: int, *parts: bytes | _Box | _Spill) -> _Box:
    return _Box(kind, [struct.pack(">I", version << 24 | flags), *parts])


def _times(*values: int) -> tuple[int, str]:
    """The version of a box whose times fit 32 bits (0) or need 64 (1), and the struct code for them."""
    return (1, "Q") if max(values) > _U32 else (0, "I")


def _runs(values: Sequence[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for v in values:
        if out and out[-1][1] == v:
            out[-1] = (out[-1][0] + 1, v)
        else:
            out.append((1, v))
    return out


def _descriptor(tag: int, body: bytes) -> bytes:
    n = len(body)  # four 7-bit bytes, as ffmpeg writes them
    return bytes([tag, 0x80 | (n >> 21 & 0x7F), 0x80 | (n >> 14 & 0x7F), 0x80 | (n >> 7 & 0x7F), n & 0x7F]) + body


class M4bWriter:
    """AAC frames and chapter titles into an empty file open for writing: see the module's docstring."""

    def __init__(self, fh: BinaryIO, rate: int, chapters: Sequence[tuple[str, int]],
                 scratch: str | Path | None = None) -> None:
        self.fh = fh
        self.rate = rate
        self.chapters = list(chapters)  # (title, start in ms), the first at 0
        self._sizes = tempfile.TemporaryFile(dir=scratch)  # noqa: SIM115 - closed by close()
        self._pending = array("I")
        self.frames = 0
        self.media = 0  # the frames' durations, in samples at `rate`
        self._durations: list[tuple[int, int]] = []  # (count, duration) runs
        self._chunks = array("Q")  # file offset of each audio chunk
        self._bytes = 0
        self._largest = 0
        self._second = [0, 0]  # (bytes, samples) of the second being counted, for the peak bitrate
        self._peak_rate = 0
        _Box(b"ftyp", [b"M4A ", struct.pack(">I", 0x200), b"M4A isomiso2"]).write(fh)
        self._mdat = 28  # where the free box, then the mdat, begins
        fh.write(struct.pack(">I4sI4s", 8, b"free", 0, b"mdat"))  # the free box can become a 64-bit size
        self._texts = [struct.pack(">H", len(t.encode("utf-8"))) + t.encode("utf-8") + _ENCD for t, _ in chapters]
        self._text_at = 44
        for t in self._texts:
            fh.write(t)
        self._at = self._text_at + sum(len(t) for t in self._texts)  # where the next frame goes

    def add(self, frame: bytes, duration: int) -> None:
        """One AAC access unit (raw, no ADTS header) lasting `duration` samples."""
        if self.frames % SAMPLES_PER_CHUNK == 0:
            self._chunks.append(self._at)
        self.fh.write(frame)
        self._at += len(frame)
        self.frames += 1
        self.media += duration
        if self._durations and self._durations[-1][1] == duration:
            self._durations[-1] = (self._durations[-1][0] + 1, duration)
        else:
            self._durations.append((1, duration))
        n = len(frame)
        self._bytes += n
        self._largest = max(self._largest, n)
        self._pending.append(n)
        if len(self._pending) >= _SPILL:
            self._spill()
        self._second[0] += n
        self._second[1] += duration
        if self._second[1] >= self.rate:
            self._peak_rate = max(self._peak_rate, self._second[0] * 8 * self.rate // self._second[1])
            self._second = [0, 0]

    def _spill(self) -> None:
        if sys.byteorder == "little":
            self._pending.byteswap()
        self._sizes.write(self._pending.tobytes())
        self._pending = array("I")

    def close(self, config: bytes, priming: int = 0) -> None:
        """Write the index (`moov`) after the frames, given the encoder's AudioSpecificConfig and how many
        samples it put before the audio; the file is left open."""
        try:
            self._spill()
            end = self._at
            if end - self._mdat > _U32:  # over 4 GB of audio: the mdat's size in 64 bits, over the free box
                self.fh.seek(self._mdat)
                self.fh.write(struct.pack(">I4sQ", 1, b"mdat", end - self._mdat))
            else:
                self.fh.seek(self._mdat + 8)
                self.fh.write(struct.pack(">I4s", end - self._mdat - 8, b"mdat"))
            self.fh.seek(end)
            self._moov(config, priming).write(self.fh)
        finally:
            self._sizes.close()

    def abort(self) -> None:
        """Give up (the file is the caller's to remove): the spilled frame sizes go."""
        self._sizes.close()

    def _moov(self, config: bytes, priming: int) -> _Box:
        seconds = max(0, self.media - priming) / self.rate
        ms = round(seconds * 1000)
        v, t = _times(ms, self.media)
        mvhd = _full(b"mvhd", v, 0, struct.pack(f">{t}{t}I{t}", 0, 0, 1000, ms), struct.pack(">IH10x", 0x10000, 0x100),
                     _MATRIX, bytes(24), struct.pack(">I", 3))
        chpl = [struct.pack(">IB", 0, min(len(self.chapters), 255))]
        for title, start in self.chapters[:255]:
            name = nero_title(title).encode("utf-8")
            chpl.append(struct.pack(">QB", start * 10_000, len(name)) + name)
        udta = _Box(b"udta", [_full(b"chpl", 1, 0, *chpl)])
        return _Box(b"moov", [mvhd, self._audio(config, priming, ms), self._chapter_track(ms), udta])

    def _track(self, track: int, flags: int, ms: int, volume: int, group: int, elst: tuple[int, int],
               mdhd: tuple[int, int], handler: bytes, name: bytes, header: _Box, stbl: list[bytes | _Box | _Spill],
               tref: list[_Box]) -> _Box:
        v, t = _times(ms)
        tkhd = _full(b"tkhd", v, flags, struct.pack(f">{t}{t}II{t}", 0, 0, track, 0, ms),
                     struct.pack(">8xHHHH", 0, group, volume, 0), _MATRIX, struct.pack(">II", 0, 0))
        ev, et = _times(*elst)
        edts = _Box(b"edts", [_full(b"elst", ev, 0, struct.pack(f">I{et}{et.lower()}HH", 1, *elst, 1, 0))])
        mv, mt = _times(mdhd[1])
        mdhd_box = _full(b"mdhd", mv, 0, struct.pack(f">{mt}{mt}I{mt}HH", 0, 0, *mdhd, 0x55C4, 0))
        hdlr = _full(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, handler), name + b"\0")
        dinf = _Box(b"dinf", [_full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1))])
        minf = _Box(b"minf", [header, dinf, _Box(b"stbl", stbl)])
        return _Box(b"trak", [tkhd, edts, *tref, _Box(b"mdia", [mdhd_box, hdlr, minf])])

    def _offsets(self, offsets: Sequence[int]) -> _Box:
        if offsets and max(offsets) > _U32:
            return _full(b"co64", 0, 0, struct.pack(f">I{len(offsets)}Q", len(offsets), *offsets))
        return _full(b"stco", 0, 0, struct.pack(f">I{len(offsets)}I", len(offsets), *offsets))

    def _audio(self, config: bytes, priming: int, ms: int) -> _Box:
        avg = round(self._bytes * 8 * self.rate / self.media) if self.media else 0
        dec = _descriptor(4, struct.pack(">BB", 0x40, 0x15) + self._largest.to_bytes(3, "big")
                          + struct.pack(">II", max(self._peak_rate, avg), avg) + _descriptor(5, config))
        esds = _full(b"esds", 0, 0, _descriptor(3, struct.pack(">HB", 1, 0) + dec + _descriptor(6, b"\x02")))
        mp4a = _Box(b"mp4a", [struct.pack(">6xH8xHHHHI", 1, 1, 16, 0, 0, self.rate << 16 if self.rate < 65536 else 0),
                              esds])
        stts = _full(b"stts", 0, 0, struct.pack(">I", len(self._durations)),
                     b"".join(struct.pack(">II", n, d) for n, d in self._durations))
        last = self.frames % SAMPLES_PER_CHUNK
        runs = [(1, SAMPLES_PER_CHUNK)] if self.frames >= SAMPLES_PER_CHUNK else []
        if last:
            runs.append((len(self._chunks), last))
        stsc = _full(b"stsc", 0, 0, struct.pack(">I", len(runs)),
                     b"".join(struct.pack(">III", c, n, 1) for c, n in runs))
        stsz = _full(b"stsz", 0, 0, struct.pack(">II", 0, self.frames), _Spill(self._sizes, 4 * self.frames))
        roll = [_full(b"sgpd", 1, 0, struct.pack(">4sIIh", b"roll", 2, 1, -1)),
                _full(b"sbgp", 0, 0, struct.pack(">4sIII", b"roll", 1, self.frames, 1))]
        stbl: list[bytes | _Box | _Spill] = [_full(b"stsd", 0, 0, struct.pack(">I", 1), mp4a), stts, stsc, stsz,
                                             self._offsets(self._chunks), *roll]
        tref = _Box(b"tref", [_Box(b"chap", [struct.pack(">I", 2)])])  # the chapters are track 2
        return self._track(1, 3, ms, 0x100, 1, (ms, priming), (self.rate, self.media), b"soun", b"SoundHandler",
                           _full(b"smhd", 0, 0, bytes(4)), stbl, [tref])

    def _chapter_track(self, ms: int) -> _Box:
        starts = [min(max(0, s), ms) for _, s in self.chapters]
        durations = [b - a for a, b in zip(starts, [*starts[1:], ms], strict=True)]
        stts = _full(b"stts", 0, 0, struct.pack(">I", len(_runs(durations))),
                     b"".join(struct.pack(">II", n, d) for n, d in _runs(durations)))
        stsc = _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(self._texts), 1))
        stsz = _full(b"stsz", 0, 0, struct.pack(f">II{len(self._texts)}I", 0, len(self._texts),
                                                *(len(t) for t in self._texts)))
        stbl: list[bytes | _Box | _Spill] = [_full(b"stsd", 0, 0, struct.pack(">I", 1), _Box(b"text", [_TEXT_ENTRY])),
                                             stts, stsc, stsz, self._offsets([self._text_at])]
        return self._track(2, 2, ms, 0, 0, (ms, 0), (1000, ms), b"text", b"SubtitleHandler", _Box(b"gmhd", [_GMHD]),
                           stbl, [])
