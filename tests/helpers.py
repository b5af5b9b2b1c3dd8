"""Shared by the test layers: paths, the seed's facts, results, databases, a FIFO reader.

Subprocess helpers live in childproc.py, fixtures in conftest.py.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mfgkb.cli import app
from mfgkb.kb import KnowledgeBase, article_draft

Invoke = Callable[..., Any]  # the ``mfgkb`` fixture: mfgkb("show", "x") -> click Result

# Only there to end a hang, never to measure speed.
TIMEOUT = 60

TESTS_DIR = Path(__file__).resolve().parent
TEST_DATA = TESTS_DIR / "data"  # sample files the tests read, never write
REPO_ROOT = TESTS_DIR.parent

MAIN = "advanced-manufacturing"  # the shipped knowledge base's main topic

# The categories a terminal must never receive raw: controls, format characters
# (bidi marks, zero-width characters, tags), line and paragraph separators, and
# lone surrogates.
UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs")
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # root may read and write anything
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def files_of(db: Path) -> dict[str, bytes]:
    """The database, its backups and any temporary files, by name (not the index or lock).

    Comparing two of these proves that nothing was written, rotated or left behind.
    """
    derived = (db.name + ".index", db.name + ".lock")
    return {
        p.name: p.read_bytes()
        for p in sorted(db.parent.iterdir())
        if p.is_file() and not p.name.startswith(derived)
    }


def refusal(result: Any, code: int = 1) -> str:
    """The one stderr line of a refused command (exit ``code``, no traceback)."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mfgkb: "), lines[0]
    return str(lines[0])


def ok(result: Any) -> Any:
    """``result`` of a command that succeeded (exit 0), for chaining."""
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def assert_ok(result: Any) -> None:
    """The command succeeded without an unhandled exception or a traceback."""
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output


def run(runner: CliRunner, db: Path, *args: str, input: str | None = None) -> Any:
    """``mfgkb --db DB ARGS`` in-process, for a database other than the ``db`` fixture."""
    return runner.invoke(app, ["--db", str(db), *args], input=input)


def add(mfgkb: Any, *args: str) -> int:
    """``add-article ARGS`` through the ``mfgkb`` fixture; the id it printed."""
    result = mfgkb("add-article", *args)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def exported(runner: CliRunner, db: Path, tmp_path: Path, *args: str) -> bytes:
    """What ``export ARGS -o`` writes into a regular file, to compare with the rest."""
    target = tmp_path / "regular.out"
    ok(run(runner, db, "export", *args, "-o", str(target)))
    return target.read_bytes()


def load_db(db: Path) -> dict[str, Any]:
    """The database file's JSON."""
    data = json.loads(db.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def article_ids(db: Path) -> list[int]:
    """The ids of the articles in the database file, in order."""
    return sorted(int(k) for k in json.loads(db.read_bytes())["articles"])


def write(path: Path, text: str | bytes) -> Path:
    """``text`` into ``path`` exactly (no newline translation), its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


# -- databases built without the command line -------------------------------------------


def new_database(db: Path, **article: Any) -> Path:
    """A database at ``db``: the shipped knowledge base and one article made of ``article``."""
    kb = KnowledgeBase(db)
    try:
        kb.add_article(article_draft(**article))
    finally:
        kb.close()
    return db


def backed_up_database(db: Path) -> Path:
    """The shipped seed plus one article, with the backup ``.1`` that write made.

    What the data-safety tests start from; built once per module and copied.
    """
    new_database(
        db,
        title="Template article",
        published=date(2025, 1, 15),
        authors=["Ada Lovelace"],
        url="https://example.com/template",
        topics=[MAIN],
    )
    assert db.with_name("kb.json.1").is_file()
    return db


def hostile_title_database(db: Path) -> Path:
    """The shipped seed plus one article whose title holds escapes, a bell, RLO and C1."""
    return new_database(
        db,
        title="Target article \x1b[31mred\x1b[0m bell\x07 rlo\u202e c1\x9b",
        published=date(2025, 1, 15),
        authors=["Ann Lee"],
    )


def copy_database(template: Path, db: Path, *, with_backup: bool = False) -> Path:
    """``template`` copied to ``db`` (its folder made), and its backup ``.1`` if asked."""
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(template, db)
    if with_backup:
        shutil.copy2(template.with_name("kb.json.1"), db.with_name("kb.json.1"))
    return db


def leftover_temp_files(tmp_path: Path) -> list[Path]:
    """The ``.kb.json.*.tmp`` payload files left anywhere in ``tmp_path``.

    A name holding "123" is one a test made itself.
    """
    return [p for p in tmp_path.rglob(".kb.json.*.tmp") if "123" not in p.name]


# -- import files -----------------------------------------------------------------------

GOOD_ITEM = (
    "<item><title>Good one</title><link>https://example.com/ok</link>"
    "<pubDate>Mon, 06 Oct 2025 10:00:00 GMT</pubDate></item>"
)


def rss_feed(item: str, declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    """An RSS 2.0 feed of GOOD_ITEM and then ``item``."""
    channel = f"<channel><title>T</title>{GOOD_ITEM}{item}</channel>"
    return f'{declaration}<rss version="2.0">{channel}</rss>'


# Escape sequences, an OSC 8 link, a bidi override, zero-width and C1 characters, a tag
# character: what an editor document must show escaped and give back unchanged.
EDITOR_HOSTILE = "T \x1b[31mred\x1b]8;;http://evil\x1b\\x\u202eab\u200bc\x9b\U000e0041 caf\u00e9"


class FifoReader:
    """The reading end of a FIFO, open before the writer comes, drained by a thread.

    Opened without blocking (no writer yet), so that the writer always finds
    a reader; the thread waits for the writer's first bytes with poll (a read
    before any writer would see end of file at once). With ``hang_up`` the
    reader closes its end as soon as those bytes come, unread: a writer with
    more to write than ``pipe_size`` then fails with EPIPE.
    """

    def __init__(self, fifo: Path, *, pipe_size: int | None = None, hang_up: bool = False) -> None:
        self.fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        if pipe_size is not None:
            import fcntl

            fcntl.fcntl(self.fd, fcntl.F_SETPIPE_SZ, pipe_size)
        self.hang_up = hang_up
        self.data: bytes | None = None
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        poll = select.poll()
        poll.register(self.fd, select.POLLIN)
        if not poll.poll(TIMEOUT * 1000):
            return
        if self.hang_up:  # the writer is there and blocked on a full pipe: go away
            self._close()
            return
        os.set_blocking(self.fd, True)
        chunks = []
        while chunk := os.read(self.fd, 65536):
            chunks.append(chunk)
        self.data = b"".join(chunks)

    def _close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def close(self) -> bytes | None:
        """What was read (None if no writer came), once the thread is done."""
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()
        self._close()
        return self.data
