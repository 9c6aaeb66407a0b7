"""The thin ElevenLabs client: httpx for HTTP, websockets for stream-input. Raises only eleven_cli.errors."""

from eleven_cli.api.http import Client
from eleven_cli.api.types import SynthesisRequest

__all__ = ["Client", "SynthesisRequest"]
