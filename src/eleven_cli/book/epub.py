"""EPUB 2 and 3: metadata and cover from the OPF, chapters in spine order, titles from the EPUB 3
navigation document or the EPUB 2 NCX, else the first heading.

Left out unless `all=True`: the navigation document, the cover page, a copyright page, a printed
table of contents, documents of notes only, and spine items marked `linear="no"`. A document that
the table of contents does not name and that has no heading of its own continues the chapter before
it (a chapter split over files); a document that holds several entries of the table of contents is
cut at their anchors (one file per book, as some converters make them).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

from eleven_cli.book.clean import clean_paragraph, clean_title, join_paragraphs, speakable
from eleven_cli.book.cover import sniff_image
from eleven_cli.book.html import Block, extract
from eleven_cli.book.model import Book, Chapter
from eleven_cli.errors import UsageError

_SKIP_LANDMARKS = {"cover", "toc", "copyright-page", "copyright", "loi", "lot", "index"}
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_COPYRIGHT = re.compile(r"all rights reserved|\bISBN\b|©|\(c\)\s*\d{4}|copyright\s+(?:©\s*)?\d{4}", re.IGNORECASE)


@dataclass
class _Item:
    id: str
    href: str  # path inside the archive
    media: str
    properties: set[str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _descendants(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


def _join(base: str, href: str) -> str:
    """An href as written in `base` (a path in the archive) to a normalised archive path."""
    path = unquote(urlsplit(href).path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), path)) if path else base


def _fragment(href: str) -> str | None:
    return unquote(urlsplit(href).fragment) or None


class _Archive:
    def __init__(self, data: bytes | Path, name: str) -> None:
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UsageError(f"{name} is not a readable EPUB ({_reason(exc)})") from None
        self.names = set(self.zip.namelist())
        self.lower = {n.lower(): n for n in self.names}

    def read(self, path: str) -> bytes | None:
        real = path if path in self.names else self.lower.get(path.lower())
        if real is None:
            return None
        try:
            return self.zip.read(real)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as exc:  # CRC, encryption
            raise UsageError(f"{self.name}: cannot read {path} from the EPUB ({_reason(exc)})") from None

    def xml(self, path: str, what: str) -> ET.Element:
        data = self.read(path)
        if data is None:
            raise UsageError(f"{self.name} is not a readable EPUB (its {what} {path} is missing)")
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            raise UsageError(f"{self.name} is not a readable EPUB (its {what} is not valid XML: {exc})") from None


def _reason(exc: BaseException) -> str:
    return str(exc).strip().rstrip(".").replace("\n", " ") or type(exc).__name__


def _text(el: ET.Element | None) -> str:
    return clean_paragraph("".join(el.itertext())) if el is not None else ""


def _decode(data: bytes) -> str:
    head = data[:200].decode("ascii", "replace")
    m = re.search(r"encoding=[\"']([\w.-]+)", head)
    for enc in ([m.group(1)] if m else []) + ["utf-8"]:
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


class _NavParser(HTMLParser):
    """Entries of an EPUB 3 navigation document: the `toc` nav's links in order, and `landmarks`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nav: list[str] = []  # epub:type of each open <nav>
        self.toc: list[tuple[str, str]] = []
        self.landmarks: list[tuple[str, str]] = []  # (epub:type, href)
        self.link: tuple[str, str] | None = None  # (href, epub:type) of the open <a>
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "nav":
            self.nav.append(a.get("epub:type", "") or a.get("role", "").replace("doc-", ""))
        elif tag == "a" and self.nav:
            self.link = (a.get("href", ""), a.get("epub:type", ""))
            self.parts = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.nav:
            self.nav.pop()
        elif tag == "a" and self.link is not None:
            href, kind = self.link
            kinds = set(self.nav[-1].split())
            if "toc" in kinds:
                self.toc.append((href, clean_title("".join(self.parts))))
            elif "landmarks" in kinds:
                self.landmarks.append((kind, href))
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.parts.append(data)


@dataclass
class _Part:
    doc: str
    anchor: str | None
    blocks: list[Block]
    toc_title: str | None
    doc_title: str


def read_epub(data: bytes | Path, name: str, *, all: bool = False) -> Book:
    arc = _Archive(data, name)
    container = arc.xml("META-INF/container.xml", "container")
    rootfiles = [r.get("full-path", "") for r in _descendants(container, "rootfile")]
    rootfiles = [r for r in rootfiles if r]
    if not rootfiles:
        raise UsageError(f"{name} is not a readable EPUB (META-INF/container.xml names no package document)")
    opf_path = rootfiles[0]
    opf = arc.xml(opf_path, "package document")
    meta = next(iter(_children(opf, "metadata")), None)
    manifest_el = next(iter(_children(opf, "manifest")), None)
    spine_el = next(iter(_children(opf, "spine")), None)
    if meta is None or manifest_el is None or spine_el is None:
        raise UsageError(f"{name} is not a readable EPUB (its package document has no metadata, manifest or spine)")

    items: dict[str, _Item] = {}
    for it in _children(manifest_el, "item"):
        if it.get("id") and it.get("href"):
            items[it.get("id", "")] = _Item(it.get("id", ""), _join(opf_path, it.get("href", "")),
                                            it.get("media-type", ""), set(it.get("properties", "").split()))
    by_path = {i.href: i for i in items.values()}

    # metadata
    title = _main_title(meta) or Path(name).stem
    author = _authors(meta)
    language = next((_text(e) for e in _children(meta, "language") if _text(e)), None)
    year = None
    for e in _children(meta, "date"):
        m = re.search(r"\b(\d{4})\b", _text(e))
        if m:
            year = int(m.group(1))
            break

    # table of contents: the EPUB 3 nav document first, else the NCX
    toc: list[tuple[str, str | None, str]] = []  # (doc path, fragment, title)
    landmarks: dict[str, str] = {}  # doc path -> landmark type
    nav_item = next((i for i in items.values() if "nav" in i.properties), None)
    if nav_item is not None:
        raw = arc.read(nav_item.href)
        if raw is not None:
            parser = _NavParser()
            parser.feed(_decode(raw))
            parser.close()
            toc = [(_join(nav_item.href, h), _fragment(h), t) for h, t in parser.toc if h and t]
            for kind, href in parser.landmarks:
                landmarks.setdefault(_join(nav_item.href, href), kind)
    ncx_id = spine_el.get("toc")
    ncx_item = items.get(ncx_id or "") or next((i for i in items.values()
                                                if i.media == "application/x-dtbncx+xml"), None)
    if not toc and ncx_item is not None and arc.read(ncx_item.href) is not None:
        ncx = arc.xml(ncx_item.href, "NCX")
        for point in _descendants(ncx, "navPoint"):  # document order is reading order
            label = next(iter(_descendants(point, "text")), None)
            content = next(iter(_descendants(point, "content")), None)
            if content is not None and content.get("src"):
                src = content.get("src", "")
                toc.append((_join(ncx_item.href, src), _fragment(src), clean_title(_text(label))))
    guide = next(iter(_children(opf, "guide")), None)
    if guide is not None:
        for ref in _children(guide, "reference"):
            if ref.get("href"):
                landmarks.setdefault(_join(opf_path, ref.get("href", "")), ref.get("type", ""))

    # the cover image: EPUB 3 cover-image, EPUB 2 <meta name="cover">, else an image named cover
    cover_item = next((i for i in items.values() if "cover-image" in i.properties), None)
    if cover_item is None:
        for el in _children(meta, "meta"):
            if el.get("name") == "cover" and el.get("content"):
                cover_ref = el.get("content", "")
                cover_item = items.get(cover_ref) or by_path.get(_join(opf_path, cover_ref))
    if cover_item is None:
        cover_item = next((i for i in items.values() if i.media.startswith("image/") and "cover" in i.id.lower()),
                          None)
    cover = cover_mime = None
    warnings: list[str] = []
    if cover_item is not None:
        raw = arc.read(cover_item.href)
        mime = sniff_image(raw) if raw else None
        if raw and mime:
            cover, cover_mime = raw, mime
        else:
            warnings.append(f"the cover {cover_item.href} is not an image; it was left out")

    # chapters
    titles: dict[tuple[str, str | None], str] = {}
    anchors: dict[str, set[str]] = {}
    for target, frag, t in toc:
        titles.setdefault((target, frag), t)
        if frag:
            anchors.setdefault(target, set()).add(frag)
    parts: list[_Part] = []
    for ref in _children(spine_el, "itemref"):
        item = items.get(ref.get("idref", ""))
        if item is None or (item.media and item.media not in _HTML_TYPES):
            continue
        if not all and (ref.get("linear", "yes") == "no" or "nav" in item.properties
                        or landmarks.get(item.href, "").split(":")[-1] in _SKIP_LANDMARKS):
            continue
        raw = arc.read(item.href)
        if raw is None:
            raise UsageError(f"{name} is not a readable EPUB ({item.href}, in its spine, is missing)")
        doc = extract(_decode(raw), anchors.get(item.href, set()))
        if not all and _left_out(doc.types, item.href, doc.segments):
            continue
        for seg in doc.segments:
            toc_title = titles.get((item.href, seg.anchor)) if seg.anchor else titles.get((item.href, None))
            if seg.anchor is None and toc_title is None and item.href in anchors and not seg.blocks:
                continue
            parts.append(_Part(item.href, seg.anchor, seg.blocks, toc_title, doc.title))

    chapters: list[Chapter] = []
    for part in parts:
        lead = []
        blocks = list(part.blocks)
        while blocks and blocks[0].heading:
            lead.append(clean_paragraph(blocks.pop(0).text))
        lead = [h for h in lead if speakable(h)]
        paragraphs = [b.text for b in blocks]
        if part.toc_title:
            chosen = part.toc_title
            paragraphs = [h for h in lead if h.casefold() not in chosen.casefold()] + paragraphs
        elif lead:
            chosen = clean_title(lead[0])
            paragraphs = lead[1:] + paragraphs
        else:
            chosen = ""
        body = join_paragraphs(paragraphs)
        if not body:
            continue  # an image page, a part title with nothing under it, a cover
        if not chosen and toc and chapters:  # no title of its own: the rest of the chapter before it
            prev = chapters[-1]
            chapters[-1] = Chapter(prev.index, prev.title, prev.text + "\n\n" + body)
            continue
        if not chosen:
            t = clean_title(part.doc_title)
            chosen = t if t and t.casefold() != title.casefold() else f"Chapter {len(chapters) + 1}"
        chapters.append(Chapter(len(chapters) + 1, chosen, body))
    if not chapters:
        raise UsageError(f"{name} has no chapters with text to read")
    return Book(title, chapters, author, language, year, cover, cover_mime, warnings)


def _main_title(meta: ET.Element) -> str:
    titles = _children(meta, "title")
    refines = {m.get("refines", "").lstrip("#"): _text(m) for m in _children(meta, "meta")
               if m.get("property") == "title-type"}
    for t in titles:
        if refines.get(t.get("id", "")) == "main":
            return clean_title(_text(t))
    return next((clean_title(_text(t)) for t in titles if _text(t)), "")


def _authors(meta: ET.Element) -> str | None:
    roles = {m.get("refines", "").lstrip("#"): _text(m) for m in _children(meta, "meta")
             if m.get("property") == "role"}
    names: list[str] = []
    others: list[str] = []
    for c in _children(meta, "creator"):
        role = next((v for k, v in c.attrib.items() if _local(k) == "role"), None) or roles.get(c.get("id", ""))
        (names if role in (None, "", "aut") else others).append(_text(c))
    names = [n for n in names if n]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]


def _left_out(types: set[str], href: str, segments: list) -> bool:
    """Whether a spine document is front matter that is not narrated: a cover, a table of contents,
    a copyright page, or notes only."""
    kinds = {t.split(":")[-1] for t in types}
    if kinds & {"cover", "toc", "copyright-page", "landmarks", "footnotes", "endnotes", "rearnotes", "index"}:
        return True
    blocks = [b for s in segments for b in s.blocks]
    text = " ".join(b.text for b in blocks)
    base = posixpath.basename(href).lower()
    if "copyright" in base or (len(text) < 2500 and len(_COPYRIGHT.findall(text)) >= 2):
        return True
    paragraphs = [b for b in blocks if not b.heading]
    return bool(paragraphs) and sum(b.after_marker for b in paragraphs) >= max(1, len(paragraphs) // 2 + 1)
