"""Standard streams that fail and terminals that are not UTF-8, in a child process.

A full disk, a closed pipe or a closed stdout is one line (or, for a change
that was saved, exit 0); stdin closed is no input; an ASCII or C-locale
terminal gets escapes, and what is typed there is still text. A title that is
not UTF-8 leaves the database usable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from childproc import child_env, console_script, finish
from helpers import MAIN, Invoke, files_of, ok, write
from mfgkb.storage.store import load

# -- bytes that are not UTF-8 on the command line ----------------------------------------


def test_a_title_that_is_not_utf8_is_refused_cleanly(
    mfgkb: Invoke, tmp_path: Path, db: Path
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    script = Path(sys.executable).parent / "mfgkb"
    cmd: list[str | bytes] = [str(script)] if script.exists() else [sys.executable, "-m", "mfgkb"]
    proc = subprocess.run(
        [*cmd, "add-article", "--title", b"bad \xff title", "--date", "2025-01-01"],
        env=child_env(tmp_path, db),
        capture_output=True,
        timeout=30,
        check=False,
    )
    err = proc.stderr.decode("utf-8", "replace")
    # The file must be safe whatever happens...
    assert files_of(db) == before or proc.returncode == 0, err
    load(db)
    assert list(db.parent.glob(".kb.json.*.tmp")) == []
    # ...and the outcome either a stored article or one clean line.
    assert "Traceback" not in err, err
    assert proc.returncode in (0, 1), err
    if proc.returncode == 1:
        assert len(err.strip().splitlines()) == 1, err


# -- output that cannot be written, terminals that are not UTF-8 ----------------------


def _run_mfgkb(
    args: list[str],
    env: dict[str, str],
    *,
    stdout: Any = subprocess.PIPE,
    close_stdout: bool = False,
    close_stdin: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    closed = [fd for fd, yes in ((0, close_stdin), (1, close_stdout)) if yes]
    return subprocess.run(
        [*console_script(), *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        # ``>&-``, ``<&-``: the child starts without that standard stream at all.
        preexec_fn=(lambda: [os.close(fd) for fd in closed]) if closed else None,
        timeout=60,
        check=False,
    )


def _stderr_lines(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return err.strip().splitlines()


@pytest.mark.parametrize(
    "args", [["show", MAIN], ["articles", "--json"], ["--help"], ["-h"], ["--version"]]
)
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(
    mfgkb: Invoke, tmp_path: Path, db: Path, args: list[str]
) -> None:
    ok(mfgkb("articles"))
    with open("/dev/full", "wb") as full:
        proc = _run_mfgkb(args, child_env(tmp_path, db), stdout=full)
    assert proc.returncode == 1, proc.stderr
    assert _stderr_lines(proc) == ["mfgkb: Could not write the output (No space left on device)."]


def test_json_to_a_closed_pipe_ends_quietly_with_0(mfgkb: Invoke, tmp_path: Path, db: Path) -> None:
    """`mfgkb articles --json | head` whose reader has gone: no word, exit 0.

    The command closes stderr after the broken pipe; the final flush of stderr
    then raised ValueError, and Python ended with 120 and "lost sys.stderr".
    """
    ok(mfgkb("articles"))
    read, write = os.pipe()
    os.close(read)
    try:
        proc = _run_mfgkb(["articles", "--json"], child_env(tmp_path, db), stdout=write)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (0, b"")


def test_human_output_into_a_pipe_closed_early_ends_quietly_with_0(
    mfgkb: Invoke, tmp_path: Path, db: Path
) -> None:
    """`mfgkb articles --limit 0 | head -1`: the reader goes after one line.

    Rich answers the broken pipe with SystemExit(1); it must end as the JSON
    view does: exit 0, nothing on stderr. The output is far larger than a
    pipe's buffer and only one line is read before the read end is closed, so
    the child is still writing when the pipe breaks (no race).
    """
    rows = "".join(
        json.dumps(
            {
                "title": f"Plant {i} opens",
                "published": "2025-01-02",
                "url": f"https://e.com/{i}",
                "description": "A new plant with robots and chips. " * 3,
            }
        )
        + "\n"
        for i in range(3000)
    )
    ok(mfgkb("import", str(write(tmp_path / "many.jsonl", rows))))
    # search runs on the fast path (no Typer), articles on the full app.
    for args in (["articles", "--limit", "0"], ["search", "plant", "--limit", "3000"]):
        proc = subprocess.Popen(
            [*console_script(), *args],
            env=child_env(tmp_path, db),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = finish(proc)
        assert first.strip(), args
        assert (proc.returncode, err) == (0, b""), args


@pytest.mark.parametrize("args", [["show", MAIN], ["-h"], ["--help"], ["show", "--help"]])
def test_a_closed_stdout_is_one_line_and_exit_1(
    mfgkb: Invoke, tmp_path: Path, db: Path, args: list[str]
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    proc = _run_mfgkb(args, child_env(tmp_path, db), close_stdout=True)
    assert proc.returncode == 1, proc.stderr
    assert _stderr_lines(proc) == ["mfgkb: Could not write the output (Bad file descriptor)."]
    assert files_of(db) == before  # the database never took the place of stdout


@pytest.mark.parametrize(
    "args",
    [
        ["add-article", "--title", "Saved anyway", "--date", "2025-01-01"],
        ["edit-article", "1", "--title", "Saved anyway", "--json"],
    ],
)
def test_a_change_saved_is_not_a_failure_when_only_its_output_fails(
    mfgkb: Invoke, mfgkb_json: Callable[..., Any], tmp_path: Path, db: Path, args: list[str]
) -> None:
    """A retry after exit 1 would add the article twice: the change is saved, so exit 0."""
    ok(mfgkb("articles"))
    proc = _run_mfgkb(args, child_env(tmp_path, db), close_stdout=True)
    assert proc.returncode == 0, proc.stderr
    lines = _stderr_lines(proc)
    assert lines[-1] == (
        "mfgkb: Could not write the output (Bad file descriptor); the change was saved."
    )
    if args[0] == "add-article":
        assert lines[0] == "Added article 2."
    assert "Saved anyway" in [a["title"] for a in mfgkb_json("articles", "--limit", "0")]


@pytest.mark.parametrize(
    "locale",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}],
    ids=["ascii", "C"],
)
def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_traceback(
    mfgkb: Invoke, tmp_path: Path, db: Path, locale: dict[str, str]
) -> None:
    ok(mfgkb("articles"))
    env = {k: v for k, v in child_env(tmp_path, db, **locale).items() if v}
    proc = _run_mfgkb(["show", MAIN], env)
    assert proc.returncode == 0, proc.stderr
    assert _stderr_lines(proc) == []
    out = proc.stdout.decode("ascii")  # nothing but ASCII, whatever the page holds
    assert "Advanced manufacturing" in out
    # A name typed in that terminal is text (its bytes are UTF-8), not an error.
    added = _run_mfgkb(
        [
            "add-article",
            "--title",
            "Zürich plant",
            "--author",
            "Jörg Müller",
            "--date",
            "2025-01-01",
        ],
        env,
    )
    assert added.returncode == 0, added.stderr
    stored = [a for a in load(db)[0]["articles"].values() if a["title"] == "Zürich plant"]
    assert [a["authors"] for a in stored] == [["Jörg Müller"]]


@pytest.mark.parametrize(
    "args",
    [
        ["articles", "--json", "--author", "Jörg"],
        ["articles", "--json", "--tag", "präzision"],
        ["articles", "--json", "--topic", MAIN, "--author", "Müller"],
        ["search", "--json", "Zürich"],
        ["search", "--json", "--author", "Jörg", "plant"],
    ],
)
def test_search_terms_and_filters_typed_in_a_c_locale_are_text(
    mfgkb: Invoke, tmp_path: Path, db: Path, args: list[str]
) -> None:
    """In LC_ALL=C Python hands ``Jörg`` over as surrogates: filters must still match it."""
    ok(
        mfgkb(
            "add-article",
            "--title",
            "Zürich plant",
            "--author",
            "Jörg Müller",
            "--tag",
            "präzision",
            "--date",
            "2025-01-01",
            "--topic",
            MAIN,
        )
    )
    env = child_env(tmp_path, db, LC_ALL="C", PYTHONUTF8="0")
    env.pop("PYTHONIOENCODING")
    proc = _run_mfgkb(args, env)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert [r["title"] for r in found] == ["Zürich plant"], found


def test_a_closed_stdin_is_no_input_not_a_traceback(
    mfgkb: Invoke, tmp_path: Path, db: Path
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    proc = _run_mfgkb(
        ["add-article", "--date", "2025-01-01"], child_env(tmp_path, db), close_stdin=True
    )
    assert proc.returncode == 2, proc.stderr
    [line] = _stderr_lines(proc)
    assert line.startswith("mfgkb: Missing --title"), line
    assert files_of(db) == before
