"""eleven: a text-to-speech command line for the ElevenLabs API."""

__version__ = "0.1.0"
