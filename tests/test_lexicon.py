"""Lexicons (book/lexicon.py): both file forms read into rules, bad lines named by file and line,
rules applied to text as the service applies a dictionary, PLS written back, the content hash."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eleven_cli.book.lexicon import (
    Rule,
    apply_rules,
    content_hash,
    parse_lexicon,
    parse_pls,
    read_lexicon,
    split_rules,
    to_pls,
)
from eleven_cli.errors import ExitCode, UsageError

LINES = """\ufeff# names the narrator gets wrong

Nginx = engine x          # a comment after the rule
kubectl = kube control
"New York" = "noo york"
"say \\"hi\\"" = say hello
C# = see sharp
tomato = /təˈmeɪtoʊ/
hash = "number # one"
Unquoted Spaces = fine too
"""

PLS = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-GB">
  <!-- a comment -->
  <lexeme>
    <grapheme>UN</grapheme>
    <alias>United Nations</alias>
  </lexeme>
  <lexeme>
    <grapheme>Apple</grapheme>
    <grapheme>apple</grapheme>
    <phoneme>\xcb\x88\xc3\xa6pl\xcc\xa9</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>tomato</grapheme>
    <phoneme alphabet="x-cmu">T AH0 M EY1 T OW2</phoneme>
    <alias prefer="true">toe mah toe</alias>
  </lexeme>
</lexicon>
"""


def test_the_list_form() -> None:
    rules = parse_lexicon(LINES, "names.txt")
    assert rules == [
        Rule("Nginx", alias="engine x"),
        Rule("kubectl", alias="kube control", case_sensitive=False),
        Rule("New York", alias="noo york"),
        Rule('say "hi"', alias="say hello", case_sensitive=False),
        Rule("C#", alias="see sharp"),
        Rule("tomato", phoneme="təˈmeɪtoʊ", alphabet="ipa", case_sensitive=False),
        Rule("hash", alias="number # one", case_sensitive=False),
        Rule("Unquoted Spaces", alias="fine too"),
    ]
    assert parse_lexicon(LINES.encode(), "names.txt") == rules  # bytes, BOM and all


def test_a_pls_file() -> None:
    rules = parse_lexicon(PLS, "names.pls")
    assert rules == [
        Rule("UN", alias="United Nations"),
        Rule("Apple", phoneme="ˈæpl̩", alphabet="ipa"),
        Rule("apple", phoneme="ˈæpl̩", alphabet="ipa"),
        Rule("tomato", alias="toe mah toe"),  # the preferred pronunciation
    ]
    assert all(r.case_sensitive for r in rules)  # PLS graphemes match as written
    plain = b'<lexicon version="1.0" alphabet="x-cmu"><lexeme><grapheme>Ada</grapheme><phoneme>EY1 D AH0</phoneme>' \
            b"</lexeme></lexicon>"
    assert parse_pls(plain) == [Rule("Ada", phoneme="EY1 D AH0", alphabet="x-cmu")]  # no namespace, its alphabet


@pytest.mark.parametrize(("text", "message"), [
    ("Nginx engine x", "names.txt:1: expected `word = replacement`"),
    ("# fine\n = engine x", "names.txt:2: the word before `=` is empty"),
    ("Nginx =   # nothing", "names.txt:1: nothing after `=` for 'Nginx'"),
    ('"New York = noo york', "names.txt:1: a quote is not closed"),
    ('"New York" noo york', "names.txt:1: expected `=` after the quoted word"),
    ('New "York" = x', "names.txt:1: quote the whole word"),
    ('York = "noo" york', "names.txt:1: unexpected 'york' after the quoted replacement"),
    ("Nginx = a\n\nNginx = b", "names.txt:3: 'Nginx' is already given on line 1"),
    ("nginx = a\nNGINX2 = c\nNginx = b\nNGINX = d", None),  # different words, or exact over any-case: fine
    ("kubectl = a\nKubectl = b", None),
    ("x = a\nkubectl = a\nkubectl = b", "names.txt:3: 'kubectl' is already given on line 2"),
    ("... = dots", "names.txt:1: '...' has no letter or digit to match"),
])
def test_bad_lines_name_the_file_and_line(text: str, message: str | None) -> None:
    if message is None:
        assert parse_lexicon(text, "names.txt")
        return
    with pytest.raises(UsageError) as caught:
        parse_lexicon(text, "names.txt")
    assert caught.value.message.startswith(message), caught.value.message
    assert caught.value.exit_code == ExitCode.USAGE and "\n" not in caught.value.line()


@pytest.mark.parametrize(("data", "message"), [
    (b"<lexicon><lexeme><grapheme>a</grapheme>\n<alias>b</alias></lexicon>", "x.pls:2: not well-formed XML"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE lexicon [<!ENTITY a "aaaa">]>\n<lexicon/>', "x.pls:2: a DOCTYPE"),
    (b"<speak>hi</speak>", "x.pls:1: the root element is <speak>"),
    (b"<lexicon>\n\n<lexeme><alias>b</alias></lexeme></lexicon>", "x.pls:3: a <lexeme> without"),
    (b"<lexicon>\n<lexeme><grapheme>a</grapheme></lexeme></lexicon>", "x.pls:2: <lexeme> 'a' has neither"),
    (b"<lexicon>\n<lexeme><grapheme>a</grapheme><alias> </alias></lexeme></lexicon>", "x.pls:2: <alias> of 'a'"),
    (b"<lexicon></lexicon>", "x.pls: the lexicon has no <lexeme>"),
    (b"Nginx = engine\n\xff x", "x.pls:2: not UTF-8 text"),
])
def test_bad_pls_and_bytes(data: bytes, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_lexicon(data, "x.pls")
    assert caught.value.message.startswith(message), caught.value.message


def test_reading_files(tmp_path) -> None:
    (tmp_path / "l.pls").write_bytes(PLS)
    assert len(read_lexicon(tmp_path / "l.pls")) == 4
    with pytest.raises(UsageError, match="no such lexicon file"):
        read_lexicon(tmp_path / "missing.txt")
    with pytest.raises(UsageError, match="is a directory"):
        read_lexicon(tmp_path)


def test_rules_apply_to_whole_words_in_one_pass() -> None:
    rules = parse_lexicon(LINES)
    said = apply_rules("Nginx, NGINX and nginx; Nginxes. (Nginx) New York's kubectl KUBECTL C# C#m tomato", rules)
    assert said == "engine x, NGINX and nginx; Nginxes. (engine x) noo york's kube control kube control " \
                   "see sharp C#m tomato"
    chain = [Rule("A", alias="B"), Rule("B", alias="C")]
    assert apply_rules("A B", chain) == "B C"  # a replacement is never replaced again
    first = [Rule("New", alias="nu"), Rule("New York", alias="noo york")]
    assert apply_rules("New York", first) == "nu York"  # the earlier rule wins at the same place
    inside = [Rule("ab", alias="X", word_boundaries=False)]
    assert apply_rules("cabbage ab", inside) == "cXbage X"
    assert apply_rules("text", []) == "text"


def test_phoneme_rules_are_not_text() -> None:
    rules = parse_lexicon(LINES)
    aliases, phonemes = split_rules(rules)
    assert [r.grapheme for r in phonemes] == ["tomato"] and len(aliases) == len(rules) - 1
    assert apply_rules("tomato", rules) == "tomato"
    assert phonemes[0].to_api() == {"string_to_replace": "tomato", "type": "phoneme", "phoneme": "təˈmeɪtoʊ",
                                    "alphabet": "ipa", "case_sensitive": False, "word_boundaries": True}
    assert aliases[0].to_api() == {"string_to_replace": "Nginx", "type": "alias", "alias": "engine x",
                                   "case_sensitive": True, "word_boundaries": True}


def test_pls_written_back() -> None:
    exact = [Rule("AT&T", alias="A T and T"), Rule("<b>", alias="bold"), Rule("Ada", phoneme="EY1 D AH0",
             alphabet="x-cmu"), Rule("Apple", phoneme="ˈæpl̩", alphabet="ipa")]
    assert parse_pls(to_pls(exact).encode()) == exact
    loose = parse_pls(to_pls([Rule("kubectl", alias="kube control", case_sensitive=False)]).encode())
    assert [r.grapheme for r in loose] == ["kubectl", "KUBECTL", "Kubectl"]  # PLS matches as written
    assert {r.alias for r in loose} == {"kube control"}


def test_the_hash_is_of_what_the_rules_do() -> None:
    a = parse_lexicon("Nginx = engine x\nUN = United Nations\n")
    b = parse_lexicon('# the same, written differently\n  "Nginx"="engine x"   # x\n\nUN =  "United Nations"\n')
    pls = parse_lexicon(to_pls(a).encode())
    assert content_hash(a) == content_hash(b) == content_hash(pls)
    # Pinned: a change in what is hashed would make every user's dictionaries anew.
    canon = ('[{"alias":"engine x","case_sensitive":true,"string_to_replace":"Nginx","type":"alias",'
             '"word_boundaries":true},{"alias":"United Nations","case_sensitive":true,"string_to_replace":"UN",'
             '"type":"alias","word_boundaries":true}]')
    assert content_hash(a) == hashlib.sha256(canon.encode()).hexdigest() == \
        "b53b23b8debd74b350921cd3d5e4b15962af6e6b904372d70ffa89d5c35811e7"
    assert content_hash(list(reversed(a))) != content_hash(a)  # order decides which rule wins
    assert content_hash(parse_lexicon("nginx = engine x\nUN = United Nations\n")) != content_hash(a)


words = st.sampled_from(["Nginx", "nginx", "NGINX", "UN", "un", "York", "New", "C#", "x", "a"])
seps = st.sampled_from([" ", ", ", ". ", "-", "'", "\n", ""])


@given(st.lists(st.tuples(words, seps), max_size=12))
def test_the_client_and_the_mock_say_the_same(parts: list[tuple[str, str]]) -> None:
    """The mock speaks a dictionary's aliases the way apply_rules writes them (two implementations: the
    mock may not import the client)."""
    from eleven_mock.dictionaries import spoken

    rules = parse_lexicon('Nginx = engine x\nun = United Nations\n"New York" = noo york\nC# = see sharp\n'
                          "x = ex\nyork = yawk\n")
    text = "".join(w + s for w, s in parts)
    assert apply_rules(text, rules) == spoken(text, [r.to_api() for r in rules])
