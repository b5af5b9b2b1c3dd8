"""The start-up fast path of ``mfgkb search`` answers exactly as the full app does.

mfgkb.startup reads common search command lines itself and leaves everything
else to Typer. Each case here runs in two child processes, one through
mfgkb.startup.main (the console script's entry) and one through mfgkb.cli.main
(the full app), and compares stdout, stderr and the exit code byte for byte.
The child also says whether Typer was loaded, so a case meant for the fast
path that quietly fell back to Typer fails instead of proving nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from childproc import (
    IMPORT_TIMES,
    child_env,
    finish,
    run_on_terminal,
    sigint_after_import,
    start_up_points,
)
from mfgkb import NOTHING_SAVED
from mfgkb.quicksearch import parse_search

CHILD = """\
import os, sys
out, entry = sys.argv[1], sys.argv[2]
real_exit = os._exit
def _exit(code):
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("typer" if "typer" in sys.modules else "fast")
    real_exit(code)
os._exit = _exit
sys.argv = ["mfgkb", *sys.argv[3:]]
if entry == "fast":
    from mfgkb.startup import main
else:
    from mfgkb.cli import main
main()
"""
# The same, for a child whose output is a terminal (no report: the test reads the terminal).
ON_TERMINAL = {
    entry: [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'mfgkb'\n"
        f"from mfgkb.{'startup' if entry == 'fast' else 'cli'} import main\nmain()",
    ]
    for entry in ("fast", "typer")
}

HOSTILE = "Escape \x1b[31mred\x1b[0m and \u202eevil\u202c chips"
LONG = (
    "Chips act funding for a semiconductor plant, with a description long enough to "
    "wrap at any terminal width a person uses, and then some more words about chips."
)


def _run(
    entry: str, args: list[str], env: dict[str, str], tmp_path: Path, **popen: Any
) -> tuple[int, bytes, bytes, str]:
    """Exit code, stdout, stderr and "fast" or "typer" of one child run."""
    report = tmp_path / f"report-{entry}.txt"
    report.unlink(missing_ok=True)
    popen.setdefault("stdout", subprocess.PIPE)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(report), entry, *args],
        env=env,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
        **popen,
    )
    path = report.read_text(encoding="utf-8") if report.exists() else "no report"
    return done.returncode, done.stdout or b"", done.stderr, path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small database (the shipped topics and a few articles) with a current index."""
    home = tmp_path_factory.mktemp("small")
    db = home / "kb" / "kb.json"
    db.parent.mkdir()
    env = child_env(home, db)
    articles = [
        ["--title", "Chips act plant", "--author", "Ada Lovelace", "--tag", "robots"],
        ["--title", HOSTILE, "--description", "A title that tries its luck with a terminal."],
        ["--title", "Lüneburg plant opens", "--description", LONG, "--author", "Ada Byron"],
        ["--title", "Older chips news", "--date", "2024-03-04", "--source", "Trade Weekly"],
    ]
    for n, fields in enumerate(articles):
        date = [] if "--date" in fields else ["--date", "2025-11-01"]
        args = ["add-article", *fields, *date, "--url", f"https://example.com/{n}"]
        code, _, err, _ = _run("typer", [*args, "--topic", "advanced-manufacturing"], env, home)
        assert code == 0, err
    code, _, err, _ = _run("typer", ["search", "chips"], env, home)  # the index is current now
    assert code == 0, err
    return db


def _env(tmp_path: Path, db: Path, **extra: str) -> dict[str, str]:
    return child_env(tmp_path, db, **extra)


def _same(
    tmp_path: Path, args: list[str], env: dict[str, str], *, fast: bool = True, **popen: Any
) -> tuple[int, bytes, bytes]:
    """Run ``args`` both ways; assert the same bytes and exit code, and which path ran."""
    typer_run = _run("typer", args, env, tmp_path, **popen)
    fast_run = _run("fast", args, env, tmp_path, **popen)
    assert typer_run[3] == "typer", typer_run
    assert fast_run[:3] == typer_run[:3], (args, fast_run, typer_run)
    assert fast_run[3] == ("fast" if fast else "typer"), (args, fast_run)
    return typer_run[:3]


SEARCHES = [
    ["search", "chips", "act"],
    ["search", "chips", "act", "--json"],
    ["search", "--json", "plant", "--limit=2"],
    ["search", "manufacturing", "--limit", "3", "--kind", "article"],
    ["search", "manufacturing", "--kind=topic", "--limit", "2", "--json"],
    ["search", "chips", "--topic", "advanced-manufacturing", "--topic", "chips-act"],
    ["search", "plant", "--author", "ada", "--tag", "robots", "--author", "byron"],
    ["search", "chips", "--since", "2025", "--until", "2025-12"],
    ["search", "chips", "--source", "trade weekly"],
    ["search", "chips", "--source=Trade Weekly", "--source", "nowhere", "--json"],
    ["search", "chips", "--source", "trade"],  # the whole name only: no results
    ["search", "chips", "--until", "04/03/2024", "--dayfirst", "--json"],
    ["search", "escape", "red"],
    ["search", "escape", "--json"],
    ["search", "wrap", "words"],
    ["search", "lüneburg"],
    ["search", '"chips act"', "plant"],
    ["search", "manufact*", "--limit", "1"],
    ["search", "qqqzzzx"],
    ["search", "manufacturng"],  # a typo: did you mean
    ["search", "manufacturng", "--json"],
    ["search", "chips", "--pager"],  # not a terminal: no pager
    ["search", "chips", "--limit", "9223372036854775807"],
    ["search", ""],
]
REFUSED = [
    (["search", "chips", "--topic", "nosuch"], 1),
    (["search", "chips", "--since", "2025", "--until", "2024"], 2),
    (["search", "chips", "--since", "the day after"], 2),
    (["search", "chips", "--since", "2025-02-30"], 2),
    (["search", "chips", "--until", "10000 years"], 2),
    (["search", "chips", "--since", ""], 2),
    (["search", "chips", "--until="], 2),
]


@pytest.mark.parametrize("args", SEARCHES, ids=" ".join)
def test_searches_print_the_same_bytes(tmp_path: Path, small: Path, args: list[str]) -> None:
    code, _, err = _same(tmp_path, args, _env(tmp_path, small))
    assert code == 0, err


@pytest.mark.parametrize("columns", ["40", "72", "200"])
def test_the_same_at_any_width(tmp_path: Path, small: Path, columns: str) -> None:
    code, out, _ = _same(tmp_path, ["search", "plant"], _env(tmp_path, small, COLUMNS=columns))
    assert code == 0
    assert max(len(line) for line in out.decode().splitlines()) <= int(columns)


@pytest.mark.parametrize(
    ("args", "code"), REFUSED, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v)
)
def test_refusals_are_the_same_line_and_code(
    tmp_path: Path, small: Path, args: list[str], code: int
) -> None:
    got, out, err = _same(tmp_path, args, _env(tmp_path, small))
    assert (got, out) == (code, b"")
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mfgkb: "), err
    if code == 2:
        assert lines[0].endswith(" (see: mfgkb search --help)"), err


def test_a_directory_as_the_database_is_refused_alike(tmp_path: Path, small: Path) -> None:
    env = _env(tmp_path, small)
    code, _, err = _same(tmp_path, ["--db", str(tmp_path), "search", "x"], env)
    assert code == 1 and err.startswith(f"mfgkb: --db {tmp_path} is a directory".encode()), err
    # An empty --db is said to be empty (a path would make "." of it, a directory).
    for args in (["--db=", "search", "x"], ["--db", "", "search", "x"]):
        code, _, err = _same(tmp_path, args, env)
        assert (code, err) == (
            2,
            b"mfgkb: --db is empty; give a database file path, e.g. kb.json. (see: mfgkb --help)\n",
        )
    # A directory in MFGKB_DB: the line names the variable, not an option never given.
    code, _, err = _same(tmp_path, ["search", "x"], {**env, "MFGKB_DB": str(tmp_path)})
    assert (code, err) == (
        1,
        f"mfgkb: MFGKB_DB={tmp_path} is a directory, not a database file; set it to a file "
        f"path, e.g. {tmp_path / 'kb.json'}.\n".encode(),
    )


def test_the_database_from_db_or_the_environment(tmp_path: Path, small: Path) -> None:
    elsewhere = _env(tmp_path, tmp_path / "not-used" / "kb.json")
    for args in (["--db", str(small), "search", "chips"], [f"--db={small}", "search", "chips"]):
        code, out, _ = _same(tmp_path, args, elsewhere)
        assert code == 0 and b"Chips act plant" in out
    # An empty MFGKB_DB is no database (Click ignores it): the default one, in the data folder.
    env = {**_env(tmp_path, small), "MFGKB_DB": ""}
    code, out, _ = _same(tmp_path, ["search", "chips", "act"], env)
    assert code == 0 and b"Chips act plant" not in out
    assert (tmp_path / "child-home" / "data" / "mfgkb" / "kb.json").is_file()


def test_a_new_database_is_created_alike(tmp_path: Path) -> None:
    db = tmp_path / "new" / "kb.json"
    env = _env(tmp_path, db)
    seen = []
    for entry in ("typer", "fast"):
        shutil.rmtree(db.parent, ignore_errors=True)
        missing = _run(entry, ["search", "chips"], env, tmp_path)  # no folder: refused
        db.parent.mkdir()
        created = _run(entry, ["search", "chips"], env, tmp_path)
        assert missing[0] == 1 and created[0] == 0 and db.is_file(), (missing, created)
        assert missing[3] == created[3] == entry
        seen.append((missing[:3], created[:3]))
    assert seen[0] == seen[1]


def test_records_left_out_are_warned_about_alike(tmp_path: Path, small: Path) -> None:
    db = tmp_path / "kb" / "kb.json"
    db.parent.mkdir()
    data = json.loads(small.read_text(encoding="utf-8"))
    next(iter(data["articles"].values()))["published"] = "not a date"
    db.write_text(json.dumps(data), encoding="utf-8")
    env = _env(tmp_path, db)
    for args in (["search", "chips"], ["search", "chips", "--topic", "nosuch"]):
        _, _, err = _same(tmp_path, args, env)
        assert b"warning: 1 record of " in err and b" is left out because it " in err, err


@pytest.mark.parametrize("columns", ["64", None])
def test_a_terminal_gets_the_same_colours(tmp_path: Path, small: Path, columns: str | None) -> None:
    env = {k: v for k, v in _env(tmp_path, small).items() if k not in ("NO_COLOR", "COLUMNS")}
    if columns:
        env["COLUMNS"] = columns
    for args in (["search", "escape", "chips"], ["search", "plant", "--limit", "2", "--pager"]):
        shown = {e: run_on_terminal(args, env, command=ON_TERMINAL[e]) for e in ON_TERMINAL}
        assert shown["fast"] == shown["typer"], args
        assert b"\x1b[" in shown["fast"]  # coloured: it was a terminal
        assert b"\x1b[31m" not in shown["fast"]  # the title's own escape is shown, not obeyed


def _device(tmp_path: Path, name: str, major: int, minor: int) -> Path:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    node = tmp_path / name
    os.mknod(node, 0o666 | 0o020000, os.makedev(major, minor))
    return node


def test_output_that_cannot_be_written_is_the_same_line(tmp_path: Path, small: Path) -> None:
    env = _env(tmp_path, small)
    full = _device(tmp_path, "full", 1, 7)
    for args in (["search", "chips"], ["search", "chips", "--json"]):
        with full.open("wb") as out:
            code, _, err = _same(tmp_path, args, env, stdout=out)
        assert (code, err) == (1, b"mfgkb: Could not write the output (No space left on device).\n")


def test_a_closed_pipe_is_no_error_alike(tmp_path: Path, small: Path) -> None:
    env = _env(tmp_path, small)
    for args in (["search", "plant"], ["search", "plant", "--json"]):
        read, write = os.pipe()
        os.close(read)  # `| head` that has already gone
        try:
            code, _, err = _same(tmp_path, args, env, stdout=write)
        finally:
            os.close(write)
        # Silent, exit 0 (Rich's own answer for the human view would be exit 1),
        # and the same both ways.
        assert (code, err) == (0, b"")


# -- what is left to the full app ---------------------------------------------------


def test_fallbacks_answer_as_the_full_app(tmp_path: Path, small: Path) -> None:
    env = _env(tmp_path, small)
    for args in (["search", "-robots", "chips"], ["search", "chips", "--limit", "0"], ["search"]):
        _same(tmp_path, args, env, fast=False)


def test_search_h_shows_the_help_on_either_path(tmp_path: Path, small: Path) -> None:
    """search keeps "-word" as a word to leave out, but a lone -h is help, as --help is."""
    env = _env(tmp_path, small)
    for args in (["search", "-h"], ["search", "chips", "-h"], ["search", "--help"]):
        code, out, err = _same(tmp_path, args, env, fast=False)
        assert (code, err) == (0, b""), args
        assert out.startswith(b"Usage: mfgkb search [OPTIONS] WORDS..."), args
    code, out, _ = _same(tmp_path, ["search", "-house", "chips"], env, fast=False)
    assert code == 0 and b"Usage" not in out  # a word to leave out, still


def test_an_unreadable_database_goes_to_the_full_app(
    tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Click's path type refuses a --db it cannot read: its message, so its path."""
    db = tmp_path / "locked.json"
    shutil.copy(small, db)
    db.chmod(0)
    if os.geteuid() == 0:  # root reads any file: ask as a user would be answered
        monkeypatch.setattr(os, "access", lambda path, mode: path != str(db))
    assert parse_search(["--db", str(db), "search", "chips"], {}) is None
    assert parse_search(["search", "chips"], {"MFGKB_DB": str(db)}) is None
    assert parse_search(["--db", str(tmp_path / "missing.json"), "search", "chips"], {})


# -- Ctrl-C --------------------------------------------------------------------------


def _behind_the_lock(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[str], int, Path]:
    """A fast-path search on a database it must create, while the test holds its lock.

    The search creates the database (the shipped knowledge base) under the
    lock, so it waits for as long as the test holds it.
    """
    import fcntl

    db = tmp_path / "new" / "kb.json"
    db.parent.mkdir(exist_ok=True)
    lock = os.open(db.with_name("kb.json.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "report.txt"), "fast", "search", "chips"],
        env=child_env(tmp_path, db, MFGKB_LOCK_TIMEOUT="3600", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    return proc, lock, db


def _lock_opened(proc: subprocess.Popen[str], db: Path) -> bool:
    """Has ``proc`` the lock file open (it waits to write)? Read from /proc (Linux)."""
    lock = str(db.with_name("kb.json.lock").resolve())
    fds = Path(f"/proc/{proc.pid}/fd")
    try:
        return any(os.readlink(fd) == lock for fd in fds.iterdir())
    except OSError:  # an fd closed while we look
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")
def test_ctrl_c_while_the_search_waits_is_one_line_and_130(tmp_path: Path) -> None:
    proc, lock, db = _behind_the_lock(tmp_path)
    try:
        for _ in range(30_000):  # bounded by a count: 300 s at least
            if _lock_opened(proc, db) or proc.poll() is not None:
                break
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        err = finish(proc)
    finally:
        os.close(lock)
    assert proc.returncode == 130, err
    assert err.splitlines() == [f"mfgkb: {NOTHING_SAVED}"]
    assert not db.exists()
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "fast"


def test_ctrl_c_during_the_fast_start_up_is_one_line_and_130(tmp_path: Path) -> None:
    """SIGINT after the k-th import Python reports, for k spread over the fast path's start-up."""
    # How many imports come before the search waits for the lock: every point is one of them.
    proc, lock, db = _behind_the_lock(tmp_path, **IMPORT_TIMES)
    try:
        for _ in range(30_000):  # bounded by a count: 300 s at least
            if _lock_opened(proc, db) or proc.poll() is not None:
                break
            time.sleep(0.01)
        proc.kill()
        err = finish(proc)
    finally:
        os.close(lock)
    names = [line.rsplit("|", 1)[-1].strip() for line in err.splitlines()]
    steps = len(names) - names.index("mfgkb")
    assert "typer" not in names
    assert steps > 20
    for point in start_up_points(steps, steps - 1):
        proc, lock, db = _behind_the_lock(tmp_path, **IMPORT_TIMES)
        try:
            code, lines = sigint_after_import(proc, point)
        finally:
            os.close(lock)
        assert (code, lines) == (130, [f"mfgkb: {NOTHING_SAVED}"]), point
        assert not db.exists()
