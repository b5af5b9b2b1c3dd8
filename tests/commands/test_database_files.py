"""The database's own files: symbolic links, permissions, special files, the lock, copies.

Every test works on real files under tmp_path. The promises checked here:

* a symlinked ``--db`` is written through: the link stays a link, the file it
  points to changes, and the lock, backups and index live beside that file;
  nothing mfgkb writes (export -o, backup) lands on the database or its files,
  however the path is spelt;
* a database the user may not write (mode 0444, another user's) is refused
  with one line naming the fix, and still read;
* the lock file is never followed as a link, and must be a regular file;
* an unwritable folder is one clear line, not a traceback;
* only regular files are read as databases (never a FIFO or a device), and only
  up to a size cap;
* ``backup`` never overwrites an earlier copy unless told to (``--force``).

CI runs as root, who may write anything: the permission tests use what root is
refused too (no write bit for anyone), or simulate the one thing only a second
user can produce, and skip only what truly needs a non-root user.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import ROOT, new_database, ok, refusal, run
from mfgkb.storage import files, store
from mfgkb.storage.store import Store

Invoke = Callable[..., Any]
ADD = ("add-article", "--title", "Written through", "--date", "2025-01-01")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database with its index, built once and copied by ``real``."""
    db = tmp_path_factory.mktemp("template") / "kb.json"
    return new_database(db, title="Template article", published=date(2025, 1, 15), authors=[])


@pytest.fixture
def link(tmp_path: Path, real: Path) -> Path:
    """``tmp_path/link.json``, a relative symbolic link to ``real``."""
    path = tmp_path / "link.json"
    path.symlink_to(Path("real") / "kb.json")
    return path


def names(folder: Path) -> list[str]:
    """The files in ``folder``, but the derived ones any write that is tried may make."""
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith((".lock", ".index")))


# -- 1. the database and its files, however the path is spelt -------------------------


@pytest.mark.parametrize("suffix", ["", ".1", ".lock", ".index"])
def test_export_through_a_symlinked_db_never_writes_the_database_or_its_files(
    runner: CliRunner, real: Path, link: Path, suffix: str
) -> None:
    ok(run(runner, real, "add-article", "--title", "Second", "--date", "2025-02-02"))
    target = real.with_name(real.name + suffix)
    before = target.read_bytes()
    line = refusal(run(runner, link, "export", "--format", "csv", "-o", str(target)), 2)
    assert "database" in line
    assert target.read_bytes() == before


def test_export_onto_a_link_or_a_hard_link_to_the_database_is_refused(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    soft = tmp_path / "soft.csv"
    soft.symlink_to(real)
    hard = tmp_path / "hard.csv"
    os.link(real, hard)
    before = real.read_bytes()
    for target in (soft, hard):
        refusal(run(runner, real, "export", "--format", "csv", "-o", str(target)), 2)
    assert real.read_bytes() == before
    assert soft.is_symlink()


@pytest.mark.parametrize("spelling", ["link", "hard", "backup", "lock"])
def test_backup_onto_the_database_or_its_files_is_refused(
    runner: CliRunner, real: Path, link: Path, tmp_path: Path, spelling: str
) -> None:
    ok(run(runner, real, *ADD))  # makes kb.json.1 and kb.json.lock
    hard = tmp_path / "hard.json"
    os.link(real, hard)
    dest = {
        "link": real,  # --db is the link, the destination the real path
        "hard": hard,
        "backup": real.with_name("kb.json.1"),
        "lock": real.with_name("kb.json.lock"),
    }[spelling]
    before = {p: p.read_bytes() for p in real.parent.iterdir()}
    refusal(run(runner, link, "backup", str(dest), "--force"))
    assert {p: p.read_bytes() for p in real.parent.iterdir()} == before


def test_restore_from_the_database_through_a_hard_link_is_refused(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    hard = tmp_path / "hard.json"
    os.link(real, hard)
    ok(run(runner, real, "articles"))
    before = names(real.parent)
    refusal(run(runner, real, "restore", str(hard), "--yes"))
    assert names(real.parent) == before  # no backup rotated, nothing written


# -- 2. a symlinked --db is written through ---------------------------------------------


def test_a_write_through_a_symlinked_db_changes_the_file_it_points_to(
    runner: CliRunner, real: Path, link: Path, tmp_path: Path
) -> None:
    before = real.read_bytes()
    ok(run(runner, link, *ADD))
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("real") / "kb.json")
    assert real.read_bytes() != before
    assert b"Written through" in real.read_bytes()
    # The lock, the backup and the index are beside the real file, none beside the link.
    assert {"kb.json.1", "kb.json.lock", "kb.json.index"} <= {p.name for p in real.parent.iterdir()}
    assert [n for n in names(tmp_path) if n.startswith("link.json")] == ["link.json"]
    assert real.with_name("kb.json.1").read_bytes() == before
    # Reading through the real path sees the write (the index is shared too).
    assert "Written through" in ok(run(runner, real, "articles")).stdout


def test_writers_through_the_link_and_the_real_path_share_one_lock(
    runner: CliRunner, real: Path, link: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Store(link).lock_path == Store(real).lock_path == real.with_name("kb.json.lock")
    monkeypatch.setenv("MFGKB_LOCK_TIMEOUT", "0.1")
    before = real.read_bytes()
    with Store(real).locked():
        line = refusal(run(runner, link, *ADD))
        assert "Another mfgkb process" in line
    with Store(link).locked():
        refusal(run(runner, real, *ADD))
    assert real.read_bytes() == before
    ok(run(runner, link, *ADD))


def test_a_dangling_symlinked_db_creates_the_file_it_points_to(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir()
    link = tmp_path / "new.json"
    link.symlink_to(tmp_path / "data" / "kb.json")
    ok(run(runner, link, "topics"))
    assert link.is_symlink()
    assert (tmp_path / "data" / "kb.json").is_file()


def test_a_symlink_loop_as_db_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    refusal(run(runner, loop, "topics"))
    refusal(run(runner, loop, *ADD))
    assert loop.is_symlink()


# -- 3. a database the user may not write ---------------------------------------------------


def test_a_read_only_database_is_read_but_never_written(runner: CliRunner, real: Path) -> None:
    """Mode 0444: refused for root too, whom no permission bit stops."""
    ok(run(runner, real, "articles"))
    real.chmod(0o444)
    before = names(real.parent), real.read_bytes()
    line = refusal(run(runner, real, *ADD))
    assert str(real) in line
    assert f"chmod u+w {real}" in line
    assert (names(real.parent), real.read_bytes()) == before
    assert stat.S_IMODE(real.stat().st_mode) == 0o444
    assert "Template article" in ok(run(runner, real, "articles")).stdout
    real.chmod(0o644)
    ok(run(runner, real, *ADD))


def test_a_read_only_export_target_or_backup_file_is_not_replaced(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep\n", encoding="utf-8")
    target.chmod(0o444)
    line = refusal(run(runner, real, "export", "--format", "csv", "-o", str(target)))
    assert "chmod u+w" in line
    line = refusal(run(runner, real, "backup", str(target), "--force"))
    assert "chmod u+w" in line
    assert target.read_text(encoding="utf-8") == "keep\n"


def test_a_database_owned_by_another_user_is_not_replaced_by_ours(
    runner: CliRunner, real: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replacing the file would hand it to us; simulated as a user who does not own it."""
    other = real.stat().st_uid + 4242
    monkeypatch.setattr(store.os, "geteuid", lambda: other)
    before = names(real.parent), real.read_bytes()
    line = refusal(run(runner, real, *ADD))
    assert str(real) in line
    assert "owned by" in line
    assert (names(real.parent), real.read_bytes()) == before
    assert "Template article" in ok(run(runner, real, "articles")).stdout


@pytest.mark.skipif(not ROOT, reason="only root can give a file to another user")
def test_root_writing_a_users_database_keeps_it_theirs(runner: CliRunner, real: Path) -> None:
    os.chown(real, 4242, 4343)
    real.chmod(0o640)
    ok(run(runner, real, *ADD))
    st = real.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4242, 4343, 0o640)
    assert b"Written through" in real.read_bytes()


@pytest.mark.skipif(ROOT, reason="root may write any file; the mode test covers root")
def test_a_database_without_our_write_permission_is_refused(runner: CliRunner, real: Path) -> None:
    real.chmod(0o464)  # others may write, we (the owner) may not
    before = real.read_bytes()
    assert "chmod u+w" in refusal(run(runner, real, *ADD))
    assert real.read_bytes() == before


# -- 4. the lock file ---------------------------------------------------------------------------


def test_a_symlinked_lock_file_is_never_followed(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere" / "victim"
    elsewhere.parent.mkdir()
    lock = real.with_name("kb.json.lock")
    lock.symlink_to(elsewhere)
    before = real.read_bytes()
    line = refusal(run(runner, real, *ADD))
    assert str(lock) in line
    assert "symbolic link" in line
    assert not elsewhere.exists()
    assert real.read_bytes() == before
    # A link to an existing file is not followed either.
    elsewhere.write_bytes(b"")
    refusal(run(runner, real, *ADD))
    assert real.read_bytes() == before


def test_a_lock_that_is_a_folder_is_one_line(runner: CliRunner, real: Path) -> None:
    real.with_name("kb.json.lock").mkdir()
    before = real.read_bytes()
    line = refusal(run(runner, real, *ADD))
    assert "not a regular file" in line
    assert real.read_bytes() == before


# -- 5. a folder we may not write ---------------------------------------------------------------


def test_a_folder_refusing_the_temporary_file_is_one_line(
    runner: CliRunner, real: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run(runner, real, "articles"))
    before = names(real.parent), real.read_bytes()

    def refuse(*_: Any, **__: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    line = refusal(run(runner, real, *ADD))
    monkeypatch.undo()
    assert str(real.parent) in line
    assert "not writable" in line
    assert f"chmod u+w {real.parent}" in line
    assert (names(real.parent), real.read_bytes()) == before


@pytest.mark.skipif(ROOT, reason="root may write into any folder; simulated above")
def test_a_read_only_folder_with_a_writable_lock_file(runner: CliRunner, real: Path) -> None:
    ok(run(runner, real, *ADD))  # the lock file exists and stays writable
    real.parent.chmod(0o555)
    try:
        before = real.read_bytes()
        line = refusal(run(runner, real, *ADD))
        assert "not writable" in line
        assert real.read_bytes() == before
    finally:
        real.parent.chmod(0o755)


def test_a_database_over_the_size_cap_is_refused_unread(runner: CliRunner, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:  # sparse: no disk, and mfgkb must not read it anyway
        fh.truncate(files.MAX_DATABASE_BYTES + 1)
    line = refusal(run(runner, huge, "articles"))
    assert str(huge) in line
    assert "larger than" in line
    assert huge.stat().st_size == files.MAX_DATABASE_BYTES + 1


# -- 7. backup never overwrites a copy by surprise ---------------------------------------------


def test_backup_into_a_folder_twice_keeps_both_copies(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    ok(run(runner, real, "backup", str(folder)))
    (first,) = folder.iterdir()
    saved = first.read_bytes()
    ok(run(runner, real, *ADD))
    result = ok(run(runner, real, "backup", str(folder)))
    copies = sorted(folder.iterdir())
    assert len(copies) == 2
    assert first.read_bytes() == saved
    (second,) = [p for p in copies if p != first]
    assert second.read_bytes() == real.read_bytes()
    assert str(second) in result.stderr
    for copy in copies:
        assert copy.name.startswith("kb-") and copy.name.endswith(".json"), copy.name


def test_backup_onto_an_existing_file_needs_force(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "saved.json"
    ok(run(runner, real, "backup", str(dest)))
    saved = dest.read_bytes()
    ok(run(runner, real, *ADD))
    line = refusal(run(runner, real, "backup", str(dest)))
    assert str(dest) in line
    assert "--force" in line
    assert dest.read_bytes() == saved
    ok(run(runner, real, "backup", str(dest), "--force"))
    assert dest.read_bytes() == real.read_bytes()


# -- files that are not JSON at all ---------------------------------------------


def test_the_search_index_given_as_the_database_is_named_as_such(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = tmp_path / "kb.json"
    ok(run(runner, db, "topics"))  # creates it, and the index beside it
    index = tmp_path / "kb.json.index"
    assert index.read_bytes().startswith(b"SQLite format 3\x00")
    before = index.read_bytes()
    for args in (("topics",), ("search", "chips")):
        line = refusal(run(runner, index, *args))
        assert line == (
            f"mfgkb: {index} is mfgkb's search index, not a database; give the .json file "
            f"beside it: {db}"
        )
    assert index.read_bytes() == before
    assert not (tmp_path / "kb.json.index.index").exists()
    other = tmp_path / "data.sqlite"
    other.write_bytes(before)
    assert refusal(run(runner, other, "topics")) == (
        f"mfgkb: {other} is an SQLite file, not an mfgkb database (a .json file)."
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b'{"articles": {"1": {"title": "Cut',
            "ends in the middle of a value (line 1, column 34), so it may be truncated",
        ),
        (b"\x00\x01\x02binary\xff", "is not a JSON file: it holds binary data, not text"),
        (b"\xff\xfe{}", "is not a JSON file: it holds binary data, not text"),
        (
            b"hello",
            "is not valid JSON (unexpected character, expected a JSON value at line 1, column 1)",
        ),
    ],
)
def test_a_file_that_is_not_json_says_why_without_the_decoders_noise(
    runner: CliRunner, tmp_path: Path, content: bytes, problem: str
) -> None:
    db = tmp_path / "kb.json"
    db.write_bytes(content)
    line = refusal(run(runner, db, "topics"))
    assert problem in line, line
    assert "(char " not in line and "surrogates" not in line
    assert ("truncated" in line) == content.startswith(b"{")
    assert db.read_bytes() == content
