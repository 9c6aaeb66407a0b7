"""Pipecat's ElevenLabs services (pipecat-ai, unmodified) against `eleven mock`, in a real pipeline.

Run with the agents venv's python: `drive_pipecat.py BASE_URL KEY SCENARIO`; prints one JSON object:
per context, the seconds of audio received and when the first came, and any error frames.
Scenarios: http, pieces, concurrent, barge_in, dialogue, wrong_key.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

import aiohttp
from pipecat.frames.frames import (
    ErrorFrame,
    Frame,
    InterruptionFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    TTSAudioRawFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test

RATE = 24000


class Recorder(FrameProcessor):
    """Notes when each context's audio arrives, and every error."""

    def __init__(self) -> None:
        super().__init__()
        self.t0 = time.monotonic()
        self.marks: dict[str, float] = {}
        self.audio: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.errors: list[str] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        now = time.monotonic() - self.t0
        if isinstance(frame, TTSAudioRawFrame):
            self.audio[str(frame.context_id)].append((now, len(frame.audio) // 2))
        elif isinstance(frame, ErrorFrame):
            self.errors.append(str(frame.error))
        elif isinstance(frame, InterruptionFrame):
            self.marks["interrupted"] = now
        await self.push_frame(frame, direction)


class Mark(FrameProcessor):
    """Stamps when an InterruptionFrame enters the pipeline (before the TTS acts on it)."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InterruptionFrame):
            self.recorder.marks["interrupted"] = time.monotonic() - self.recorder.t0
        await self.push_frame(frame, direction)


def reply(*sentences: str) -> list[Frame]:
    """An LLM's streamed reply: start, text in pieces, end."""
    frames: list[Frame] = [LLMFullResponseStartFrame()]
    for s in sentences:
        for word in s.split(" "):
            frames.append(LLMTextFrame(word + " "))
    return frames + [LLMFullResponseEndFrame()]


async def scenario(base: str, key: str, name: str) -> dict[str, Any]:
    from pipecat.services.elevenlabs.dialogue.tts import ElevenLabsDialogueTTSService
    from pipecat.services.elevenlabs.tts import ElevenLabsHttpTTSService, ElevenLabsTTSService

    ws_base = base.replace("http://", "ws://").replace("https://", "wss://")
    voice = "JBFqnCBsd6RMkjVDRZzb"
    session = aiohttp.ClientSession()
    if name == "http":
        tts: Any = ElevenLabsHttpTTSService(api_key=key, base_url=base, aiohttp_session=session,
                                            sample_rate=RATE, settings=ElevenLabsHttpTTSService.Settings(voice=voice))
    elif name == "dialogue":
        tts = ElevenLabsDialogueTTSService(api_key=key, url=ws_base, sample_rate=RATE,
                                           settings=ElevenLabsDialogueTTSService.Settings(voice=voice,
                                                                                          model="eleven_v3"))
    else:
        tts = ElevenLabsTTSService(api_key=key, url=ws_base, sample_rate=RATE,
                                   settings=ElevenLabsTTSService.Settings(voice=voice))
    texts: list[str]
    if name == "http" or name == "wrong_key":
        texts = ["Pipecat asks for this sentence."]
        frames: list[Frame] = [TTSSpeakFrame(texts[0]), SleepFrame(3)]
    elif name in ("pieces", "dialogue"):
        texts = ["Streaming in pieces, as a language model would write it.", "Then a second sentence."]
        frames = [*reply(*texts), SleepFrame(4)]
    elif name == "concurrent":
        texts = ["The first reply is spoken here.", "The second reply follows at once."]
        frames = [*reply(texts[0]), *reply(texts[1]), SleepFrame(5)]
    elif name == "barge_in":
        texts = ["This is a long answer that the user will interrupt. " * 5, "Sure, here is the short answer."]
        frames = [*reply(texts[0]), SleepFrame(0.8), InterruptionFrame(), *reply(texts[1]), SleepFrame(4)]
    else:
        raise SystemExit(f"unknown scenario {name}")
    recorder = Recorder()
    try:
        _down, up = await run_test(Pipeline([Mark(recorder), tts, recorder]), frames_to_send=frames,
                                   start_timeout=10)
        recorder.errors += [str(f.error) for f in up if isinstance(f, ErrorFrame)]
    finally:
        await session.close()
    contexts = [{"first_audio": chunks[0][0], "seconds": sum(n for _, n in chunks) / RATE}
                for chunks in recorder.audio.values()]
    return {"texts": texts, "contexts": contexts, "errors": recorder.errors, "marks": recorder.marks}


async def main() -> None:
    base, key, name = sys.argv[1:4]
    result = await asyncio.wait_for(scenario(base, key, name), 60)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
