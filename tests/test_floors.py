"""The floors of the package hold: the face (client, speech, live, batch entry) above the engine (piece
loop, outputs, captions) above the wire (api/) and audio (audio/) above the ground (formats, errors,
options, config, text, the atomic writer). No module imports a floor above its own (lazy imports and
TYPE_CHECKING ones count too); commands (cli/) do not reach into the wire; the mock uses only the ground
and audio. Every module must be placed on a floor: a new one fails this test until it is."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "eleven_cli"

FLOORS = {"ground": 0, "audio": 1, "wire": 1, "engine": 2, "face": 3, "cli": 4}
FACE = {"__init__", "client", "face", "speech", "live", "batch_run", "history"}
ENGINE = {"pipeline", "outputs", "captions", "subtitles", "longform", "script", "dialogue", "batch", "events",
          "live_session", "live_protocol", "memory", "spendlog", "book"}
GROUND = {"formats", "errors", "options", "config", "text", "atomic", "timing", "extras", "words", "keystore",
          "timeline", "digest"}


def floor_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "eleven_mock":
        return "mock"
    if parts[0] != "eleven_cli":
        return None
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in ("cli", "__main__"):
        return "cli"
    if top == "api":
        return "wire"
    if top == "audio":
        return "audio"
    for name, group in (("face", FACE), ("engine", ENGINE), ("ground", GROUND)):
        if top in group:
            return name
    return "unplaced"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1] if len(parts) > 2 else parts
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from eleven_cli import client`
    return {m for m in found if m.startswith(("eleven_cli", "eleven_mock"))}


def _allowed(src: str, dst: str, dst_module: str) -> bool:
    if src == "mock":
        return dst in ("ground", "audio", "mock") or dst is None
    if dst in (None, "mock"):
        return src == "cli" or dst is None  # `eleven mock` starts the server
    if src == "cli":
        return dst != "wire"
    if src in ("wire", "audio"):
        return dst == "ground" or dst == src
    return FLOORS[dst] <= FLOORS[src] and not (src == "ground" and dst != "ground")


def test_every_module_is_on_a_floor_and_imports_nothing_above_it() -> None:
    offenders = []
    unplaced = []
    for path in sorted(list(PKG.rglob("*.py")) + list((SRC / "eleven_mock").rglob("*.py"))):
        name = module_name(path)
        src = floor_of(name)
        if src == "unplaced":
            unplaced.append(name)
            continue
        for target in sorted(imports(path)):
            dst = floor_of(target)
            if dst == "unplaced":
                # `from eleven_cli import client` names the module itself; anything else unknown is a symbol
                if target.count(".") >= 1 and floor_of(target.rsplit(".", 1)[0]) != "unplaced":
                    continue
                unplaced.append(target)
                continue
            if target in ("eleven_cli", "eleven_cli.__init__"):
                continue  # the package itself (its __version__)
            if not _allowed(src, dst, target):
                offenders.append(f"{name} ({src}) imports {target} ({dst})")
    assert not unplaced, f"modules on no floor (add them to tests/test_floors.py): {sorted(set(unplaced))}"
    assert not offenders, "imports against the floors:\n" + "\n".join(offenders)


def test_the_check_itself_sees_a_violation(tmp_path: Path) -> None:
    assert not _allowed("engine", "face", "eleven_cli.client")
    assert not _allowed("wire", "engine", "eleven_cli.outputs")
    assert not _allowed("cli", "wire", "eleven_cli.api.http")
    assert not _allowed("mock", "face", "eleven_cli.client")
    assert _allowed("face", "engine", "eleven_cli.pipeline") and _allowed("engine", "wire", "eleven_cli.api.http")
