"""What a new user trips over first, checked locally and said in one line, through the installed `eleven`:
usage errors as one line with exit 2 (negative-looking values taken as values), an unknown model or a
language the model does not speak caught before any request with the likely name, formats in any case,
audio formats the API does not offer named as such, terminal escapes neither sent nor billed, close
matches ranked sensibly, `config get` of an unset key."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import err


def _one_error_line(r) -> str:
    lines = err(r).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("eleven: error: "), err(r)
    return lines[0]


@pytest.mark.parametrize(("args", "words"), [
    (["say", "x", "--speed", "5"], "--speed 5 is out of range 0.7..1.2"),
    (["say", "x", "--seed", "-1"], "--seed -1 is out of range 0..4294967295"),
    (["say", "x", "--stability", "high"], "--stability 'high' is not a number"),
    (["say", "x", "--sped", "1"], "No such option: --sped"),
    (["stream", "x", "--buffer", "99999"], "--buffer"),
    (["dialogue", "x", "--latency", "2"], "No such option: --latency"),
    (["config", "set", "timeout", "-1"], "must be between 1 and 3600"),
    (["say", "x", "--normalize", "maybe"], "not one of auto, on, off"),
])
def test_usage_errors_are_one_line_and_exit_2(cli, args, words) -> None:
    r = cli(*args)
    assert r.returncode == 2 and words in _one_error_line(r), err(r)


def test_config_get_of_an_unset_key_is_a_documented_exit(cli) -> None:
    r = cli("config", "get", "model")
    assert r.returncode == 2 and "not set" in _one_error_line(r)


def test_unknown_model_and_language_are_caught_before_any_request(cli, mock, tmp_path: Path) -> None:
    r = cli("say", "Hello.", "-m", "eleven_multilingal_v2", "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 2 and "did you mean eleven_multilingual_v2?" in _one_error_line(r).lower()
    r = cli("say", "Hello.", "-m", "eleven_flash_v2_5", "--language", "english", "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 2 and "did you mean 'en'" in _one_error_line(r).lower()
    assert mock.requests("/v1/text-to-speech") == [] and not (tmp_path / "a.mp3").exists()
    cli("config", "set", "language", "klingon")
    r = cli("say", "Hello.", "-m", "eleven_flash_v2_5", "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 2 and "profile 'default'" in _one_error_line(r) and "language" in err(r)


def test_formats_in_any_case_and_audio_the_api_does_not_offer(cli, tmp_path: Path) -> None:
    r = cli("say", "Hello.", "--format", "MP3_22050_32", "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 0, err(r)
    r = cli("say", "Hello.", "-o", str(tmp_path / "out.flac"))
    line = _one_error_line(r)
    assert r.returncode == 2 and "FLAC is not a format the API offers" in line and "opus" in line


def test_terminal_escapes_are_neither_sent_nor_billed(cli, mock, tmp_path: Path) -> None:
    r = cli("say", "\x1b[1;31mHello\x1b[0m there.\x07", "-o", str(tmp_path / "a.mp3"), "--json")
    assert r.returncode == 0, err(r)
    (req,) = mock.requests("/v1/text-to-speech")
    assert req["body"]["text"] == "Hello there."
    r = cli("say", "\x1b[0m\x07", "-o", str(tmp_path / "b.mp3"))
    assert r.returncode == 2 and "nothing to speak" in _one_error_line(r)


def test_close_matches_rank_the_obvious_one_first(cli, tmp_path: Path) -> None:
    r = cli("say", "Hello.", "-v", "allice", "-o", str(tmp_path / "a.mp3"))
    assert r.returncode == 2 and "did you mean: alice," in _one_error_line(r).lower()


def test_a_profile_device_that_does_not_exist_names_the_profile(cli, tmp_path: Path) -> None:
    r = cli("config", "set", "device", "No Such Speaker 9000")
    if "could not check device" in err(r):
        pytest.skip("no sound system here to check a device against")
    assert r.returncode == 7 and "no output device matching" in _one_error_line(r)
