"""A database file that changes while mfgkb reads it, called without the command line.

The size checked first may be stale, and ``check --fix`` waits for the lock
while the file changes: each reads one state of the file.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from helpers import backed_up_database, new_database
from mfgkb.kb import KnowledgeBase
from mfgkb.storage import files, locking, store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database with its index, built once and copied by ``real``."""
    db = tmp_path_factory.mktemp("template") / "kb.json"
    return new_database(db, title="Template article", published=date(2025, 1, 15), authors=[])


@pytest.fixture
def seeded(db: Path) -> Path:
    """``db`` as the data-safety tests have it: the seed, one article and its backup ``.1``."""
    db.parent.mkdir(parents=True, exist_ok=True)
    return backed_up_database(db)


def test_a_file_growing_while_read_is_read_no_further_than_the_cap(
    real: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size checked first may be stale: the read itself stops at the cap."""
    cap = 100
    monkeypatch.setattr(files, "MAX_DATABASE_BYTES", cap)
    real_fstat = os.fstat

    def stale(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        fields = list(st)
        fields[stat.ST_SIZE] = 10  # as it was a moment before it grew
        return os.stat_result(fields)

    monkeypatch.setattr(store.os, "fstat", stale)
    with pytest.raises(store.DatabaseError, match="larger than"):
        store.load(real)


def test_check_fix_lists_and_counts_from_one_state_of_the_file(
    seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change made while check --fix waits for the lock is listed and counted, or neither."""
    data = json.loads(seeded.read_bytes())
    data["articles"]["1"]["topics"].append("ghost-topic")  # fixable
    seeded.write_text(json.dumps(data), encoding="utf-8")
    data["articles"]["1"]["published"] = "2025-02-30"  # not fixable, made meanwhile
    real = locking._acquire

    def acquire_after_a_change(lock_path: Path, timeout: float) -> Callable[[], None]:
        if seeded.read_text(encoding="utf-8").count("2025-02-30") == 0:
            seeded.write_text(json.dumps(data), encoding="utf-8")
        return real(lock_path, timeout)

    monkeypatch.setattr(locking, "_acquire", acquire_after_a_change)
    kb = KnowledgeBase(seeded)
    try:
        report = kb.check(fix=True)
    finally:
        kb.close()
    assert report.remaining, report
    assert all(p in report.problems for p in report.remaining), report
    assert [p.where for p in report.remaining] == ["article 1"]
