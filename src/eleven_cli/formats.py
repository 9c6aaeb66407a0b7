"""The output-format registry: every `codec_rate[_bitrate]` name of the API, and how to store it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from eleven_cli.errors import UsageError


@dataclass(frozen=True)
class Format:
    """One API output format."""

    name: str
    codec: str  # mp3 | pcm | wav | ulaw | alaw | opus
    rate: int
    bitrate: int | None  # kbit/s for compressed codecs
    container: str  # mp3 | raw | riff | ogg
    extension: str
    mime: str

    @property
    def streamable(self) -> bool:
        """Streaming endpoints refuse `wav_*` (they cannot patch a RIFF header afterwards)."""
        return self.codec != "wav"

    @property
    def streamed(self) -> Format:
        """What a streaming endpoint is asked for to make this format: WAV comes as PCM of its rate, and the
        RIFF header is written around it here (the endpoints cannot patch one afterwards)."""
        return FORMATS[f"pcm_{self.rate}"] if self.codec == "wav" else self

    @property
    def riff(self) -> Format:
        """This format's samples in a RIFF WAVE file (PCM and WAV formats)."""
        if self.codec not in ("pcm", "wav"):
            raise UsageError(f"{self.name} audio cannot be written as WAV")
        return FORMATS[f"wav_{self.rate}"]


def _build() -> dict[str, Format]:
    out: dict[str, Format] = {}
    for rate, kbps in [(22050, 32), (24000, 48), (44100, 32), (44100, 64), (44100, 96), (44100, 128),
                       (44100, 192)]:
        name = f"mp3_{rate}_{kbps}"
        out[name] = Format(name, "mp3", rate, kbps, "mp3", ".mp3", "audio/mpeg")
    for rate in (8000, 16000, 22050, 24000, 32000, 44100, 48000):
        out[f"pcm_{rate}"] = Format(f"pcm_{rate}", "pcm", rate, None, "raw", ".pcm", "audio/pcm")
        out[f"wav_{rate}"] = Format(f"wav_{rate}", "wav", rate, None, "riff", ".wav", "audio/wav")
    out["ulaw_8000"] = Format("ulaw_8000", "ulaw", 8000, None, "raw", ".ulaw", "audio/basic")
    out["alaw_8000"] = Format("alaw_8000", "alaw", 8000, None, "raw", ".alaw", "audio/x-alaw-basic")
    for kbps in (32, 64, 96, 128, 192):
        name = f"opus_48000_{kbps}"
        out[name] = Format(name, "opus", 48000, kbps, "ogg", ".opus", "audio/ogg")
    return out


FORMATS: dict[str, Format] = _build()
DEFAULT_FORMAT = "mp3_44100_128"

# Extension -> the format a file with that name gets when --format is not given.
EXTENSIONS: dict[str, str] = {
    ".mp3": "mp3_44100_128",
    ".wav": "wav_44100",
    ".pcm": "pcm_24000",
    ".raw": "pcm_24000",
    ".ulaw": "ulaw_8000",
    ".ul": "ulaw_8000",
    ".alaw": "alaw_8000",
    ".al": "alaw_8000",
    ".opus": "opus_48000_64",
    ".ogg": "opus_48000_64",
}


# Audio files people name that the API cannot write: said as such, not as an unknown name.
_OTHER_AUDIO = {"flac", "m4a", "m4b", "aac", "aif", "aiff", "wma", "webm", "mp4", "mka", "oga", "spx", "amr"}


def get_format(name: str) -> Format:
    """Look a format up by name; unknown names are a usage error listing the valid ones."""
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise UsageError(f"unknown format {name!r}; valid formats: {', '.join(FORMATS)}") from None


def format_for_path(path: str) -> str | None:
    """The format an output file's extension implies, or None."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def choose_format(explicit: str | None, output: str | None, default: str | None) -> Format:
    """--format > extension of -o > profile default > mp3_44100_128; checks codec/extension agree.
    A file name without a known extension needs --format (it would otherwise hold surprising audio)."""
    by_ext = format_for_path(output) if output and output != "-" else None
    if explicit:
        fmt = get_format(explicit)
        if by_ext and FORMATS[by_ext].codec != fmt.codec and not (
            fmt.codec == "pcm" and by_ext.startswith("pcm")
        ):
            raise UsageError(
                f"--format {fmt.name} does not match the extension of {output!r}",
                hint=f"use a {fmt.extension} file name or a {FORMATS[by_ext].codec} format",
            )
        return fmt
    if by_ext:
        return FORMATS[by_ext]
    if output and output != "-":
        suffix = PurePath(output).suffix.lower().lstrip(".")
        if suffix in _OTHER_AUDIO:
            codecs = ", ".join(dict.fromkeys(f.codec for f in FORMATS.values()))
            raise UsageError(f"{suffix.upper()} is not a format the API offers ({output!r}); it offers {codecs}",
                             hint=f"name the file {', '.join(EXTENSIONS)}, e.g. {PurePath(output).stem}.mp3")
        raise UsageError(f"cannot tell the audio format of {output!r} from its name",
                         hint=f"name it {', '.join(EXTENSIONS)}, or pass --format")
    return get_format(default or DEFAULT_FORMAT)
