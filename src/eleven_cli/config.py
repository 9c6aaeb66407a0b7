"""The config file: TOML profiles under platformdirs, key/base-URL precedence, atomic 0600 writes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eleven_cli.errors import UsageError
from eleven_cli.formats import FORMATS
from eleven_cli.options import BY_KEY

REGIONS = {
    "global": "https://api.elevenlabs.io",
    "us": "https://api.us.elevenlabs.io",
    "eu": "https://api.eu.residency.elevenlabs.io",
    "in": "https://api.in.residency.elevenlabs.io",
    "sg": "https://api.sg.residency.elevenlabs.io",
}  # the servers of the official OpenAPI description (Production, US, EU, India, Singapore)
DEFAULT_PROFILE = "default"


def _float(lo: float, hi: float) -> Callable[[str], Any]:
    def parse(raw: str) -> float:
        value = float(raw)
        if not lo <= value <= hi:
            raise ValueError(f"must be between {lo:g} and {hi:g}")
        return value

    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw

    return parse


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return raw.rstrip("/")


def _text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("must not be empty")
    return raw


def _flag(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    low = str(raw).strip().lower()
    if low in ("true", "yes", "on", "1"):
        return True
    if low in ("false", "no", "off", "0"):
        return False
    raise ValueError("must be true or false")


def parse_cast(raw: str) -> dict[str, str]:
    """Speakers and their voices: "Alice=George,Bob=Sarah" (names may hold spaces, not = or ,)."""
    out: dict[str, str] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        speaker, sep, voice = part.partition("=")
        if not sep or not speaker.strip() or not voice.strip():
            raise ValueError("must be SPEAKER=VOICE pairs separated by commas, e.g. Alice=George,Bob=Sarah")
        out[speaker.strip()] = voice.strip()
    if not out:
        raise ValueError("must name at least one SPEAKER=VOICE")
    return out


def _cast(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        if not all(isinstance(k, str) and isinstance(v, str) and k and v for k, v in raw.items()):
            raise ValueError("must map speaker names to voice names or ids")
        return dict(raw)
    return parse_cast(str(raw))


# Every key a profile may hold, with its parser (which also validates): the synthesis options' keys come
# from their declaration (eleven_cli.options), the others are the connection's and the CLI's own.
KEYS: dict[str, Callable[[Any], Any]] = {
    "api_key": _text,
    "base_url": _url,
    "region": _choice(*REGIONS),
    **{key: param.parse_text for key, param in BY_KEY.items()},
    "format": _choice(*FORMATS),
    "device": _text,
    "timeout": _float(1, 3600),
    "cast": _cast,  # a table: [profiles.NAME.cast] Alice = "George"
    "log": _flag,  # remember generations in the local log (eleven history)
    "log_text": _flag,  # ... with their text (else only its hash)
}


def config_path() -> Path:
    """platformdirs.user_config_dir("eleven")/config.toml (XDG_CONFIG_HOME moves it)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("eleven")) / "config.toml"


def cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("eleven"))


def mask(key: str) -> str:
    """A key shown to humans: its first 3 and last 4 characters at most, never the whole."""
    if len(key) <= 10:
        return "*" * len(key)
    return f"{key[:3]}…{key[-4:]}"


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_bare(k)} = {_toml_value(v)}" for k, v in sorted(value.items())) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    s = str(value)
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    for ch, esc in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        out = out.replace(ch, esc)
    out = "".join(c if ord(c) >= 0x20 and c != "\x7f" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _bare(name: str) -> str:
    return name if name and all(c.isalnum() or c in "-_" for c in name) else _toml_value(name)


def dump(data: dict[str, dict[str, Any]]) -> str:
    lines = ["# eleven configuration: one [profiles.NAME] table per profile. Edit with `eleven config`."]
    for name in sorted(data):
        lines.append("")
        lines.append(f"[profiles.{_bare(name)}]")
        for key in sorted(data[name]):
            lines.append(f"{_bare(key)} = {_toml_value(data[name][key])}")
    return "\n".join(lines) + "\n"


@dataclass
class ConfigFile:
    """The parsed config file: profile name -> settings."""

    path: Path
    profiles: dict[str, dict[str, Any]]
    warning: str | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> ConfigFile:
        path = path or config_path()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path, {})
        except IsADirectoryError:
            raise UsageError(f"config file {path} is a directory") from None
        except OSError as exc:
            raise UsageError(f"cannot read config file {path}: {exc.strerror}") from None
        warning = None
        try:
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                warning = (f"warning: {path} is readable by other users (mode {stat.S_IMODE(mode):o}); "
                           f"run: chmod 600 {path}")
        except OSError:
            pass
        import tomllib  # only when there is a file to read

        try:
            text = raw.decode("utf-8")
            doc = tomllib.loads(text)
        except UnicodeDecodeError:
            raise UsageError(f"config file {path} is not valid UTF-8",
                             hint="fix or remove it; it was not changed") from None
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"config file {path} is not valid TOML: {exc}",
                             hint="fix it by hand or remove it; it was not changed") from None
        profiles = doc.get("profiles", {})
        if not isinstance(profiles, dict) or not all(isinstance(v, dict) for v in profiles.values()):
            raise UsageError(f"config file {path}: [profiles] must hold one table per profile",
                             hint="fix it by hand or remove it; it was not changed")
        for name, values in profiles.items():
            for key, value in values.items():
                if key not in KEYS:
                    raise UsageError(f"config file {path}: profile {name!r} has unknown key {key!r}",
                                     hint=f"valid keys: {', '.join(KEYS)}")
                try:
                    KEYS[key](value if isinstance(value, dict) else
                              str(value).lower() if isinstance(value, bool) else str(value))
                except ValueError as exc:
                    raise UsageError(f"config file {path}: {name}.{key} = {value!r} {exc}") from None
        return cls(path, profiles, warning)

    def profile(self, name: str) -> dict[str, Any]:
        return dict(self.profiles.get(name, {}))


def parse_value(key: str, raw: str) -> Any:
    """Validate `config set KEY VALUE`; errors list the valid keys or say what the value must be."""
    if key not in KEYS:
        raise UsageError(f"unknown config key {key!r}", hint=f"valid keys: {', '.join(KEYS)}")
    try:
        return KEYS[key](raw)
    except ValueError as exc:
        msg = str(exc) if "must" in str(exc) else "is not valid"
        raise UsageError(f"invalid value {raw!r} for {key}: {msg}") from None


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the config folder, so two writers never interleave (a lock on the folder
    itself leaves no lock file behind)."""
    ensure_dir(path.parent)
    with contextlib.suppress(OSError):  # the lock file of older versions
        path.with_name(path.name + ".lock").unlink()
    fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def ensure_dir(folder: Path) -> None:
    """The config folder, readable only by its owner (an existing one is tightened to 0700)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create config folder {folder}: {exc.strerror}") from None
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077 and folder.stat().st_uid == os.getuid():
            folder.chmod(mode & 0o700)


def update(mutate: Callable[[dict[str, dict[str, Any]]], None], path: Path | None = None) -> Path:
    """Read-modify-write the config under a lock, written atomically with mode 0600."""
    path = path or config_path()
    with locked(path):
        current = ConfigFile.load(path)
        profiles = {k: dict(v) for k, v in current.profiles.items()}
        mutate(profiles)
        profiles = {k: v for k, v in profiles.items() if v}
        from eleven_cli.atomic import write_file

        write_file(path, dump(profiles).encode(), mode=0o600)
    return path


@dataclass
class Resolved:
    """Where the key and base URL come from, after precedence."""

    profile: str
    settings: dict[str, Any]
    api_key: str | None
    key_source: str | None
    base_url: str
    base_source: str


def _from_keyring(profile: str) -> tuple[str, str] | None:
    from eleven_cli import keystore

    key = keystore.get(profile)
    return (key, f"profile {profile!r} in the system keyring ({keystore.name()})") if key else None


def resolve(cfg: ConfigFile, *, profile: str | None, api_key: str | None, base_url: str | None,
            region: str | None, env: dict[str, str] | None = None, keyring: bool = True) -> Resolved:
    """Apply cli.md's precedence: flag > environment > profile (> region > global for the URL). The key:
    flag > environment > the profile's `api_key` in the file > the system keyring (`auth login` keeps it
    there when there is one; looked up only when nothing before it gave a key, and not with `keyring=False`)."""
    env = dict(os.environ) if env is None else env
    explicit = profile or env.get("ELEVEN_PROFILE")
    name = explicit or DEFAULT_PROFILE
    if explicit and explicit != DEFAULT_PROFILE and explicit not in cfg.profiles:
        known = ", ".join(sorted(cfg.profiles)) or "none yet"
        raise UsageError(f"unknown profile {explicit!r} (profiles: {known})",
                         hint=f"create it with: eleven --profile {explicit} config set voice NAME")
    settings = cfg.profile(name)
    if api_key:
        key, source = api_key, "--api-key flag"
    elif env.get("ELEVENLABS_API_KEY"):
        key, source = env["ELEVENLABS_API_KEY"], "ELEVENLABS_API_KEY environment variable"
    elif settings.get("api_key"):
        key, source = str(settings["api_key"]), f"profile {name!r} in {cfg.path}"
    elif keyring and (stored := _from_keyring(name)):
        key, source = stored
    else:
        key, source = None, None
    if region and region not in REGIONS:
        raise UsageError(f"unknown region {region!r}", hint=f"valid regions: {', '.join(REGIONS)}")
    if base_url:
        url, usource = base_url, "--base-url flag"
    elif env.get("ELEVENLABS_BASE_URL"):
        url, usource = env["ELEVENLABS_BASE_URL"], "ELEVENLABS_BASE_URL environment variable"
    elif settings.get("base_url"):
        url, usource = str(settings["base_url"]), f"profile {name!r}"
    elif region:
        url, usource = REGIONS[region], f"--region {region}"
    elif settings.get("region"):
        url, usource = REGIONS[str(settings["region"])], f"profile {name!r} region"
    else:
        url, usource = REGIONS["global"], "default"
    try:
        url = _url(url)
    except ValueError:
        raise UsageError(f"invalid base URL {url!r} (from {usource}): must be an http:// or https:// URL") from None
    return Resolved(name, settings, key, source, url, usource)
