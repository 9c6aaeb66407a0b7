"""The official `elevenlabs` SDK, unmodified, against the mock: a client we did not write."""

from __future__ import annotations

import base64

import pytest

from conftest import DEMO_KEY, Mock, decode_duration

elevenlabs = pytest.importorskip("elevenlabs")
from elevenlabs.client import ElevenLabs  # noqa: E402
from elevenlabs.core.api_error import ApiError  # noqa: E402

GEORGE = "JBFqnCBsd6RMkjVDRZzb"


@pytest.fixture
def sdk(mock: Mock) -> ElevenLabs:
    return ElevenLabs(api_key=DEMO_KEY, base_url=mock.url)


def test_models_and_voices(sdk: ElevenLabs) -> None:
    models = sdk.models.list()
    assert any(m.model_id == "eleven_multilingual_v2" and m.maximum_text_length_per_request == 10000
               for m in models)
    voices = sdk.voices.get_all().voices
    assert any(v.voice_id == GEORGE and v.name == "George" for v in voices)
    page = sdk.voices.search(page_size=2)
    assert page.has_more and page.total_count > 2 and len(page.voices) == 2
    rest = sdk.voices.search(page_size=100, next_page_token=page.next_page_token)
    assert not {v.voice_id for v in rest.voices} & {v.voice_id for v in page.voices}


@pytest.mark.parametrize("fmt", ["mp3_44100_128", "wav_44100", "pcm_24000", "ulaw_8000"])
def test_convert_in_each_format(sdk: ElevenLabs, fmt: str) -> None:
    audio = b"".join(sdk.text_to_speech.convert(voice_id=GEORGE, text="Fidelity check.", output_format=fmt))
    if fmt.startswith("pcm"):
        seconds = len(audio) / 2 / 24000
    elif fmt.startswith("ulaw"):
        seconds = len(audio) / 8000
    else:
        seconds = decode_duration(audio)
        if fmt.startswith("wav"):
            assert audio[:4] == b"RIFF"
    assert 0.5 < seconds < 3


def test_with_timestamps(sdk: ElevenLabs) -> None:
    text = "Timing matters. Every character has a time."
    r = sdk.text_to_speech.convert_with_timestamps(voice_id=GEORGE, text=text)
    assert "".join(r.alignment.characters) == text
    seconds = decode_duration(base64.b64decode(r.audio_base_64))
    assert abs(r.alignment.character_end_times_seconds[-1] - seconds) <= 0.5


def test_stream_and_stream_with_timestamps(sdk: ElevenLabs) -> None:
    text = "First sentence of a stream. Second sentence of it. A third one, to be sure."
    chunks = list(sdk.text_to_speech.stream(voice_id=GEORGE, text=text))
    assert len(chunks) > 1 and decode_duration(b"".join(chunks)) > 2
    parts = list(sdk.text_to_speech.stream_with_timestamps(voice_id=GEORGE, text=text))
    assert len(parts) > 1
    chars = "".join("".join(p.alignment.characters) for p in parts if p.alignment)
    assert chars == text


def test_user_and_subscription(sdk: ElevenLabs) -> None:
    assert sdk.user.get().subscription.tier == sdk.user.subscription.get().tier


def test_errors_are_api_errors(mock: Mock, sdk: ElevenLabs) -> None:
    with pytest.raises(ApiError) as bad_key:
        ElevenLabs(api_key="wrong", base_url=mock.url).models.list()
    assert bad_key.value.status_code == 401
    with pytest.raises(ApiError) as bad_voice:
        b"".join(sdk.text_to_speech.convert(voice_id="nope", text="x"))
    assert bad_voice.value.status_code == 404
    with pytest.raises(ApiError) as bad_settings:
        b"".join(sdk.text_to_speech.convert(voice_id=GEORGE, text="x", voice_settings={"stability": 3}))
    assert bad_settings.value.status_code == 422
