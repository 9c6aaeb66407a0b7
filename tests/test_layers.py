"""Where knowledge lives, read from the source with `ast`: codec names only under audio/ and in formats.py; the
atomic writer handles bytes only; the wire (api/) imports nothing of the engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "eleven_cli"
CODECS = {"mp3", "opus", "wav", "pcm", "ulaw", "alaw"}
# Where codec names may be branched on: the codec table and its containers, and the format registry.
ALLOWED = ("audio/", "formats.py")


def _codec_name(node: ast.AST) -> str | None:
    """The codec named by a string literal: "mp3", or a format-name prefix such as "pcm_" / "wav_44100"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        head = node.value.split("_", 1)[0]
        return node.value if head in CODECS else None
    return None


def _names_in(node: ast.AST) -> list[str]:
    """Codec names in a literal or a literal collection (`x in ("pcm", "wav")`)."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [n for elt in node.elts if (n := _codec_name(elt))]
    name = _codec_name(node)
    return [name] if name else []


def codec_branches(source: str) -> list[tuple[int, str]]:
    """(line, what) for every comparison, prefix test, match case or dispatch table on a codec name."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                found += [(node.lineno, f"compares with {name!r}") for name in _names_in(side)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("startswith", "endswith")):
            for arg in node.args:
                found += [(node.lineno, f"{node.func.attr}({name!r})") for name in _names_in(arg)]
        elif isinstance(node, ast.match_case):
            for sub in ast.walk(node.pattern):
                if isinstance(sub, ast.MatchValue) and (name := _codec_name(sub.value)):
                    found.append((sub.lineno, f"case {name!r}"))
        elif isinstance(node, ast.Dict):
            keys = [name for key in node.keys if key is not None and (name := _codec_name(key))]
            if keys:
                found.append((node.lineno, f"a table keyed by {', '.join(map(repr, keys))}"))
    return sorted(set(found))


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if not p.relative_to(SRC).as_posix().startswith(ALLOWED))


def test_no_module_outside_audio_and_formats_branches_on_a_codec_name() -> None:
    """Codec knowledge has one home (audio/codecs.py): everyone else asks `codec_of(fmt)` or a Format property."""
    offenders = []
    for path in _modules():
        for line, what in codec_branches(path.read_text(encoding="utf-8")):
            text = path.read_text(encoding="utf-8").splitlines()[line - 1].strip()
            offenders.append(f"{path.relative_to(SRC)}:{line}: {what}: {text}")
    assert len(_modules()) > 40
    assert not offenders, "codec names branched on outside audio/ and formats.py:\n" + "\n".join(offenders)


@pytest.mark.parametrize("source, expected", [
    ('if fmt.codec == "wav": pass', 1),
    ('x = fmt.codec in ("pcm", "ulaw")', 2),
    ('ok = name.startswith("pcm_")', 1),
    ('match c:\n    case "opus": pass', 1),
    ('table = {"mp3": 1, "wav": 2}[fmt.codec]', 1),
    ('if fmt.streamed != fmt: pass', 0),
    ('name = f"wav_{rate}"  # building a name is no branch', 0),
    ('if mode == "mpeg": pass', 0),
])
def test_the_codec_name_finder_sees_each_form(source: str, expected: int) -> None:
    assert len(codec_branches(source)) == expected, codec_branches(source)


def _imports(path: Path) -> set[str]:
    """Every eleven_cli module a file imports, at any depth (function-level imports included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("eleven_cli"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("eleven_cli"))
    return out


def test_the_atomic_writer_handles_bytes_only() -> None:
    """atomic.py is ground: it knows no format (WAV headers are audio/codecs.py's) and imports only errors."""
    assert _imports(SRC / "atomic.py") == {"eleven_cli.errors"}


def test_the_wire_imports_nothing_of_the_engine() -> None:
    """api/ may use itself and the ground (errors, formats, the bytes-only atomic writer), nothing above."""
    ground = {"eleven_cli", "eleven_cli.errors", "eleven_cli.formats", "eleven_cli.atomic", "eleven_cli.timing",
              "eleven_cli.options", "eleven_cli.digest"}
    bad = {f"{p.relative_to(SRC)}: {m}" for p in (SRC / "api").glob("*.py") for m in _imports(p)
           if m not in ground and not m.startswith("eleven_cli.api")}
    assert not bad, sorted(bad)
