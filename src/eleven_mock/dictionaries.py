"""Pronunciation dictionaries: the published API's endpoints, per account, and their alias rules heard.

    POST /v1/pronunciation-dictionaries/add-from-rules       JSON: name, rules, description?, workspace_access?
    POST /v1/pronunciation-dictionaries/add-from-file        multipart: name, file (a PLS), description?, ...
    GET  /v1/pronunciation-dictionaries                      ?cursor, page_size 1..100 (30), sort, sort_direction
    GET  /v1/pronunciation-dictionaries/{id}                 metadata and the latest version's rules
    GET  /v1/pronunciation-dictionaries/{id}/{version}/download   that version as a PLS file (text/plain)

A synthesis (text to speech or dialogue, HTTP or the stream-input sockets) whose
`pronunciation_dictionary_locators` name stored dictionaries speaks its text with their
alias rules applied (whole words, the first rule first, one pass, dictionaries in the order given), so
the alignment spells the replacement; phoneme rules are kept but not heard (espeak reads no IPA).
A locator naming no dictionary of the account, or a version it does not have, is the service's 404
`pronunciation_dictionary_not_found` (on a socket: that error and close 1008). A PLS that cannot be
read is 400 `invalid_pls_file` (the mock's choice; the service does not document one).
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from eleven_mock.validate import ApiFailure, Problems, fail, json_object

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
ACCESS = ("admin", "editor", "commenter", "viewer")


def _new_id() -> str:
    return secrets.token_urlsafe(15).replace("-", "x").replace("_", "y")


@dataclass
class Stored:
    id: str
    name: str
    created_by: str
    description: str | None
    created: int
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # version id -> rules, oldest first

    @property
    def latest(self) -> str:
        return next(reversed(self.versions))

    def metadata(self) -> dict[str, Any]:
        return {"id": self.id, "latest_version_id": self.latest,
                "latest_version_rules_num": len(self.versions[self.latest]), "name": self.name,
                "permission_on_resource": "admin", "created_by": self.created_by,
                "creation_time_unix": self.created, "archived_time_unix": None, "description": self.description}


class DictionaryStore:
    """Every account's dictionaries, by account key then id (creation order)."""

    def __init__(self) -> None:
        self._by_key: dict[str, dict[str, Stored]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, user_id: str, name: str, description: str | None,
            rules: list[dict[str, Any]]) -> tuple[Stored, str]:
        item = Stored(_new_id(), name, user_id, description, int(time.time()))
        version = _new_id()
        item.versions[version] = rules
        with self._lock:
            self._by_key.setdefault(key, {})[item.id] = item
        return item, version

    def all(self, key: str) -> list[Stored]:
        with self._lock:
            return list(self._by_key.get(key, {}).values())

    def find(self, key: str, dictionary_id: str, version: str | None = None) -> tuple[Stored, str]:
        """A dictionary and one of its versions (the latest when `version` is None), or the service's 404."""
        with self._lock:
            item = self._by_key.get(key, {}).get(dictionary_id)
        if item is None or (version is not None and version not in item.versions):
            what = f"version {version} of " if item is not None else ""
            raise fail(404, "pronunciation_dictionary_not_found",
                       f"Could not find {what}the pronunciation dictionary with id {dictionary_id}.")
        return item, version or item.latest

    def rules_for(self, key: str, locators: Any, latest_word: bool = False) -> list[dict[str, Any]]:
        """The rules of the locators' dictionaries, in order (checked: each must exist). `latest_word`: the
        sockets' `"version_id": "latest"` means the latest version."""
        rules: list[dict[str, Any]] = []
        for loc in locators or []:
            version = loc.get("version_id")
            if latest_word and version == "latest":
                version = None
            item, v = self.find(key, loc["pronunciation_dictionary_id"], version)
            rules += item.versions[v]
        return rules


# --- rules: checked, read from PLS, written as PLS, applied ---------------------------------------------------
def check_rules(p: Problems, rules: Any) -> list[dict[str, Any]]:
    """The add-from-rules `rules`, as the service's models check them; returns them with defaults."""
    if not isinstance(rules, list):
        p.add("list_type", ["body", "rules"], "Input should be a valid list", rules)
        return []
    out = []
    for i, rule in enumerate(rules):
        loc: list[Any] = ["body", "rules", i]
        if not isinstance(rule, dict):
            p.add("model_attributes_type", loc, "Input should be a valid dictionary or object", rule)
            continue
        kind = rule.get("type")
        if kind not in ("alias", "phoneme"):
            p.add("union_tag_invalid", [*loc, "type"], "Input tag does not match any of the expected tags: "
                  "'alias', 'phoneme'", kind)
            continue
        needed = ("string_to_replace", "alias") if kind == "alias" else ("string_to_replace", "phoneme", "alphabet")
        for name in needed:
            if name not in rule:
                p.add("missing", [*loc, name], "Field required", rule)
            elif not isinstance(rule[name], str):
                p.add("string_type", [*loc, name], "Input should be a valid string", rule[name])
        if isinstance(rule.get("string_to_replace"), str) and not rule["string_to_replace"]:
            p.add("value_error", [*loc, "string_to_replace"], "Value error, string_to_replace must be a "
                  "non-empty string", "")
        for name in ("case_sensitive", "word_boundaries"):
            if name in rule and not isinstance(rule[name], bool):
                p.add("bool_type", [*loc, name], "Input should be a valid boolean", rule[name])
        out.append({"string_to_replace": rule.get("string_to_replace"), "type": kind,
                    **({"alias": rule.get("alias")} if kind == "alias" else
                       {"phoneme": rule.get("phoneme"), "alphabet": rule.get("alphabet")}),
                    "case_sensitive": rule.get("case_sensitive", True),
                    "word_boundaries": rule.get("word_boundaries", True)})
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_pls(data: bytes) -> list[dict[str, Any]]:
    """The rules of a PLS file (each grapheme of a lexeme, its preferred or first alias or phoneme)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise fail(400, "invalid_pls_file", "The PLS file may not declare a DOCTYPE or entities.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise fail(400, "invalid_pls_file", f"The file is not a valid PLS lexicon: {exc}.") from None
    if _local(root.tag) != "lexicon":
        raise fail(400, "invalid_pls_file", f"The root element is <{_local(root.tag)}>, not a PLS <lexicon>.")
    alphabet = root.get("alphabet") or "ipa"
    rules = []
    for lexeme in root:
        if _local(lexeme.tag) != "lexeme":
            continue
        graphemes = [" ".join((g.text or "").split()) for g in lexeme if _local(g.tag) == "grapheme"]
        said = [s for s in lexeme if _local(s.tag) in ("alias", "phoneme")]
        if not graphemes or not all(graphemes) or not said:
            raise fail(400, "invalid_pls_file", "Each <lexeme> needs a <grapheme> and an <alias> or <phoneme>.")
        chosen = next((s for s in said if s.get("prefer") == "true"), said[0])
        value = " ".join((chosen.text or "").split())
        for g in graphemes:
            rule: dict[str, Any] = {"string_to_replace": g, "type": _local(chosen.tag)}
            if rule["type"] == "alias":
                rule["alias"] = value
            else:
                rule.update(phoneme=value, alphabet=chosen.get("alphabet") or alphabet)
            rules.append({**rule, "case_sensitive": True, "word_boundaries": True})
    return rules


def write_pls(rules: list[dict[str, Any]]) -> str:
    """A version's rules as a PLS document."""
    alphabets = [r["alphabet"] for r in rules if r["type"] == "phoneme"]
    default = alphabets[0] if alphabets else "ipa"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<lexicon version="1.0" xmlns="{PLS_NS}" alphabet={quoteattr(default)} xml:lang="en-US">']
    for r in rules:
        lines += ["  <lexeme>", f"    <grapheme>{escape(r['string_to_replace'])}</grapheme>"]
        if r["type"] == "alias":
            lines.append(f"    <alias>{escape(r['alias'])}</alias>")
        else:
            attr = "" if r["alphabet"] == default else f" alphabet={quoteattr(r['alphabet'])}"
            lines.append(f"    <phoneme{attr}>{escape(r['phoneme'])}</phoneme>")
        lines.append("  </lexeme>")
    return "\n".join([*lines, "</lexicon>"]) + "\n"


@lru_cache(maxsize=64)
def _pattern(rules: tuple[tuple[str, bool, bool], ...]) -> re.Pattern[str]:
    parts = []
    for i, (grapheme, sensitive, bounded) in enumerate(rules):
        body = re.escape(grapheme)
        if bounded:
            body = rf"(?<!\w){body}(?!\w)"
        parts.append(f"(?P<r{i}>{body if sensitive else f'(?i:{body})'})")
    return re.compile("|".join(parts))


def spoken(text: str, rules: list[dict[str, Any]]) -> str:
    """`text` as the service says it with these rules: alias rules applied in one pass, the earlier first."""
    aliases = [r for r in rules if r["type"] == "alias"]
    if not aliases:
        return text
    pattern = _pattern(tuple((r["string_to_replace"], bool(r.get("case_sensitive", True)),
                              bool(r.get("word_boundaries", True))) for r in aliases))
    return pattern.sub(lambda m: aliases[int((m.lastgroup or "r0")[1:])]["alias"], text)


# --- the endpoints ---------------------------------------------------------------------------------------------
def _added(item: Stored, version: str) -> dict[str, Any]:
    return {"id": item.id, "name": item.name, "created_by": item.created_by, "creation_time_unix": item.created,
            "version_id": version, "version_rules_num": len(item.versions[version]),
            "description": item.description, "permission_on_resource": "admin"}


def _common(p: Problems, fields: dict[str, Any], where: str) -> tuple[str, str | None]:
    """`name` (required), `description` and `workspace_access` of an add request."""
    name = fields.get("name")
    if "name" not in fields:
        p.add("missing", [where, "name"], "Field required", None)
    elif not isinstance(name, str):
        p.add("string_type", [where, "name"], "Input should be a valid string", name)
    description = fields.get("description")
    if description is not None and not isinstance(description, str):
        p.add("string_type", [where, "description"], "Input should be a valid string", description)
    access = fields.get("workspace_access")
    if access is not None and access not in ACCESS:
        p.add("enum", [where, "workspace_access"], "Input should be 'admin', 'editor', 'commenter' or 'viewer'",
              access, {"expected": "'admin', 'editor', 'commenter' or 'viewer'"})
    return str(name), description


def _form(request: Request, raw: bytes) -> dict[str, Any]:
    """A multipart/form-data body's fields: text as str, file parts as bytes."""
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        fields[str(name)] = payload if part.get_filename() is not None else payload.decode("utf-8", "replace")
    return fields


async def add_from_rules(request: Request, store: DictionaryStore, key: str, user_id: str) -> Response:
    body = json_object(await request.body())
    p = Problems()
    name, description = _common(p, body, "body")
    if "rules" not in body:
        p.add("missing", ["body", "rules"], "Field required", body)
    rules = check_rules(p, body.get("rules", []))
    p.raise_if_any()
    item, version = store.add(key, user_id, name, description, rules)
    return JSONResponse(_added(item, version))


async def add_from_file(request: Request, store: DictionaryStore, key: str, user_id: str) -> Response:
    fields = _form(request, await request.body())
    p = Problems()
    name, description = _common(p, fields, "body")
    p.raise_if_any()
    data = fields.get("file")
    rules = read_pls(data if isinstance(data, bytes) else str(data).encode()) if data is not None else []
    item, version = store.add(key, user_id, name, description, rules)
    return JSONResponse(_added(item, version))


def _listing(query: dict[str, str], items: list[Stored]) -> dict[str, Any]:
    p = Problems()
    try:
        size = int(query.get("page_size", "30"))
    except ValueError:
        size = -1
    p.number(["query", "page_size"], size, 1, 100, integer=True)
    sort = query.get("sort", "creation_time_unix")
    if sort not in ("creation_time_unix", "name"):
        p.add("enum", ["query", "sort"], "Input should be 'creation_time_unix' or 'name'", sort,
              {"expected": "'creation_time_unix' or 'name'"})
    offset = 0
    if query.get("cursor"):
        try:
            offset = int(base64.urlsafe_b64decode(query["cursor"].encode()).decode().removeprefix("offset:"))
        except ValueError:
            p.add("value_error", ["query", "cursor"], "Invalid cursor", query["cursor"])
    p.raise_if_any()
    ascending = query.get("sort_direction", "descending").lower().startswith("asc")
    indexed = list(enumerate(items))  # creation order breaks ties (names, or times within a second)
    ordered = [d for _, d in sorted(indexed, reverse=not ascending,
                                    key=lambda t: (t[1].name.lower() if sort == "name" else t[1].created, t[0]))]
    page = ordered[offset : offset + size]
    more = offset + size < len(ordered)
    cursor = base64.urlsafe_b64encode(f"offset:{offset + size}".encode()).decode() if more else None
    return {"pronunciation_dictionaries": [d.metadata() for d in page], "next_cursor": cursor, "has_more": more}


async def route(request: Request, store: DictionaryStore, key: str, user_id: str) -> Response:
    """Every /v1/pronunciation-dictionaries endpoint, by path and method."""
    path = request.url.path.rstrip("/")
    params = request.path_params
    if path.endswith("/add-from-rules") and request.method == "POST":
        return await add_from_rules(request, store, key, user_id)
    if path.endswith("/add-from-file") and request.method == "POST":
        return await add_from_file(request, store, key, user_id)
    if "version_id" in params:
        item, version = store.find(key, params["dictionary_id"], params["version_id"])
        filename = re.sub(r"[^\w.-]", "_", item.name) + ".pls"
        return Response(write_pls(item.versions[version]), media_type="text/plain",
                        headers={"content-disposition": f'attachment; filename="{filename}"'})
    if "pronunciation_dictionary_id" in params:
        item, version = store.find(key, params["pronunciation_dictionary_id"])
        return JSONResponse({**item.metadata(), "rules": item.versions[version]})
    return JSONResponse(_listing(dict(request.query_params), store.all(key)))


def locator_failure(exc: ApiFailure) -> tuple[str, str]:
    """(error code, message) of a failed lookup, for a socket's error message."""
    detail = exc.detail if isinstance(exc.detail, dict) else {}
    return str(detail.get("status", "invalid_request")), str(detail.get("message", "Invalid dictionary."))
