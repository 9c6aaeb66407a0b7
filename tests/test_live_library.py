"""`client.live(...)` and the asyncio forms, in-process against the mock over real sockets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from conftest import Mock, decode_duration
from eleven_cli import Audio, Client, Finished, LiveResult, Retrying, Started, Timing
from eleven_cli.errors import UsageError

REPLY = "Sure. Here is a short answer, written a token at a time.\nIt has a second line too.\n"


def client_for(mock: Mock, **kw: object) -> Client:
    return Client(api_key=mock.key, base_url=mock.url, config=False, cache_dir=None, **kw)  # type: ignore[arg-type]


def tokens(text: str) -> list[str]:
    """Cut like a language model's tokens: words with their leading space, newlines on their own."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        words = line.rstrip("\n").split(" ")
        out += [words[0]] + [" " + w for w in words[1:]]
        if line.endswith("\n"):
            out.append("\n")
    return out


async def llm(text: str = REPLY, delay: float = 0.005) -> AsyncIterator[str]:
    for token in tokens(text):
        await asyncio.sleep(delay)
        yield token


def spoken(mock: Mock) -> str:
    session = mock.requests("/stream-input")[-1]
    return "".join(m.get("text", "") for m in session["messages"] if m["dir"] == "out" and "audio_bytes" in m)


def sent(mock: Mock) -> list[dict]:
    return [m for m in mock.requests("/stream-input")[-1]["messages"][1:] if m["dir"] == "in"]


def test_asave_speaks_an_async_token_stream(mock: Mock, tmp_path: Path) -> None:
    mock.clear()
    client = client_for(mock)
    result = asyncio.run(client.live(llm(), voice="George").asave(tmp_path / "reply.mp3"))
    assert isinstance(result, LiveResult) and result.output == str(tmp_path / "reply.mp3")
    assert spoken(mock).split() == REPLY.split()
    assert result.characters == result.text_characters == len(REPLY)  # no drop: billed as written
    assert result.ttfb is not None and result.ttfb > 0 and result.reconnects == 0
    assert abs(result.duration - decode_duration((tmp_path / "reply.mp3").read_bytes())) < 0.15
    assert [m for m in sent(mock) if m.get("flush")]  # each line generated when it ends
    assert sent(mock)[-1] == {**sent(mock)[-1], "text": ""}


def test_astream_yields_typed_events_with_whole_speech_timing(mock: Mock) -> None:
    mock.clear()

    async def main() -> list:
        live = client_for(mock).live(llm(), format="pcm_16000", sync_alignment=True, timestamps=True)
        return [event async for event in live.astream()]

    events = asyncio.run(main())
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    audio = b"".join(e.data for e in events if isinstance(e, Audio))
    result = events[-1].result
    assert result.duration == pytest.approx(len(audio) / 2 / 16000, abs=0.01)
    starts = [s for e in events if isinstance(e, Timing) for s in e.alignment.starts]
    assert starts == sorted(starts) and starts[0] >= 0 and starts[-1] < result.duration + 0.002  # ms rounding
    assert "".join(result.alignment.characters) == REPLY  # the whole alignment, in seconds from the start
    late = [e for e in events if isinstance(e, Timing)][-1]
    assert late.alignment.starts[0] > 1.0  # not chunk-relative


def test_sync_iterable_save_takes_the_format_from_the_extension(mock: Mock, tmp_path: Path) -> None:
    mock.clear()
    live = client_for(mock).live(iter(["Hello ", "from ", "a list."]))
    result = live.save(tmp_path / "hi.wav")
    data = (tmp_path / "hi.wav").read_bytes()
    assert data[:4] == b"RIFF" and result.format.startswith("wav_")
    assert mock.requests("/stream-input")[-1]["query"]["output_format"].startswith("pcm_")
    with pytest.raises(UsageError, match="runs once"):
        live.audio()
    with pytest.raises(UsageError, match="does not match"):
        client_for(mock).live(["x"], format="mp3_44100_128").save(tmp_path / "x.wav")


def test_blank_text_is_a_usage_error_with_nothing_sent(mock: Mock, tmp_path: Path) -> None:
    mock.clear()
    for texts in ([], ["", "  ", "\n\n"]):
        with pytest.raises(UsageError, match="no text"):
            client_for(mock).live(texts).save(tmp_path / "empty.mp3")
    assert not list(tmp_path.iterdir())
    assert not [m for s in mock.requests("/stream-input") for m in s["messages"][1:] if m["dir"] == "in"]


def test_a_failing_token_stream_raises_in_the_awaiting_task(mock: Mock, tmp_path: Path) -> None:
    async def broken() -> AsyncIterator[str]:
        yield "The model starts "
        await asyncio.sleep(0.05)
        raise RuntimeError("the model went away")

    with pytest.raises(RuntimeError, match="went away"):
        asyncio.run(client_for(mock).live(broken()).asave(tmp_path / "broken.mp3"))
    assert not list(tmp_path.iterdir())  # no partial file


def test_cancelling_the_task_closes_the_socket(mock: Mock, tmp_path: Path) -> None:
    mock.clear()

    async def endless() -> AsyncIterator[str]:
        yield "A first sentence to speak.\n"  # a line: generated at once
        await asyncio.Event().wait()  # the model never finishes
        yield "never"

    async def main() -> None:
        task = asyncio.create_task(client_for(mock).live(endless()).asave(tmp_path / "c.mp3"))
        deadline = time.monotonic() + 10
        while not [m for s in mock.requests("/stream-input") for m in s["messages"] if "audio_bytes" in m]:
            assert time.monotonic() < deadline, "no audio came"
            await asyncio.sleep(0.05)  # speaking
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    deadline = time.monotonic() + 5
    while mock.requests("/stream-input")[-1]["status"] is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mock.requests("/stream-input")[-1]["status"] == "client closed"
    assert not list(tmp_path.iterdir())


def test_a_dropped_connection_is_a_retrying_event_and_loses_nothing(fresh_mock) -> None:
    m = fresh_mock("--fault", "drop@9000:/stream-input")
    lines = [f"Line number {n} has a few words in it.\n" for n in range(1, 9)]
    clean_mock = fresh_mock()
    clean = client_for(clean_mock).live(lines, format="pcm_16000").audio()
    events = list(client_for(m, retries=3).live(lines, format="pcm_16000").stream(live=False))
    retrying = [e for e in events if isinstance(e, Retrying)]
    assert len(retrying) == 1 and "resending" in retrying[0].reason
    audio = b"".join(e.data for e in events if isinstance(e, Audio))
    assert abs(len(audio) - len(clean)) / len(clean) < 0.15  # nothing lost, nothing doubled
    result = events[-1].result
    assert result.reconnects == 1 and result.characters > result.text_characters  # the resent text is billed


def test_speech_has_the_asyncio_forms_too(mock: Mock, tmp_path: Path) -> None:
    async def main() -> tuple[list, object]:
        client = client_for(mock)
        events = [e async for e in client.speech("Asynchronous speech.", streaming=True).astream()]
        saved = await client.speech("Saved without blocking the loop.").asave(tmp_path / "a.mp3")
        return events, saved

    events, saved = asyncio.run(main())
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    assert decode_duration((tmp_path / "a.mp3").read_bytes()) > 0.5 and saved.output == str(tmp_path / "a.mp3")
