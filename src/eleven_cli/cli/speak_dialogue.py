"""What `eleven dialogue` does, without Typer (the Typer command and the quick parser both call `dialogue`)."""

from __future__ import annotations

import sys
from typing import Any

from eleven_cli.words import plural


def dialogue(g: Any, script: str | None, cast: list[str] | None, output: str | None, alignment_out: str | None,
             srt: str | None, vtt: str | None, speaker_labels: bool, keep_tags: bool, play: bool | None,
             device: str | None, dry_run: bool, as_json: bool, options: dict[str, Any]) -> None:
    from eleven_cli.cli.speak import _caption_plan, _perform, check_outputs
    from eleven_cli.cli.status import cost_line

    text, source = _read_script(script)
    dash = check_outputs(output, alignment_out, srt, vtt)
    plan = None if dry_run else _caption_plan(g, options, output, play, device, None, (alignment_out, srt, vtt))
    speech = g.client().dialogue(
        _turns(text, source), _cast(cast), **{**options, "format": plan.fmt.name if plan else options.get("format")},
        timestamps=bool(alignment_out or srt or vtt), streaming=bool(plan and plan.streaming))
    if plan is None:
        _render_plan(g, speech, as_json)
        return
    result = _perform(g, speech, plan)
    if alignment_out or srt or vtt:
        from eleven_cli.captions import write_captions  # here: 5 ms before the request otherwise

        write_captions(result.alignment, alignment_out=alignment_out, srt=srt, vtt=vtt, segments=result.segments,
                       speakers=[t.speaker for t in speech.turns], labels=speaker_labels,
                       keep_tags=keep_tags)
    cost_line(g, as_json, plan.output == "-" or dash, **result.summary())


def _read_script(script: str | None) -> tuple[str, str]:
    from eleven_cli.errors import UsageError
    from eleven_cli.text import decode, read_stream

    if script in (None, "-"):
        if script is None and sys.stdin.isatty():
            raise UsageError("no script given", hint="pass a file, `-` for standard input, or pipe one in")
        return read_stream(sys.stdin.buffer, "standard input"), "standard input"
    try:
        with open(script, "rb") as fh:
            return decode(fh.read(), script), script
    except OSError as exc:
        raise UsageError(f"cannot read {script}: {exc.strerror}") from None


def _turns(text: str, source: str) -> Any:
    from eleven_cli.dialogue import parse_script

    return parse_script(text, source)


def _cast(given: list[str] | None) -> dict[str, str]:
    from eleven_cli.config import parse_cast
    from eleven_cli.errors import UsageError

    out: dict[str, str] = {}
    for raw in given or []:
        try:
            out.update(parse_cast(raw))
        except ValueError as exc:
            raise UsageError(f"bad --cast {raw!r}: {exc}") from None
    return out


def _render_plan(g: Any, speech: Any, as_json: bool) -> None:
    from eleven_cli.cli.render import print_json, table
    from eleven_cli.dialogue import estimate

    model = speech.client.catalog.model(speech.script.model_id)
    plan = estimate(speech.turns, speech.cast, speech.script, (model.cost_factor if model else None) or 1.0)
    if as_json:
        print_json(plan)
        return
    request_of = {t: r["request"] for r in plan["requests"] for t in r["turns"]}
    table(["Turn", "Speaker", "Voice", "Chars", "Request"],
          [[str(t["turn"]), t["speaker"], t["voice_id"], f"{t['characters']:,}", str(request_of.get(t["turn"], ""))]
           for t in plan["turns"]])
    g.say(f"eleven: dry run: {plural(len(plan['turns']), 'turn')}, {plural(len(plan['cast']), 'speaker')}, "
          f"{plural(len(plan['requests']), 'request')} on {plan['model_id']}, "
          f"{plural(plan['characters'], 'character')}, about {plural(round(plan['credits']), 'credit')}; "
          "nothing was spent")
