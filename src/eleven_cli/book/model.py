"""What a book is once read: metadata, a cover and chapters of cleaned text."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chapter:
    index: int  # 1-based, in reading order; kept when a subset is chosen
    title: str
    text: str  # cleaned spoken text, paragraphs separated by one blank line

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n") if self.text else []


@dataclass
class Book:
    title: str
    chapters: list[Chapter]
    author: str | None = None
    language: str | None = None  # a BCP 47 tag as the source gives it ("en", "fr-CA")
    year: int | None = None
    cover: bytes | None = None
    cover_mime: str | None = None  # image/jpeg, image/png, image/gif or image/webp
    warnings: list[str] = field(default_factory=list)  # what was read with a fault (a cover dropped, ...)

    @property
    def characters(self) -> int:
        return sum(len(c.text) for c in self.chapters)

    def select(self, indices: list[int]) -> Book:
        """The same book with only these chapters (1-based indices, as `parse_selection` gives them)."""
        wanted = set(indices)
        return Book(self.title, [c for c in self.chapters if c.index in wanted], self.author, self.language,
                    self.year, self.cover, self.cover_mime, list(self.warnings))
