"""A lexicon at work: as a pronunciation dictionary on the account, or applied to the text (no typer/rich).

What the service documents (its text-to-speech best practices and "Using pronunciation dictionaries"
guide): every text-to-speech and text-to-dialogue request takes up to 3 `pronunciation_dictionary_locators`;
the alias rules of a dictionary work with all models; phoneme rules (IPA or CMU) only with some
(Eleven Flash v2, Eleven Turbo v2, Eleven English v1, and Eleven v3 in the newer guide) and are silently
skipped by the others. So a lexicon is sent as a dictionary for every model, and its phoneme rules are
named as unheard where the model skips them. The text fallback (aliases applied before sending) is for
a key that may not create dictionaries (`missing_permissions`) or a caller that asks for it.

A dictionary is found again by its name, `eleven-lexicon-<first 12 hex digits of content_hash(rules)>`,
and its latest rules are checked before it is reused, so an edit made on the website is never used
in place of the file's rules: a new dictionary is made instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eleven_cli.api.dictionaries import Dictionaries
from eleven_cli.api.http import Client
from eleven_cli.book.lexicon import Rule, apply_rules, content_hash, split_rules
from eleven_cli.errors import AuthError

NAME_PREFIX = "eleven-lexicon-"
DESCRIPTION = "Made by eleven from a lexicon file; named by its rules' hash, so a later run reuses it."
PHONEME_MODELS = frozenset({"eleven_flash_v2", "eleven_turbo_v2", "eleven_monolingual_v1", "eleven_v3"})
NOT_SPEECH = frozenset({"eleven_multilingual_sts_v2", "eleven_english_sts_v2"})  # voice changers: no text


def dictionary_name(rules: list[Rule]) -> str:
    return NAME_PREFIX + content_hash(rules)[:12]


def model_takes_dictionaries(model_id: str) -> bool:
    """Whether requests with this model honour a dictionary's alias rules: every text-to-speech model."""
    return model_id not in NOT_SPEECH


def model_takes_phonemes(model_id: str) -> bool:
    """Whether this model honours phoneme rules (the others skip them silently)."""
    return model_id in PHONEME_MODELS


def _same(wire: list[dict[str, Any]] | None, rules: list[Rule]) -> bool:
    """Whether the service's rules (as get lists them) are `rules`, defaults filled in."""
    if wire is None:
        return False
    keys = ("type", "string_to_replace", "alias", "phoneme", "alphabet")
    theirs = [tuple(r.get(k) for k in keys) + (r.get("case_sensitive", True), r.get("word_boundaries", True))
              for r in wire]
    ours = [tuple(r.to_api().get(k) for k in keys) + (r.case_sensitive, r.word_boundaries) for r in rules]
    return theirs == ours


def dictionary_for(client: Client, rules: list[Rule]) -> tuple[str, str] | None:
    """(dictionary_id, version_id) of a dictionary on the account holding exactly `rules`: the one a
    previous run made (found by name, its rules checked), else a new one. None when there are no rules."""
    if not rules:
        return None
    api = Dictionaries(client)
    name = dictionary_name(rules)
    for found in api.list_all():
        if found.name == name and found.archived_time_unix is None:
            full = api.get(found.id)
            if _same(full.rules, rules):
                return full.id, full.version_id
    made = api.add_from_rules(name, [r.to_api() for r in rules], description=DESCRIPTION)
    return made.id, made.version_id


@dataclass
class Pronunciation:
    """How a lexicon reaches the service for one model: a locator to send with every request, and/or
    alias rules to apply to the text first; `unheard` are the rules this model will not honour."""

    locator: str | None = None  # "ID:VERSION", for dictionaries=[...] / --dict
    text_rules: list[Rule] = field(default_factory=list)
    unheard: list[Rule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line each, for the caller to print

    @property
    def dictionaries(self) -> list[str]:
        return [self.locator] if self.locator else []

    def text(self, text: str) -> str:
        """The text to send: the alias rules applied when they are not sent as a dictionary."""
        return apply_rules(text, self.text_rules) if self.text_rules else text


def prepare(client: Client, model_id: str, rules: list[Rule], *, in_text: bool = False) -> Pronunciation:
    """The lexicon's way to the service for `model_id`: a dictionary where the model takes one (made or
    reused), else its alias rules in the text. `in_text` asks for the text way; a key that may not make
    dictionaries falls back to it, and says so in `notes`."""
    out = Pronunciation()
    if not rules:
        return out
    aliases, phonemes = split_rules(rules)
    if not in_text and model_takes_dictionaries(model_id):
        try:
            found = dictionary_for(client, rules)
        except AuthError as err:
            if err.code != "missing_permissions":
                raise
            out.notes.append("this key may not create pronunciation dictionaries: the lexicon's replacements "
                             "are made in the text instead")
        else:
            if found:
                out.locator = f"{found[0]}:{found[1]}"
    if out.locator is None:
        out.text_rules = aliases
        out.unheard = phonemes
    elif not model_takes_phonemes(model_id):
        out.unheard = phonemes
    if out.unheard:
        names = ", ".join(r.grapheme for r in out.unheard[:5]) + (" ..." if len(out.unheard) > 5 else "")
        why = "in the text" if out.locator is None else f"by {model_id}"
        out.notes.append(f"{len(out.unheard)} phoneme rule{'s' if len(out.unheard) != 1 else ''} cannot be "
                         f"used {why} ({names}); models that use them: {', '.join(sorted(PHONEME_MODELS))}")
    return out
