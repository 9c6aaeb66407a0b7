"""`eleven models` and `eleven voices` in their plain forms are answered before Typer is imported (entry.py):
they must print and fail exactly as the Typer commands do, and really skip Typer."""

import json
import os
import subprocess
import sys

import pytest

from conftest import Mock, err

# A global option (-q, --retries) sends the same command through Typer: the reference to compare against.
FORMS = [("models", "--json"), ("models",), ("models", "--all", "--json"), ("voices", "--json"), ("voices",),
         ("voices", "british"), ("voices", "--no-legacy", "--json"), ("voices", "--no-legacy", "--legacy"),
         ("voices", "no such voice at all"), ("models", "--jsn"), ("voices", "a", "b")]


@pytest.mark.parametrize("form", FORMS, ids=" ".join)
def test_quick_form_prints_and_fails_as_typer_does(cli, form: tuple[str, ...]) -> None:
    quick, typer_path = cli(*form), cli("--retries", "3", *form)
    assert (quick.returncode, quick.stdout, err(quick)) == (typer_path.returncode, typer_path.stdout, err(typer_path))
    if form in (("models", "--json"), ("voices", "--json")):
        assert json.loads(quick.stdout), "an empty list is not what the mock serves"


@pytest.mark.parametrize("key, code", [("", 3), ("sk_wrong", 3)])
def test_quick_form_errors_are_one_line_with_the_exit_code(cli, key: str, code: int) -> None:
    for form in (("models", "--json"), ("voices",)):
        r = cli(*form, key=key)
        assert r.returncode == code and err(r).count("\n") == 1 and err(r).startswith("eleven: error:"), err(r)
        assert "Traceback" not in err(r) and (not key or key not in err(r))


def test_quick_form_does_not_load_typer(mock: Mock) -> None:
    probe = ("import sys\nsys.argv = ['eleven', *sys.argv[1:]]\nfrom eleven_cli.cli.entry import run\n"
             "try:\n    run()\nfinally:\n    print(sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules),"
             " file=sys.stderr)\n")
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key)
    quick = subprocess.run([sys.executable, "-c", probe, "models", "--json"], capture_output=True, env=env)
    assert quick.returncode == 0 and err(quick).strip().endswith("[]"), err(quick)
    slow = subprocess.run([sys.executable, "-c", probe, "-q", "models", "--json"], capture_output=True, env=env)
    assert slow.returncode == 0 and "'typer'" in err(slow), err(slow)
    assert quick.stdout == slow.stdout

