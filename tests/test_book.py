"""`eleven book` and `client.book`, end to end against the mock: books made here (no copyrighted text),
read back from the audiobook (chapters, tags, cover, duration, loudness), a run that stops and resumes
without paying twice, and bad input that spends nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("mutagen", reason="the [book] extra is not installed")

from bookmaker import epub3, png  # noqa: E402
from conftest import err  # noqa: E402
from eleven_cli.audio.audiobook_verify import read_chapters  # noqa: E402

MARKDOWN = """---
title: The Lighthouse Keeper
author: Ada Example
---

# Chapter One: Arrival

The boat left her on the rocks at dusk. She climbed the stairs with her bag.

The lamp was cold, and the logbook open at a page from long ago.

# Chapter Two: The Storm

Wind came in the night. Waves broke over the gallery, and the glass sang.

By morning the sea was flat, and a ship stood off the point.

# Chapter Three: The Ship

Its boat came ashore at noon with letters and oil for the lamp.
"""


@pytest.fixture
def book_md(tmp_path: Path) -> Path:
    path = tmp_path / "keeper.md"
    path.write_text(MARKDOWN)
    return path


def _spoken(mock) -> list[str]:
    return [r["body"]["text"] for r in mock.requests("/v1/text-to-speech")]


def test_a_markdown_book_to_m4b_with_chapters_captions_and_tags(cli, mock, book_md, tmp_path) -> None:
    out = tmp_path / "keeper.m4b"
    r = cli("book", str(book_md), "-o", str(out), "--srt", str(tmp_path / "k.srt"), "--chapters-file",
            str(tmp_path / "ch.vtt"), "--json")
    assert r.returncode == 0, err(r)
    summary = json.loads(r.stdout)
    chapters, duration = read_chapters(out)
    assert [t for t, _ in chapters] == ["Chapter One: Arrival", "Chapter Two: The Storm", "Chapter Three: The Ship"]
    assert chapters[0][1] == 0 and all(b[1] > a[1] for a, b in zip(chapters, chapters[1:], strict=False))
    assert abs(duration - summary["duration_seconds"]) < 0.5 and duration > 10
    from mutagen.mp4 import MP4

    tags = MP4(str(out)).tags
    assert tags["\xa9nam"] == ["The Lighthouse Keeper"] and tags["\xa9ART"] == ["Ada Example"]
    srt = (tmp_path / "k.srt").read_text()
    assert "The boat left her" in srt and "ship stood off the point" in srt
    assert (tmp_path / "ch.vtt").read_text().count("-->") == 3
    assert len(_spoken(mock)) == 3 + 5  # each title, each paragraph
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_preview_spends_nothing_and_chapters_pick_a_subset(cli, mock, book_md, tmp_path) -> None:
    r = cli("book", str(book_md), "--preview", "--json")
    assert r.returncode == 0, err(r)
    plan = json.loads(r.stdout)
    assert [c["chapter"] for c in plan["chapters"]] == [1, 2, 3] and plan["credits"] > 0
    assert plan["remaining_characters"] > 0 and _spoken(mock) == []
    r = cli("book", str(book_md), "--chapters", "2-3", "-o", str(tmp_path / "two.mp3"))
    assert r.returncode == 0, err(r)
    titles = [t for t, _ in read_chapters(tmp_path / "two.mp3")[0]]
    assert titles == ["Chapter Two: The Storm", "Chapter Three: The Ship"]


def test_exported_text_reads_back_as_the_same_book(cli, mock, book_md, tmp_path) -> None:
    exported = tmp_path / "edit.md"
    r = cli("book", str(book_md), "--export-text", str(exported))
    assert r.returncode == 0 and _spoken(mock) == [], err(r)
    a = json.loads(cli("book", str(book_md), "--preview", "--json").stdout)
    b = json.loads(cli("book", str(exported), "--preview", "--json").stdout)
    assert a["chapters"] == b["chapters"] and a["title"] == b["title"]


def test_a_run_stopped_at_its_budget_resumes_without_paying_twice(cli, mock, book_md, tmp_path) -> None:
    out = tmp_path / "keeper.mp3"
    r = cli("book", str(book_md), "-o", str(out), "--max-credits", "150", "-j", "1")
    assert r.returncode == 4 and "limit of 150" in err(r) and not out.exists(), err(r)
    first = _spoken(mock)
    assert 0 < len(first) < 8
    mock.clear()
    r = cli("book", str(book_md), "-o", str(out), "--json")
    assert r.returncode == 0, err(r)
    again = _spoken(mock)
    assert len(again) == 8 - len(first) and not set(first) & set(again)  # nothing spoken twice
    assert json.loads(r.stdout)["cached_paragraphs"] == len(first)


def test_an_epub_with_its_cover_to_a_folder_of_chapters(cli, mock, tmp_path) -> None:
    book = tmp_path / "book.epub"
    book.write_bytes(epub3(cover=png()))
    r = cli("book", str(book), "-d", str(tmp_path / "out"))
    assert r.returncode == 0, err(r)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files[0].startswith("01 ") and any(f.endswith(".m3u") for f in files), files


def test_stdin_and_the_library_face(mock, tmp_path, monkeypatch) -> None:
    from eleven_cli import Client

    client = Client(api_key=mock.key, base_url=mock.url, config=False)
    narration = client.book(MARKDOWN.encode(), name="keeper", chapters="1", titles=False, loudness=None)
    result = narration.save(tmp_path / "one.m4b")
    assert [c["title"] for c in result.chapters] == ["Chapter One: Arrival"] and result.characters > 100
    events = list(client.book(MARKDOWN.encode(), chapters=[3]).stream(tmp_path / "three.m4b"))
    assert type(events[-1]).__name__ == "BookDone"


@pytest.mark.parametrize(("make", "words"), [
    (lambda d: (d / "b.epub").write_bytes(b"PK\x03\x04 not a zip") and d / "b.epub", "epub"),
    (lambda d: (d / "e.md").write_text("no chapters here, only a line\n") and d / "e.md", None),
    (lambda d: (d / "empty.md").write_text("") is not None and d / "empty.md", "empty"),
])
def test_bad_books_are_one_line_and_spend_nothing(cli, mock, tmp_path, make, words) -> None:
    source = make(tmp_path)
    r = cli("book", str(source), "-o", str(tmp_path / "x.m4b"))
    lines = err(r).strip().splitlines()
    if r.returncode == 0:  # a text with no headings is one chapter: that is a book too
        assert words is None
        return
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("eleven: error:"), err(r)
    assert (words or "") in lines[0].lower() and _spoken(mock) == []


def test_bad_outputs_and_covers_are_refused_before_anything_is_sent(cli, mock, book_md, tmp_path) -> None:
    for args, words in ((["-o", str(tmp_path / "x.wav")], ".m4b or .mp3"), ([], "say where the audiobook goes"),
                        (["-o", str(tmp_path / "x.m4b"), "--cover", str(book_md)], "not an image"),
                        (["-o", str(tmp_path / "no" / "x.m4b")], "does not exist")):
        r = cli("book", str(book_md), *args)
        assert r.returncode == 2 and words in err(r), err(r)
    assert _spoken(mock) == []


def test_sentence_pauses_lengthen_the_book_by_what_they_add(cli, mock, tmp_path) -> None:
    one = tmp_path / "one.md"
    one.write_text("# One\n\nFirst sentence here. Second sentence here. Third one ends it.\n")
    plain, paused = tmp_path / "plain.mp3", tmp_path / "paused.mp3"
    assert cli("book", str(one), "-o", str(plain), "--no-titles", "--no-loudness").returncode == 0
    r = cli("book", str(one), "-o", str(paused), "--no-titles", "--no-loudness", "--pause", "sentence=1.0")
    assert r.returncode == 0, err(r)
    added = read_chapters(paused)[1] - read_chapters(plain)[1]
    assert 1.6 < added < 2.4  # two sentence ends inside the paragraph, a second each


def test_a_lexicon_becomes_a_dictionary_on_the_account_once_and_is_heard(cli, mock, tmp_path) -> None:
    book = tmp_path / "ops.md"
    book.write_text("# Servers\n\nThe Nginx proxy sits in front. Nginx never sleeps.\n")
    lexicon = tmp_path / "words.txt"
    lexicon.write_text("# how to say it\nNginx = engine x\n")
    r = cli("book", str(book), "-o", str(tmp_path / "a.mp3"), "--lexicon", str(lexicon), "--srt",
            str(tmp_path / "a.srt"), "--no-titles")
    assert r.returncode == 0, err(r)
    sent = mock.requests("/v1/text-to-speech")
    assert all(q["body"]["pronunciation_dictionary_locators"] for q in sent), sent
    assert "engine x" in (tmp_path / "a.srt").read_text()  # the mock speaks the alias: its timing says so
    made = [q for q in mock.requests("/v1/pronunciation-dictionaries") if q.get("method") == "POST"]
    r = cli("book", str(book), "-o", str(tmp_path / "b.mp3"), "--lexicon", str(lexicon), "--no-titles")
    assert r.returncode == 0, err(r)
    again = [q for q in mock.requests("/v1/pronunciation-dictionaries") if q.get("method") == "POST"]
    assert len(made) == len(again) == 1  # reused by its content's hash, not made twice
    lexicon.write_text("Nginx engine x\n")
    r = cli("book", str(book), "-o", str(tmp_path / "c.mp3"), "--lexicon", str(lexicon))
    assert r.returncode == 2 and "words.txt:1" in err(r), err(r)
