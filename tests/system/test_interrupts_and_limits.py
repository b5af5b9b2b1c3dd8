"""Writes that a limit makes fail, and interrupts, in the real console script.

A file-size limit fails the write in one line and leaves the file as it was;
with no room for the search index, reads still answer and writes say why.
SIGINT while an import waits to write, at any point of start-up, or at a
prompt saves nothing and says so in one line (exit 130); Ctrl-D at a prompt is
no answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from childproc import (
    IMPORT_TIMES,
    child_env,
    console_script,
    finish,
    sigint_after_import,
    start_up_points,
)
from helpers import (
    Invoke,
    add,
    article_ids,
    backed_up_database,
    copy_database,
    files_of,
    ok,
)
from mfgkb.kb import KnowledgeBase, article_draft
from mfgkb.storage.store import load

ADD = ("add-article", "--title", "Refused while the file is bad", "--date", "2025-01-01")
# After every test here, no temporary file of a write is left anywhere in tmp_path.
pytestmark = pytest.mark.usefixtures("no_leftover_temp_files")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database (the shipped seed plus one article) with its backup ``.1``."""
    return backed_up_database(tmp_path_factory.mktemp("template") / "kb.json")


@pytest.fixture
def seeded(db: Path, template: Path) -> Path:
    """``db`` as a copy of the template: a valid database with one backup, no index."""
    return copy_database(template, db, with_backup=True)


def test_a_file_size_limit_makes_the_write_fail_cleanly(mfgkb: Invoke, seeded: Path) -> None:
    ok(mfgkb("articles"))  # index current: the child has no reason to write it
    before = files_of(seeded)
    limit = seeded.stat().st_size + 10  # far too little for one more article

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    # Under the limit Python would cut short any byte code it writes (it does not
    # check for short writes) and every later run would fail to import mfgkb:
    # the child compiles into its own folder, which must stay empty.
    pycache = seeded.parent.parent / "limited-pycache"
    proc = subprocess.run(
        [*console_script(), *ADD],
        env=child_env(seeded.parent.parent, seeded, pycache, PYTHONDONTWRITEBYTECODE="1"),
        preexec_fn=small_files,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=30,
        check=False,
    )
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mfgkb: Could not write"), lines[0]
    assert "File too large" in lines[0]
    assert files_of(seeded) == before
    assert list(seeded.parent.glob(".kb.json.*.tmp")) == []
    assert not pycache.exists() or not any(pycache.rglob("*.pyc"))
    # Without the limit the same command succeeds.
    add(mfgkb, "--title", "Once there is room", "--date", "2025-03-04")


def test_with_no_room_for_the_index_reads_still_work_and_writes_say_why(
    seeded: Path, mfgkb: Invoke
) -> None:
    """The index is missing and the file-size limit leaves no room to build it again.

    A write of the index fails half-way (SQLite may roll back by itself); the
    commands must then answer from the database file, not crash on the index.
    """
    kb = KnowledgeBase(seeded)
    try:
        drafts = [
            (
                n,
                article_draft(
                    title=f"Welding note {n}",
                    published=date(2025, 1, 1),
                    authors=[],
                    description=f"laser welding seam {n} " * 20,
                ),
            )
            for n in range(1, 1501)
        ]
        kb.import_articles(drafts)
    finally:
        kb.close()
    for derived in seeded.parent.glob("kb.json.index*"):
        derived.unlink()
    before = files_of(seeded)
    limit = seeded.stat().st_size + 10  # room for the database, not for its index

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*console_script(), *args],
            # No compiled-module cache: it would be written truncated under the limit.
            env=child_env(seeded.parent.parent, seeded, PYTHONDONTWRITEBYTECODE="1"),
            preexec_fn=small_files,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            check=False,
        )

    listed = run("articles", "--limit", "0", "--json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(article_ids(seeded))
    found = run("search", "welding", "--kind", "article", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)
    added = run(*ADD)
    assert added.returncode == 1, added.stderr
    lines = added.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mfgkb: Could not write"), added.stderr
    assert files_of(seeded) == before


def _big_import(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            row = {
                "title": f"Bulk article {i}",
                "date": "2024-03-01",
                "authors": "Ann Smith and Bob Jones",
                "url": f"https://example.com/bulk/{i}",
                "description": "words " * 20,
            }
            fh.write(json.dumps(row) + "\n")


NOTHING_SAVED = "mfgkb: Interrupted before anything was saved; the database is unchanged."


def _importing_behind_the_lock(
    tmp_path: Path, seeded: Path, entry: list[str] | None = None, **env: str
) -> tuple[subprocess.Popen[str], int]:
    """``mfgkb import`` of a regular file while the test holds the database's lock.

    The import takes the lock before it writes anything, so it waits for as
    long as the test holds it (MFGKB_LOCK_TIMEOUT is far above any wait here):
    it cannot finish, nor save, by itself. Returns the child and the lock's fd.
    """
    rows = tmp_path / "rows.jsonl"
    if not rows.exists():
        _big_import(rows, 200)
    import fcntl

    lock = os.open(seeded.with_name(seeded.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    proc = subprocess.Popen(
        [*(entry or console_script()), "import", str(rows), "--format", "jsonl"],
        env=child_env(tmp_path, seeded, MFGKB_LOCK_TIMEOUT="3600", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    return proc, lock


def _waiting_for_the_lock(proc: subprocess.Popen[str], seeded: Path) -> None:
    """Return once ``proc`` has the lock file open: it is in the import, waiting to write.

    Read from /proc (Linux), bounded by a count, not a clock.
    """
    lock = str(seeded.with_name(seeded.name + ".lock").resolve())
    fds = Path(f"/proc/{proc.pid}/fd")
    for _ in range(30_000):  # 300 s at least: a start-up takes well under one
        with contextlib.suppress(OSError):  # an fd closed while we look
            if any(os.readlink(fd) == lock for fd in fds.iterdir()):
                return
        if proc.poll() is not None:
            pytest.fail(f"the import ended first: {proc.returncode} {proc.communicate()}")
        time.sleep(0.01)
    pytest.fail("the import never opened the lock file")


def test_sigint_during_a_long_import_saves_nothing(
    mfgkb: Invoke, seeded: Path, tmp_path: Path
) -> None:
    """SIGINT while an import waits to write (the test holds the lock).

    The open lock file is the readiness marker: the signal is sent only once
    the child has it open, so it lands in the import, never in start-up; and
    while the test holds the lock the import cannot finish by itself.
    """
    ok(mfgkb("articles"))
    before = files_of(seeded)
    proc, lock = _importing_behind_the_lock(tmp_path, seeded)
    try:
        _waiting_for_the_lock(proc, seeded)
        proc.send_signal(signal.SIGINT)
        err = finish(proc)
    finally:
        os.close(lock)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [NOTHING_SAVED]
    assert files_of(seeded) == before
    # The file is still the complete, usable database.
    data, _, _ = load(seeded)
    assert len(data["articles"]) == 2


def _start_up_steps(tmp_path: Path, seeded: Path, entry: list[str]) -> int:
    """How many imports mfgkb's start-up reports after the package itself."""
    done = subprocess.run(
        [*entry, "--version"],
        env=child_env(tmp_path, seeded, **IMPORT_TIMES),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    names = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    return names.index("mfgkb.cli.root") - names.index("mfgkb")  # the app, with Typer


@pytest.mark.parametrize("entry", ["script", "python -m"])
def test_sigint_at_start_up_says_nothing_was_saved(
    mfgkb: Invoke, seeded: Path, tmp_path: Path, entry: str
) -> None:
    """SIGINT at a dozen points of start-up: loading Typer, then parsing the options.

    mfgkb's handler is in place before its first import, so the signal is sent
    right after the k-th import Python reports, for k spread over the start-up
    and a few steps into the command. Every time: the one line and 130.
    """
    ok(mfgkb("articles"))
    before = files_of(seeded)
    command = console_script() if entry == "script" else [sys.executable, "-m", "mfgkb"]
    steps = _start_up_steps(tmp_path, seeded, command)
    assert steps > 20  # Typer and Click: the long part of start-up
    for point in start_up_points(steps, steps, steps + 1):
        proc, lock = _importing_behind_the_lock(tmp_path, seeded, command, **IMPORT_TIMES)
        try:
            code, lines = sigint_after_import(proc, point)
        finally:
            os.close(lock)
        assert (code, lines) == (130, [NOTHING_SAVED]), point
        assert files_of(seeded) == before


def _at_a_prompt(
    tmp_path: Path,
    seeded: Path,
    answer: Callable[[subprocess.Popen[bytes], int], None],
    args: tuple[str, ...] = ("add-article", "--date", "2025-01-01"),
    marker: bytes = b"Title",
) -> tuple[int, str, str]:
    """Run ``args`` (by default ``add-article`` without a title) at a (pseudo-)terminal;
    ``answer`` its prompt, once ``marker`` is shown.

    Returns the exit code, stderr, and what the terminal showed (stdout).
    """
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [*console_script(), *args],
            env=child_env(tmp_path, seeded),
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
        )
        os.close(slave)
        shown = b""
        for _ in range(1000):  # reads until the prompt is up: the readiness marker
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, shown
            chunk = os.read(master, 4096)
            assert chunk, shown
            shown += chunk
            if marker in shown:
                break
        answer(proc, master)
        err = finish(proc)
        while select.select([master], [], [], 0)[0]:  # the rest of what the terminal shows
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child's end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    return proc.returncode, err.decode("utf-8", "replace"), shown.decode("utf-8", "replace")


def _press_ctrl_c(proc: subprocess.Popen[bytes], _master: int) -> None:
    """Ctrl-C at the prompt, pressed again while the program has not ended.

    A signal that lands after the prompt is shown but before input() blocks in
    read() is only acted on at the next one (CPython checks for signals when
    read() is interrupted): a user presses again, and so does this test.
    """
    for _ in range(100):  # bounded by a count: 100 presses, half a second apart
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            continue
        return


def test_ctrl_c_at_a_prompt_says_nothing_was_saved(
    mfgkb: Invoke, seeded: Path, tmp_path: Path
) -> None:
    ok(mfgkb("articles"))
    before = files_of(seeded)
    code, err, shown = _at_a_prompt(tmp_path, seeded, _press_ctrl_c)
    assert code == 130, err
    assert err.strip().splitlines() == [NOTHING_SAVED]
    assert files_of(seeded) == before
    # The question's line is ended, so that on a terminal the interrupt line
    # (stderr, the same terminal) does not follow "Title: ".
    assert shown.endswith("Title: \r\n"), (shown, err)


def test_ctrl_c_at_a_confirmation_says_nothing_was_saved(
    mfgkb: Invoke, seeded: Path, tmp_path: Path
) -> None:
    """The y/N questions (remove-article, restore) answer Ctrl-C as the other prompts do."""
    ok(mfgkb("articles"))
    before = files_of(seeded)
    code, err, shown = _at_a_prompt(
        tmp_path, seeded, _press_ctrl_c, args=("remove-article", "1"), marker=b"[y/N]"
    )
    assert code == 130, err
    assert err.strip().splitlines() == [NOTHING_SAVED]
    assert files_of(seeded) == before
    assert shown.endswith("[y/N]: \r\n"), repr(shown)


def test_ctrl_d_at_a_prompt_is_no_answer_not_an_interrupt(
    mfgkb: Invoke, seeded: Path, tmp_path: Path
) -> None:
    """End of input means "no title": the usage error a missing --title gets, exit 2."""
    ok(mfgkb("articles"))
    before = files_of(seeded)
    code, err, _ = _at_a_prompt(tmp_path, seeded, lambda _, master: os.write(master, b"\x04"))
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert line.startswith("mfgkb: Missing --title"), line
    assert files_of(seeded) == before


def test_a_ctrl_c_python_swallows_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    # Under load, SIGINT once landed while the import system ran a weakref
    # callback: Python printed "Exception ignored in ..." and a traceback,
    # then dropped the KeyboardInterrupt. Here the callback runs the handler
    # itself, so the moment is not left to chance.
    code = (
        "import gc, weakref, sys\n"
        "from mfgkb import edge, interrupts\n"
        "class Thing: pass\n"
        "def callback(ref): interrupts.handler(2, None)\n"
        "with edge.Command() as run:\n"
        "    thing = Thing(); ref = weakref.ref(thing, callback); del thing; gc.collect()\n"
        "sys.exit(run.code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 130
    assert done.stderr == f"{NOTHING_SAVED}\n"
