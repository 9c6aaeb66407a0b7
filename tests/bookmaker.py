"""Small books made on the spot for the book tests: EPUB 2 and 3, Markdown, text (no copyrighted text)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

XHTML = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
         'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head>'
         '<body{body_attrs}>{body}</body></html>')


def png(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def page(body: str, title: str = "Page", body_attrs: str = "") -> str:
    return XHTML.format(title=title, body=body, body_attrs=body_attrs)


CHAPTER_ONE = page(
    '<section epub:type="chapter"><h1>Chapter One</h1><h2>The Lighthouse</h2>'
    '<p>The keeper climbed the stairs<sup><a href="notes.xhtml#n1" epub:type="noteref" id="r1">1</a></sup> '
    'at dusk, as he did <em>every</em> night.</p>'
    '<p>&#8220;Light,&#8221; he said&#x2014;and there was light.<a href="#fn2" class="footnote-ref">[2]</a></p>'
    '<aside epub:type="footnote" id="fn2"><p>An aside that is never read.</p></aside>'
    '<div class="image"><img src="../images/cover.png" alt="A picture"/></div></section>', "One")
CHAPTER_TWO_PART_A = page('<h1>Chapter Two</h1><p>The sea was calm.</p><p>Gulls cried over the rocks.</p>', "Two")
CHAPTER_TWO_PART_B = page('<p>Night fell, and the lamp turned on.</p>', "Two (cont.)")  # split file, no heading
NOTES = page('<section epub:type="footnotes"><h1>Notes</h1><aside epub:type="footnote" id="n1">'
             '<p><a href="ch1.xhtml#r1">1</a> One hundred and twelve steps.</p></aside></section>', "Notes")
COPYRIGHT = page('<p>Copyright 2024 Nobody. All rights reserved.</p><p>ISBN 000-0-00-000000-0</p>', "Copyright")
COVER_PAGE = page('<div><img src="images/cover.png" alt="Cover"/></div>', "Cover", ' epub:type="cover"')


def epub3(*, cover: bytes | None = None, with_nav: bool = True, extra_spine: str = "") -> bytes:
    """An EPUB 3 with a nav document, a cover page and image, a copyright page, two chapters (the
    second split over two files) and a notes page."""
    cover = png() if cover is None else cover
    nav = page('<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>'
               '<li><a href="text/ch1.xhtml">1. The Lighthouse</a></li>'
               '<li><a href="text/ch2.xhtml">2. The Sea</a></li>'
               '<li><a href="text/notes.xhtml">Notes</a></li></ol></nav>'
               '<nav epub:type="landmarks"><ol><li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
               '<li><a epub:type="copyright-page" href="text/legal.xhtml">Copyright</a></li></ol></nav>', "Contents")
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:identifier id="uid">urn:uuid:0</dc:identifier>
  <dc:title id="t1">The Keeper</dc:title>
  <meta refines="#t1" property="title-type">main</meta>
  <dc:title id="t2">A Test Book</dc:title>
  <meta refines="#t2" property="title-type">subtitle</meta>
  <dc:creator id="c1">Ada Example</dc:creator>
  <meta refines="#c1" property="role" scheme="marc:relators">aut</meta>
  <dc:creator id="c2">Ed Itor</dc:creator>
  <meta refines="#c2" property="role" scheme="marc:relators">edt</meta>
  <dc:language>en-GB</dc:language>
  <dc:date>2021-03-04</dc:date>
 </metadata>
 <manifest>
  {'<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' if with_nav else ''}
  <item id="cover-img" href="images/cover.png" media-type="image/png" properties="cover-image"/>
  <item id="coverpage" href="cover.xhtml" media-type="application/xhtml+xml"/>
  <item id="legal" href="text/legal.xhtml" media-type="application/xhtml+xml"/>
  <item id="ch1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
  <item id="ch2" href="text/ch2.xhtml" media-type="application/xhtml+xml"/>
  <item id="ch2b" href="text/ch2b.xhtml" media-type="application/xhtml+xml"/>
  <item id="notes" href="text/notes.xhtml" media-type="application/xhtml+xml"/>
 </manifest>
 <spine>
  <itemref idref="coverpage"/>{'<itemref idref="nav"/>' if with_nav else ''}<itemref idref="legal"/>
  <itemref idref="ch1"/><itemref idref="ch2"/><itemref idref="ch2b"/><itemref idref="notes"/>{extra_spine}
 </spine>
</package>"""
    files = {
        "OEBPS/content.opf": opf, "OEBPS/nav.xhtml": nav, "OEBPS/cover.xhtml": COVER_PAGE,
        "OEBPS/text/legal.xhtml": COPYRIGHT, "OEBPS/text/ch1.xhtml": CHAPTER_ONE,
        "OEBPS/text/ch2.xhtml": CHAPTER_TWO_PART_A, "OEBPS/text/ch2b.xhtml": CHAPTER_TWO_PART_B,
        "OEBPS/text/notes.xhtml": NOTES, "OEBPS/images/cover.png": cover,
    }
    if not with_nav:
        del files["OEBPS/nav.xhtml"]
    return zip_epub(files)


def epub2() -> bytes:
    """An EPUB 2 with an NCX and a guide, one XHTML file holding three chapters (cut at anchors),
    a printed table of contents and a cover named by <meta name="cover">."""
    body = ('<h1>The Gardener</h1><p>by Bo Example</p>'
            '<h2 id="c1">I. Seeds</h2><p>She planted the seeds in rows, one by one.</p>'
            '<h2 id="c2">II. Rain</h2><p>It rained for nine days.</p><p>The rows turned green.</p>'
            '<div id="c3"><h2>III. Harvest</h2><p>In autumn, the baskets were full.</p></div>')
    toc_page = page('<h1>Contents</h1><p><a href="book.html#c1">Seeds</a></p><p><a href="book.html#c2">Rain</a></p>')
    ncx = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/><docTitle><text>The Gardener</text></docTitle>
<navMap>
 <navPoint id="p1" playOrder="1"><navLabel><text>Seeds</text></navLabel><content src="book.html#c1"/></navPoint>
 <navPoint id="p2" playOrder="2"><navLabel><text>Rain</text></navLabel><content src="book.html#c2"/>
  <navPoint id="p2a" playOrder="3"><navLabel><text>Harvest</text></navLabel><content src="book.html#c3"/></navPoint>
 </navPoint>
</navMap></ncx>"""
    opf = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="uid">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
  <dc:title>The Gardener</dc:title><dc:creator opf:role="aut">Bo Example</dc:creator>
  <dc:language>fr</dc:language><dc:date opf:event="publication">1999</dc:date>
  <dc:identifier id="uid">x</dc:identifier><meta name="cover" content="cimg"/>
 </metadata>
 <manifest>
  <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
  <item id="cimg" href="c.jpg" media-type="image/jpeg"/>
  <item id="toc" href="toc.html" media-type="application/xhtml+xml"/>
  <item id="book" href="book.html" media-type="application/xhtml+xml"/>
 </manifest>
 <spine toc="ncx"><itemref idref="toc"/><itemref idref="book"/></spine>
 <guide><reference type="toc" title="Contents" href="toc.html"/></guide>
</package>"""
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
    return zip_epub({"content.opf": opf, "toc.ncx": ncx, "toc.html": toc_page, "book.html": page(body, "The Gardener"),
                     "c.jpg": jpeg}, opf_path="content.opf")


def zip_epub(files: dict[str, str | bytes], opf_path: str = "OEBPS/content.opf", container: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        if container:
            z.writestr("META-INF/container.xml", f"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="{opf_path}" media-type="application/oebps-package+xml"/></rootfiles></container>""")
        for name, content in files.items():
            z.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
