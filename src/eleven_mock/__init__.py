"""`eleven mock`: a local, strict, speaking ElevenLabs API (Starlette on uvicorn)."""
