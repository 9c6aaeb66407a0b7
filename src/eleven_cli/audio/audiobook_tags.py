"""Tags, cover and chapters written with mutagen: MP4 atoms for .m4b, ID3v2.4 for .mp3
(CHAP and CTOC frames for chapters, APIC for the cover)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from eleven_cli.audio.audiobook_timeline import ChapterMark
from eleven_cli.extras import need


@dataclass(frozen=True)
class BookTags:
    title: str
    author: str | None = None
    narrator: str | None = None  # the voice's name
    year: int | None = None
    genre: str = "Audiobook"
    language: str | None = None
    cover: bytes | None = None
    cover_mime: str | None = None
    comment: str | None = None


def tag_mp4(path: str, tags: BookTags) -> list[str]:
    """Write title, album, artist (author), composer (narrator), year, genre, media kind (audiobook)
    and the cover into an MP4 file. Returns warnings (a cover MP4 cannot hold is left out)."""
    mp4 = need("mutagen.mp4")
    f = mp4.MP4(path)
    if f.tags is None:
        f.add_tags()
    t = f.tags
    t["\xa9nam"] = [tags.title]
    t["\xa9alb"] = [tags.title]
    if tags.author:
        t["\xa9ART"] = [tags.author]
        t["aART"] = [tags.author]
    if tags.narrator:
        t["\xa9wrt"] = [tags.narrator]
    if tags.year is not None:
        t["\xa9day"] = [str(tags.year)]
    if tags.genre:
        t["\xa9gen"] = [tags.genre]
    if tags.comment:
        t["\xa9cmt"] = [tags.comment]
    t["stik"] = [2]  # media kind: audiobook
    warnings = []
    if tags.cover:
        kinds = {"image/jpeg": mp4.MP4Cover.FORMAT_JPEG, "image/png": mp4.MP4Cover.FORMAT_PNG}
        if tags.cover_mime in kinds:
            t["covr"] = [mp4.MP4Cover(tags.cover, imageformat=kinds[tags.cover_mime])]
        else:
            warnings.append(f"the cover ({tags.cover_mime}) was left out: .m4b takes JPEG or PNG")
    f.save()
    return warnings


def id3_tags(tags: BookTags, chapters: Sequence[ChapterMark] = (), track: tuple[int, int] | None = None,
             title: str | None = None):  # type: ignore[no-untyped-def]
    """An ID3v2.4 tag: TIT2 (title, or the chapter's), TALB, TPE1/TPE2 (author), TCOM (narrator),
    TDRC, TCON, TLAN, TRCK, APIC, and for one file with chapters a CTOC and a CHAP per chapter."""
    id3 = need("mutagen.id3")
    t = id3.ID3()
    t.add(id3.TIT2(encoding=3, text=[title or tags.title]))
    t.add(id3.TALB(encoding=3, text=[tags.title]))
    if tags.author:
        t.add(id3.TPE1(encoding=3, text=[tags.author]))
        t.add(id3.TPE2(encoding=3, text=[tags.author]))
    if tags.narrator:
        t.add(id3.TCOM(encoding=3, text=[tags.narrator]))
    if tags.year is not None:
        t.add(id3.TDRC(encoding=3, text=[str(tags.year)]))
    if tags.genre:
        t.add(id3.TCON(encoding=3, text=[tags.genre]))
    if tags.comment:
        t.add(id3.COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
    if track is not None:
        t.add(id3.TRCK(encoding=3, text=[f"{track[0]}/{track[1]}"]))
    if tags.cover and tags.cover_mime:
        t.add(id3.APIC(encoding=3, mime=tags.cover_mime, type=3, desc="Cover", data=tags.cover))
    if chapters:
        ids = [f"ch{c.index}" for c in chapters]
        t.add(id3.CTOC(element_id="toc", flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                       child_element_ids=ids, sub_frames=[id3.TIT2(encoding=3, text=[tags.title])]))
        for cid, c in zip(ids, chapters, strict=True):
            t.add(id3.CHAP(element_id=cid, start_time=round(c.start * 1000), end_time=round(c.end * 1000),
                           sub_frames=[id3.TIT2(encoding=3, text=[c.title])]))
    return t


def write_id3(fh: BinaryIO, tag: object) -> None:
    """Write an ID3 tag at the start of an empty file (the audio follows it)."""
    import io

    buf = io.BytesIO()
    tag.save(buf, v2_version=4, padding=lambda info: 1024)  # type: ignore[attr-defined]
    fh.write(buf.getvalue())
