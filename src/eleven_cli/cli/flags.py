"""The command-level flags of the speaking commands, declared once and without Typer.

Typer's declarations (cli/options.py) and the quick parser that answers the plain forms of these
commands before Typer is imported (cli/quick.py) are both made from this table and from the synthesis
options' own (eleven_cli.options.PARAMS), so the two parsers can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from eleven_cli.options import DIALOGUE, LIVE, SPEECH


@dataclass(frozen=True)
class Flag:
    name: str  # the command function's parameter
    decls: tuple[str, ...]  # "--output", "-o"; a bool pair as "--play/--no-play"; () for a positional argument
    help: str
    kind: type = str  # str, int, float, bool, or list (the positional words, or an option given more than once)
    metavar: str | None = None
    default: object = None
    lo: float | None = None
    hi: float | None = None
    complete: str | None = None  # a completion source of cli/complete.py

    @property
    def takes_value(self) -> bool:
        return self.kind is not bool and bool(self.decls)


TEXT = Flag("text", (), "Text to speak; `-` or nothing (with a pipe) reads standard input.", kind=list,
            metavar="TEXT...")
FILE = Flag("file", ("--file", "-f"), "Read the text from a file (`-` = stdin).", metavar="FILE")
OUTPUT = Flag("output", ("--output", "-o"), "Write audio to FILE (atomically); `-` writes raw audio to stdout.",
              metavar="FILE")
PLAY = Flag("play", ("--play/--no-play",), "Play the audio [default: play when there is no -o and stdout is a "
            "terminal].", kind=bool)
DEVICE = Flag("device", ("--device",), "Output device name or index (see `eleven devices`).", metavar="DEVICE",
              complete="devices")
JSON = Flag("as_json", ("--json",), "Print the cost summary as JSON (stdout, or stderr when audio goes to stdout).",
            kind=bool, default=False)
BUFFER = Flag("buffer_ms", ("--buffer",), "Jitter buffer before the first sound, in ms.", kind=float,
              metavar="MS", default=150.0, lo=0, hi=5000)


# The global options, before the command name (or after it: cli/main.py's hoist moves them before).
API_KEY = Flag("api_key", ("--api-key",), "API key (visible in the process list: prefer ELEVENLABS_API_KEY or `eleven "
               "auth login`).", metavar="KEY")
BASE_URL = Flag("base_url", ("--base-url",), "API base URL, e.g. http://127.0.0.1:8011 for `eleven mock` [env: "
                "ELEVENLABS_BASE_URL].", metavar="URL")
REGION = Flag("region", ("--region",), "Data residency: global, us, eu, in or sg (ignored when a base URL is set).",
              metavar="REGION", complete="regions")
PROFILE = Flag("profile", ("--profile",), "Config profile [env: ELEVEN_PROFILE; default: default].", metavar="NAME",
               complete="profiles")
TIMEOUT = Flag("timeout", ("--timeout",), "Network timeout in seconds [default: 60].", kind=float, metavar="SECONDS",
               lo=0.1)
RETRIES = Flag("retries", ("--retries",), "Retries on 429/5xx/connection failures before any audio arrived.", kind=int,
               metavar="N", default=3, lo=0, hi=20)
CA_BUNDLE = Flag("ca_bundle", ("--ca-bundle",), "PEM file of CA certificates to trust [env: SSL_CERT_FILE].",
                 metavar="FILE")
VERBOSE = Flag("verbose", ("--verbose", "-V"), "Show request ids and a redacted request/response trace on stderr.",
               kind=bool, default=False)
QUIET = Flag("quiet", ("--quiet", "-q"), "No status, progress or cost lines on stderr.", kind=bool, default=False)
NO_LOG = Flag("no_log", ("--no-log",), "Do not remember this command's generations in the local log (`eleven "
              "history`) [config: log].", kind=bool, default=False)
NO_LOG_TEXT = Flag("no_log_text", ("--no-log-text",), "Log only a hash of the text, not the text [config: log_text].",
                   kind=bool, default=False)
MAX_CREDITS = Flag("max_credits", ("--max-credits",), "Spend at most N credits: a synthesis estimated over it is "
                   "refused before any request; a batch stops taking items before it would pass it.", kind=float,
                   metavar="N", lo=0)
GLOBALS = (API_KEY, BASE_URL, REGION, PROFILE, TIMEOUT, RETRIES, CA_BUNDLE, VERBOSE, QUIET, NO_LOG, NO_LOG_TEXT,
           MAX_CREDITS)

# `eleven dialogue`
SCRIPT = Flag("script", (), "The script: `Name: line` per turn (a line of a turn that begins like `Name:` is written "
              "`Name\\: ...`), or JSON/JSONL of {speaker, text} or the API's {voice_id, text}; `-` or nothing (with a "
              "pipe) reads standard input.", metavar="SCRIPT")
CAST = Flag("cast", ("--cast",), "Voices for the speakers, e.g. Ann=Alice,Bob=George [default: the profile's [cast] "
            "table, else a voice of the speaker's name].", kind=list, metavar="SPEAKER=VOICE,...")
DIALOGUE_ALIGNMENT = Flag("alignment_out", ("--alignment",), "Write characters, words and voice segments with times "
                          "as JSON (`-` = stdout).", metavar="FILE")
DIALOGUE_SRT = Flag("srt", ("--srt",), "Write SubRip captions, each cue labelled with its speaker (`-` = stdout).",
                    metavar="FILE")
DIALOGUE_VTT = Flag("vtt", ("--vtt",), "Write WebVTT captions with <v Speaker> voice spans (`-` = stdout).",
                    metavar="FILE")
SPEAKER_LABELS = Flag("speaker_labels", ("--speaker-labels/--no-speaker-labels",), "Name the speaker in each caption "
                      "cue.", kind=bool, default=True)
KEEP_TAGS = Flag("keep_tags", ("--keep-tags",), "Keep audio tags such as [laughs] in the SRT and VTT captions (they "
                 "are performed, not said).", kind=bool, default=False)
DRY_RUN = Flag("dry_run", ("--dry-run",), "Show the turns, the cast, the requests and the estimated credits; spend "
               "nothing.", kind=bool, default=False)
PLAN_JSON = Flag("as_json", ("--json",), "Print the cost summary (with --dry-run: the plan) as JSON.", kind=bool,
                 default=False)

# `eleven models` and `eleven voices`
LIST_JSON = Flag("as_json", ("--json",), "Print the API's fields as JSON.", kind=bool, default=False)
ALL_MODELS = Flag("all_models", ("--all",), "Include models that cannot do text to speech.", kind=bool, default=False)
SEARCH = Flag("search", (), "Only voices whose name, description or labels contain this (server-side search, "
              "/v2/voices).", metavar="SEARCH")
LEGACY = Flag("legacy", ("--legacy/--no-legacy",), "Include retired (legacy) voices.", kind=bool, default=True)

# What the quick parser answers for each command: its flags, in the order the command takes them, and the
# endpoint whose synthesis options it takes (None: none).
QUICK: dict[str, tuple[tuple[Flag, ...], str | None]] = {
    "say": ((TEXT, FILE, OUTPUT, PLAY, DEVICE, JSON), SPEECH),
    "stream": ((TEXT, FILE, OUTPUT, PLAY, DEVICE, BUFFER, JSON), SPEECH),
    "ws": ((TEXT, OUTPUT, PLAY, DEVICE, BUFFER, JSON), LIVE),
    "dialogue": ((SCRIPT, CAST, OUTPUT, DIALOGUE_ALIGNMENT, DIALOGUE_SRT, DIALOGUE_VTT, SPEAKER_LABELS, KEEP_TAGS, PLAY,
                  DEVICE, DRY_RUN, PLAN_JSON), DIALOGUE),
    "models": ((LIST_JSON, ALL_MODELS), None),
    "voices": ((SEARCH, LIST_JSON, LEGACY), None),
}
