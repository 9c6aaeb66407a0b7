"""Config file, profiles, key and base-URL precedence, `eleven auth`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ELEVEN, Mock, err
from eleven_cli.config import KEYS, ConfigFile, dump, mask, resolve
from eleven_cli.errors import UsageError


def config_file(home: Path) -> Path:
    return home / "config" / "eleven" / "config.toml"


def test_set_get_list_unset_path_and_file_mode(cli, isolated: Path) -> None:
    assert cli("config", "set", "voice", "Alice").returncode == 0
    assert cli("config", "set", "stability", "0.4").returncode == 0
    assert cli("config", "get", "voice").stdout.decode().strip() == "Alice"
    listing = cli("config", "list").stdout.decode()
    assert "voice = Alice" in listing and "stability = 0.4" in listing
    path = cli("config", "path").stdout.decode().strip()
    assert Path(path) == config_file(isolated)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(Path(path).parent).st_mode) == 0o700
    assert cli("config", "unset", "voice").returncode == 0
    assert cli("config", "get", "voice").returncode == 2  # unset: exit 2


@pytest.mark.parametrize(("key", "value", "needle"), [
    ("colour", "red", "valid keys"), ("stability", "2", "a number from 0 to 1"), ("format", "mp3", "must be one of"),
    ("base_url", "ftp://x", "http"), ("region", "mars", "global"), ("speaker_boost", "maybe", "true or false"),
])
def test_set_validates(cli, key: str, value: str, needle: str) -> None:
    r = cli("config", "set", key, value)
    assert r.returncode == 2 and needle.lower() in err(r).lower()


def test_profile_defaults_reach_the_request(cli, mock: Mock, tmp_path) -> None:
    cli("--profile", "work", "config", "set", "voice", "Brian")
    cli("config", "set", "speed", "0.8", "--profile", "work")
    r = cli("say", "Profile.", "-o", str(tmp_path / "p.mp3"), env={"ELEVEN_PROFILE": "work"})
    assert r.returncode == 0, err(r)
    req = mock.requests("/v1/text-to-speech")[-1]
    assert req["path"].endswith("nPczCjzI2devNBz1zQrb") and req["body"]["voice_settings"]["speed"] == 0.8
    unknown = cli("--profile", "nope", "say", "x", "-o", str(tmp_path / "n.mp3"))
    assert unknown.returncode == 2 and "unknown profile" in err(unknown).lower() and "work" in err(unknown)


def test_corrupt_config_is_a_clear_error_and_never_overwritten(cli, isolated: Path) -> None:
    path = config_file(isolated)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text("[profiles.default]\nvoice = \"Alice\nstability = 0.5\n")
    before = path.read_bytes()
    for args in (["config", "list"], ["config", "set", "voice", "Bob"], ["models"]):
        r = cli(*args)
        assert r.returncode == 2 and str(path) in err(r) and "line" in err(r), err(r)
        assert "Traceback" not in err(r)
    assert path.read_bytes() == before


def test_group_readable_config_warns(cli, isolated: Path) -> None:
    cli("config", "set", "voice", "Alice")
    os.chmod(config_file(isolated), 0o644)
    r = cli("config", "list")
    assert "readable by other users" in err(r) and "chmod 600" in err(r)


def test_key_precedence_flag_env_profile(fresh_mock, cli, tmp_path) -> None:
    m = fresh_mock("--key", "key-from-flag-000", "--key", "key-from-env-0000", "--key", "key-from-file-000")
    cli("config", "set", "api_key", "key-from-file-000")
    def status(*extra: str, env_key: str | None = None) -> dict:
        r = cli("auth", "status", "--json", *extra, base=m, key=env_key or "")
        assert r.returncode == 0, err(r)
        return json.loads(r.stdout)
    assert "profile" in status()["source"]
    assert "ELEVENLABS_API_KEY" in status(env_key="key-from-env-0000")["source"]
    flagged = status("--api-key", "key-from-flag-000", env_key="key-from-env-0000")
    assert flagged["source"] == "--api-key flag" and flagged["key"] == mask("key-from-flag-000")
    out = cli("auth", "status", "--api-key", "key-from-flag-000", base=m).stdout.decode()
    assert "key-from-flag-000" not in out and "characters" in out


def test_base_url_precedence(mock: Mock, cli, tmp_path) -> None:
    dead = "http://127.0.0.1:9"
    assert cli("--base-url", mock.url, "models", env={"ELEVENLABS_BASE_URL": dead}).returncode == 0
    cli("config", "set", "base_url", dead)
    assert cli("models").returncode == 0  # the environment beats the profile
    r = resolve(ConfigFile(tmp_path / "none.toml", {"default": {"region": "eu"}}), profile=None, api_key=None,
                base_url=None, region=None, env={})
    assert r.base_url == "https://api.eu.residency.elevenlabs.io"
    r = resolve(ConfigFile(tmp_path / "none.toml", {}), profile=None, api_key=None, base_url=None, region="us",
                env={})
    assert r.base_url == "https://api.us.elevenlabs.io"


def test_auth_login_verifies_then_stores_and_logout(fresh_mock, cli, isolated: Path) -> None:
    m = fresh_mock("--key", "sk-good-key-12345")
    bad = cli("auth", "login", input="sk-bad-key-000000\n", base=m, key="")
    assert bad.returncode == 3 and not config_file(isolated).exists()
    good = cli("auth", "login", input="sk-good-key-12345\n", base=m, key="")
    assert good.returncode == 0 and "sk-good-key-12345" not in err(good)
    assert 'api_key = "sk-good-key-12345"' in config_file(isolated).read_text()
    assert cli("models", base=m, key="").returncode == 0
    assert cli("auth", "logout", base=m).returncode == 0
    assert "api_key" not in config_file(isolated).read_text()
    assert cli("models", base=m, key="").returncode == 3


def test_two_writers_never_corrupt_the_file(isolated: Path) -> None:
    env = dict(os.environ)
    def writer(n: int) -> None:
        for i in range(8):
            subprocess.run([ELEVEN, "--profile", f"p{n}", "config", "set", "stability", f"0.{i}"], env=env,
                           capture_output=True, check=True)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cfg = ConfigFile.load(config_file(isolated))
    assert {f"p{n}" for n in range(3)} <= set(cfg.profiles)
    assert all(cfg.profiles[f"p{n}"]["stability"] == 0.7 for n in range(3))


_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text("abcdefghij-_", min_size=1, max_size=8),
                       st.fixed_dictionaries({}, optional={"voice": _values.filter(str.strip),
                                                           "model": _values.filter(str.strip),
                                                           "stability": st.floats(0, 1),
                                                           "speaker_boost": st.booleans()}), max_size=4))
def test_dump_then_load_round_trips(tmp_path_factory, profiles) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(dump(profiles))
    loaded = ConfigFile.load(path)
    assert {k: v for k, v in loaded.profiles.items() if v} == {k: v for k, v in profiles.items() if v}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_hand_edited_config_never_crashes(tmp_path_factory, text) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text else None
    if not path.exists():
        return
    try:
        cfg = ConfigFile.load(path)
    except UsageError as exc:
        assert str(path) in exc.message
        return
    for values in cfg.profiles.values():
        assert set(values) <= set(KEYS)
