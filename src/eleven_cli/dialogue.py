"""Scripts for several voices: parse them, cast the speakers, split them into text-to-dialogue requests.

A script is plain text (`Name: line`, one turn per line or paragraph; blank lines and `#` comments are
ignored; a line without a name continues the turn before it), or JSON (`[{"speaker": ..., "text": ...}]`)
or JSONL (one such object a line). The service takes at most 10 distinct voices and, for reliable
generation, 2,000 characters per request: longer scripts are split at turn boundaries (a turn longer
than that at sentence boundaries), and the pieces are stitched like a long `say`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eleven_cli.api.types import WireRequest
from eleven_cli.errors import UsageError
from eleven_cli.options import DIALOGUE, SpeechOptions
from eleven_cli.script import Piece
from eleven_cli.text import split_text

MAX_VOICES = 10  # distinct voices per request (the published contract)
MAX_CHARACTERS = 2000  # per request, "for reliable generation" (longer can end early when streaming)
DEFAULT_DIALOGUE_MODEL = "eleven_v3"
DIALOGUE_FAMILY = "eleven_v3"
_NAME = re.compile(r"^\s*([^\W\d_][\w .'’-]{0,39}?)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def _from_json(rows: Any, source: str) -> list[Turn]:
    if not isinstance(rows, list):
        raise UsageError(f"{source}: a JSON script must be a list of {{\"speaker\": ..., \"text\": ...}} objects")
    turns = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not isinstance(row.get("speaker"), str) or not isinstance(
                row.get("text"), str):
            raise UsageError(f"{source}: turn {n} needs a \"speaker\" and a \"text\" string")
        if row["text"].strip() and row["speaker"].strip():
            turns.append(Turn(row["speaker"].strip(), row["text"].strip()))
    return turns


def parse_script(text: str, source: str = "the script") -> list[Turn]:
    """The turns of a plain-text, JSON or JSONL script (see the module docstring)."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            return _require(_from_json(json.loads(text), source), source)
        except ValueError as exc:
            raise UsageError(f"{source}: not valid JSON ({exc})") from None
    if stripped.startswith("{"):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    raise UsageError(f"{source}:{n}: not valid JSON") from None
        return _require(_from_json(rows, source), source)
    turns: list[list[str]] = []  # [speaker, text]
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _NAME.match(line)
        if m and m.group(2).strip():
            turns.append([m.group(1).strip(), m.group(2).strip()])
        elif turns:
            turns[-1][1] += " " + line.strip()
        else:
            raise UsageError(f"{source}:{n}: the first turn needs a speaker, as in `Alice: Hello.`")
    return _require([Turn(s, t) for s, t in turns], source)


def _require(turns: list[Turn], source: str) -> list[Turn]:
    if not turns:
        raise UsageError(f"{source} has no turns", hint="write one `Name: line` per turn")
    return turns


def speakers(turns: list[Turn]) -> list[str]:
    """Each speaker once, in order of appearance."""
    return list(dict.fromkeys(t.speaker for t in turns))


def cast_of(turns: list[Turn], given: Mapping[str, str], profile: Mapping[str, str],
            resolve: Any) -> dict[str, str]:
    """Speaker -> voice id: --cast, then the profile's [cast] table, then a voice of the speaker's name.
    Every speaker with no voice is named in one usage error, before any request."""
    cast: dict[str, str] = {}
    missing: list[str] = []
    folded = {k.casefold(): v for k, v in {**profile, **given}.items()}
    for name in speakers(turns):
        voice = folded.get(name.casefold())
        try:
            cast[name] = resolve(voice or name)
        except UsageError:
            if voice:  # a voice was named for this speaker, and it does not exist: say which
                raise
            missing.append(name)
    if missing:
        names = ", ".join(missing)
        raise UsageError(f"no voice for {'speaker' if len(missing) == 1 else 'speakers'} {names}",
                         hint=f"cast them with --cast {missing[0]}=VOICE[,...] or a [cast] table in the profile; "
                              "`eleven voices` lists the voices")
    return cast


class DialogueScript:
    """A script performed by several voices (text-to-dialogue): turns in order, at most `max_voices`
    voices and `limit` characters a request; a turn longer than `limit` is split at sentence
    boundaries (its parts keep its voice). One implementation of eleven_cli.script.Script."""

    endpoint = DIALOGUE
    segmented = True  # timed answers carry voice segments
    voice_id = ""

    def __init__(self, inputs: list[tuple[str, str]], turns: list[int], options: SpeechOptions, output_format: str,
                 limit: int = MAX_CHARACTERS, max_voices: int = MAX_VOICES) -> None:
        options.check_for(DIALOGUE, "a dialogue")
        self.options = options
        self.model_id = options.model or DEFAULT_DIALOGUE_MODEL
        self.inputs = inputs
        parts: list[tuple[str, str, int]] = []  # (text, voice, turn)
        for (text, voice), turn in zip(inputs, turns, strict=True):
            chunks = split_text(text, limit) if len(text) > limit else [text]
            parts += [(c.strip(), voice, turn) for c in chunks if c.strip()]
        self.requests: list[list[tuple[str, str, int]]] = []
        current: list[tuple[str, str, int]] = []
        for part in parts:
            voices = {v for _, v, _ in current} | {part[1]}
            size = sum(len(t) + 1 for t, _, _ in current) + len(part[0])
            if current and (size > limit or len(voices) > max_voices):
                self.requests.append(current)
                current = []
            current.append(part)
        if current:
            self.requests.append(current)
        # All of a request's text as the service's alignment spells it (inputs joined by a space).
        self.texts = [" ".join(t for t, _, _ in r) for r in self.requests]
        self.text = "\n".join(t for t, _ in inputs)
        wire = options.replace(model=self.model_id).render(DIALOGUE)
        self._body, self._query = wire["body"], {**wire["query"], "output_format": output_format}

    def pieces(self, previous_ids: list[str]) -> Iterator[Piece]:
        for i, parts in enumerate(self.requests):
            body = {"inputs": [{"text": t, "voice_id": v} for t, v, _ in parts], **self._body}
            yield Piece(i, self.texts[i], WireRequest("/v1/text-to-dialogue", body, dict(self._query)),
                        " " if i else "", tuple(n for _, _, n in parts))


def estimate(turns: list[Turn], cast: Mapping[str, str], script: DialogueScript,
             cost_factor: float) -> dict[str, Any]:
    """What a script will cost and how it is split, spending nothing (`eleven dialogue --dry-run`)."""
    requests = [{"request": n + 1, "turns": sorted({t + 1 for _, _, t in r}), "characters": len(script.texts[n]),
                 "voices": len({v for _, v, _ in r})} for n, r in enumerate(script.requests)]
    chars = sum(len(t) for t, _ in script.inputs)
    return {"turns": [{"turn": n + 1, "speaker": t.speaker, "voice_id": cast[t.speaker], "characters": len(t.text)}
                      for n, t in enumerate(turns)],
            "cast": dict(cast), "requests": requests, "characters": chars, "model_id": script.model_id,
            "credits": round(chars * cost_factor, 1)}
