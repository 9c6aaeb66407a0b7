"""`eleven dialogue`: perform a multi-voice script in one take (text-to-dialogue)."""


import sys
from typing import Annotated, Any

import typer

from eleven_cli.cli.options import DeviceOpt, OutputOpt, PlayOpt, synthesis
from eleven_cli.cli.speak import Options
from eleven_cli.options import DIALOGUE
from eleven_cli.words import plural


@synthesis([DIALOGUE], help_text={
    "model": "A model that can perform dialogue [default: eleven_v3].",
    "stability": "How steady the performance is, 0..1."})
def dialogue(
    ctx: typer.Context,
    script: Annotated[str | None, typer.Argument(
        metavar="SCRIPT", help="The script: `Name: line` per turn (a line of a turn that begins like `Name:` is "
        "written `Name\\: ...`), or JSON/JSONL of {speaker, text} or the API's {voice_id, text}; `-` or nothing "
        "(with a pipe) reads standard input.", show_default=False)] = None,
    cast: Annotated[list[str] | None, typer.Option(
        "--cast", metavar="SPEAKER=VOICE,...", help="Voices for the speakers, e.g. Ann=Alice,Bob=George "
        "[default: the profile's [cast] table, else a voice of the speaker's name].", show_default=False)] = None,
    output: OutputOpt = None,
    alignment_out: Annotated[str | None, typer.Option("--alignment", metavar="FILE", help="Write characters, words "
                                                      "and voice segments with times as JSON (`-` = stdout).",
                                                      show_default=False)] = None,
    srt: Annotated[str | None, typer.Option("--srt", metavar="FILE", help="Write SubRip captions, each cue "
                                            "labelled with its speaker (`-` = stdout).", show_default=False)] = None,
    vtt: Annotated[str | None, typer.Option("--vtt", metavar="FILE", help="Write WebVTT captions with <v Speaker> "
                                            "voice spans (`-` = stdout).", show_default=False)] = None,
    speaker_labels: Annotated[bool, typer.Option("--speaker-labels/--no-speaker-labels",
                                                 help="Name the speaker in each caption cue.")] = True,
    keep_tags: Annotated[bool, typer.Option("--keep-tags", help="Keep audio tags such as [laughs] in the SRT "
                                            "and VTT captions (they are performed, not said).")] = False,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the turns, the cast, the requests and the "
                                          "estimated credits; spend nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cost summary (with --dry-run: the plan) as "
                                          "JSON.")] = False,
    options: Options | None = None,
) -> None:
    """Perform a multi-voice script in one take (text-to-dialogue), with speaker-labelled captions.

    Long scripts are split (at most 10 voices and 2,000 characters a request) and stitched into one file."""
    from eleven_cli.captions import write_captions
    from eleven_cli.cli.speak import _caption_plan, _perform, check_outputs
    from eleven_cli.cli.status import cost_line

    g, options = ctx.obj, options or {}
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


def register(app: typer.Typer) -> None:
    app.command("dialogue", short_help="Perform a multi-voice script in one take, with speaker captions.")(dialogue)
