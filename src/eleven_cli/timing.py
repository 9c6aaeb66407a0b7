"""Character timing (an alignment): plain data, shared by the wire, audio checks, captions and the face."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Alignment:
    """Characters with absolute start/end times in seconds."""

    characters: list[str] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)

    def extend(self, other: Alignment, offset: float = 0.0) -> None:
        self.characters += other.characters
        self.starts += [t + offset for t in other.starts]
        self.ends += [t + offset for t in other.ends]

    @property
    def text(self) -> str:
        return "".join(self.characters)
