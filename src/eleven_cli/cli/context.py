"""Per-invocation state shared by the commands: global options, the config, the API client."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eleven_cli.config import ConfigFile, Resolved, resolve

if TYPE_CHECKING:
    from eleven_cli.client import Client


@dataclass
class Globals:
    api_key: str | None = None
    base_url: str | None = None
    region: str | None = None
    profile: str | None = None
    timeout: float | None = None
    retries: int = 3
    verbose: bool = False
    quiet: bool = False
    ca_bundle: str | None = None
    no_log: bool = False
    no_log_text: bool = False
    max_credits: float | None = None
    command: str = ""
    _config: ConfigFile | None = field(default=None, repr=False)
    _resolved: Resolved | None = field(default=None, repr=False)
    _client: Client | None = field(default=None, repr=False)

    def say(self, message: str) -> None:
        """A status line on stderr, unless --quiet."""
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def trace(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)

    @property
    def config(self) -> ConfigFile:
        if self._config is None:
            self._config = ConfigFile.load()
            if self._config.warning:
                self.say(self._config.warning)
        return self._config

    @property
    def resolved(self) -> Resolved:
        if self._resolved is None:
            self._resolved = resolve(self.config, profile=self.profile, api_key=self.api_key,
                                     base_url=self.base_url, region=self.region)
        return self._resolved

    @property
    def profile_name(self) -> str:
        """The profile a write goes to (which need not exist yet): flag > ELEVEN_PROFILE > default."""
        from eleven_cli.config import DEFAULT_PROFILE

        return self.profile or os.environ.get("ELEVEN_PROFILE") or DEFAULT_PROFILE

    def setting(self, key: str, default: Any = None) -> Any:
        return self.resolved.settings.get(key, default)

    def client(self, **hooks: Any) -> Client:
        """The library client, configured by the global options (the one place a client is built)."""
        if self._client is None:
            from eleven_cli.client import Client

            self._client = Client(self.api_key, self.base_url, region=self.region, profile=self.profile,
                                  config=self.config,  # read once, its warning said once
                                  timeout=self.timeout, retries=self.retries, ca_bundle=self.ca_bundle,
                                  trace=self.trace if self.verbose else None,
                                  log=not self.no_log and self.setting("log", True) is not False,
                                  log_text=not self.no_log_text and self.setting("log_text", True) is not False,
                                  command=self.command or "eleven", max_credits=self.max_credits,
                                  on_warning=lambda m: self.say(f"eleven: warning: {m}"),
                                  on_retry=hooks.pop("on_retry", lambda m: self.say("eleven: " + m)), **hooks)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def note_api_key_flag(g: Globals) -> None:
    """A key given as --api-key can be read by other users of the machine: say so once (unless --quiet)."""
    if g.api_key and not g.quiet:
        print("eleven: note: --api-key is visible to other users in the process list; prefer "
              "ELEVENLABS_API_KEY or `eleven auth login`", file=sys.stderr)
