"""Micro-benchmark: assembling, normalising and encoding a book of synthetic speech-like PCM.

    .venv/bin/python bench/book_assembly.py [--hours 1] [--rate 24000] [--chapters 20] [--format m4b|mp3|dir]

Feeds the chapters as a synthesiser would (pieces of ~10 s with paragraph pauses) into
`eleven_cli.audio.audiobook.Assembler`, which writes them losslessly while measuring loudness
(pass 1), then encodes once with the book's gain, tags and verifies (pass 2). Reports the wall time
of both passes as a percentage of the audio's duration (target: at most 2 %) and the process's peak
resident memory (target: under 200 MB whatever the length).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eleven_cli.audio.audiobook import Assembler
from eleven_cli.audio.audiobook_tags import BookTags


def pieces(rate: int, seconds: float) -> list[bytes]:
    """A few different ~10 s pieces of a tone-and-noise 'voice' under a syllable-rate envelope."""
    out = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        t = np.arange(int(seconds * rate)) / rate
        env = 0.5 * (1 + np.sin(2 * np.pi * (2.5 + seed * 0.3) * t))
        x = 0.08 * env * (np.sin(2 * np.pi * (180 + 20 * seed) * t) + 0.4 * np.sin(2 * np.pi * 900 * t)
                          + 0.1 * rng.standard_normal(len(t)))
        out.append(np.clip(np.round(x * 32768), -32768, 32767).astype("<i2").tobytes())
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rate", type=int, default=24000)
    ap.add_argument("--chapters", type=int, default=20)
    ap.add_argument("--format", choices=["m4b", "mp3", "dir"], default="m4b")
    ap.add_argument("--dir", type=Path, default=None, help="where to write (default: a temporary folder)")
    args = ap.parse_args()

    piece_s = 10.0
    parts = pieces(args.rate, piece_s)
    per_chapter = max(1, round(args.hours * 3600 / args.chapters / (piece_s + 0.6)))
    before = peak_rss_mb()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        out = Path(tmp) / ("book" if args.format == "dir" else f"book.{args.format}")
        t0 = time.perf_counter()
        with Assembler(out, rate=args.rate, tags=BookTags("Bench", author="Nobody"),
                       kind="dir" if args.format == "dir" else None) as book:
            for c in range(1, args.chapters + 1):
                with book.chapter(c, f"Chapter {c}") as ch:
                    for p in range(per_chapter):
                        if p:
                            ch.pause(0.6)
                        ch.write(parts[(c + p) % len(parts)])
            t1 = time.perf_counter()
            mid = peak_rss_mb()
            result = book.finish()
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in result.outputs)
    audio = result.seconds
    print(f"{args.format}, {args.rate} Hz mono, {args.chapters} chapters, {audio / 3600:.2f} h of audio "
          f"({size / 1e6:.0f} MB out)")
    print(f"  pass 1 (write lossless + measure): {t1 - t0:6.1f} s = {100 * (t1 - t0) / audio:.2f} % of the audio")
    print(f"  pass 2 (gain + encode + tag + verify): {t2 - t1:6.1f} s = {100 * (t2 - t1) / audio:.2f} %")
    print(f"  total {t2 - t0:.1f} s = {100 * (t2 - t0) / audio:.2f} % of the audio (target <= 2 %)")
    print(f"  book {result.loudness.describe()}, gain {result.gain_db:+.1f} dB")
    print(f"  peak RSS {peak_rss_mb():.0f} MB (before the book: {before:.0f} MB, after pass 1: {mid:.0f} MB; "
          "target < 200 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
