"""The thin ElevenLabs client: httpx for HTTP (api.http), websockets for stream-input (api.ws).

Nothing here imports typer or rich, and nothing is imported eagerly: `eleven --help` stays fast.
"""
