#!/usr/bin/env python3
"""Start-up of this checkout against an earlier revision, command by command.

Not a test: run it by hand (see README, "Speed") to show that a change makes no
command slower. It

1. installs the revision ``--base`` (default ``HEAD``; exported with ``git archive``)
   and this checkout, each into its own virtual environment under ``--work``,
   the way a user does (``pip install .``, so byte code is compiled);
2. gives each its own database of the built-in knowledge base (their index
   formats may differ), with the search index made current;
3. times each command as a whole process, the two sides interleaved run by run
   (so a busy machine slows both alike), and prints the medians and their ratio;
4. with ``--instructions``, also counts the instructions each command executes
   under valgrind's callgrind: the same count on a busy machine as on an idle
   one, so a difference of one per cent is a real one.

Every figure it prints is measured in that run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    ["--help"],
    ["show", "advanced-manufacturing"],
    ["topics"],
    ["articles", "--limit", "20"],
    ["search", "chips", "act"],
    ["stats"],
]


def install(source: Path, venv: Path) -> Path:
    """A virtual environment at ``venv`` with ``source`` installed; its ``mfgkb``."""
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = subprocess.run([*pip, str(source)], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # pip's warnings are shown only when it fails
        raise SystemExit(f"installing {source} failed:\n{done.stderr}")
    return venv / "bin" / "mfgkb"


def export(rev: str, into: Path) -> Path:
    """The files of revision ``rev`` under ``into``."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    archive = into.with_suffix(".tar")
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    archive.unlink()
    return into


def env_for(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MFGKB")}
    env.update(MFGKB_DB=str(db), COLUMNS="80", NO_COLOR="1", PYTHONHASHSEED="0")
    return env


def run_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """Instructions the process executes, by callgrind's count."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count for {argv}: {done.stderr[-300:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the revision to compare with")
    parser.add_argument("--runs", type=int, default=21, help="timed runs per command and side")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work" / "compare")
    parser.add_argument("--instructions", action="store_true", help="count them with callgrind")
    opts = parser.parse_args()
    if opts.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind; install it (Debian: apt install valgrind)")
    base_rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", opts.base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    work: Path = opts.work
    sides = {
        base_rev: install(export(opts.base, work / "base-src"), work / "base-venv"),
        "this": install(ROOT, work / "this-venv"),
    }
    envs = {}
    for name, exe in sides.items():
        db = work / f"db-{name}" / "kb.json"
        if db.parent.exists():
            shutil.rmtree(db.parent)
        db.parent.mkdir(parents=True)
        envs[name] = env_for(db)
        for argv in COMMANDS:  # makes the database and its index, and warms the caches
            run_once([str(exe), *argv], envs[name])
    print(f"{'command':32} {base_rev:>10} {'this':>10} {'ratio':>6}", end="")
    print(
        f" {'instr ' + base_rev:>14} {'instr this':>12} {'ratio':>6}" if opts.instructions else ""
    )
    for argv in COMMANDS:
        times: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(opts.runs):
            for name, exe in sides.items():
                times[name].append(run_once([str(exe), *argv], envs[name]))
        med = {name: statistics.median(t) * 1000 for name, t in times.items()}
        old, new = med[base_rev], med["this"]
        line = f"mfgkb {' '.join(argv):26} {old:8.1f}ms {new:8.1f}ms {new / old:6.3f}"
        if opts.instructions:
            counts = {
                name: instructions([str(exe), *argv], envs[name]) for name, exe in sides.items()
            }
            a, b = counts[base_rev], counts["this"]
            line += f" {a / 1e6:13.1f}M {b / 1e6:11.1f}M {b / a:6.3f}"
        print(line, flush=True)
    print(f"\nmedians of {opts.runs} interleaved runs per command and side; COLUMNS=80, NO_COLOR=1")


if __name__ == "__main__":
    main()
