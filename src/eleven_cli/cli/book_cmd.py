"""`eleven book`: a whole book (EPUB, Markdown or text) narrated into one audiobook."""


import sys
from pathlib import Path
from typing import Annotated

import typer

from eleven_cli.cli.options import synthesis
from eleven_cli.cli.speak import Options
from eleven_cli.options import SPEECH


@synthesis([SPEECH], exclude=("format", "previous_text", "next_text"), after="outdir")
def book(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="The book: an .epub, a Markdown (.md) or a plain "
                                          "text file; `-` reads standard input.", show_default=False)],
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", help="The audiobook: .m4b (AAC, "
                                               "chapter markers, tags, cover) or .mp3 (ID3 chapters).",
                                               show_default=False)] = None,
    outdir: Annotated[str | None, typer.Option("--outdir", "-d", metavar="FOLDER", help="One MP3 a chapter "
                                               "(`01 Title.mp3`, tagged) and an .m3u playlist instead.",
                                               show_default=False)] = None,
    preview: Annotated[bool, typer.Option("--preview", "--dry-run", help="List the chapters with characters, "
                                          "estimated credits and hours, and the account's remaining characters; "
                                          "send nothing.")] = False,
    chapters: Annotated[str | None, typer.Option("--chapters", metavar="LIST", help="Narrate only these "
                                                 "chapters, e.g. 3-7,9.", show_default=False)] = None,
    export_text: Annotated[str | None, typer.Option("--export-text", metavar="FILE", help="Write the cleaned text "
                                                    "as Markdown (edit it, then narrate that file); send nothing.",
                                                    show_default=False)] = None,
    all_parts: Annotated[bool, typer.Option("--all", help="Keep an EPUB's cover, contents, copyright and notes "
                                            "pages.")] = False,
    chapter_pattern: Annotated[str | None, typer.Option("--chapter-pattern", metavar="REGEX", help="Where a plain "
                                                        "text's chapters begin (a line matching it).",
                                                        show_default=False)] = None,
    cover: Annotated[str | None, typer.Option("--cover", metavar="IMAGE", help="Cover art (JPEG or PNG) "
                                              "[default: the EPUB's].", show_default=False)] = None,
    pause: Annotated[str | None, typer.Option("--pause", metavar="KIND=SECONDS,...", help="Pauses between "
                                              "sentences, paragraphs and chapters, in seconds [default: "
                                              "sentence=0,paragraph=0.6,chapter=2.0].",
                                              show_default=False)] = None,
    loudness: Annotated[float, typer.Option("--loudness", metavar="LUFS", min=-40, max=-5, help="Integrated "
                                            "loudness of the whole book (ITU-R BS.1770), true peak at most "
                                            "-3 dBTP.")] = -18.0,
    no_loudness: Annotated[bool, typer.Option("--no-loudness", help="Keep the loudness as narrated.")] = False,
    lexicon: Annotated[str | None, typer.Option("--lexicon", metavar="FILE", help="Pronunciations: lines "
                                                "`word = replacement` (or /ipa/), or a W3C PLS file; sent as a "
                                                "pronunciation dictionary on the account (made once, reused).",
                                                show_default=False)] = None,
    titles: Annotated[bool, typer.Option("--titles/--no-titles", help="Speak each chapter's title before "
                                         "it.")] = True,
    srt: Annotated[str | None, typer.Option("--srt", metavar="FILE", help="SubRip captions for the whole book.",
                                            show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", metavar="FILE", help="WebVTT captions for the whole book.",
                                            show_default=False)] = None,
    chapters_file: Annotated[str | None, typer.Option("--chapters-file", metavar="FILE", help="WebVTT chapters "
                                                      "(titles and times) for web players.",
                                                      show_default=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", min=1, max=16, help="Chapters narrated at "
                                      "once (fewer when the service asks).")] = 3,
    force: Annotated[bool, typer.Option("--force", help="Start even when the book needs more credits than the "
                                        "account has left this period.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan or the summary as JSON.")] = False,
    options: Options | None = None,
) -> None:
    """Narrate a whole book into one audiobook: chapters, cover, tags and loudness.

    EPUB chapters come in spine order with their titles; Markdown chapters at # and ## headings; plain text
    at headings such as `Chapter 12` or `Part II`. Narrated pieces are kept until the book is written, so an
    interrupted run goes on where it stopped without paying twice."""
    from eleven_cli.cli import book_view
    from eleven_cli.errors import RejectedError, UsageError

    g, options = ctx.obj, dict(options or {})
    if export_text is None and not preview and (output is None) == (outdir is None):
        raise UsageError("say where the audiobook goes: -o FILE.m4b, -o FILE.mp3 or -d FOLDER")
    book_view.check_paths(output, outdir, srt, vtt, chapters_file, export_text)
    pauses = book_view.pauses(pause)
    art = cover
    data, name = _source(source)
    client = g.client()
    narration = client.book(data if data is not None else source, options.pop("voice", None),
                            options.pop("model", None), chapters=chapters, all=all_parts,
                            chapter_pattern=chapter_pattern, cover=art, name=name,
                            paragraph_pause=pauses.paragraph, chapter_pause=pauses.chapter,
                            sentence_pause=pauses.sentence,
                            loudness=None if no_loudness else (loudness, -3.0), titles=titles, jobs=jobs,
                            lexicon=lexicon, **options)
    for warning in narration.book.warnings:
        g.say(f"eleven: warning: {warning}")
    if export_text is not None:
        book_view.export(g, narration, export_text)
        if not preview and output is None and outdir is None:
            return
    if preview:
        book_view.show_plan(g, narration.plan(), as_json)
        return
    if not force:
        try:
            narration.check_quota()
        except RejectedError as exc:
            exc.hint = "narrate fewer chapters (--chapters), or start anyway with --force"
            raise
    result = book_view.narrate(g, narration, str(outdir or output), kind="dir" if outdir else None, srt=srt, vtt=vtt,
                               chapters_file=chapters_file)
    book_view.show_result(g, result, as_json)


def _source(source: str) -> tuple[bytes | None, str | None]:
    """Standard input's bytes for `-` (the file is read by the library otherwise)."""
    from eleven_cli.errors import UsageError

    if source != "-":
        if not Path(source).exists():
            raise UsageError(f"no such file: {source}")
        return None, None
    if sys.stdin.isatty():
        raise UsageError("no book given", hint="pass a file, or pipe one into `eleven book -`")
    return sys.stdin.buffer.read(), "standard input"


def register(app: typer.Typer) -> None:
    app.command("book", short_help="Narrate a whole book into one audiobook.")(book)
