"""A database, lock or restore source that is a FIFO or a device, in the real console script.

Each would block or read for ever in-process: the child's timeout ends a hang,
and the promise is one line naming the file, which is left as it was.
"""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from childproc import one_line, run_script
from helpers import ROOT, new_database

ADD = ("add-article", "--title", "Written through", "--date", "2025-01-01")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database with its index, built once and copied by ``real``."""
    db = tmp_path_factory.mktemp("template") / "kb.json"
    return new_database(db, title="Template article", published=date(2025, 1, 15), authors=[])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_lock_that_is_a_fifo_is_refused_without_hanging(real: Path, tmp_path: Path) -> None:
    lock = real.with_name("kb.json.lock")
    os.mkfifo(lock)
    before = real.read_bytes()
    line = one_line(run_script(tmp_path, real, *ADD))
    assert str(lock) in line
    assert "not a regular file" in line
    assert real.read_bytes() == before


# -- 6. special files ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("args", [("articles",), ADD])
def test_a_fifo_as_db_is_refused_without_hanging(tmp_path: Path, args: tuple[str, ...]) -> None:
    fifo = tmp_path / "kb.json"
    os.mkfifo(fifo)
    line = one_line(run_script(tmp_path, fifo, *args))
    assert str(fifo) in line
    assert "not a regular file" in line
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.fixture
def zero(tmp_path: Path) -> Path:
    """A device that never ends, like /dev/zero, but in tmp_path where root can make one.

    Root running mfgkb on /dev/zero itself could leave files in /dev if the
    test failed; a user cannot write /dev, so for a user /dev/zero is safe.
    """
    if ROOT and hasattr(os, "mknod"):
        node = tmp_path / "zero.json"
        try:
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
            return node
        except OSError:
            pytest.skip("no permission to make a device node here")
    if not ROOT and Path("/dev/zero").exists():
        return Path("/dev/zero")
    pytest.skip("no /dev/zero")


def test_a_device_as_db_is_refused_without_reading_it(tmp_path: Path, zero: Path) -> None:
    for args in (("articles",), ADD, ("backup", str(tmp_path))):
        line = one_line(run_script(tmp_path, zero, *args))
        assert str(zero) in line
        assert "not a regular file" in line
    # Nothing was made beside it either (no index, no lock, no copy).
    assert sorted(p.name for p in zero.parent.iterdir() if p.name.startswith("zero")) == [
        "zero.json"
    ] or zero == Path("/dev/zero")
    assert not list(tmp_path.glob("zero-*.json"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_restore_from_a_fifo_or_a_device_is_refused_without_hanging(
    real: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "backup.json"
    os.mkfifo(fifo)
    before = real.read_bytes()
    for src in (fifo, Path("/dev/zero")):  # reading a device writes nothing beside it
        if src.exists():
            line = one_line(run_script(tmp_path, real, "restore", str(src), "--yes"))
            assert str(src) in line
            assert "not a regular file" in line
    assert real.read_bytes() == before
