#!/usr/bin/env python3
"""Whole-process benchmark of mfgkb at 1k, 10k and 100k articles.

Not a test: run it by hand (see README, "Speed"). It

1. makes a virtual environment under the work folder and installs this checkout
   into it the way a user does (``pip install .``, so byte code is compiled),
   plus buku for comparison when the package registry has it;
2. builds JSON Lines files of 1k, 10k and 100k articles from
   ``../shared/data/news-10k.jsonl`` (100k = ten copies with changed titles and
   links: said so in the output);
3. imports each into a fresh database with ``mfgkb import`` and times it
   (``--reuse-db`` keeps the databases an earlier run left in ``--work``, so the
   slow 100k import is paid once; import is then not timed);
4. times each command as a whole process: one warm-up, then the median of
   ``--runs`` runs, with peak memory (max RSS) from the kernel;
5. prints a table, the ratio of search to the floor at each size, the targets,
   and the exact commands it ran (``--search-only`` times just the floor, the
   Typer reference and the searches).

The floor every command is compared with is a bare Python process that opens
the same corpus's search index (the ``<db>.index`` file mfgkb built) with
sqlite3 and runs one ranked FTS5 query, fetching the first 10 rows: what any
Python program answering a search from that index must pay. A hello-world Typer
app is timed too, as a reference row for what the CLI framework costs.

Every figure it prints is measured in that run; nothing is estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout; from a git worktree one level deeper, ../../shared.
DEFAULT_DATA = next(
    (
        d / "shared" / "data" / "news-10k.jsonl"
        for d in (ROOT.parent, ROOT.parent.parent)
        if (d / "shared" / "data" / "news-10k.jsonl").is_file()
    ),
    ROOT.parent / "shared" / "data" / "news-10k.jsonl",
)
MAPPING = [
    "--map", "title=headline",
    "--map", "description=short_description",
    "--map", "url=link",
    "--map", "authors=authors",
    "--map", "published=date",
]  # fmt: skip
QUERIES = [
    ["chips", "act"],
    ["semiconductor", "plant"],
    ["what is the effect of tax incentives on semiconductor plants?"],
]
FLOOR_APP = """\
import typer

app = typer.Typer()


@app.command()
def main() -> None:
    print("hello")


if __name__ == "__main__":
    app()
"""
# The bare floor: Python, sqlite3 and one FTS5 query on the index mfgkb built
# (table ``fts``, see search.SCHEMA), ranked, first 10 rows, nothing else.
FTS_FLOOR = """\
import sqlite3
import sys

con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
rows = con.execute(
    "SELECT rowid, title FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 10", (sys.argv[2],)
).fetchall()
print(len(rows))
"""
FLOOR = "floor (python + FTS5 query)"
TYPER_HELLO = "typer hello (reference)"


@dataclass
class Timing:
    label: str
    argv: list[str]
    wall_ms: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def peak(self) -> float:
        return max(self.rss_mb)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (ms) and peak RSS (MB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(argv)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def measure(jobs: list[tuple[str, list[str], dict[str, str]]], runs: int) -> list[Timing]:
    """Time each job ``runs`` times after a warm-up, round-robin.

    Interleaving the jobs (floor, search, show, ...) spreads the machine's
    drift over all of them, so the ratios to the floor stay fair on a noisy VM.
    """
    timings = [Timing(label, argv) for label, argv, _ in jobs]
    for _, argv, env in jobs:
        run_once(argv, env)
    for _ in range(runs):
        for timing, (_, argv, env) in zip(timings, jobs, strict=True):
            ms, mb = run_once(argv, env)
            timing.wall_ms.append(ms)
            timing.rss_mb.append(mb)
    return timings


def make_venv(work: Path, with_buku: bool) -> tuple[Path, bool]:
    """A venv with this checkout installed as a user would; buku if available."""
    venv = work / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

    def install(*args: str, check: bool = True) -> bool:
        done = subprocess.run([*pip, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0 and check:
            raise SystemExit(f"pip install {' '.join(args)} failed:\n{done.stderr}")
        return done.returncode == 0

    install("--force-reinstall", "--no-deps", str(ROOT))
    install(str(ROOT))
    has_buku = install("buku", check=False) if with_buku else False
    return venv, has_buku


def make_data(source: Path, work: Path, size: int) -> tuple[Path, bool]:
    """A JSON Lines file of ``size`` records; True if records had to be copied."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line]
    out = work / f"news-{size}.jsonl"
    scaled = size > len(rows)
    if not out.exists():
        with out.open("w", encoding="utf-8") as fh:
            for n in range(size):
                row = dict(rows[n % len(rows)])
                copy = n // len(rows)
                if copy:
                    row["headline"] = f"{row['headline']} (copy {copy})"
                    row["link"] = f"{row['link']}-copy{copy}"
                fh.write(json.dumps(row) + "\n")
    return out, scaled


def fill_buku(python: Path, data: Path, dbdir: Path) -> None:
    """The same records in a buku database, through buku's own API."""
    if (dbdir / "bookmarks.db").exists():
        return
    dbdir.mkdir(parents=True, exist_ok=True)
    script = f"""
import json
from buku import BukuDb
db = BukuDb(dbfile={str(dbdir / "bookmarks.db")!r}, chatty=False, colorize=False)
for line in open({str(data)!r}, encoding="utf-8"):
    r = json.loads(line)
    tags = "," + r["category"].lower() + ","
    db.add_rec(r["link"], title_in=r["headline"], tags_in=tags, desc=r["short_description"],
               delay_commit=True, fetch=False)
db.conn.commit()
"""
    subprocess.run([str(python), "-c", script], check=True, stderr=subprocess.DEVNULL)


def remove_db(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=11, help="timed runs per command (>= 5)")
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / ".work")
    parser.add_argument("--no-buku", action="store_true", help="skip the buku comparison")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="use the databases an earlier run left in --work (import is not timed)",
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="time only the floor, the Typer reference and the searches",
    )
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    sizes = [int(s) for s in args.sizes.split(",")]
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    venv, has_buku = make_venv(work, not args.no_buku)
    python = venv / "bin" / "python"
    mfgkb = str(venv / "bin" / "mfgkb")
    hello_script = work / "typer_hello.py"
    hello_script.write_text(FLOOR_APP, encoding="utf-8")
    floor_script = work / "fts_floor.py"
    floor_script.write_text(FTS_FLOOR, encoding="utf-8")

    print(
        f"mfgkb benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"median of {args.runs} runs after one warm-up; import: median of {args.import_runs} "
        f"runs on a fresh database; peak = max RSS over the runs\n"
    )

    results: list[dict[str, object]] = []
    commands: list[str] = []
    rows_out: list[tuple[str, str, float, float, str]] = []
    timed: dict[tuple[int, str], Timing] = {}

    for size in sizes:
        data, scaled = make_data(args.data, work, size)
        db = work / f"db-{size}" / "kb.json"
        db.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MFGKB_DB": str(db), "COLUMNS": "100"}
        env.pop("NO_COLOR", None)
        note = " (scaled-up copies of the 10k records)" if scaled else ""
        print(f"== {size:,} articles{note}")

        imp = Timing("import", [mfgkb, "import", str(data), *MAPPING])
        reused = args.reuse_db and db.is_file()
        if reused:
            print(f"  (reusing {db}: import not timed)")
        else:
            for _ in range(args.import_runs):
                remove_db(db)
                ms, mb = run_once(imp.argv, env)
                imp.wall_ms.append(ms)
                imp.rss_mb.append(mb)
        # The floor queries the index the first search builds or refreshes.
        run_once([mfgkb, "search", *QUERIES[0], "--limit", "10"], env)
        index = db.with_name(db.name + ".index")
        if not index.is_file():
            raise SystemExit(f"no search index at {index} after a search")
        jobs: list[tuple[str, list[str], dict[str, str]]] = [
            (FLOOR, [str(python), str(floor_script), str(index), " ".join(QUERIES[0])], env),
            (TYPER_HELLO, [str(python), str(hello_script)], env),
            ("mfgkb --help", [mfgkb, "--help"], env),
        ]
        if args.search_only:
            jobs.pop()  # --help
        for q in QUERIES:
            jobs.append((f"search {' '.join(q)}", [mfgkb, "search", *q, "--limit", "10"], env))
        if not args.search_only:
            jobs.append(
                ("show advanced-manufacturing", [mfgkb, "show", "advanced-manufacturing"], env)
            )
            jobs.append(("articles --limit 20", [mfgkb, "articles", "--limit", "20"], env))
        if has_buku and not args.search_only:
            bdir = work / f"buku-{size}"
            fill_buku(python, data, bdir)
            benv = {**env, "BUKU_DEFAULT_DBDIR": str(bdir)}
            buku = str(venv / "bin" / "buku")
            for q in QUERIES[:2]:
                jobs.append((f"buku -s {' '.join(q)}", [buku, "--nostdin", "--np", "-s", *q], benv))
        timings = [*([] if reused else [imp]), *measure(jobs, args.runs)]
        add = Timing("add-article", [])
        for n in range(0 if args.search_only else args.runs + 1):
            argv = [
                mfgkb,
                "add-article",
                "--title",
                f"Bench article {n}",
                "--date",
                "2025-11-01",
                "--topic",
                "advanced-manufacturing",
                "--url",
                f"https://bench.example/{size}/{time.time_ns()}",
            ]
            add.argv = argv
            ms, mb = run_once(argv, env)
            if n:  # the first is the warm-up
                add.wall_ms.append(ms)
                add.rss_mb.append(mb)
        if add.wall_ms:
            timings.append(add)

        timed.update({(size, t.label): t for t in timings})
        floor = next(t for t in timings if t.label == FLOOR).median
        for t in timings:
            ratio = t.median / floor
            rows_out.append((f"{size:,}", t.label, t.median, t.peak, f"{ratio:.2f}x floor"))
            results.append(
                {
                    "size": size,
                    "scaled": scaled,
                    "command": t.label,
                    "median_ms": round(t.median, 1),
                    "min_ms": round(min(t.wall_ms), 1),
                    "max_ms": round(max(t.wall_ms), 1),
                    "peak_mb": round(t.peak, 1),
                    "runs": len(t.wall_ms),
                }
            )
            if size == sizes[0] or t.label == "add-article":
                commands.append(" ".join(_quote(a) for a in t.argv))
        for t in timings:
            print(
                f"  {t.label:<62} {t.median:8.0f} ms  {t.peak:6.0f} MB  "
                f"{t.median / floor:5.2f}x floor"
            )
        print()

    print("Search against the floor (the target: search at 100k within 5x):")
    print(f"  {'articles':>9}  {'command':<40} {'floor':>8} {'search':>8}  {'ratio':>6}  per-round")
    for size in sizes:
        floor_t = timed[(size, FLOOR)]
        for q in QUERIES:
            t = timed[(size, f"search {' '.join(q)}")]
            # Each round ran the floor and the search back to back: the median of
            # the rounds' own ratios is the least disturbed by a busy machine.
            rounds = statistics.median(
                s / f for s, f in zip(t.wall_ms, floor_t.wall_ms, strict=True)
            )
            print(
                f"  {size:>9,}  {t.label[:40]:<40} {floor_t.median:5.0f} ms {t.median:5.0f} ms"
                f"  {t.median / floor_t.median:5.2f}x  {rounds:5.2f}x"
            )
    print()

    big = max(sizes)
    print(f"Targets at {big:,} articles:")
    by = {(r["size"], r["command"]): r for r in results}

    def med(label: str) -> float:
        return float(by[(big, label)]["median_ms"])  # type: ignore[arg-type]

    floor = med(FLOOR)
    hello = med(TYPER_HELLO)
    checks = []
    for q in QUERIES:
        label = f"search {' '.join(q)}"
        checks.append(
            (
                f"{label} <= 5x floor ({5 * floor:.0f} ms)",
                med(label) <= 5 * floor,
                med(label),
            )
        )
    if (big, "mfgkb --help") in by:
        checks.append(
            (
                f"--help <= 1.25x typer hello ({1.25 * hello:.0f} ms)",
                med("mfgkb --help") <= 1.25 * hello,
                med("mfgkb --help"),
            )
        )
    for label, limit in (
        ("show advanced-manufacturing", 400),
        ("articles --limit 20", 400),
        ("add-article", 600),
        ("import", 30_000),
    ):
        if (big, label) in by:
            checks.append((f"{label} <= {limit:,} ms", med(label) <= limit, med(label)))
    if has_buku and not args.search_only:
        for q in QUERIES[:2]:
            ours, theirs = med(f"search {' '.join(q)}"), med(f"buku -s {' '.join(q)}")
            checks.append(
                (
                    f"search {' '.join(q)} >= 5x faster than buku ({theirs:.0f} ms)",
                    theirs >= 5 * ours,
                    ours,
                )
            )
    peak = max(
        float(r["peak_mb"])  # type: ignore[arg-type]
        for r in results
        if r["size"] == big and not str(r["command"]).startswith("buku")
    )
    checks.append(("peak memory of any mfgkb command <= 300 MB", peak <= 300, peak))
    for text, ok, value in checks:
        unit = "MB" if "memory" in text else "ms"
        print(f"  [{'met' if ok else 'MISSED'}] {text}: {value:.0f} {unit}")
    if not has_buku:
        print("  (buku not installed: comparison skipped)")

    print("\nCommands (MFGKB_DB points at the database of each size):")
    for c in dict.fromkeys(commands):
        print(f"  {c}")
    (work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nRaw figures: {work / 'results.json'}")


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_./=:," for c in arg) else repr(arg)


if __name__ == "__main__":
    if shutil.which("python3") is None:
        raise SystemExit("python3 is needed")
    main()
