"""A whole book end to end against `eleven mock --rtf 0`: `eleven book` of a generated Markdown book of N
characters (default 500,000) into an .m4b, timed as a whole process, with its peak memory (and the
mock's, apart). Prints one Markdown table row per figure for bench/results.md.

    .venv/bin/python bench/book_run.py [CHARACTERS]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
WORDS = ["the", "keeper", "climbed", "the", "stairs", "at", "dusk", "and", "lit", "the", "lamp", "while", "the", "sea",
         "rolled", "against", "the", "rocks", "below", "and", "gulls", "cried", "over", "the", "point"]


def book_text(characters: int, chapters: int = 50) -> str:
    """A Markdown book of about `characters` characters of varied sentences (no copyrighted text)."""
    per = characters // chapters
    out = ["---\ntitle: A Generated Book\nauthor: The Benchmark\n---\n"]
    n = 0
    for c in range(1, chapters + 1):
        out.append(f"# Chapter {c}\n")
        size = 0
        para: list[str] = []
        while size < per:
            n += 1
            words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(8 + n % 9)]
            sentence = " ".join(words).capitalize() + f", said the keeper on day {n}."
            para.append(sentence)
            size += len(sentence) + 1
            if len(para) == 6:
                out.append(" ".join(para) + "\n")
                para = []
        if para:
            out.append(" ".join(para) + "\n")
    return "\n".join(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(characters: int = 500_000) -> dict:
    """Narrate a generated book of `characters` into an .m4b against the mock: wall seconds, hours of audio,
    chapters and the client's peak RSS (MB); raises RuntimeError with its stderr when it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "book.md"
        source.write_text(book_text(characters))
        port = free_port()
        accounts = folder / "accounts.toml"  # an account whose quota a whole book fits in
        accounts.write_text('[[account]]\nkey = "sk_bench_book"\ntier = "pro"\ncharacter_limit = 100000000\n'
                            'max_concurrency = 10\n')
        mock = subprocess.Popen([str(BIN / "eleven"), "mock", "--port", str(port), "--rtf", "0", "--accounts",
                                 str(accounts)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = {**os.environ, "ELEVENLABS_BASE_URL": f"http://127.0.0.1:{port}", "ELEVENLABS_API_KEY":
               "sk_bench_book", "XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(folder / "data"),
               "XDG_CONFIG_HOME": str(folder / "config")}
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            t0 = time.monotonic()
            proc = subprocess.Popen([str(BIN / "eleven"), "-q", "book", str(source), "-o", str(folder / "book.m4b"),
                                     "--json", "--force"], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - t0
            out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(err.decode())
        finally:
            mock.terminate()
            mock.wait(10)
        import json

        summary = json.loads(out)
        return {"wall": wall, "hours": summary["duration_seconds"] / 3600, "chapters": len(summary["chapters"]),
                "rss_mb": usage.ru_maxrss / 1024}


def main() -> int:
    characters = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    try:
        m = measure(characters)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"| eleven book, {characters:,} characters → .m4b (mock --rtf 0, 3 chapters at once) | "
          f"{m['wall']:.1f} s wall | {m['hours']:.2f} h of audio, {m['chapters']} chapters | "
          f"{m['rss_mb']:.0f} MB peak RSS |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
