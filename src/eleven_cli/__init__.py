"""eleven: text to speech for the ElevenLabs API, as a library and a command line.

    from eleven_cli import Client, ElevenError
    client = Client()                                      # configured as the CLI is
    speech = client.speech("Hello there.", voice="George")
    result = speech.save("hello.mp3")                      # verified, atomic
    print(result.characters, result.duration, result.request_ids)

Everything here loads on first use, so `import eleven_cli` costs nothing and never loads typer or rich.
"""

from __future__ import annotations

from eleven_cli.errors import (
    AudioDeviceError,
    AuthError,
    BrokenAudioError,
    ElevenError,
    ExitCode,
    Interrupted,
    NetworkError,
    RejectedError,
    UnavailableError,
    UsageError,
)

__version__ = "0.1.0"
TYPE_CHECKING = False  # not typing's: importing typing (with re) would double the time of `eleven --version`

_LAZY = {
    "Client": "eleven_cli.client",
    "Speech": "eleven_cli.speech",
    "LiveSpeech": "eleven_cli.live",
    "LiveResult": "eleven_cli.live_session",
    "Result": "eleven_cli.events",
    "Started": "eleven_cli.events",
    "Audio": "eleven_cli.events",
    "Timing": "eleven_cli.events",
    "Retrying": "eleven_cli.events",
    "PieceDone": "eleven_cli.events",
    "Finished": "eleven_cli.events",
    "Alignment": "eleven_cli.api.types",
    "Model": "eleven_cli.api.types",
    "Voice": "eleven_cli.api.types",
    "Format": "eleven_cli.formats",
    "FORMATS": "eleven_cli.formats",
    "FileOutput": "eleven_cli.outputs",
    "MemoryOutput": "eleven_cli.outputs",
    "PlayOutput": "eleven_cli.outputs",
    "Batch": "eleven_cli.batch_run",
    "Item": "eleven_cli.batch",
}

__all__ = [
    "__version__", "Client", "Speech", "LiveSpeech", "LiveResult", "Result", "Started", "Audio", "Timing",
    "Retrying", "PieceDone", "Finished", "Alignment", "Model", "Voice", "Format", "FORMATS", "FileOutput",
    "MemoryOutput", "PlayOutput",
    "Batch", "Item", "ElevenError", "UsageError", "AuthError", "RejectedError", "UnavailableError", "NetworkError",
    "BrokenAudioError", "AudioDeviceError", "Interrupted", "ExitCode",
]

if TYPE_CHECKING:
    from typing import Any

    from eleven_cli.api.types import Alignment, Model, Voice
    from eleven_cli.batch import Item
    from eleven_cli.batch_run import Batch
    from eleven_cli.client import Client
    from eleven_cli.events import Audio, Finished, PieceDone, Result, Retrying, Started, Timing
    from eleven_cli.formats import FORMATS, Format
    from eleven_cli.live import LiveSpeech
    from eleven_cli.live_session import LiveResult
    from eleven_cli.outputs import FileOutput, MemoryOutput, PlayOutput
    from eleven_cli.speech import Speech


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eleven_cli' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
