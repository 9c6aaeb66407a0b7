"""Reading books: EPUB 2 and 3, Markdown and plain text into chapters of cleaned text; the Markdown
export reads back the same; every bad input is one line of UsageError (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookmaker import COPYRIGHT, epub2, epub3, page, png, zip_epub
from eleven_cli.book.clean import clean_paragraph, join_paragraphs
from eleven_cli.book.cover import load_cover
from eleven_cli.book.extra import need
from eleven_cli.book.model import Book, Chapter
from eleven_cli.book.source import export_markdown, parse_selection, read_book
from eleven_cli.errors import ExitCode, UsageError


def usage_error(fn, *args, **kwargs) -> str:
    with pytest.raises(UsageError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.exit_code == ExitCode.USAGE
    line = err.line()
    assert "\n" not in line and "Traceback" not in line
    return line


# --- EPUB

def test_epub3_chapters_titles_metadata_and_cover(tmp_path: Path) -> None:
    path = tmp_path / "keeper.epub"
    path.write_bytes(epub3())
    book = read_book(path)
    assert (book.title, book.author, book.language, book.year) == ("The Keeper", "Ada Example", "en-GB", 2021)
    assert book.cover == png() and book.cover_mime == "image/png"
    # cover page, nav, copyright and notes pages are left out; the nav gives the titles
    assert [c.title for c in book.chapters] == ["1. The Lighthouse", "2. The Sea"]
    assert [c.index for c in book.chapters] == [1, 2]
    one, two = book.chapters
    # footnote markers (noteref, a bracketed link) and the footnote itself are not read; the image neither
    assert one.paragraphs == ["Chapter One", "The keeper climbed the stairs at dusk, as he did every night.",
                              "\u201cLight,\u201d he said\u2014and there was light."]
    # the second file of a split chapter (not in the nav, no heading) continues the chapter
    assert two.paragraphs[-1] == "Night fell, and the lamp turned on."
    assert "aside" not in book.chapters[0].text and "steps" not in "".join(c.text for c in book.chapters)


def test_epub3_all_keeps_the_copyright_page() -> None:
    book = read_book(epub3(), name="keeper.epub", all=True)
    assert "Copyright 2024 Nobody. All rights reserved." in book.chapters[0].text
    assert read_book(epub3(), name="k.epub").characters < book.characters


def test_epub2_ncx_anchors_cut_one_file_into_chapters_and_the_printed_toc_is_skipped() -> None:
    book = read_book(epub2(), name="gardener.epub")
    assert (book.title, book.author, book.language, book.year) == ("The Gardener", "Bo Example", "fr", 1999)
    assert book.cover_mime == "image/jpeg"
    titles = [c.title for c in book.chapters]
    assert titles[-3:] == ["Seeds", "Rain", "Harvest"]  # nested navPoints in reading order
    assert "Contents" not in titles
    assert book.chapters[-2].paragraphs[-2:] == ["It rained for nine days.", "The rows turned green."]
    assert all("planted" not in c.text for c in book.chapters[-2:])


def test_epub_without_a_toc_takes_titles_from_headings() -> None:
    book = read_book(epub3(with_nav=False), name="k.epub")
    assert [c.title for c in book.chapters][:2] == ["Chapter One", "Chapter Two"]
    assert book.chapters[0].paragraphs[0] == "The Lighthouse"  # a second heading is read


def test_epub_cover_that_is_not_an_image_is_left_out_with_a_warning() -> None:
    book = read_book(epub3(cover=b"this is not a picture"), name="k.epub")
    assert book.cover is None and book.warnings and "not an image" in book.warnings[0]


def test_broken_epubs_are_one_line_usage_errors(tmp_path: Path) -> None:
    assert "not a readable EPUB" in usage_error(read_book, b"PK\x03\x04 broken zip", name="bad.epub")
    assert "container" in usage_error(read_book, zip_epub({"a.txt": "x"}, container=False), name="c.epub")
    assert "package document" in usage_error(read_book, zip_epub({"x": "y"}), name="o.epub")
    no_chapters = zip_epub({"OEBPS/content.opf": """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Empty</dc:title></metadata><manifest><item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>
<item id="b" href="b.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="a"/><itemref idref="b"/></spine></package>""",
        "OEBPS/a.xhtml": page("<div><img src='x.png'/></div>"), "OEBPS/b.xhtml": COPYRIGHT})
    assert "no chapters" in usage_error(read_book, no_chapters, name="empty.epub")
    bad_xml = zip_epub({"OEBPS/content.opf": "<package><metadata>"})
    assert "not valid XML" in usage_error(read_book, bad_xml, name="x.epub")
    missing = epub3().replace(b"text/ch1.xhtml", b"text/zz1.xhtml")  # a spine item whose file is missing
    with pytest.raises(UsageError):
        read_book(missing, name="m.epub")
    assert "cannot read" in usage_error(read_book, tmp_path / "nope.epub")


# --- Markdown

MARKDOWN = """---
title: "The Walk"
author: [Cy Example, Di Example]
language: en
date: 2020-05-01
---

# Part One

## Morning

It was *early*, and the [road](https://example.invalid/road) was `empty`.
The second line of the same paragraph.

![a map](map.png)

```
print("code is never read")
```

- bread
- cheese!

<div>markup is dropped</div>

## Noon

> The sun stood **high**.
"""


def test_markdown_chapters_front_matter_and_stripped_markup() -> None:
    book = read_book(MARKDOWN.encode(), name="walk.md")
    assert (book.title, book.author, book.language, book.year) == ("The Walk", "Cy Example, Di Example", "en", 2020)
    assert [c.title for c in book.chapters] == ["Part One: Morning", "Noon"]
    assert book.chapters[0].paragraphs == [
        "It was early, and the road was empty. The second line of the same paragraph.", "bread. cheese!"]
    assert book.chapters[1].text == "The sun stood high."


def test_markdown_title_from_a_lone_first_heading_and_cover(tmp_path: Path) -> None:
    (tmp_path / "c.png").write_bytes(png())
    (tmp_path / "b.md").write_text("---\ncover: c.png\n---\n# My Book\n\n## One\n\nFirst.\n\n## Two\n\nSecond.\n")
    book = read_book(tmp_path / "b.md")
    assert book.title == "My Book" and [c.title for c in book.chapters] == ["One", "Two"]
    assert book.cover == png()
    (tmp_path / "bad.md").write_text("---\ncover: b.md\n---\n# One\n\nText.\n")
    assert "not an image" in usage_error(read_book, tmp_path / "bad.md")


def test_markdown_empty_chapter_and_no_chapters_are_usage_errors() -> None:
    assert "\u201cTwo\u201d has no text" in usage_error(read_book, b"# One\n\nText.\n\n# Two\n\n# Three\n\nMore.\n",
                                                        name="e.md")
    assert "no chapters" in usage_error(read_book, b"---\ntitle: x\n---\n\n```\ncode\n```\n", name="n.md")


# --- plain text

TEXT = """THE LONG ROAD
by Eve Example

CHAPTER ONE
The Start

It was a long road, and the trav-
ellers walked it slowly, one
step after another.

Then they rested.

CHAPTER TWO

Night came. The well-
Known inn was full.

Part II

Chapter 3. Home

They were home.
"""


def test_text_headings_hyphenation_and_rewrapped_paragraphs() -> None:
    book = read_book(TEXT.encode(), name="road.txt")
    assert (book.title, book.author) == ("THE LONG ROAD", "Eve Example")
    assert [c.title for c in book.chapters] == ["CHAPTER ONE: The Start", "CHAPTER TWO", "Part II: Chapter 3. Home"]
    assert book.chapters[0].paragraphs == [
        "It was a long road, and the travellers walked it slowly, one step after another.", "Then they rested."]
    assert book.chapters[1].text == "Night came. The well-Known inn was full."


def test_text_words_numbers_and_a_callers_pattern() -> None:
    text = "Prologue\n\nBefore.\n\nCHAPTER TWELVE\n\nTwelve.\n\nChapter twenty-one\n\nLate.\n"
    assert [c.title for c in read_book(text.encode(), name="t.txt").chapters] == [
        "Prologue", "CHAPTER TWELVE", "Chapter twenty-one"]
    custom = "~ one ~\nA.\n\n~ two ~\nB.\n"
    book = read_book(custom.encode(), name="t.txt", chapter_pattern=r"^~ \w+ ~$")
    assert [(c.title, c.text) for c in book.chapters] == [("~ one ~", "A."), ("~ two ~", "B.")]
    assert "regular expression" in usage_error(read_book, b"x", name="t.txt", chapter_pattern="(")


def test_text_without_headings_is_one_chapter_and_long_lines_are_paragraphs() -> None:
    line = "word " * 50
    book = read_book(f"{line}\n{line}\n".encode(), name="notes.txt")
    assert len(book.chapters) == 1 and len(book.chapters[0].paragraphs) == 2 and book.title == "notes"


def test_text_from_stdin_bytes_in_other_encodings() -> None:
    assert read_book("Caf\xe9 au lait.".encode("cp1252"), name="-").chapters[0].text == "Caf\u00e9 au lait."
    assert read_book("\ufeffHello.".encode("utf-16"), name="-").chapters[0].text == "Hello."
    assert "empty" in usage_error(read_book, b"  \n", name="-")
    assert "\u201cChapter 2\u201d has no text" in usage_error(read_book, b"Chapter 1\n\nA.\n\nChapter 2\n\n",
                                                             name="-")


# --- cleaning, selection, export

def test_cleaning_is_the_same_for_every_source() -> None:
    raw = "  Soft\u00adhyphen,\u200b zero\u2009width\u00a0and\tcontrol\x07 \u201cquotes\u201d\u2026  "
    assert clean_paragraph(raw) == "Softhyphen, zero width and control \u201cquotes\u201d\u2026"
    assert join_paragraphs(["* * *", "A.", "", "\u2014", "B."]) == "A.\n\nB."
    html = page("<p>Soft\u00adhyphen,\u200b zero\u2009width\u00a0and\tcontrol\x07 \u201cquotes\u201d\u2026</p>")
    opf_book = zip_epub({"OEBPS/content.opf": """<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>C</dc:title></metadata><manifest><item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>
</manifest><spine><itemref idref="a"/></spine></package>""", "OEBPS/a.xhtml": html})
    expected = clean_paragraph(raw)
    assert read_book(opf_book, name="c.epub").chapters[0].text == expected
    assert read_book(f"# A\n\n{raw}\n".encode(), name="c.md").chapters[0].text == expected
    assert read_book(raw.encode(), name="c.txt").chapters[0].text == expected


def test_parse_selection() -> None:
    assert parse_selection("3-7,9", 10) == [3, 4, 5, 6, 7, 9]
    assert parse_selection("9, 1,1", 10) == [1, 9]
    assert parse_selection("8-", 10) == [8, 9, 10]
    assert parse_selection("-2", 10) == [1, 2]
    for bad in ("", "a", "3-1", "0", "1-2-3", "4,,5"):
        usage_error(parse_selection, bad, 10)
    assert "has 10 chapters" in usage_error(parse_selection, "11", 10)


def test_export_markdown_reads_back_the_same_book(tmp_path: Path) -> None:
    for book in (read_book(epub3(), name="k.epub"), read_book(epub2(), name="g.epub"),
                 read_book(TEXT.encode(), name="road.txt")):
        back = read_book(export_markdown(book).encode(), name="book.md")
        assert back.chapters == book.chapters
        assert (back.title, back.author, back.language, back.year) == (book.title, book.author, book.language,
                                                                        book.year)
    (tmp_path / "cover.png").write_bytes(png())
    book = read_book(epub3(), name="k.epub")
    (tmp_path / "b.md").write_text(export_markdown(book, cover_name="cover.png"))
    assert read_book(tmp_path / "b.md").cover == png()


_para = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60).map(clean_paragraph).filter(
    lambda p: any(c.isalnum() for c in p))


@given(st.lists(st.tuples(_para, st.lists(_para, min_size=1, max_size=3)), min_size=1, max_size=4), _para)
def test_export_round_trips_any_text(chapters: list[tuple[str, list[str]]], title: str) -> None:
    book = Book(title.rstrip(" .:;,") or "T", [Chapter(i, t.rstrip(" .:;,") or "T", "\n\n".join(ps))
                                             for i, (t, ps) in enumerate(chapters, 1)], author="A. Writer")
    back = read_book(export_markdown(book).encode(), name="x.md")
    assert [(c.title, c.text) for c in back.chapters] == [(c.title, c.text) for c in book.chapters]
    assert back.title == book.title


def test_cover_file_and_missing_extra_messages(tmp_path: Path) -> None:
    (tmp_path / "c.png").write_bytes(png())
    assert load_cover(tmp_path / "c.png") == (png(), "image/png")
    (tmp_path / "c.txt").write_text("hello")
    assert "not an image" in usage_error(load_cover, tmp_path / "c.txt")
    line = usage_error(need, "no_such_module_for_eleven")
    assert "install 'eleven-cli[book]'" in line and "[book] extra" in line
