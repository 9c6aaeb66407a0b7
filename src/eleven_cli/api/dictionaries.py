"""Pronunciation dictionaries on the account: the published API's endpoints over our HTTP client.

    POST /v1/pronunciation-dictionaries/add-from-rules   JSON {name, rules, description?, workspace_access?}
    POST /v1/pronunciation-dictionaries/add-from-file    multipart: name, file (the .pls), description?, ...
    GET  /v1/pronunciation-dictionaries/{id}             metadata and the latest version's rules
    GET  /v1/pronunciation-dictionaries                  ?cursor, page_size (1..100), sort, sort_direction
    GET  /v1/pronunciation-dictionaries/{id}/{version_id}/download   the version as a PLS file (text/plain)

Rules go over the wire as the service's rule models: {"type": "alias", "string_to_replace", "alias",
"case_sensitive", "word_boundaries"} or {"type": "phoneme", ..., "phoneme", "alphabet"}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from eleven_cli.api.http import Client
from eleven_cli.errors import NetworkError

BASE = "/v1/pronunciation-dictionaries"
WORKSPACE_ACCESS = ("admin", "editor", "commenter", "viewer")


@dataclass(frozen=True)
class Dictionary:
    """A pronunciation dictionary as the service describes it; `version_id` is the latest version (or the
    one just created), `rules` only where the answer lists them (get)."""

    id: str
    name: str
    version_id: str
    rules_count: int
    created_by: str | None = None
    creation_time_unix: int | None = None
    description: str | None = None
    archived_time_unix: int | None = None
    permission_on_resource: str | None = None
    rules: list[dict[str, Any]] | None = field(default=None, compare=False)

    @property
    def locator(self) -> str:
        """`ID:VERSION`, as `--dict` and `dictionaries=[...]` take it."""
        return f"{self.id}:{self.version_id}"


def _dictionary(data: Any, path: str) -> Dictionary:
    """A Dictionary from an add, get or list answer (they name the version fields differently)."""
    try:
        version = data["version_id"] if "version_id" in data else data["latest_version_id"]
        count = data["version_rules_num"] if "version_rules_num" in data else data["latest_version_rules_num"]
        return Dictionary(id=str(data["id"]), name=str(data["name"]), version_id=str(version),
                          rules_count=int(count), created_by=data.get("created_by"),
                          creation_time_unix=data.get("creation_time_unix"), description=data.get("description"),
                          archived_time_unix=data.get("archived_time_unix"),
                          permission_on_resource=data.get("permission_on_resource"), rules=data.get("rules"))
    except (KeyError, TypeError, ValueError) as exc:
        raise NetworkError(f"the answer for {path} is not a pronunciation dictionary (no {exc})",
                           hint="check --base-url points at the ElevenLabs API") from None


class Dictionaries:
    """The pronunciation-dictionary endpoints over one `eleven_cli.api.http.Client`."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def add_from_rules(self, name: str, rules: list[dict[str, Any]], *, description: str | None = None,
                       workspace_access: str | None = None) -> Dictionary:
        body: dict[str, Any] = {"name": name, "rules": rules}
        if description is not None:
            body["description"] = description
        if workspace_access is not None:
            body["workspace_access"] = workspace_access
        path = f"{BASE}/add-from-rules"
        return _dictionary(self.client._json("POST", path, json_body=body), path)

    def add_from_file(self, name: str, pls: bytes, *, filename: str = "lexicon.pls",
                      description: str | None = None, workspace_access: str | None = None) -> Dictionary:
        """Multipart form fields `name`, `description`, `workspace_access` and the file part `file`."""
        form = {"name": name}
        if description is not None:
            form["description"] = description
        if workspace_access is not None:
            form["workspace_access"] = workspace_access
        path = f"{BASE}/add-from-file"
        answer = self.client._json("POST", path, form=form, files={"file": (filename, pls, "application/pls+xml")})
        return _dictionary(answer, path)

    def get(self, dictionary_id: str) -> Dictionary:
        path = f"{BASE}/{quote(dictionary_id, safe='')}"
        return _dictionary(self.client._json("GET", path), path)

    def page(self, *, cursor: str | None = None, page_size: int = 100, sort: str | None = None,
             sort_direction: str | None = None) -> tuple[list[Dictionary], str | None]:
        """One page of the account's dictionaries and the cursor of the next (None at the end)."""
        params = {"page_size": str(page_size)}
        for key, value in (("cursor", cursor), ("sort", sort), ("sort_direction", sort_direction)):
            if value is not None:
                params[key] = value
        answer = self.client._json("GET", BASE, params=params)
        try:
            items = [_dictionary(d, BASE) for d in answer["pronunciation_dictionaries"]]
            more = bool(answer.get("has_more")) and answer.get("next_cursor")
        except (KeyError, TypeError) as exc:
            raise NetworkError(f"the answer for {BASE} is not a list of dictionaries (no {exc})") from None
        return items, (str(answer["next_cursor"]) if more else None)

    def list_all(self, *, page_size: int = 100) -> Iterator[Dictionary]:
        """Every dictionary on the account, page after page."""
        cursor: str | None = None
        while True:
            items, cursor = self.page(cursor=cursor, page_size=page_size)
            yield from items
            if cursor is None:
                return

    def download(self, dictionary_id: str, version_id: str) -> str:
        """The rules of one version as a PLS document."""
        path = f"{BASE}/{quote(dictionary_id, safe='')}/{quote(version_id, safe='')}/download"
        response, _ = self.client._open("GET", path)
        return response.text
