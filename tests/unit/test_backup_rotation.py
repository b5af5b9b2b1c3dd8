"""Which automatic backups a write keeps (``mfgkb.storage.backups``), with the day fixed.

Every test passes the day itself (``today``, or ``backups._today`` replaced),
so none depends on the clock. The files are tiny stand-ins: rotation knows
nothing of what is inside them.
"""

from __future__ import annotations

import errno
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from mfgkb.errors import DatabaseError
from mfgkb.storage import backups, files
from mfgkb.storage.backups import (
    BackupPolicy,
    backup_paths,
    backup_policy,
    backups_of,
    daily_path,
    rotate_backups,
)
from mfgkb.storage.files import atomic_write

DAY = date(2025, 10, 15)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of its own for the database (tmp_path holds the isolated HOME too)."""
    made = tmp_path / "db"
    made.mkdir()
    return made


def save(db: Path, text: str, policy: BackupPolicy, today: date = DAY) -> None:
    """One write as atomic_write does it: the old file becomes the backup, then rotation."""
    previous = None
    if db.exists():
        previous = db.with_name(f".{db.name}.previous.tmp")
        os.link(db, previous)
    tmp = db.with_name(f".{db.name}.new.tmp")
    tmp.write_text(text)
    os.replace(tmp, db)
    if previous is not None:
        rotate_backups(db, previous, policy, today)


def names(db: Path) -> list[str]:
    return [p.name for p in backup_paths(db)]


def test_rolling_backups_keep_exactly_the_count_newest_first(folder: Path) -> None:
    db = folder / "kb.json"
    policy = BackupPolicy(rolling=4, daily=0)
    for n in range(1, 9):
        save(db, f"v{n}", policy)
    assert db.read_text() == "v8"
    assert names(db) == ["kb.json.1", "kb.json.2", "kb.json.3", "kb.json.4"]
    assert [p.read_text() for p in backup_paths(db)] == ["v7", "v6", "v5", "v4"]


def test_the_default_keeps_ten_rolling_backups_and_a_daily_one(folder: Path) -> None:
    db = folder / "kb.json"
    for n in range(1, 16):
        save(db, f"v{n}", BackupPolicy())
    found = backups_of(db)
    assert [b.n for b in found if b.n] == list(range(1, 11))
    assert [b.path.read_text() for b in found if b.n] == [f"v{n}" for n in range(14, 4, -1)]
    # The day's first backup outlives the rolling ones: the state the day began with.
    (daily,) = [b for b in found if b.day]
    assert (daily.day, daily.path.read_text()) == (DAY, "v1")


def test_a_daily_backup_per_day_for_the_newest_days(folder: Path) -> None:
    db = folder / "kb.json"
    policy = BackupPolicy(rolling=2, daily=3)
    save(db, "start", policy)
    for offset in range(6):  # six days, three writes each
        day = DAY + timedelta(days=offset)
        for n in range(3):
            save(db, f"day{offset}-{n}", policy, day)
    dailies = [b for b in backups_of(db) if b.day]
    assert [b.day for b in dailies] == [DAY + timedelta(days=d) for d in (5, 4, 3)]
    # Each is the first backup of its day: the file as the day's first change found it.
    assert [b.path.read_text() for b in dailies] == ["day4-2", "day3-2", "day2-2"]
    assert names(db)[:2] == ["kb.json.1", "kb.json.2"]
    assert len(backups_of(db)) == 5


def test_a_daily_backup_is_a_hard_link_not_a_copy(folder: Path) -> None:
    db = folder / "kb.json"
    save(db, "v1", BackupPolicy())
    save(db, "v2", BackupPolicy())
    assert daily_path(db, DAY).stat().st_ino == db.with_name("kb.json.1").stat().st_ino


def test_lowering_the_counts_prunes_the_excess_on_the_next_write(folder: Path) -> None:
    db = folder / "kb.json"
    for n in range(12):
        save(db, f"v{n}", BackupPolicy(), DAY + timedelta(days=n))
    assert len([b for b in backups_of(db) if b.n]) == 10
    assert len([b for b in backups_of(db) if b.day]) == 7
    save(db, "last", BackupPolicy(rolling=1, daily=1), DAY + timedelta(days=12))
    # The newest backup is never given up: the file just replaced, and today's daily.
    assert names(db) == ["kb.json.1", f"kb.json.day-{DAY + timedelta(days=12)}"]
    assert db.with_name("kb.json.1").read_text() == "v11"


def test_no_daily_backups_when_the_count_is_zero(folder: Path) -> None:
    db = folder / "kb.json"
    for n in range(3):
        save(db, f"v{n}", BackupPolicy(rolling=5, daily=0))
    assert names(db) == ["kb.json.1", "kb.json.2"]


def test_pruning_never_touches_files_it_did_not_make(folder: Path) -> None:
    db = folder / "kb.json"
    other = folder / "elsewhere.txt"
    other.write_text("not a backup")
    foreign = {
        "kb.json.bak": "mine",
        "kb.json.01": "leading zero",
        "kb.json.2.orig": "kept by hand",
        "kb.json.day-yesterday": "no date",
        "kb.json.day-2025-02-30": "no such day",
        "kb.json2.1": "another database's",
        "kb.json.index": "the index",
    }
    for name, text in foreign.items():
        (folder / name).write_text(text)
    (folder / "kb.json.5").symlink_to(other)  # a link is not a file mfgkb made
    (folder / "kb.json.day-2020-01-01").mkdir()
    for n in range(8):
        save(db, f"v{n}", BackupPolicy(rolling=2, daily=1), DAY + timedelta(days=n))
    for name, text in foreign.items():
        assert (folder / name).read_text() == text, name
    assert (folder / "kb.json.5").is_symlink() and other.read_text() == "not a backup"
    assert (folder / "kb.json.day-2020-01-01").is_dir()
    assert names(db) == ["kb.json.1", "kb.json.2", f"kb.json.day-{DAY + timedelta(days=7)}"]


def test_something_else_at_the_first_backup_is_left_alone(folder: Path) -> None:
    db = folder / "kb.json"
    (folder / "kb.json.1").mkdir()
    save(db, "v1", BackupPolicy())
    save(db, "v2", BackupPolicy())
    assert (folder / "kb.json.1").is_dir()
    assert db.read_text() == "v2"
    assert sorted(p.name for p in folder.iterdir()) == ["kb.json", "kb.json.1"]


def test_a_failed_write_makes_no_backup_and_prunes_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = folder / "kb.json"
    monkeypatch.setattr(backups, "_today", lambda: DAY)
    monkeypatch.setenv("MFGKB_BACKUPS", "2")
    for n in range(4):
        atomic_write(db, [f"v{n}".encode()])
    monkeypatch.setattr(backups, "_today", lambda: DAY + timedelta(days=1))
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == db:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(DatabaseError, match="No space left"):
        atomic_write(db, [b"lost"])
    monkeypatch.setattr(files.os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    atomic_write(db, [b"v4"])  # the next day's first write that works makes its daily
    assert daily_path(db, DAY + timedelta(days=1)).read_bytes() == b"v3"


@pytest.mark.parametrize(
    ("env", "policy"),
    [
        ({}, BackupPolicy(10, 7)),
        ({"MFGKB_BACKUPS": "", "MFGKB_DAILY_BACKUPS": " "}, BackupPolicy(10, 7)),
        ({"MFGKB_BACKUPS": "25"}, BackupPolicy(25, 7)),
        ({"MFGKB_BACKUPS": " 1 ", "MFGKB_DAILY_BACKUPS": "0"}, BackupPolicy(1, 0)),
        ({"MFGKB_DAILY_BACKUPS": "1000"}, BackupPolicy(10, 1000)),
    ],
)
def test_the_policy_comes_from_the_environment(env: dict[str, str], policy: BackupPolicy) -> None:
    assert backup_policy(env) == policy


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MFGKB_BACKUPS", "0"),
        ("MFGKB_BACKUPS", "ten"),
        ("MFGKB_BACKUPS", "-1"),
        ("MFGKB_BACKUPS", "1001"),
        ("MFGKB_DAILY_BACKUPS", "3.5"),
        ("MFGKB_DAILY_BACKUPS", "\u0663"),  # an Arabic-Indic digit: isdigit, yet no number here
    ],
)
def test_a_bad_count_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        backup_policy({name: value})
    assert name in str(caught.value) and "nothing was changed" in str(caught.value)


def test_a_bad_count_is_refused_before_anything_is_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = folder / "kb.json"
    atomic_write(db, [b"v1"])
    monkeypatch.setenv("MFGKB_BACKUPS", "many")
    with pytest.raises(DatabaseError, match="MFGKB_BACKUPS"):
        atomic_write(db, [b"v2"])
    assert [p.name for p in folder.iterdir()] == ["kb.json"]
    assert db.read_bytes() == b"v1"


# -- counting a backup's articles ------------------------------------------------------


def test_article_count_reads_the_layout_mfgkb_writes_and_parses_any_other(folder: Path) -> None:
    import json

    from helpers import backed_up_database
    from mfgkb.storage.store import article_count

    db = backed_up_database(folder / "kb.json")
    raw = db.read_bytes()
    data = json.loads(raw)
    assert article_count(db) == len(data["articles"]) > 1
    # The same data in another layout (one line, no indents) is parsed instead.
    compact = folder / "compact.json"
    compact.write_text(json.dumps(data))
    assert article_count(compact) == len(data["articles"])
    # No articles at all, in mfgkb's layout.
    empty = folder / "empty.json"
    empty.write_bytes(b'{\n  "articles": {},' + raw[raw.find(b'\n  "meta"') :])
    assert article_count(empty) == 0 == len(json.loads(empty.read_bytes())["articles"])
    # Cut short: not counted from the layout but refused, as restore would.
    cut = folder / "cut.json"
    cut.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    with pytest.raises(DatabaseError):
        article_count(cut)
