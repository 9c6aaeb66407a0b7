"""`eleven models` and `eleven voices` in their plain forms are answered before Typer is imported (entry.py):
they must print and fail exactly as the Typer commands do, and really skip Typer."""

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ELEVEN, Mock, decode_duration, err

TYPER = "import sys\nsys.argv[0] = 'eleven'\nfrom eleven_cli.cli.entry import run\nrun(quick=False)\n"


@pytest.fixture()
def both(mock: Mock):
    """Run a command line twice, as the console script runs it (the quick parser answers its plain forms) and
    through Typer (the reference): yields a function of the arguments that returns the two CompletedProcesses."""

    def run(prefix: tuple[str, ...], args: list[str], input: str | None = None,
            key: str | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key if key is None else key)
        return subprocess.run([*prefix, *args], input=input.encode() if input is not None else None,
                              stdin=None if input is not None else subprocess.DEVNULL, capture_output=True, env=env,
                              timeout=60)

    return run


QUICK_WAY, TYPER_WAY = (ELEVEN,), (sys.executable, "-c", TYPER)
# The forms of models and voices, with global options before and after the command.
FORMS = [("models", "--json"), ("models",), ("models", "--all", "--json"), ("voices", "--json"), ("voices",),
         ("voices", "british"), ("voices", "--no-legacy", "--json"), ("voices", "--no-legacy", "--legacy"),
         ("voices", "no such voice at all"), ("models", "--jsn"), ("voices", "a", "b"),
         ("-q", "--retries", "2", "models", "--json", "--timeout", "5"), ("--retries=30", "models"),
         ("--verbose", "voices", "--json", "-V"),
         ("models", "--quiet", "--no-log", "--no-log-text", "--max-credits", "5"),
         ("--region", "eu", "models", "--json"), ("--profile", "nosuchprofile", "models"),
         ("--timeout", "0", "models"), ("--api-key", "sk_wrong", "models"), ("--ca-bundle", "/nonexistent", "voices"),
         ("--base-url", "http://127.0.0.1:9", "--retries", "0", "models")]


@pytest.mark.parametrize("form", FORMS, ids=" ".join)
def test_quick_form_prints_and_fails_as_typer_does(both, form: tuple[str, ...]) -> None:
    quick, typer_path = both(QUICK_WAY, form), both(TYPER_WAY, form)
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
    # short flags run together (-qV) are click's: the quick parser leaves them to Typer
    slow = subprocess.run([sys.executable, "-c", probe, "-qV", "models", "--json"], capture_output=True, env=env)
    assert slow.returncode == 0 and "'typer'" in err(slow), err(slow)
    assert quick.stdout == slow.stdout



# --- say and stream: the quick parser (cli/quick.py) against Typer, every option both ways ------------------
OUT = "{out}"
SPEAKING = [
    ("say", "Hello there.", "-o", OUT),
    ("say", "Every option at once.", "-o", OUT, "-m", "eleven_flash_v2_5", "-v", "Alice", "--speed", "1.1",
     "--stability", "0.3", "--similarity", "0.9", "--style", "0.2", "--no-speaker-boost", "--seed", "7",
     "--normalize", "on", "--latency", "2", "--no-logging", "--language", "en", "--language-normalization",
     "--previous-text", "Before.", "--next-text", "After."),
    ("say", "Dictionaries.", "--dict", "dict1:v1", "--dict", "dict2", "-o", OUT),
    ("say", "--speed=1.05", "--output", OUT, "Equals signs."),
    ("say", "To stdout.", "--format", "pcm_16000", "-o", "-"),
    ("say", "With JSON.", "-o", OUT, "--json"),
    ("say", "-o", OUT, "--", "-5 degrees outside."),
    ("say", "-f", "{text}", "-o", OUT),
    ("say", "Out of range.", "--speed", "5", "-o", OUT),
    ("say", "Bad choice.", "--normalize", "maybe", "-o", OUT),
    ("say", "Unknown voice.", "-v", "Nobody At All", "-o", OUT),
    ("say", "Bad name.", "-o", "{tmp}/out.flac"),
    ("say", "Typo.", "--sped", "1", "-o", OUT),
    ("say", "No value.", "-o"),
    ("say", "Long names.", "--file", "{text}", "--model", "eleven_flash_v2_5", "--voice", "George",
     "--speaker-boost", "--no-language-normalization", "--no-play", "--output", OUT),
    ("say", "No such device.", "--play", "--device", "no such device at all"),
    ("stream", "Streamed and saved.", "-o", OUT, "--no-play", "--buffer", "50"),
    ("stream", "-f", "{text}", "-m", "eleven_flash_v2_5", "-v", "Alice", "--stability", "0.3", "--similarity", "0.9",
     "--style", "0.2", "--no-speaker-boost", "--seed", "7", "--normalize", "on", "--latency", "2", "--no-logging",
     "--language", "en", "--language-normalization", "--previous-text", "Before.", "--next-text", "After.",
     "--dict", "dict1:v1", "--format", "mp3_22050_32", "--output", OUT, "--json", "--no-play"),
    ("stream", "Long names.", "--file", "{text}", "--model", "eleven_flash_v2_5", "--voice", "George",
     "--no-language-normalization", "--no-play", "-o", OUT),
    ("stream", "No such device.", "--play", "--device", "no such device at all", "--buffer", "20"),
    ("stream", "A bad buffer.", "-o", OUT, "--no-play", "--buffer", "99999"),
    ("stream", "Only saved.", "-o", OUT, "--no-play", "--speaker-boost", "--speed", "0.9"),
]


def _norm(text: bytes) -> str:
    import re

    out = text.decode("utf-8", "replace")
    out = re.sub(r"\b[A-Za-z0-9]{20}\b", "<id>", out)  # request and history item ids
    out = re.sub(r"(first byte |\"ttfb_ms\": )\d+", r"\g<1><ms>", out)
    out = re.sub(r"\d+\.\d+( s audio)|(\"duration_seconds\": )[\d.]+", r"<s>\1\2", out)
    return out


@pytest.mark.parametrize("form", SPEAKING, ids=lambda f: " ".join(f)[:60])
def test_speaking_forms_are_answered_alike_by_the_quick_parser_and_typer(both, mock: Mock, tmp_path, form) -> None:
    (tmp_path / "text.txt").write_text("Read from a file.\n")
    args = [a.format(out=tmp_path / "out.mp3", text=tmp_path / "text.txt", tmp=tmp_path) for a in form]
    seen = []
    for way in (QUICK_WAY, TYPER_WAY):
        mock.clear()
        r = both(way, args)
        sent = [(q["path"], q.get("query"), q.get("body")) for q in mock.requests("/v1/text-to-speech")]
        # the mock's voicing varies a little from request to request: the same request gives a file that decodes
        audio = decode_duration((tmp_path / "out.mp3").read_bytes()) > 0.3 if (tmp_path / "out.mp3").exists() \
            else None
        (tmp_path / "out.mp3").unlink(missing_ok=True)
        stdout = _norm(r.stdout) if r.stdout[:1] == b"{" else len(r.stdout) > 1000  # JSON, or audio
        seen.append((r.returncode, stdout, _norm(r.stderr),
                     sent, audio))
    assert seen[0] == seen[1]


def test_the_quick_parser_declines_what_it_is_not_sure_of() -> None:
    from eleven_cli.cli.quick import command_of, parse

    chosen, own, options = parse("say", ["Hi", "-o", "x.mp3", "--speed", "1.1", "--no-logging", "--dict", "a", "-q"])
    assert own["text"] == ["Hi"] and own["output"] == "x.mp3" and options["speed"] == "1.1" and chosen["quiet"]
    assert options["logging"] is False and options["dictionaries"] == ["a"] and options["stability"] is None
    assert chosen["retries"] == 3 and parse("say", ["x", "--retries", "5"])[0]["retries"] == 5
    for declined in (["x", "--retries", "30"], ["x", "--retries", "two"], ["x", "--sped", "1"], ["x", "-o"],
                     ["x", "--json=1"], ["x", "-5"], ["x", "--buffer", "3"], ["x", "-o", "--quiet"],
                     ["x", "--timeout", "0"]):
        assert parse("say", declined) is None, declined
    assert parse("stream", ["x", "--buffer", "99999"]) is None and parse("stream", ["x", "--buffer", "5"])
    assert parse("models", ["--json"]) == (parse("models", [])[0], {"as_json": True, "all_models": False}, {})
    assert parse("voices", ["a", "b"]) is None and parse("voices", ["a"])[1]["search"] == "a"  # one SEARCH
    assert parse("dialogue", ["s.txt", "--cast", "A=x", "--cast", "B=y"])[1]["cast"] == ["A=x", "B=y"]
    assert parse("devices", []) is None  # not a quick command
    assert command_of(["-q", "--profile", "work", "say", "hi"]) == ("say", ["-q", "--profile", "work"], ["hi"])
    assert command_of(["--retries=2", "models"]) == ("models", ["--retries=2"], [])
    for other in (["config", "show"], ["-q", "devices"], ["--version"], ["--profile"], ["hi"]):
        assert command_of(other) is None, other


def test_a_plain_say_does_not_load_typer(mock: Mock, tmp_path) -> None:
    probe = ("import sys\nsys.argv = ['eleven', *sys.argv[1:]]\nfrom eleven_cli.cli.entry import run\n"
             "try:\n    run()\nfinally:\n    print(sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules),"
             " file=sys.stderr)\n")
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key)
    quick = subprocess.run([sys.executable, "-c", probe, "say", "Hello.", "-o", str(tmp_path / "a.mp3")],
                           capture_output=True, env=env)
    assert quick.returncode == 0 and err(quick).strip().endswith("[]"), err(quick)


WS_FORMS = [
    ("ws", "A line given as words.", "-o", OUT, "--no-play"),
    ("ws", "-o", OUT, "--no-play", "--speed", "1.1", "--stability", "0.4", "--language", "en",
     "-m", "eleven_flash_v2_5"),
    ("ws", "Bad speed.", "-o", OUT, "--no-play", "--speed", "3"),
    ("ws", "No latency here.", "-o", OUT, "--latency", "2"),
    ("ws", "Everything.", "--output", OUT, "--no-play", "--model", "eleven_flash_v2_5", "--voice", "George", "-v",
     "Alice", "--similarity", "0.9", "--style", "0.1", "--speaker-boost", "--seed", "5", "--normalize", "off",
     "--no-logging", "--format", "mp3_22050_32", "--buffer", "40", "--json"),
    ("ws", "No boost.", "-o", OUT, "--no-play", "--no-speaker-boost"),
    ("ws", "A dictionary the account does not have.", "-o", OUT, "--no-play", "--dict", "dict1:v1"),
    ("ws", "No such device.", "--play", "--device", "no such device at all"),
]


@pytest.mark.parametrize("form", WS_FORMS, ids=lambda f: " ".join(f)[:60])
def test_ws_forms_are_answered_alike_by_the_quick_parser_and_typer(both, mock: Mock, tmp_path, form) -> None:
    args = [a.format(out=tmp_path / "out.mp3") for a in form]
    seen = []
    for way in (QUICK_WAY, TYPER_WAY):
        mock.clear()
        r = both(way, args, input="A line from standard input.\n")
        opened = [(q["path"], q.get("query"), [{k: v for k, v in m.items() if k != "t"} for m in q.get("messages", [])
                                             if m.get("dir") == "in"]) for q in mock.requests("/stream-input")]
        made = (tmp_path / "out.mp3").exists()
        (tmp_path / "out.mp3").unlink(missing_ok=True)
        seen.append((r.returncode, _norm(r.stderr), opened, made))
    assert seen[0] == seen[1]


# --- dialogue: the same comparison, with its captions and dry run --------------------------------------------
SCRIPT = "Alice: Good morning, George.\nGeorge: Morning! [laughs] Is the tea ready?\nAlice: It is.\n"
DIALOGUE_FORMS = [
    ("dialogue", "{script}", "-o", OUT),
    ("dialogue", "{script}", "-o", OUT, "--cast", "Alice=George", "--cast", "George=Alice", "-m", "eleven_v3",
     "--stability", "0.5", "--seed", "3", "--language", "en", "--normalize", "auto", "--alignment", "{tmp}/a.json",
     "--srt", "{tmp}/a.srt", "--vtt", "{tmp}/a.vtt", "--no-speaker-labels", "--keep-tags", "--json", "--no-play"),
    ("dialogue", "{script}", "--srt", "{tmp}/a.srt", "--speaker-labels", "--format", "mp3_22050_32", "--output",
     OUT, "--dict", "dict1:v1"),
    ("dialogue", "{script}", "--dry-run"),
    ("dialogue", "{script}", "--dry-run", "--json", "--model", "eleven_v3"),
    ("dialogue", "-", "-o", OUT),
    ("dialogue", "-o", OUT),
    ("dialogue", "{script}", "--play", "--device", "no such device at all"),
    ("dialogue", "{script}", "--stability", "9", "-o", OUT),
    ("dialogue", "{script}", "--cast", "Alice", "-o", OUT),
    ("dialogue", "{script}", "extra", "-o", OUT),
    ("dialogue", "{tmp}/missing.txt", "-o", OUT),
]


@pytest.mark.parametrize("form", DIALOGUE_FORMS, ids=lambda f: " ".join(f)[:60])
def test_dialogue_forms_are_answered_alike_by_the_quick_parser_and_typer(both, mock: Mock, tmp_path, form) -> None:
    (tmp_path / "script.txt").write_text(SCRIPT)
    args = [a.format(out=tmp_path / "out.mp3", script=tmp_path / "script.txt", tmp=tmp_path) for a in form]
    seen = []
    for way in (QUICK_WAY, TYPER_WAY):
        mock.clear()
        r = both(way, args, input=SCRIPT)
        sent = [(q["path"], q.get("query"), q.get("body")) for q in mock.requests("/v1/text-to-dialogue")]
        made = {}
        for f in sorted(tmp_path.iterdir()):
            if f.name == "script.txt":
                continue
            # audio decodes; captions and alignment keep their words and shape (times vary with the voicing)
            made[f.name] = decode_duration(f.read_bytes()) > 0.3 if f.suffix == ".mp3" else \
                re.sub(r"\d+(\.\d+)?", "<n>", f.read_text())
            f.unlink()
        stdout = _norm(r.stdout) if r.stdout[:1] in (b"{", b"[") else r.stdout.decode()
        seen.append((r.returncode, stdout, _norm(r.stderr), sent, made))
    assert seen[0] == seen[1]
    if form[1:] in (("{script}", "-o", OUT), ("-", "-o", OUT)):  # the plain forms do speak
        assert seen[0][0] == 0 and seen[0][3] and seen[0][4] == {"out.mp3": True}, seen[0]


def test_a_plain_dialogue_does_not_load_typer(mock: Mock, tmp_path) -> None:
    probe = ("import sys\nsys.argv = ['eleven', *sys.argv[1:]]\nfrom eleven_cli.cli.entry import run\n"
             "try:\n    run()\nfinally:\n    print(sorted(m for m in ('typer', 'click', 'rich') if m in sys.modules),"
             " file=sys.stderr)\n")
    env = dict(os.environ, ELEVENLABS_BASE_URL=mock.url, ELEVENLABS_API_KEY=mock.key)
    quick = subprocess.run([sys.executable, "-c", probe, "dialogue", "-", "-o", str(tmp_path / "a.mp3")],
                           input=SCRIPT.encode(), capture_output=True, env=env)
    assert quick.returncode == 0 and err(quick).strip().endswith("[]"), err(quick)
    assert decode_duration((tmp_path / "a.mp3").read_bytes()) > 1


def test_every_option_of_every_quick_command_is_compared_both_ways() -> None:
    """Each flag the quick parser takes (both halves of a pair) is in a form above that runs both ways: each
    command's own in its forms, the global options in the listing forms."""
    from eleven_cli.cli.flags import GLOBALS, QUICK
    from eleven_cli.cli.quick import _table, command_of

    forms = [*FORMS, *SPEAKING, *WS_FORMS, *DIALOGUE_FORMS]
    global_decls = {d for f in GLOBALS for d in f.decls}
    used_anywhere = {a.split("=")[0] for form in forms for a in form if a.startswith("-")}
    assert not global_decls - used_anywhere, sorted(global_decls - used_anywhere)
    for command in QUICK:
        used = {a.split("=")[0] for form in forms if (command_of(list(form)) or ("",))[0] == command for a in form
                if a.startswith("-")}
        missing = set(_table(command)) - used - global_decls
        assert not missing, f"{command}: {sorted(missing)} never compared with Typer"
    from eleven_cli.options import PARAMS

    for command, (flags, endpoint) in QUICK.items():  # no command's own option shadows a global one
        own = {d for f in flags for decl in f.decls for d in decl.split("/")}
        own |= {d for p in PARAMS if endpoint in p.wire for d in (p.flag, p.short) if d}
        assert not own & global_decls, (command, own & global_decls)
