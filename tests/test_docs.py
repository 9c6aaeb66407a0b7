"""Generated docs cannot drift, and the README's examples run as written against the mock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer

from conftest import BIN, Mock
from eleven_cli.cli.docgen import COMPLETION_FILES, completions, man_page
from eleven_cli.cli.main import app

ROOT = Path(__file__).resolve().parent.parent


def test_man_page_matches_the_app() -> None:
    assert (ROOT / "man" / "eleven.1").read_text(encoding="utf-8") == man_page(), "run `make man`"


def test_completions_match_the_app(tmp_path) -> None:
    completions(tmp_path)
    for name in COMPLETION_FILES.values():
        assert (tmp_path / name).read_text() == (ROOT / "completions" / name).read_text(), "run `make completions`"


def _walk(cmd, path="eleven"):
    yield path, cmd
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from _walk(sub, f"{path} {name}")


def test_every_option_of_every_command_is_in_the_man_page() -> None:
    page = (ROOT / "man" / "eleven.1").read_text(encoding="utf-8").replace("\\-", "-")
    root = typer.main.get_command(app)
    for path, cmd in _walk(root):
        if path != "eleven":
            assert f".SS {path}" in page, path
        for p in cmd.params:
            if p.param_type_name == "option" and not p.hidden:
                for opt in list(p.opts) + list(p.secondary_opts):
                    assert opt in page, (path, opt)
    for section in ("EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"):
        assert f".SH {section}" in page


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def test_readme_starts_with_the_two_setup_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```text\n(.*?)```", text, re.S)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_readme_examples_run_as_written(mock: Mock, tmp_path) -> None:
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key,
               PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    blocks = _readme_blocks()
    assert len(blocks) >= 8
    for block in blocks:  # in order, in one folder: later examples use files earlier ones made
        r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=tmp_path, env=env,
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=180)
        assert r.returncode == 0, block + "\n" + r.stderr.decode()[-2000:]
        assert "Traceback" not in r.stderr.decode()


def test_lint_free_of_typer_in_core_modules() -> None:
    core = [f for f in (ROOT / "src").rglob("*.py") if "cli" not in f.relative_to(ROOT / "src").parts[1:]]
    assert len(core) > 30
    for f in core:
        text = f.read_text()
        assert not re.search(r"^\s*(import|from) (typer|rich)\b", text, re.M), f
    assert sys.executable


def test_pre_rendered_help_matches_the_app() -> None:
    from eleven_cli.cli._help import TEXT
    from eleven_cli.cli.docgen import root_help

    assert root_help() == TEXT, "run `make man`"
    fast = subprocess.run([str(BIN / "eleven"), "--help"], capture_output=True, text=True)
    assert fast.returncode == 0 and fast.stdout == TEXT
