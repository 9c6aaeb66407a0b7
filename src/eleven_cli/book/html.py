"""(X)HTML to blocks of spoken text, with the standard library's tolerant parser.

What is never spoken is left out: head, scripts, styles, images, SVG and MathML, navigation, page
breaks, ruby annotations, footnote and endnote bodies (EPUB 3 `epub:type`, DPUB-ARIA roles) and the
markers that point at them (`<sup><a href="#fn1">1</a></sup>`, `epub:type="noteref"`, `[12]`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIP_TAGS = {"head", "script", "style", "svg", "math", "nav", "img", "audio", "video", "object", "iframe",
              "template", "noscript", "rt", "rp", "button", "input", "select", "textarea", "map", "area"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
         "param"}
_BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "section", "article", "header", "footer",
           "main", "aside", "figure", "figcaption", "pre", "table", "tr", "td", "th", "caption", "hr", "body",
           "h1", "h2", "h3", "h4", "h5", "h6", "address", "center", "hgroup", "details", "summary", "poem", "stanza"}
_NOTE_TYPES = {"footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes", "note", "noteref",
               "pagebreak", "toc", "landmarks", "page-list", "annoref", "annotation"}
_NOTE_ROLES = {"doc-footnote", "doc-endnote", "doc-endnotes", "doc-noteref", "doc-pagebreak", "doc-toc",
               "doc-backlink", "doc-pagelist"}
_MARKER = re.compile(r"^[\[(]?\s*(\d{1,4}|[*†‡§¶#]+|[a-z]{1,2}|[ivxlc]{1,5})\s*[\])]?[.,]?$", re.IGNORECASE)
_NOTE_CLASS = re.compile(r"(foot|end)?note|noteref|\bfn\d*\b|\bref\b", re.IGNORECASE)
_WS = re.compile(r"\s+")
_AROUND_MARKER = re.compile(r"\s*[\[(]\s*\x00+\s*[\])]|\s+(?=\x00+[\s.,;:!?)]|\x00+$)")


@dataclass
class Block:
    text: str
    heading: int = 0  # 1-6 for h1-h6, 0 for a paragraph
    after_marker: bool = False  # began with a dropped note marker (a backlink: how note lists look)


@dataclass
class Segment:
    """The blocks of a document from one split point (an id a table of contents points at) to the next."""
    anchor: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class _Capture:
    tag: str
    note_class: bool
    linked: bool  # an <a> with a fragment link, or a <sup> that holds one
    parts: list[str] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self, split_ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.split_ids = split_ids
        self.segments = [Segment(None)]
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped here)
        self.skip = 0
        self.heading = 0
        self.buffer: list[str] = []
        self.captures: list[_Capture] = []
        self.marker_first = False
        self.types: set[str] = set()  # epub:type values of html/body/section elements (what the document is)
        self.title_parts: list[str] = []
        self.in_title = False

    # -- helpers
    def _flush(self) -> None:
        text = "".join(self.buffer)
        if "\x00" in text:
            text = _AROUND_MARKER.sub("", text).replace("\x00", "")
        text = _WS.sub(" ", text).strip()
        if text:
            self.segments[-1].blocks.append(Block(text, self.heading, self.marker_first))
        self.buffer = []
        self.marker_first = False

    def _emit(self, text: str) -> None:
        if self.captures:
            self.captures[-1].parts.append(text)
        else:
            self.buffer.append(text)

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        types = set(a.get("epub:type", "").split())
        role = a.get("role", "")
        if tag in ("html", "body", "section", "div", "article") and types:
            self.types |= types
        if tag == "title" and not self.stack_has("body"):
            self.in_title = True
        ident = a.get("id") or (a.get("name") if tag == "a" else None)
        if ident and ident in self.split_ids and not self.skip:
            self._flush()
            self.segments.append(Segment(ident))
        skip = bool(tag in _SKIP_TAGS or types & _NOTE_TYPES or role in _NOTE_ROLES
                    or (tag == "aside" and _NOTE_CLASS.search(a.get("class", ""))))
        if tag in _VOID:
            if tag == "br" and not self.skip:
                self._emit(" ")
            elif tag == "hr" and not self.skip:
                self._flush()
            return
        self.stack.append((tag, skip))
        if skip:
            self.skip += 1
            return
        if tag in _BLOCKS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
        if tag in ("a", "sup"):
            href = a.get("href", "")
            linked = tag == "a" and "#" in href
            self.captures.append(_Capture(tag, bool(_NOTE_CLASS.search(a.get("class", ""))), linked))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)
        else:  # <p/>, <a id="x"/>: an element with nothing inside
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def stack_has(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _VOID or not self.stack_has(tag):
            return
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if skipped:
                self.skip -= 1
            elif open_tag in ("a", "sup") and self.captures:
                self._close_capture()
            if not skipped and not self.skip and open_tag in _BLOCKS:
                self._flush()
                if open_tag[0] == "h" and open_tag[1:].isdigit():
                    self.heading = 0
            if open_tag == tag:
                break

    def _close_capture(self) -> None:
        cap = self.captures.pop()
        text = "".join(cap.parts)
        inner_marker = "\x00" in text  # a dropped marker link inside this <sup>
        text = text.replace("\x00", "")
        marker = _MARKER.match(text.strip()) is not None or not text.strip()
        if marker and (cap.linked or cap.note_class or inner_marker):
            if not "".join(self.buffer).strip() and not any("".join(c.parts).strip() for c in self.captures):
                self.marker_first = True
            self._emit("\x00")  # where a marker was: brackets around it go too
            return
        self._emit(text)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if not self.skip:
            self._emit(data)

    def close(self) -> None:
        super().close()
        while self.captures:
            self._close_capture()
        self._flush()


@dataclass
class Document:
    segments: list[Segment]
    title: str  # the <title> element's text
    types: set[str]  # epub:type values on its html, body and top sections


def extract(markup: str, split_ids: set[str] | None = None) -> Document:
    """The document's text as blocks, cut at the elements whose id is in `split_ids`."""
    parser = _Extractor(split_ids or set())
    parser.feed(markup)
    parser.close()
    title = _WS.sub(" ", "".join(parser.title_parts)).strip()
    return Document(parser.segments, title, parser.types)
