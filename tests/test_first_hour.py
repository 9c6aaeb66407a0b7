"""What a new user meets in the first hour (issue 25, items 3-8), each through the installed `eleven`
against the real mock."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ELEVEN, Mock, err


def env_for(m: Mock, **extra: str) -> dict[str, str]:
    return {**os.environ, "ELEVENLABS_BASE_URL": m.url, "ELEVENLABS_API_KEY": m.key, **extra}


# 3. manifests and folders -----------------------------------------------------------------------------
def test_csv_faults_name_their_lines(cli, mock: Mock, tmp_path: Path) -> None:
    many = tmp_path / "many.csv"
    many.write_text("id,text\n1,Too,many,columns\n2,Fine.\n")
    r = cli("batch", str(many), "-d", str(tmp_path / "o"), "--dry-run")
    assert r.returncode == 2 and "many.csv:2: 4 fields, but the header names 2" in err(r), err(r)
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('id,text\n1,"An open quote\n2,Swallowed.\n3,Also swallowed.\n')
    r = cli("batch", str(unclosed), "-d", str(tmp_path / "o"))
    assert r.returncode == 2 and "unclosed.csv:2: a quote is not closed" in err(r), err(r)
    assert len(err(r).strip().splitlines()) == 1 and not mock.requests("/v1/text-to-speech")
    good = tmp_path / "good.csv"
    good.write_text('id,text,colour\n1,"Commas, quoted, are fine.",red\n')
    r = cli("batch", str(good), "-d", str(tmp_path / "o"), "--dry-run", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["items"][0]["characters"] == len("Commas, quoted, are fine.")
    assert "warning: " in err(r) and "unknown column 'colour'" in err(r), err(r)


def test_jsonl_faults_are_reported_together_and_unknown_keys_warned(cli, mock: Mock, tmp_path: Path) -> None:
    bad = tmp_path / "m.jsonl"
    bad.write_text('{"id": 1, "text": 42}\nnot json\n{"id": 3, "text": "Fine."}\n[1, 2]\n{"id": 5}\n')
    r = cli("batch", str(bad), "-d", str(tmp_path / "o"))
    lines = err(r).strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, err(r)
    for needle in ('m.jsonl:1: "text" must be a string, not the number 42', "m.jsonl:2: not valid JSON",
                   "m.jsonl:4: each line must be a JSON object", 'm.jsonl:5: no "text"', "4 bad lines"):
        assert needle in lines[0], (needle, lines[0])
    assert not mock.requests("/v1/text-to-speech")
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"id": 1, "text": "Fine.", "speed": 1.1}\n')
    r = cli("batch", str(odd), "-d", str(tmp_path / "o2"))
    assert r.returncode == 0 and "warning: " in err(r) and "odd.jsonl:1: unknown key 'speed'" in err(r), err(r)


def _bad_folder(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    (book / "01.txt").write_text("The first chapter.")
    (book / "02.txt").write_bytes("Caf\xe9 in Latin-1.".encode("latin-1"))
    (book / "03.txt").symlink_to(tmp_path / "gone.txt")
    (book / "06.txt").mkdir()
    (book / "07.md").write_text("# The last chapter.")
    return book


def test_unreadable_folder_entries_are_bad_items_and_the_rest_go_on(cli, mock: Mock, tmp_path: Path) -> None:
    book = _bad_folder(tmp_path)
    dry = cli("batch", str(book), "-d", str(tmp_path / "o"), "--dry-run")
    assert dry.returncode == 4 and "3 of 5 items will fail" in err(dry), err(dry)
    table = dry.stdout.decode()
    assert "not valid UTF-8" in table and "symbolic link to nothing" in table and "is a folder" in table, table
    assert not mock.requests("/v1/text-to-speech")
    plan = json.loads(cli("batch", str(book), "-d", str(tmp_path / "o"), "--dry-run", "--json").stdout)
    assert plan["will_fail"] == 3 and [i["id"] for i in plan["items"] if not i["will_fail"]] == ["01", "07"]
    r = cli("batch", str(book), "-d", str(tmp_path / "o"))
    assert r.returncode == 4 and "3 of 5 items failed" in err(r), err(r)
    assert sorted(p.name for p in (tmp_path / "o").glob("*.mp3")) == ["01.mp3", "07.mp3"]
    results = {x["id"]: x for x in map(json.loads, (tmp_path / "o" / "results.jsonl").read_text().splitlines())}
    assert "02.txt is not valid UTF-8" in results["02"]["error"] and results["06"]["status"] == "failed"
    assert len(mock.requests("/v1/text-to-speech")) == 2


def test_results_name_their_durations_and_old_names_still_resume(cli, mock: Mock, tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    (book / "a.txt").write_text("Hello there.")
    assert cli("batch", str(book), "-d", str(tmp_path / "o")).returncode == 0
    results = tmp_path / "o" / "results.jsonl"
    line = json.loads(results.read_text())
    assert line["audio_seconds"] > 0 and line["elapsed_seconds"] >= 0 and "duration" not in line
    line["duration"], line["seconds"] = line.pop("audio_seconds"), line.pop("elapsed_seconds")  # an older run's
    results.write_text(json.dumps(line) + "\n")
    mock.clear()
    r = cli("batch", str(book), "-d", str(tmp_path / "o"), "--resume")
    assert r.returncode == 0 and "1 skipped" in err(r) and not mock.requests("/v1/text-to-speech"), err(r)


def test_a_second_ctrl_c_leaves_no_temp_files(fresh_mock, tmp_path: Path) -> None:
    m = fresh_mock("--rtf", "1")
    book = tmp_path / "book"
    book.mkdir()
    for n in range(6):
        (book / f"ch{n}.txt").write_text(" ".join(f"Chapter {n}, sentence {s} is read slowly." for s in range(6)))
    out = tmp_path / "audio"
    proc = subprocess.Popen([ELEVEN, "batch", str(book), "-d", str(out), "--jobs", "3"], env=env_for(m),
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while not list(out.rglob(".*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert list(out.rglob(".*.part")), "items are being written"
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 130
    assert proc.stderr is not None and "Ctrl-C again to abandon them" in proc.stderr.read().decode()
    assert not list(out.rglob(".*.part")) and not list(out.glob("*.mp3"))


# 4. dialogue scripts ----------------------------------------------------------------------------------
def test_the_apis_own_dialogue_shape_is_read(cli, mock: Mock, tmp_path: Path) -> None:
    george = "JBFqnCBsd6RMkjVDRZzb"
    as_list = tmp_path / "list.json"
    as_list.write_text(json.dumps([{"voice_id": george, "text": "Hello from the API shape."}]))
    as_inputs = tmp_path / "inputs.json"
    as_inputs.write_text(json.dumps({"inputs": [{"voice_id": george, "text": "Inputs, too."},
                                                {"speaker": "Alice", "text": "And a name."}]}))
    for script, texts in ((as_list, ["Hello from the API shape."]), (as_inputs, ["Inputs, too.", "And a name."])):
        mock.clear()
        r = cli("dialogue", str(script), "-o", str(tmp_path / "d.mp3"), "--srt", str(tmp_path / "d.srt"))
        assert r.returncode == 0, err(r)
        sent = mock.requests("/v1/text-to-dialogue")[0]["body"]["inputs"]
        assert [x["text"] for x in sent] == texts and sent[0]["voice_id"] == george
        assert "GEORGE:" in (tmp_path / "d.srt").read_text()  # labelled with the voice's name, not its id


@pytest.mark.parametrize("doc", ["42", "null", '"Alice: hi"', '{"turns": [{"speaker": "A", "text": "x"}]}',
                                 "Alice: plain text in a .json file"])
def test_a_json_script_that_is_not_a_list_of_turns_is_a_json_error(cli, mock: Mock, tmp_path: Path,
                                                                    doc: str) -> None:
    script = tmp_path / "script.json"
    script.write_text(doc)
    r = cli("dialogue", str(script), "-o", str(tmp_path / "d.mp3"))
    assert r.returncode == 2 and "script.json" in err(r) and "JSON" in err(r), err(r)
    assert "speaker" in err(r) and "first turn needs a speaker" not in err(r), err(r)
    assert len(err(r).strip().splitlines()) == 1 and not mock.requests("/v1/text-to-dialogue")


def test_a_line_that_looks_like_a_speaker_is_written_with_a_backslash(cli, mock: Mock, tmp_path: Path) -> None:
    script = "Alice: Here is the plan.\nStep one\\: we wait.\nBob: Fine.\n"
    r = cli("dialogue", "-", "--cast", "Alice=Alice,Bob=George", "-o", str(tmp_path / "d.mp3"), input=script)
    assert r.returncode == 0, err(r)
    sent = mock.requests("/v1/text-to-dialogue")[0]["body"]["inputs"]
    assert [x["text"] for x in sent] == ["Here is the plan. Step one: we wait.", "Fine."]
    r = cli("dialogue", "-", "--cast", "Alice=Alice", "-o", str(tmp_path / "e.mp3"),
            input="Alice: Here is the plan.\nStep one: we wait.\n")
    assert r.returncode == 2 and "Step one" in err(r) and "Name\\:" in err(r), err(r)  # says how to write it


def test_an_empty_turn_is_reported(cli, mock: Mock, tmp_path: Path) -> None:
    r = cli("dialogue", "-", "-o", str(tmp_path / "d.mp3"), input="Alice: Hello.\nBob:\nAlice: Bye.\n")
    assert r.returncode == 2 and "standard input:2: the turn of Bob is empty" in err(r), err(r)
    script = tmp_path / "s.json"
    script.write_text(json.dumps([{"speaker": "Alice", "text": "Hi."}, {"speaker": "Bob", "text": "  "}]))
    r = cli("dialogue", str(script), "-o", str(tmp_path / "d.mp3"))
    assert r.returncode == 2 and "turn 2 is empty" in err(r), err(r)
    assert not mock.requests("/v1/text-to-dialogue")


def test_audio_tags_stay_out_of_captions_unless_asked(cli, tmp_path: Path) -> None:
    script = "Alice: [laughs] That is funny.\nBob: [whispers] Quiet now.\n"
    r = cli("dialogue", "-", "--cast", "Alice=Alice,Bob=George", "-o", str(tmp_path / "d.mp3"), "--srt",
            str(tmp_path / "d.srt"), "--vtt", str(tmp_path / "d.vtt"), input=script)
    assert r.returncode == 0, err(r)
    for name in ("d.srt", "d.vtt"):
        text = (tmp_path / name).read_text()
        assert "That is funny." in text and "[laughs]" not in text and "[whispers]" not in text, text
    kept = cli("dialogue", "-", "--cast", "Alice=Alice,Bob=George", "-o", str(tmp_path / "k.mp3"), "--srt",
               str(tmp_path / "k.srt"), "--keep-tags", input=script)
    assert kept.returncode == 0 and "[laughs] That is funny." in (tmp_path / "k.srt").read_text()
    r = cli("timestamps", "[sighs] A long day.", "--srt", str(tmp_path / "t.srt"), "--no-play")
    assert r.returncode == 0 and "[sighs]" not in (tmp_path / "t.srt").read_text() and "A long day." in (
        tmp_path / "t.srt").read_text()


def test_the_dialogue_dry_run_adds_up(cli, tmp_path: Path) -> None:
    turns = [f"{'Alice' if n % 2 else 'Bob'}: " + " ".join(f"Line {n}, sentence {s} of the talk." for s in range(12))
             for n in range(14)]
    r = cli("dialogue", "-", "--cast", "Alice=Alice,Bob=George", "--dry-run", "--json", input="\n".join(turns))
    assert r.returncode == 0, err(r)
    plan = json.loads(r.stdout)
    assert len(plan["requests"]) > 1
    assert sum(q["characters"] for q in plan["requests"]) == plan["characters"] == sum(
        t["characters"] for t in plan["turns"])
    words = cli("dialogue", "-", "--cast", "Alice=Alice", "--dry-run", input="Alice: Hi.")
    assert "1 turn, 1 speaker, 1 request on" in err(words) and "(s)" not in err(words), err(words)


# 5. completion ----------------------------------------------------------------------------------------
def _complete(shell: str, line: str, env: dict[str, str]) -> list[str]:
    """What the generated completion script's callback answers for `line` (the values, without help)."""
    words = line.split(" ")
    extra = ({"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)} if shell == "bash" else
             {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    out = subprocess.run([ELEVEN], capture_output=True, text=True, timeout=30,
                         env={**env, **extra, "_ELEVEN_COMPLETE": f"complete_{shell}"}).stdout
    if shell == "zsh":  # _arguments '*: :(("value":"help" ...))'
        import re

        return re.findall(r'^\(*"((?:[^"\\]|\\.)*)"', out.replace("_arguments '*: :((", ""), re.M)
    return [x.split("\t")[0] for x in out.splitlines() if x]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_matches_any_case_quotes_spaces_and_offers_only_speech_models(cli, mock: Mock,
                                                                                 shell: str) -> None:
    assert cli("voices").returncode == 0 and cli("models").returncode == 0  # fills the cache
    env = env_for(mock)
    assert _complete(shell, "eleven say -v geo", env) == ["George"]
    assert _complete(shell, "eleven say --voice RACH", env) == ["Rachel"]
    narrator = _complete(shell, "eleven say -v my", env)
    assert narrator == (["My\\ Narrator"] if shell == "bash" else ["My Narrator"]), narrator
    models = _complete(shell, "eleven say -m ELEVEN_", env)
    assert "eleven_v3" in models and "eleven_multilingual_sts_v2" not in models, models
    assert _complete(shell, "eleven say --format MP3_22", env) == ["mp3_22050_32"]
    assert _complete(shell, "eleven --region s", env) == ["sg"]
    assert _complete(shell, "eleven config set CA", env) == ["cast"]


def test_the_zsh_script_matches_case_insensitively() -> None:
    from eleven_cli.cli.docgen import COMPLETION_FILES

    root = Path(__file__).resolve().parent.parent / "completions"
    assert "matcher-list 'm:{a-zA-Z}={A-Za-z}'" in (root / COMPLETION_FILES["zsh"]).read_text()


# 6. the key in the keyring; regions; TLS to a plain-HTTP server ----------------------------------------
FILE_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}


def test_login_stores_the_key_in_the_keyring_when_there_is_one(cli, mock: Mock, isolated: Path) -> None:
    cfg = isolated / "config" / "eleven" / "config.toml"
    r = cli("auth", "login", input=mock.key + "\n", key="", env=FILE_KEYRING)
    assert r.returncode == 0 and "system keyring" in err(r) and mock.key not in err(r), err(r)
    assert mock.key not in (cfg.read_text() if cfg.exists() else "")
    keyring_file = next((isolated / "data").rglob("keyring_pass.cfg"))
    stored = base64.b64encode(mock.key.encode()).decode()  # how the file keyring writes a password
    assert "[eleven_2Dcli]" in keyring_file.read_text() and stored in keyring_file.read_text()
    status = cli("auth", "status", "--json", key="", env=FILE_KEYRING)
    info = json.loads(status.stdout)
    assert status.returncode == 0 and info["stored_in"] == "keyring" and "system keyring" in info["source"], info
    assert cli("models", key="", env=FILE_KEYRING).returncode == 0  # the key is found there
    (cfg.parent / "config.toml").write_text(f'[profiles.default]\napi_key = "{mock.key}"\n')
    cfg.chmod(0o600)
    out = cli("auth", "logout", key="", env=FILE_KEYRING)
    assert out.returncode == 0 and "the system keyring and the config file" in err(out), err(out)
    assert cli("auth", "status", key="", env=FILE_KEYRING).returncode == 3
    assert stored not in keyring_file.read_text()


def test_without_a_keyring_the_key_goes_to_the_0600_file(cli, mock: Mock, isolated: Path) -> None:
    r = cli("auth", "login", input=mock.key + "\n", key="")  # conftest: the fail backend, no keyring
    cfg = isolated / "config" / "eleven" / "config.toml"
    assert r.returncode == 0 and "no system keyring" in err(r) and mock.key in cfg.read_text(), err(r)
    assert cfg.stat().st_mode & 0o777 == 0o600
    info = json.loads(cli("auth", "status", "--json", key="").stdout)
    assert info["stored_in"] == "file" and str(cfg) in info["source"]
    plain = cli("auth", "status", key="", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert plain.returncode == 0 and "config.toml" in plain.stdout.decode()
    assert not (cfg.parent / "config.toml.lock").exists()


def test_every_residency_region_is_offered(cli) -> None:
    from eleven_cli.config import REGIONS

    assert set(REGIONS) == {"global", "us", "eu", "in", "sg"}
    assert REGIONS["sg"] == "https://api.sg.residency.elevenlabs.io"
    for region in REGIONS:
        r = cli("--region", region, "config", "list", env={"ELEVENLABS_BASE_URL": None})
        assert r.returncode == 0, (region, err(r))
    assert "sg" in subprocess.run([ELEVEN, "--help"], capture_output=True, text=True).stdout


def test_https_to_a_plain_http_server_says_it_does_not_speak_tls(cli, mock: Mock) -> None:
    url = mock.url.replace("http://", "https://")
    r = cli("models", env={"ELEVENLABS_BASE_URL": url})
    assert r.returncode == 6 and "does not speak TLS" in err(r) and mock.url in err(r), err(r)
    assert "certificate" not in err(r).lower() and "ca-bundle" not in err(r)


# 7. words and numbers ---------------------------------------------------------------------------------
def test_counts_have_separators_and_plurals(cli, tmp_path: Path) -> None:
    one = cli("say", "A", "-o", str(tmp_path / "a.mp3"))
    assert one.returncode == 0 and "eleven: 1 character ·" in err(one), err(one)
    long = " ".join(["Words that add up."] * 80)
    many = cli("say", long, "-o", str(tmp_path / "b.mp3"))
    assert many.returncode == 0 and f"eleven: {len(long):,} characters ·" in err(many), err(many)
    book = tmp_path / "book"
    book.mkdir()
    (book / "a.txt").write_text("Hello.")
    dry = cli("batch", str(book), "-d", str(tmp_path / "o"), "--dry-run")
    assert "1 item, 6 characters, about 6 credits" in err(dry), err(dry)
    run = cli("batch", str(book), "-d", str(tmp_path / "o"))
    assert "ok a (6 characters," in err(run) and "(s)" not in err(run), err(run)


def _help(*cmd: str) -> str:
    return subprocess.run([ELEVEN, *cmd, "--help"], capture_output=True, text=True, timeout=30).stdout


def test_help_reads_whole() -> None:
    from eleven_cli.config import KEYS

    for cmd, usage in ((["batch"], "Usage: eleven batch [OPTIONS] MANIFEST"),
                       (["config", "set"], "Usage: eleven config set [OPTIONS] KEY VALUE"),
                       (["config", "get"], "Usage: eleven config get [OPTIONS] KEY")):
        assert _help(*cmd).splitlines()[0] == usage, _help(*cmd)
    summaries = _help("config").split("Commands:")[1]
    assert "..." not in summaries and all(line.rstrip().endswith(".") for line in summaries.strip().splitlines())
    keys = _help("config", "set").split("Keys:")[1].split(".")[0]
    assert [k.strip() for k in keys.split(",")] == list(KEYS)
    say = _help("say")
    assert say.count("0.7..1.2") == 1 and "latency 0..4." not in say, say  # the range is said once, as the metavar
    assert "`-` = stdout" in _help("ws").split("--srt")[1].split("--vtt")[0]


def test_ws_captions_on_stdout_work_and_share_it_with_nothing(cli, tmp_path: Path) -> None:
    r = cli("ws", "Hello there.", "--srt", "-", "-o", str(tmp_path / "w.mp3"), "--no-play")
    assert r.returncode == 0 and b"--> " in r.stdout and b"Hello there." in r.stdout, err(r)
    both = cli("ws", "Hello there.", "--srt", "-", "-o", "-", "--no-play")
    assert both.returncode == 2 and "only one output can go to stdout" in err(both), err(both)


def test_the_manual_and_readme_name_what_exists() -> None:
    import re

    from eleven_cli.config import KEYS

    root = Path(__file__).resolve().parent.parent
    assert "ELEVEN_TRACEBACK" in (root / "man" / "eleven.1").read_text()
    readme = (root / "README.md").read_text()
    listed = re.search(r"Keys \(`eleven config set --help` lists them too\): `([^`]*)`", readme)
    assert listed and set(listed.group(1).split()) == set(KEYS)


# 8. leftovers -----------------------------------------------------------------------------------------
def test_config_writes_leave_no_lock_and_tighten_the_folder(cli, isolated: Path) -> None:
    folder = isolated / "config" / "eleven"
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    assert cli("config", "set", "speed", "0.9").returncode == 0
    assert folder.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]


def test_pyproject_license_is_an_spdx_string() -> None:
    import tomllib

    doc = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert doc["project"]["license"] == "MIT"
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in doc["build-system"]["requires"])


LIBRARY = """
import gc, sys, warnings
from pathlib import Path
warnings.simplefilter("error")
from eleven_cli import Client, UsageError
from eleven_cli.batch import Item
from eleven_cli.batch_run import Batch

c = Client(api_key=sys.argv[1], base_url=sys.argv[2], config=False)
c.speech("Hello.").save(sys.argv[3] + "/a.mp3")
for call in (lambda: c.dialogue(42), lambda: c.speech("Hi.", stability=5), lambda: c.speech("Hi.", speed=3),
             lambda: c.speech("Hi.", settings={"similarity": -1})):
    try:
        call()
    except UsageError as exc:
        print("usage:", exc)
    else:
        print("accepted")
summary = Batch(c, [Item("b", "Batch item.")], sys.argv[3] + "/out").run()
print("batch:", summary.ok, sorted(p.name for p in Path(sys.argv[3], "out").iterdir()))
del c, summary
gc.collect()
"""


def test_the_library_checks_early_and_leaves_no_socket_open(mock: Mock, tmp_path: Path) -> None:
    import sys

    mock.clear()
    r = subprocess.run([sys.executable, "-X", "dev", "-c", LIBRARY, mock.key, mock.url, str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "ResourceWarning" not in r.stderr and "unclosed" not in r.stderr, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("usage: a dialogue takes a script or a list of turns, not int"), lines
    assert all(x.startswith("usage: ") and "out of range" in x for x in lines[1:4]), lines
    assert lines[4] == "batch: 1 ['b.mp3', 'results.jsonl']", lines
    assert len(mock.requests("/v1/text-to-speech")) == 2  # the first speech and the batch item: nothing else


def test_library_errors_speak_to_a_python_caller(tmp_path: Path) -> None:
    import sys

    code = ("from eleven_cli import Client, ElevenError\n"
            "try:\n    Client(api_key='', base_url='http://127.0.0.1:9', config=False).models()\n"
            "except ElevenError as exc:\n    print(exc.line())\n"
            "try:\n    Client(api_key='k', base_url='http://127.0.0.1:9', config=False, retries=0).models()\n"
            "except ElevenError as exc:\n    print(exc.line())\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "ELEVENLABS_API_KEY": ""})
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r.stdout + r.stderr
    assert "--" not in r.stdout and "api_key" in r.stdout and "base URL" in r.stdout, r.stdout
