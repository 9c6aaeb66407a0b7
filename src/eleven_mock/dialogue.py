"""text-to-dialogue: one performance of several voices, with voice segments.

Each input is spoken in its own voice's voicing; the turns follow each other with a short pause. The
alignment spells the inputs joined by one space (timed in the pause), and `voice_segments` say which
voice speaks which characters when. Rules as the published contract has them: at most 10 distinct
voices (a 422, as a validation error), the model's character limit (400), and, as the contract warns,
a streamed dialogue of more than 2,000 characters ends early. Spec comments: the service does not
document the status code of a model that cannot do dialogue; the mock answers 400
`model_cannot_do_dialogue`, and only the eleven_v3 family performs dialogues, as the docs say.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import AsyncIterator
from typing import Any

from eleven_cli.formats import FORMATS
from eleven_mock import data
from eleven_mock.engine import RATE, Speech
from eleven_mock.speech import Job, speak, voicing_for
from eleven_mock.validate import Problems, fail, json_object

MAX_VOICES = 10
RELIABLE_CHARACTERS = 2000
PAUSE = 0.12  # seconds between two turns


def check_dialogue_body(body: dict[str, Any]) -> dict[str, Any]:
    """The request body, checked as FastAPI checks the service's model (422 in its list form)."""
    p = Problems()
    inputs = body.get("inputs")
    if inputs is None:
        p.add("missing", ["body", "inputs"], "Field required", None)
    elif not isinstance(inputs, list):
        p.add("list_type", ["body", "inputs"], "Input should be a valid list", inputs)
    else:
        for i, item in enumerate(inputs):
            if not isinstance(item, dict):
                p.add("model_attributes_type", ["body", "inputs", i], "Input should be a valid dictionary", item)
                continue
            for name in ("text", "voice_id"):
                if name not in item:
                    p.add("missing", ["body", "inputs", i, name], "Field required", None)
                elif not isinstance(item[name], str):
                    p.add("string_type", ["body", "inputs", i, name], "Input should be a valid string", item[name])
        voices = {x.get("voice_id") for x in inputs if isinstance(x, dict)}
        if len(voices) > MAX_VOICES:
            p.add("value_error", ["body", "inputs"], f"Value error, a dialogue can use at most {MAX_VOICES} "
                  f"unique voice IDs, got {len(voices)}", len(voices))
    settings = body.get("settings")
    if settings is not None:
        if not isinstance(settings, dict):
            p.add("model_attributes_type", ["body", "settings"], "Input should be a valid dictionary", settings)
        elif settings.get("stability") is not None:
            p.number(["body", "settings", "stability"], settings["stability"], 0, 1)
    if body.get("seed") is not None:
        p.number(["body", "seed"], body["seed"], 0, 4294967295, integer=True)
    norm = body.get("apply_text_normalization")
    if norm is not None and norm not in ("auto", "on", "off"):
        p.add("enum", ["body", "apply_text_normalization"], "Input should be 'auto', 'on' or 'off'", norm)
    if body.get("pronunciation_dictionary_locators") is not None:
        p.max_items(["body", "pronunciation_dictionary_locators"], body["pronunciation_dictionary_locators"], 3)
    p.raise_if_any()
    return body


def _rules(body: dict[str, Any], fmt_name: str, tier_refuses: set[str], tier: str) -> tuple[dict[str, Any], int]:
    model_id = body.get("model_id") or "eleven_v3"
    model = data.MODEL_BY_ID.get(model_id)
    if model is None or not model["can_do_text_to_speech"]:
        raise fail(400, "model_not_found", f"A model with model ID {model_id} does not exist.")
    if not model_id.startswith("eleven_v3"):
        raise fail(400, "model_cannot_do_dialogue", f"Model {model_id} cannot perform a dialogue; use eleven_v3.")
    for item in body["inputs"]:
        if item["voice_id"] not in data.VOICE_BY_ID:
            raise fail(404, "voice_not_found", f"A voice with the voice_id {item['voice_id']} was not found.")
    total = sum(len(x["text"]) for x in body["inputs"])
    if not any(x["text"].strip() for x in body["inputs"]):
        raise fail(400, "empty_text", "Text must contain at least one non-whitespace character.")
    limit = model["maximum_text_length_per_request"]
    if total > limit:
        raise fail(400, "max_character_limit_exceeded",
                   f"The dialogue is {total} characters long, above the limit of {limit} characters for {model_id}.")
    lang = body.get("language_code")
    if lang and lang not in {x["language_id"] for x in model["languages"]}:
        raise fail(400, "unsupported_language", f"Model {model_id} does not support language_code {lang!r}.")
    if fmt_name in tier_refuses:
        raise fail(403, "output_format_not_allowed", f"The output format {fmt_name} is not available on the "
                   f"{tier} tier.")
    return model, math.ceil(total * model["token_cost_factor"])


def check(raw: bytes, fmt_name: str, tier_refuses: set[str], tier: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(body, model, cost) of a request, or the service's error."""
    body = check_dialogue_body(json_object(raw))
    model, cost = _rules(body, fmt_name, tier_refuses, tier)
    return body, model, cost


def perform(body: dict[str, Any], model: dict[str, Any], fmt_name: str,
            streaming: bool = False) -> tuple[Job, Speech, list[dict]]:
    """Speak every turn in its voice: one Speech of the joined text, and the voice segments. A streamed
    dialogue over the reliable length ends early, as the contract warns it can."""
    samples = array("h")
    starts: list[float] = []
    ends: list[float] = []
    texts: list[str] = []
    segments = []
    settings = body.get("settings") or {}
    for i, item in enumerate(body["inputs"]):
        voice = data.VOICE_BY_ID[item["voice_id"]]
        t0, c0 = len(samples) / RATE, len(starts)
        if i:  # the joining space, timed in the pause between the turns
            samples.extend([0] * int(PAUSE * RATE))
            starts.append(t0)
            ends.append(len(samples) / RATE)
            texts.append(" ")
            t0, c0 = len(samples) / RATE, len(starts)
        job = Job(item["text"], voicing_for(voice, {"voice_settings": settings}, model), 1.0, FORMATS[fmt_name])
        speech = speak(job)
        samples.extend(speech.samples)
        starts += [t0 + s for s in speech.starts]
        ends += [t0 + e for e in speech.ends]
        texts.append(item["text"])
        segments.append({"voice_id": item["voice_id"], "start_time_seconds": round(t0, 3),
                         "end_time_seconds": round(len(samples) / RATE, 3), "character_start_index": c0,
                         "character_end_index": len(starts), "dialogue_input_index": i})
    whole = Job("".join(texts), job.voicing, 1.0, FORMATS[fmt_name]), Speech(samples, starts, ends), segments
    return _cut(*whole) if streaming and len(whole[0].text) > RELIABLE_CHARACTERS else whole


def _cut(job: Job, speech: Speech, segments: list[dict]) -> tuple[Job, Speech, list[dict]]:
    """A streamed dialogue over the reliable length ends early, as the contract warns it can."""
    end = speech.starts[RELIABLE_CHARACTERS]
    keep = int(end * RATE)
    kept = [dict(s, end_time_seconds=min(s["end_time_seconds"], round(end, 3)),
                 character_end_index=min(s["character_end_index"], RELIABLE_CHARACTERS))
            for s in segments if s["character_start_index"] < RELIABLE_CHARACTERS]
    return (Job(job.text[:RELIABLE_CHARACTERS], job.voicing, job.speed, job.fmt),
            Speech(speech.samples[:keep], speech.starts[:RELIABLE_CHARACTERS], speech.ends[:RELIABLE_CHARACTERS]),
            kept)


def _overlapping(segments: list[dict], lo: int, hi: int) -> list[dict]:
    return [s for s in segments if s["character_start_index"] < hi and s["character_end_index"] > lo]


async def with_segments(lines: AsyncIterator[dict[str, Any]], segments: list[dict]) -> AsyncIterator[dict[str, Any]]:
    """NDJSON chunks of a dialogue: each with the voice segments its characters belong to."""
    done = 0
    async for line in lines:
        chars = len((line.get("alignment") or {}).get("characters") or [])
        line["voice_segments"] = _overlapping(segments, done, done + chars) if chars else []
        done += chars
        yield line
