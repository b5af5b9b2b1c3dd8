"""FIFOs and terminals as ``backup`` and ``export -o`` targets, in the real console script.

A FIFO is never a backup; a FIFO nobody reads, or whose reader goes away, is
one line, not a hang; a terminal device gets the export escaped.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from childproc import child_env, one_line, run_on_terminal, run_script
from helpers import TIMEOUT, FifoReader, exported, hostile_title_database, needs_fifo


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database, built once and copied by ``real``."""
    return hostile_title_database(tmp_path_factory.mktemp("template") / "kb.json")


def child(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real console script, so that a hang ends at the timeout instead of the run."""
    return run_script(tmp_path, db, "--db", str(db), *args, timeout=TIMEOUT)


# -- backup writes only regular files ----------------------------------------------------------


@needs_fifo
@pytest.mark.parametrize("force", [True, False], ids=["force", "no-force"])
def test_backup_onto_a_fifo_is_refused_and_the_fifo_kept(
    tmp_path: Path, real: Path, force: bool
) -> None:
    fifo = tmp_path / "out" / "copy.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    line = one_line(child(tmp_path, real, "backup", str(fifo), *(["--force"] if force else [])))
    assert f"{fifo} is a FIFO, not a regular file; choose a file path" in line
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert list(fifo.parent.iterdir()) == [fifo]  # no temporary file left beside it


@needs_fifo
def test_backup_onto_a_link_to_a_fifo_is_refused(tmp_path: Path, real: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "copy.json"
    link.symlink_to("pipe")
    line = one_line(child(tmp_path, real, "backup", str(link), "--force"))
    assert f"{link} is a FIFO, not a regular file" in line
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)


@needs_fifo
def test_export_into_a_fifo_nobody_reads_is_one_line_not_a_hang(tmp_path: Path, real: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    line = one_line(child(tmp_path, real, "export", "-o", str(fifo)))
    assert line == f"mfgkb: Nobody is reading the FIFO {fifo}; start the reader first."
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@needs_fifo
@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"), reason="Linux only")
def test_export_into_a_fifo_whose_reader_goes_away_is_one_line(
    runner: CliRunner, tmp_path: Path, real: Path
) -> None:
    """A pipe smaller than the export: the writer waits for room, and the reader leaves."""
    assert len(exported(runner, real, tmp_path)) > 4096
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = FifoReader(fifo, pipe_size=4096, hang_up=True)
    try:
        line = one_line(child(tmp_path, real, "export", "-o", str(fifo)))
    finally:
        reader.close()
    assert str(fifo) in line
    assert "Broken pipe" in line


@pytest.mark.skipif(not Path("/proc/self/fd/1").exists(), reason="no /proc/self/fd")
def test_export_into_a_terminal_device_is_escaped(real: Path, tmp_path: Path) -> None:
    """-o naming the terminal (here through /proc): escaped, as on standard output."""
    args = ["--db", str(real), "export", "--format", "csv", "-o", "/proc/self/fd/1"]
    text = run_on_terminal(args, child_env(tmp_path, real)).decode("utf-8")
    assert "Target article \\x1b[31mred" in text and "bell\\x07" in text, text
    assert "\\u202e" in text and "\\x9b" in text, text
    for raw in "\x1b\x07\u202e\x9b":
        assert raw not in text
