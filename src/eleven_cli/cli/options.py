"""Options shared by the synthesis commands, as Typer declares them, and what they ask of the library."""


import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import typer

from eleven_cli.cli import complete


class Normalize(StrEnum):
    auto = "auto"
    on = "on"
    off = "off"


TextArg = Annotated[list[str] | None, typer.Argument(metavar="TEXT...",
                                                     help="Text to speak; `-` or nothing (with a pipe) reads "
                                                     "standard input.", show_default=False)]
FileOpt = Annotated[str | None, typer.Option("--file", "-f", metavar="FILE",
                                             help="Read the text from a file (`-` = stdin).",
                                             show_default=False)]
OutputOpt = Annotated[str | None, typer.Option("--output", "-o", metavar="FILE",
                                               help="Write audio to FILE (atomically); `-` "
                                               "writes raw audio to stdout.", show_default=False)]
VoiceOpt = Annotated[str | None, typer.Option("--voice", "-v", autocompletion=complete.voices, metavar="VOICE",
                                              help="Voice id or name (case-insensitive) "
                                              "[default: profile voice, else George].", show_default=False)]
ModelOpt = Annotated[str | None, typer.Option("--model", "-m", autocompletion=complete.models, metavar="MODEL",
                                              help="Model id [default: profile model, else "
                                              "eleven_multilingual_v2].", show_default=False)]
FormatOpt = Annotated[str | None, typer.Option("--format", autocompletion=complete.formats, metavar="FORMAT",
                                               help="Output format, e.g. mp3_44100_128, pcm_24000, "
                                               "wav_44100, ulaw_8000, opus_48000_64 [default: from the -o "
                                               "extension, else profile, else mp3_44100_128].",
                                               show_default=False)]
StabilityOpt = Annotated[float | None, typer.Option("--stability", metavar="0..1",
                                                    min=0.0, max=1.0, help="Voice stability "
                                                    "0..1.", show_default=False)]
SimilarityOpt = Annotated[float | None, typer.Option("--similarity", metavar="0..1",
                                                     min=0.0, max=1.0, help="Similarity "
                                                     "boost 0..1.", show_default=False)]
StyleOpt = Annotated[float | None, typer.Option("--style", metavar="0..1",
                                                min=0.0, max=1.0, help="Style exaggeration 0..1.",
                                                show_default=False)]
BoostOpt = Annotated[bool | None, typer.Option("--speaker-boost/--no-speaker-boost", help="Speaker boost.",
                                               show_default=False)]
SpeedOpt = Annotated[float | None, typer.Option("--speed", metavar="0.7..1.2",
                                                min=0.7, max=1.2, help="Speaking speed 0.7..1.2.",
                                                show_default=False)]
SeedOpt = Annotated[int | None, typer.Option("--seed", metavar="N", min=0, max=4294967295, help="Seed for best-effort "
                                             "determinism, 0..4294967295.", show_default=False)]
LanguageOpt = Annotated[str | None, typer.Option("--language", metavar="CODE",
                                                 help="ISO 639-1 language code to enforce.",
                                                 show_default=False)]
NormalizeOpt = Annotated[Normalize | None, typer.Option("--normalize", metavar="auto|on|off",
                                                        help="Text normalisation: auto, on or "
                                                        "off.", show_default=False)]
LatencyOpt = Annotated[int | None, typer.Option("--latency", metavar="0..4",
                                                min=0, max=4, help="optimize_streaming_latency "
                                                "0..4.", show_default=False)]
NoLoggingOpt = Annotated[bool, typer.Option("--no-logging", help="Zero-retention mode (enable_logging=false; "
                                            "enterprise).")]
DictOpt = Annotated[list[str] | None, typer.Option("--dict", metavar="ID[:VERSION]",
                                                   help="Pronunciation dictionary ID[:VERSION]; up "
                                                   "to 3.", show_default=False)]
PrevTextOpt = Annotated[str | None, typer.Option("--previous-text", metavar="TEXT", help="Text that came before, for "
                                                 "continuity.", show_default=False)]
NextTextOpt = Annotated[str | None, typer.Option("--next-text", metavar="TEXT",
                                                 help="Text that comes after, for continuity.",
                                                 show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the cost summary as JSON (stdout, or stderr when "
                                       "audio goes to stdout).")]
PlayOpt = Annotated[bool | None, typer.Option("--play/--no-play", help="Play the audio [default: play when "
                                              "there is no -o and stdout is a terminal].", show_default=False)]
DeviceOpt = Annotated[str | None, typer.Option("--device", autocompletion=complete.devices, metavar="DEVICE",
                                               help="Output device name or index (see `eleven "
                                               "devices`).", show_default=False)]


@dataclass
class SynthOptions:
    """The shared synthesis options as the user gave them (None = not given)."""

    voice: str | None = None
    model: str | None = None
    format: str | None = None
    stability: float | None = None
    similarity: float | None = None
    style: float | None = None
    speaker_boost: bool | None = None
    speed: float | None = None
    seed: int | None = None
    language: str | None = None
    normalize: Normalize | None = None
    latency: int | None = None
    no_logging: bool = False
    dicts: list[str] | None = None
    previous_text: str | None = None
    next_text: str | None = None

    def speech_args(self) -> dict[str, Any]:
        """Keyword arguments for Client.speech / Client.request (None = not given: the profile decides)."""
        settings = {"stability": self.stability, "similarity_boost": self.similarity, "style": self.style,
                    "use_speaker_boost": self.speaker_boost, "speed": self.speed}
        return {"voice": self.voice, "model": self.model, "settings": settings, "language": self.language,
                "seed": self.seed, "previous_text": self.previous_text, "next_text": self.next_text,
                "dictionaries": self.dicts, "normalize": self.normalize.value if self.normalize else None,
                "latency": self.latency, "logging": not self.no_logging}


def collect(params: dict[str, Any]) -> SynthOptions:
    """The shared synthesis options out of a command's parameters (pass it `locals()`)."""
    names = {f.name for f in dataclasses.fields(SynthOptions)}
    renamed = {"fmt": "format"}
    return SynthOptions(**{renamed.get(k, k): v for k, v in params.items() if renamed.get(k, k) in names})
