"""A lexicon: the words a book says its own way, read from a simple list or a W3C PLS file (pure).

The list form, one rule a line (UTF-8):

    # a comment; blank lines are skipped
    Nginx = engine x          # a comment after the rule, after a space
    "New York" = "noo york"   # quotes keep spaces, `=` and `#`; \\" and \\\\ inside them
    tomato = /təˈmeɪtoʊ/      # between slashes: a phoneme, in IPA

Case: a word written with a capital letter matches only as written (`Nginx` is not `NGINX`); a word
written all in lower case matches in any case (`nginx` is `Nginx` and `NGINX`). Rules match whole
words, first rule first: where two rules could match at the same place, the earlier one wins, and a
replacement is never replaced again (the service documents its dictionaries the same way). A word
given twice is an error, since the second could never apply.

A PLS file (`<lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa">`) gives
one rule per `<grapheme>` of each `<lexeme>`, from its `<alias>` or `<phoneme>` (the one marked
`prefer="true"`, else the first); PLS matching is case-sensitive. Phoneme rules are kept as such:
only a model that honours them can use them, and they cannot be applied to text (`split_rules`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from eleven_cli.errors import UsageError

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"


@dataclass(frozen=True)
class Rule:
    """One rule: `grapheme` is said as `alias` (text), or as `phoneme` in `alphabet` ("ipa", ...)."""

    grapheme: str
    alias: str | None = None
    phoneme: str | None = None
    alphabet: str | None = None
    case_sensitive: bool = True
    word_boundaries: bool = True

    @property
    def is_alias(self) -> bool:
        return self.alias is not None

    def to_api(self) -> dict[str, Any]:
        """The rule as the service's add-from-rules body lists it (alias or phoneme rule model)."""
        base: dict[str, Any] = {"string_to_replace": self.grapheme, "case_sensitive": self.case_sensitive,
                                "word_boundaries": self.word_boundaries}
        if self.alias is not None:
            return {**base, "type": "alias", "alias": self.alias}
        return {**base, "type": "phoneme", "phoneme": self.phoneme or "", "alphabet": self.alphabet or "ipa"}

    def describe(self) -> str:
        said = self.alias if self.alias is not None else f"/{self.phoneme}/ ({self.alphabet})"
        return f"{self.grapheme} = {said}"


# --- reading ------------------------------------------------------------------------------------------------
def read_lexicon(path: str | Path) -> list[Rule]:
    """The rules of a lexicon file, in its order; a bad line is one UsageError naming FILE:LINE."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{p}: no such lexicon file") from None
    except IsADirectoryError:
        raise UsageError(f"{p}: is a directory, not a lexicon file") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read the lexicon: {exc.strerror or exc}") from None
    return parse_lexicon(raw, str(p))


def parse_lexicon(data: bytes | str, name: str = "<lexicon>") -> list[Rule]:
    """Rules from a lexicon's content: PLS when it begins with `<`, else the list form."""
    if isinstance(data, bytes):
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            return parse_pls(data, name)  # XML declares its own encoding
        raw = data
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise UsageError(f"{name}:{line}: not UTF-8 text") from None
    text = data.lstrip("\ufeff")
    if text.lstrip().startswith("<"):
        return parse_pls(text.encode("utf-8"), name)
    return parse_lines(text, name)


def parse_lines(text: str, name: str = "<lexicon>") -> list[Rule]:
    """The list form (`word = replacement` lines; see the module's docstring)."""
    rules: list[Rule] = []
    seen: dict[tuple[str, bool], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, said, quoted = _split_line(stripped, f"{name}:{number}")
        sensitive = any(ch.isupper() for ch in word)
        key = (word if sensitive else word.lower(), sensitive)
        if key in seen:
            raise UsageError(f"{name}:{number}: {word!r} is already given on line {seen[key]}")
        seen[key] = number
        m = None if quoted else re.fullmatch(r"/(.+)/", said)
        if m:
            rules.append(Rule(word, phoneme=m.group(1).strip(), alphabet="ipa", case_sensitive=sensitive))
        else:
            rules.append(Rule(word, alias=said, case_sensitive=sensitive))
    return rules


def _quoted(s: str, where: str) -> tuple[str, str]:
    """A quoted string at the start of `s` (which begins with `"`): (its value, the rest)."""
    out = []
    i = 1
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s) and s[i + 1] in '"\\':
            out.append(s[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), s[i + 1 :]
        out.append(ch)
        i += 1
    raise UsageError(f"{where}: a quote is not closed")


def _split_line(line: str, where: str) -> tuple[str, str, bool]:
    """(word, what it is said as, whether that was quoted) of one rule line."""
    if line.startswith('"'):
        word, rest = _quoted(line, where)
        rest = rest.lstrip()
        if not rest.startswith("="):
            raise UsageError(f"{where}: expected `=` after the quoted word, as in `\"New York\" = noo york`")
        rest = rest[1:]
    else:
        if "=" not in line:
            raise UsageError(f"{where}: expected `word = replacement`, got {line[:60]!r}")
        word, rest = line.split("=", 1)
        word = word.strip()
        if '"' in word:
            raise UsageError(f"{where}: quote the whole word, as in `\"New York\" = noo york`")
    rest = rest.strip()
    quoted = rest.startswith('"')
    if quoted:
        said, tail = _quoted(rest, where)
        tail = tail.strip()
        if tail and not tail.startswith("#"):
            raise UsageError(f"{where}: unexpected {tail[:30]!r} after the quoted replacement")
    else:
        said = re.split(r"(?:^|\s)#", rest, maxsplit=1)[0].strip()
    if not word.strip():
        raise UsageError(f"{where}: the word before `=` is empty")
    if not said.strip():
        raise UsageError(f"{where}: nothing after `=` for {word!r}")
    if not any(ch.isalnum() for ch in word):
        raise UsageError(f"{where}: {word!r} has no letter or digit to match")
    return word, said, quoted


# --- PLS ------------------------------------------------------------------------------------------------------
@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list[_Node] | None = None


def _local(tag: str) -> str:
    return tag.rsplit(" ", 1)[-1]  # expat with namespaces: "URI local"


def _read_xml(data: bytes, name: str) -> _Node:
    """A small element tree with line numbers; no DTDs or entities (a PLS needs neither)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[_Node] = []
    root: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(_local(tag), {_local(k): v for k, v in attrs.items()}, parser.CurrentLineNumber, "", [])
        if stack:
            assert stack[-1].children is not None
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    def refuse(*_: Any) -> None:
        raise UsageError(f"{name}:{parser.CurrentLineNumber}: a DOCTYPE or entity declaration; a PLS file "
                         "needs neither")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise UsageError(f"{name}:{exc.lineno}: not well-formed XML ({expat.ErrorString(exc.code)})") from None
    return root[0]


def parse_pls(data: bytes, name: str = "<lexicon>") -> list[Rule]:
    """The rules of a W3C PLS 1.0 document."""
    root = _read_xml(data, name)
    if root.tag != "lexicon":
        raise UsageError(f"{name}:{root.line}: the root element is <{root.tag}>, not a PLS <lexicon>")
    default_alphabet = root.attrs.get("alphabet") or "ipa"
    rules: list[Rule] = []
    for lexeme in root.children or []:
        if lexeme.tag != "lexeme":
            continue
        where = f"{name}:{lexeme.line}"
        kids = lexeme.children or []
        graphemes = [" ".join(k.text.split()) for k in kids if k.tag == "grapheme"]
        if not graphemes or not all(graphemes):
            raise UsageError(f"{where}: a <lexeme> without a (non-empty) <grapheme>")
        said = [k for k in kids if k.tag in ("alias", "phoneme")]
        if not said:
            raise UsageError(f"{where}: <lexeme> {graphemes[0]!r} has neither <alias> nor <phoneme>")
        chosen = next((k for k in said if k.attrs.get("prefer") == "true"), said[0])
        value = " ".join(chosen.text.split())
        if not value:
            raise UsageError(f"{where}: <{chosen.tag}> of {graphemes[0]!r} is empty")
        for g in graphemes:
            if chosen.tag == "alias":
                rules.append(Rule(g, alias=value))
            else:
                rules.append(Rule(g, phoneme=value, alphabet=chosen.attrs.get("alphabet") or default_alphabet))
    if not rules:
        raise UsageError(f"{name}: the lexicon has no <lexeme>")
    return rules


def _variants(rule: Rule) -> list[str]:
    """The spellings a PLS must list for a rule (PLS graphemes match as written)."""
    if rule.case_sensitive:
        return [rule.grapheme]
    g = rule.grapheme
    return list(dict.fromkeys([g, g.lower(), g.upper(), g[:1].upper() + g[1:], g.title()]))


def to_pls(rules: list[Rule], lang: str = "en-US") -> str:
    """A W3C PLS document of the rules. A rule that matches in any case lists its usual spellings
    (nginx, NGINX, Nginx) as graphemes, since PLS graphemes match as written."""
    alphabets = [r.alphabet for r in rules if r.phoneme is not None and r.alphabet]
    default = alphabets[0] if alphabets else "ipa"
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<lexicon version="1.0" xmlns="{PLS_NS}" alphabet={quoteattr(default)} xml:lang={quoteattr(lang)}>']
    for rule in rules:
        out.append("  <lexeme>")
        out += [f"    <grapheme>{escape(g)}</grapheme>" for g in _variants(rule)]
        if rule.alias is not None:
            out.append(f"    <alias>{escape(rule.alias)}</alias>")
        else:
            attr = "" if (rule.alphabet or "ipa") == default else f" alphabet={quoteattr(rule.alphabet or 'ipa')}"
            out.append(f"    <phoneme{attr}>{escape(rule.phoneme or '')}</phoneme>")
        out.append("  </lexeme>")
    out.append("</lexicon>")
    return "\n".join(out) + "\n"


# --- using the rules -------------------------------------------------------------------------------------------
def split_rules(rules: list[Rule]) -> tuple[list[Rule], list[Rule]]:
    """(alias rules, phoneme rules): only the first can be applied to text."""
    return [r for r in rules if r.is_alias], [r for r in rules if not r.is_alias]


@lru_cache(maxsize=16)
def _pattern(rules: tuple[Rule, ...]) -> re.Pattern[str] | None:
    parts = []
    for i, r in enumerate(rules):
        body = re.escape(r.grapheme)
        if r.word_boundaries:
            body = rf"(?<!\w){body}(?!\w)"
        parts.append(f"(?P<r{i}>{body if r.case_sensitive else f'(?i:{body})'})")
    return re.compile("|".join(parts)) if parts else None


def apply_rules(text: str, rules: list[Rule]) -> str:
    """`text` with the alias rules applied (whole words, in one pass, the earlier rule first where two
    match at the same place). Phoneme rules are left out: `split_rules` says which those are."""
    aliases = tuple(split_rules(rules)[0])
    pattern = _pattern(aliases)
    if pattern is None:
        return text
    return pattern.sub(lambda m: aliases[int((m.lastgroup or "r0")[1:])].alias or "", text)


def content_hash(rules: list[Rule]) -> str:
    """A hex SHA-256 of what the rules do (order included; comments, spacing and file form not)."""
    canon = json.dumps([r.to_api() for r in rules], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()
