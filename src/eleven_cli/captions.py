"""Captions from a finished synthesis: alignment JSON, SRT and WebVTT files (or stdout for `-`)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eleven_cli.api.types import Alignment


@dataclass(frozen=True)
class CaptionStyle:
    max_chars: int = 42  # characters per line
    max_lines: int = 2  # lines per cue
    max_duration: float = 7.0  # seconds per cue
    words_per_cue: int | None = None  # at most this many words (1 = word by word)


def write_captions(alignment: Alignment | None, *, alignment_out: str | Path | None = None,
                   srt: str | Path | None = None, vtt: str | Path | None = None,
                   style: CaptionStyle = CaptionStyle(), segments: list[dict[str, Any]] | None = None,
                   speakers: list[str] | None = None, labels: bool = True, keep_tags: bool = False) -> None:
    """Write each caption file that is asked for, atomically; `-` writes to stdout. With a dialogue's
    `segments` (and `speakers`, the speaker of each turn) cues follow the voices and name them. Audio
    tags such as `[laughs]` are performed, not said: they stay out of the SRT and VTT cues unless
    `keep_tags` (the alignment JSON keeps every character)."""
    from eleven_cli.atomic import write_file
    from eleven_cli.subtitles import build_cues, speaker_cues, to_json, to_srt, to_vtt, without_tags, words_from

    alignment = alignment or Alignment()
    words = words_from(alignment)
    if segments is not None:
        cues = speaker_cues(alignment, segments, speakers or [], style.max_chars, style.max_lines,
                            style.max_duration, style.words_per_cue, labels, keep_tags)
    else:
        cues = build_cues(words if keep_tags else words_from(without_tags(alignment)), style.max_chars,
                          style.max_lines, style.max_duration, style.words_per_cue)
    outputs = []
    if alignment_out:
        doc = to_json(alignment, words)
        if segments is not None:
            doc["voice_segments"] = [{**seg, "speaker": (speakers or [])[seg["dialogue_input_index"]]}
                                     if 0 <= seg.get("dialogue_input_index", -1) < len(speakers or []) else seg
                                     for seg in segments]
        outputs.append((alignment_out, json.dumps(doc, ensure_ascii=False, indent=1) + "\n"))
    if srt:
        outputs.append((srt, to_srt(cues)))
    if vtt:
        outputs.append((vtt, to_vtt(cues)))
    for path, content in outputs:
        if str(path) == "-":
            sys.stdout.write(content)
            sys.stdout.flush()
        else:
            write_file(path, content.encode("utf-8"))
