"""The exception tree; each class carries the process exit code of cli.md.

    ElevenError (1)
    ├── UsageError (2)            bad flags, bad text, bad config
    ├── AuthError (3)             401/403, missing key
    ├── RejectedError (4)         other 4xx, quota exceeded
    ├── UnavailableError (5)      429/5xx after retries
    ├── NetworkError (6)          DNS, refused, timeouts, dropped connections
    │   └── BrokenAudioError (6)  a response whose audio is empty, cut short or not audio at all
    ├── AudioDeviceError (7)      no output device, PortAudio failures
    └── Interrupted (130)         Ctrl-C; what was finished is kept for a rerun
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    AUTH = 3
    REJECTED = 4
    UNAVAILABLE = 5
    NETWORK = 6
    AUDIO = 7
    INTERRUPTED = 130


class ElevenError(Exception):
    """Base class: an expected failure with a one-line message and an exit code."""

    exit_code = ExitCode.FAILURE
    retryable = False  # another attempt may succeed (a response dropped or cut short, not yet retried)

    def __init__(self, message: str, *, hint: str | None = None, request_id: str | None = None,
                 status: int | None = None, code: str | None = None, cli_hint: str | None = None,
                 cli_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint  # for any caller: never names a command-line flag
        self.cli_hint = cli_hint  # the same advice in the CLI's words (its flags and commands), if it differs
        self.cli_message = cli_message  # the message in the CLI's words (a flag for a keyword), if it differs
        self.request_id = request_id
        self.status = status
        self.code = code

    def line(self, cli: bool = False) -> str:
        """The single stderr line for this error (`cli`: with the hint in the CLI's words). The message keeps
        its case (it may begin with a file name, and names are case-sensitive); the hint, always our own
        sentence, is capitalised."""
        message = (self.cli_message if cli else None) or self.message
        text = message.rstrip(".") + ("" if message.endswith(("?", "!")) else ".")
        hint = (self.cli_hint if cli else None) or self.hint
        if hint:
            hint = hint.rstrip(".")
            text += " " + hint[:1].upper() + hint[1:] + ("" if hint.endswith(("?", "!")) else ".")
        return text


class UsageError(ElevenError):
    exit_code = ExitCode.USAGE


class AuthError(ElevenError):
    exit_code = ExitCode.AUTH


class RejectedError(ElevenError):
    exit_code = ExitCode.REJECTED


class UnavailableError(ElevenError):
    exit_code = ExitCode.UNAVAILABLE


class NetworkError(ElevenError):
    exit_code = ExitCode.NETWORK
    retryable = True  # False for what another attempt cannot change (an unknown host, an untrusted certificate)


class AudioDeviceError(ElevenError):
    exit_code = ExitCode.AUDIO


class BrokenAudioError(NetworkError):
    """The audio of a response is empty, truncated, undecodable, or an error document."""


class Interrupted(ElevenError):
    exit_code = ExitCode.INTERRUPTED
