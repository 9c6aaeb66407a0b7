"""LiveKit's ElevenLabs plugin (livekit-plugins-elevenlabs, unmodified) against `eleven mock`.

Run with the agents venv's python: `drive_livekit.py BASE_URL KEY SCENARIO`; prints one JSON object:
the audio each stream received (seconds of decoded PCM, time of first audio) or the error raised.
Scenarios: http, pieces, concurrent, barge_in, dialogue, wrong_key.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp
from livekit.agents import APIConnectOptions
from livekit.plugins import elevenlabs

NO_RETRY = APIConnectOptions(max_retry=0, timeout=15)


async def collect(stream: Any, t0: float) -> dict[str, Any]:
    """Frames of a ChunkedStream or SynthesizeStream: seconds of audio and when the first came."""
    samples = 0
    rate = 0
    first = None
    async for ev in stream:
        frame = ev.frame
        if frame.samples_per_channel and first is None:
            first = time.monotonic() - t0
        samples += frame.samples_per_channel
        rate = frame.sample_rate
    return {"seconds": samples / rate if rate else 0.0, "first_audio": first}


async def scenario(base: str, key: str, name: str, session: aiohttp.ClientSession) -> dict[str, Any]:
    model = "eleven_v3" if name == "dialogue" else "eleven_turbo_v2_5"
    tts = elevenlabs.TTS(api_key=key, base_url=base + "/v1", http_session=session, model=model,
                         encoding="pcm_24000" if name == "barge_in" else "mp3_22050_32")
    try:
        if name == "http":
            text = "LiveKit asks for this sentence over plain HTTP."
            return {"texts": [text], "results": [await collect(tts.synthesize(text, conn_options=NO_RETRY),
                                                                 time.monotonic())]}
        if name in ("pieces", "dialogue"):
            pieces = ["Streaming in pieces, ", "as a language model ", "would write it. ", "Then a second sentence."]
            stream = tts.stream(conn_options=NO_RETRY)
            for p in pieces:
                stream.push_text(p)
                await asyncio.sleep(0.05)
            stream.end_input()
            return {"texts": ["".join(pieces)], "results": [await collect(stream, time.monotonic())]}
        if name == "concurrent":
            texts = ["The first of two streams on one socket.", "The second stream speaks at the same time."]
            streams = [tts.stream(conn_options=NO_RETRY) for _ in texts]
            for s, text in zip(streams, texts, strict=True):
                s.push_text(text)
                s.end_input()
            t0 = time.monotonic()
            results = await asyncio.gather(*(collect(s, t0) for s in streams))
            return {"texts": texts, "results": list(results)}
        if name == "barge_in":
            long_text = ("This is a long answer that the user will interrupt. " * 6).strip()
            reply = "Sure, here is the short answer."
            first = tts.stream(conn_options=NO_RETRY)
            first.push_text(long_text)
            first.flush()  # the reply is still being written: its context stays open
            t0 = time.monotonic()
            got_first = None
            async for ev in first:
                if ev.frame.samples_per_channel:
                    got_first = time.monotonic() - t0
                    break
            await asyncio.sleep(0.3)  # the user speaks while the reply plays
            interrupted = time.monotonic()
            await first.aclose()  # barge-in: LiveKit closes the context
            second = tts.stream(conn_options=NO_RETRY)
            second.push_text(reply)
            second.end_input()
            result = await collect(second, interrupted)
            return {"texts": [reply], "results": [result], "interrupted_first_audio": got_first}
        if name == "wrong_key":
            out: dict[str, Any] = {}
            for kind in ("http", "socket"):
                try:
                    if kind == "http":
                        await collect(tts.synthesize("Nope.", conn_options=NO_RETRY), time.monotonic())
                    else:
                        s = tts.stream(conn_options=NO_RETRY)
                        s.push_text("Nope.")
                        s.end_input()
                        await collect(s, time.monotonic())
                    out[kind] = "no error"
                except Exception as exc:  # noqa: BLE001 - the plugin's error is the result
                    out[kind] = f"{type(exc).__name__}: {exc} status={getattr(exc, 'status_code', None)}"
            return out
        raise SystemExit(f"unknown scenario {name}")
    finally:
        await tts.aclose()


async def main() -> None:
    base, key, name = sys.argv[1:4]
    async with aiohttp.ClientSession() as session:
        result = await asyncio.wait_for(scenario(base, key, name, session), 60)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
