"""`eleven dialogue`: perform a multi-voice script in one take (text-to-dialogue)."""


import typer

from eleven_cli.cli.options import (
    CastOpt,
    DeviceOpt,
    DialogueAlignmentOpt,
    DialogueSrtOpt,
    DialogueVttOpt,
    DryRunOpt,
    KeepTagsOpt,
    OutputOpt,
    PlanJsonOpt,
    PlayOpt,
    ScriptArg,
    SpeakerLabelsOpt,
    synthesis,
)
from eleven_cli.cli.speak import Options
from eleven_cli.options import DIALOGUE


@synthesis([DIALOGUE], help_text={
    "model": "A model that can perform dialogue [default: eleven_v3].",
    "stability": "How steady the performance is, 0..1."})
def dialogue(
    ctx: typer.Context,
    script: ScriptArg = None,
    cast: CastOpt = None,
    output: OutputOpt = None,
    alignment_out: DialogueAlignmentOpt = None,
    srt: DialogueSrtOpt = None,
    vtt: DialogueVttOpt = None,
    speaker_labels: SpeakerLabelsOpt = True,
    keep_tags: KeepTagsOpt = False,
    play: PlayOpt = None,
    device: DeviceOpt = None,
    dry_run: DryRunOpt = False,
    as_json: PlanJsonOpt = False,
    options: Options | None = None,
) -> None:
    """Perform a multi-voice script in one take (text-to-dialogue), with speaker-labelled captions.

    Long scripts are split (at most 10 voices and 2,000 characters a request) and stitched into one file."""
    from eleven_cli.cli.speak_dialogue import dialogue as perform

    perform(ctx.obj, script, cast, output, alignment_out, srt, vtt, speaker_labels, keep_tags, play, device, dry_run,
            as_json, options or {})


def register(app: typer.Typer) -> None:
    app.command("dialogue", short_help="Perform a multi-voice script in one take, with speaker captions.")(dialogue)
