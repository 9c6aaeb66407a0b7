"""Mutable state of one mock server: accounts and their usage, faults to inject, the request log (the newest
LOG_SIZE requests)."""

from __future__ import annotations

import json
import random
import re
import secrets
import threading
import time
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_KEY = "sk_mock_demo_key"
REDACTED = "[redacted]"
LOG_SIZE = 10_000  # requests the log keeps, newest last (a long run would otherwise fill the memory)

TIER_LIMITS = {"free": 10_000, "starter": 30_000, "creator": 100_000, "pro": 500_000,
               "scale": 2_000_000, "business": 11_000_000}
TIER_CONCURRENCY = {"free": 2, "starter": 3, "creator": 5, "pro": 10, "scale": 15, "business": 15}


@dataclass
class Account:
    """One API key: its tier, character quota, concurrency limit and live usage."""

    key: str
    tier: str = "pro"
    character_limit: int = 500_000
    max_concurrency: int = 10
    character_count: int = 0
    in_flight: int = 0
    user_id: str = field(default_factory=lambda: "mockuser" + secrets.token_hex(6))


@dataclass
class Fault:
    """One injected failure: `kind` is an HTTP status, "drop", "stall" or "delay"."""

    kind: str
    arg: int = 0
    remaining: int = 1  # -1 = forever
    path: str = ""  # only requests whose path contains this
    probability: float | None = None  # fire on this share of matching requests, forever

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "arg": self.arg, "remaining": self.remaining, "path": self.path,
                "probability": self.probability}


_FAULT_RE = re.compile(
    r"^(?P<kind>\d{3}|drop|stall|delay|badjson|ctype|truncate|busy|quota|timeout)(?:@(?P<arg>\d+))?"
    r"(?:x(?P<count>\d+|\*)|%(?P<percent>\d+(?:\.\d+)?))?(?::(?P<path>/\S*))?$"
)


def parse_fault(spec: str) -> Fault:
    """`429x2`, `500`, `drop@4096`, `stall@2000`, `delay@300x*`, `429%10` (10 % of requests),
    optionally followed by `:/v1/models`."""
    m = _FAULT_RE.match(spec.strip())
    if not m:
        raise ValueError(
            f"bad fault {spec!r}: use STATUS, busy, quota, timeout, drop@BYTES, stall@MS, delay@MS, badjson, "
            "ctype or truncate@BYTES, optionally followed by xN (x* = always) or %P (P % of requests) and :/path"
        )
    kind = m["kind"]
    if kind.isdigit() and not 400 <= int(kind) <= 599:
        raise ValueError(f"bad fault {spec!r}: status must be 400-599")
    if kind in ("drop", "stall", "delay") and m["arg"] is None:
        raise ValueError(f"bad fault {spec!r}: {kind} needs @N")
    count = m["count"]
    remaining = -1 if count == "*" or m["percent"] else int(count or 1)
    probability = float(m["percent"]) / 100 if m["percent"] else None
    if probability is not None and not 0 < probability <= 1:
        raise ValueError(f"bad fault {spec!r}: the percentage must be in (0, 100]")
    return Fault(kind, int(m["arg"] or 0), remaining, m["path"] or "", probability)


def load_accounts(path: Path) -> list[Account]:
    """Accounts from TOML (`[[account]]` tables) or JSON (a list or {"accounts": [...]})."""
    text = path.read_text(encoding="utf-8")
    data: Any = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    if isinstance(data, dict):
        data = data.get("account", data.get("accounts", []))
    out = []
    for item in data:
        tier = str(item.get("tier", "pro"))
        out.append(Account(
            key=str(item["key"]),
            tier=tier,
            character_limit=int(item.get("character_limit", item.get("quota", TIER_LIMITS.get(tier, 500_000)))),
            max_concurrency=int(item.get("max_concurrency", item.get("concurrency", TIER_CONCURRENCY.get(tier, 10)))),
        ))
    return out


class MockState:
    """Everything one server instance remembers; safe to use from the event loop and threads."""

    def __init__(self, accounts: list[Account], ttfb_ms: float = 0.0, rtf: float = 0.0,
                 faults: list[Fault] | None = None, log_size: int = LOG_SIZE) -> None:
        self.accounts = {a.key: a for a in accounts}
        self.ttfb = ttfb_ms / 1000.0
        self.rtf = rtf
        self.faults: list[Fault] = list(faults or [])
        self.log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self._logged = 0  # requests recorded since the start or the last clear_log: the next `seq`
        self.tokens: dict[str, tuple[str, float, str]] = {}
        self.lock = threading.Lock()
        self.peak_concurrency: dict[str, int] = {}
        self._random = random.Random(0)  # reproducible fault sequences
        from eleven_mock.history import History

        self.history = History()  # every account's generations (GET /v1/history)
        from eleven_mock.dictionaries import DictionaryStore

        self.dictionaries = DictionaryStore()  # every account's pronunciation dictionaries

    # --- faults -----------------------------------------------------------------------------
    def take_fault(self, path: str, kinds: tuple[str, ...] | None = None) -> Fault | None:
        """The first matching fault for this request, consumed once."""
        with self.lock:
            for f in self.faults:
                if f.path and f.path not in path:
                    continue
                is_status = f.kind.isdigit()
                if kinds is not None and f.kind not in kinds and not (is_status and "status" in kinds):
                    continue
                if f.probability is not None:
                    if self._random.random() >= f.probability:
                        continue
                    return Fault(f.kind, f.arg, -1, f.path, f.probability)
                if f.remaining > 0:
                    f.remaining -= 1
                if f.remaining == 0:
                    self.faults.remove(f)
                return Fault(f.kind, f.arg, f.remaining, f.path)
        return None

    # --- keys and accounts ------------------------------------------------------------------
    def account(self, key: str | None) -> Account | None:
        return self.accounts.get(key) if key else None

    def issue_token(self, key: str, kind: str = "tts_websocket") -> str:
        token = "sutkn_" + secrets.token_urlsafe(24)
        now = time.time()
        with self.lock:
            for old in [t for t, (_, expires, _) in self.tokens.items() if expires < now]:
                del self.tokens[old]  # expired unused: they would only grow the dict and slow `redact`
            self.tokens[token] = (key, now + 15 * 60, kind)
        return token

    def redeem_token(self, token: str, kind: str = "tts_websocket") -> Account | None:
        """A single-use token is valid once, for 15 minutes, for the kind of socket it was issued for."""
        with self.lock:
            entry = self.tokens.pop(token, None)
        if entry is None or entry[1] < time.time() or entry[2] != kind:
            return None
        return self.accounts.get(entry[0])

    def acquire(self, account: Account) -> bool:
        """Count one more concurrent request; False when over the account's limit."""
        with self.lock:
            if account.in_flight >= account.max_concurrency:
                return False
            account.in_flight += 1
            peak = self.peak_concurrency.get(account.key, 0)
            self.peak_concurrency[account.key] = max(peak, account.in_flight)
            return True

    def release(self, account: Account) -> None:
        with self.lock:
            account.in_flight = max(0, account.in_flight - 1)

    def charge(self, account: Account, characters: int) -> bool:
        """Bill characters; False (nothing billed) when the quota would be exceeded."""
        with self.lock:
            if account.character_count + characters > account.character_limit:
                return False
            account.character_count += characters
            return True

    # --- request log ------------------------------------------------------------------------
    def redact(self, value: Any) -> Any:
        """Replace every known key and token in a logged value."""
        if isinstance(value, str):
            for secret in list(self.accounts) + list(self.tokens):
                if secret and secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: (REDACTED if k.lower() in ("xi-api-key", "authorization") and v else self.redact(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.redact(v) for v in value]
        return value

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Log a request (the oldest entry goes once LOG_SIZE are kept); `seq` counts every one recorded."""
        entry = self.redact(entry)
        entry["time"] = time.time()
        with self.lock:
            entry["seq"] = self._logged
            self._logged += 1
            self.log.append(entry)
        return entry

    def logged(self) -> list[dict[str, Any]]:
        """The request log, oldest first."""
        with self.lock:
            return list(self.log)

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()
            self._logged = 0
