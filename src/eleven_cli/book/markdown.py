"""Markdown in (CommonMark, through markdown-it-py) and out (`export_markdown`, which reads back the same).

`#` and `##` headings are chapters. The title comes from YAML front matter (`title`, `author`,
`language`, `year` or `date`, `cover`), else from a lone first `#` over `##` chapters. Markup is
stripped: emphasis goes, links become their text, images, code blocks and HTML are dropped, list
items become sentences. A heading with nothing under it and a deeper heading next (a part over its
chapters) gives its title to that chapter: "Part One: Chapter 1".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from eleven_cli.book.clean import clean_paragraph, clean_title, join_paragraphs, speakable
from eleven_cli.book.model import Book, Chapter
from eleven_cli.errors import UsageError

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_SENTENCE_END = tuple(".!?…:;\"'”’»)")


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML front matter's scalar fields (a list joined with commas) and the text after it. Only the
    simple YAML that front matter uses: `key: value`, quoted values, `[a, b]` and `- item` lists."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    key = None
    for line in m.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s+(.*)$", line) or re.match(r"^-\s+(.*)$", line)
        if item and key:
            value = _scalar(item.group(1))
            fields[key] = f"{fields[key]}, {value}" if fields.get(key) else value
            continue
        kv = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if kv:
            key = kv.group(1).lower()
            raw = kv.group(2).strip()
            if raw.startswith("[") and raw.endswith("]"):
                fields[key] = ", ".join(_scalar(v) for v in _split_flow(raw[1:-1]) if v.strip())
            else:
                fields[key] = _scalar(raw)
    return fields, text[m.end():]


def _split_flow(raw: str) -> list[str]:
    return [v for v in re.findall(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|[^,]+', raw)]


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        try:
            return str(json.loads(raw))
        except ValueError:
            return raw[1:-1]
    if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return re.sub(r"\s+#.*$", "", raw)


@dataclass
class _Section:
    level: int
    title: str
    paragraphs: list[str] = field(default_factory=list)


def _inline(token: object) -> str:
    """The spoken text of an inline token: text and code spans kept, images and HTML dropped."""
    out = []
    for child in getattr(token, "children", None) or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _sections(body: str) -> list[_Section]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    sections = [_Section(0, "")]
    heading = 0
    list_depth = 0
    item_texts: list[str] = []
    row: list[str] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "heading_open":
            heading = int(tok.tag[1])
        elif kind == "heading_close":
            heading = 0
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            if list_depth == 0 and item_texts:
                sections[-1].paragraphs.append(" ".join(item_texts))
                item_texts = []
        elif kind == "tr_close":
            if row:
                sections[-1].paragraphs.append(_sentence(", ".join(row)))
            row = []
        elif kind == "inline":
            text = clean_paragraph(_inline(tok))
            parent = tokens[i - 1].type if i else ""
            if heading and heading <= 2:
                sections.append(_Section(heading, clean_title(text)))
            elif parent in ("th_open", "td_open"):
                if text:
                    row.append(text)
            elif list_depth:
                if speakable(text):
                    item_texts.append(_sentence(text))
            elif text:
                sections[-1].paragraphs.append(text)
    return sections


def _sentence(text: str) -> str:
    return text if text.endswith(_SENTENCE_END) else text + "."


def read_markdown(text: str, name: str, base: Path | None = None) -> Book:
    fields, body = parse_front_matter(text)
    sections = _sections(body)
    title = clean_title(fields.get("title", ""))
    h1 = [s for s in sections if s.level == 1]
    h2 = [s for s in sections if s.level == 2]
    preamble = sections[0]
    if (len(h1) == 1 and sections[1:2] == h1 and h2 and not preamble.paragraphs
            and (not title or title.casefold() == h1[0].title.casefold())):
        # a lone first `#` over `##` chapters: the book's title; text under it, before the first `##`, is a chapter
        if not title:
            title = h1[0].title
        if not h1[0].paragraphs:
            sections.remove(h1[0])
    if not title:
        title = h1[0].title if h1 else Path(name).stem
    chapters: list[Chapter] = []
    pending = ""  # titles of parts with nothing under them
    pending_level = 0
    body_sections = sections[1:]
    if preamble.paragraphs:
        body_sections.insert(0, _Section(1, title, preamble.paragraphs))
    for n, sec in enumerate(body_sections):
        text = join_paragraphs(sec.paragraphs)
        sec_title = f"{pending}: {sec.title}" if pending else sec.title
        if not text:
            nxt = body_sections[n + 1] if n + 1 < len(body_sections) else None
            if nxt is not None and nxt.level > sec.level and (not pending or sec.level > pending_level):
                pending, pending_level = sec_title, sec.level
                continue
            raise UsageError(f"{name}: the chapter \u201c{sec_title}\u201d has no text")
        pending = ""
        chapters.append(Chapter(len(chapters) + 1, sec_title or f"Chapter {len(chapters) + 1}", text))
    if not chapters:
        raise UsageError(f"{name} has no chapters with text to read")
    year = None
    m = re.search(r"\b(\d{4})\b", fields.get("year", "") or fields.get("date", ""))
    if m:
        year = int(m.group(1))
    cover = cover_mime = None
    if fields.get("cover"):
        from eleven_cli.book.cover import load_cover

        path = Path(fields["cover"])
        cover, cover_mime = load_cover(path if path.is_absolute() or base is None else base / path)
    author = clean_paragraph(fields.get("author", "") or fields.get("creator", "")) or None
    language = clean_paragraph(fields.get("language", "") or fields.get("lang", "")) or None
    return Book(title, chapters, author, language, year, cover, cover_mime)


_ESCAPE = re.compile(r"([\\`*_\[\]<>#&!|~{}])")
_LEADING = re.compile(r"^(\d+)([.)])|^([-+=])")


def _escape(text: str) -> str:
    """Text that CommonMark reads back as itself: its punctuation escaped where it could be markup."""
    text = _ESCAPE.sub(r"\\\1", text)
    return _LEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


def export_markdown(book: Book, cover_name: str | None = None) -> str:
    """The cleaned book as Markdown, each chapter a `#` heading under YAML front matter, which
    `read_book` reads back to the same chapters and metadata (`cover_name`: where the caller saved
    the cover, relative to the Markdown file)."""
    lines = ["---", f"title: {json.dumps(book.title, ensure_ascii=False)}"]
    if book.author:
        lines.append(f"author: {json.dumps(book.author, ensure_ascii=False)}")
    if book.language:
        lines.append(f"language: {json.dumps(book.language, ensure_ascii=False)}")
    if book.year is not None:
        lines.append(f"year: {book.year}")
    if cover_name:
        lines.append(f"cover: {json.dumps(cover_name, ensure_ascii=False)}")
    lines += ["---", ""]
    for ch in book.chapters:
        lines += [f"# {_escape(ch.title)}", ""]
        for p in ch.paragraphs:
            lines += [_escape(p), ""]
    return "\n".join(lines)
