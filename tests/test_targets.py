"""Paths the user names for mfgkb to write: ``export -o`` and ``backup``.

Every test works on real files, pipes and device nodes under tmp_path. The
promises checked here:

* ``backup`` writes only regular files: a pipe, a device or a socket at the
  path (or a link to one) is refused with one line and left as it was, even
  with ``--force``;
* ``export -o`` replaces a regular file atomically, and writes straight into
  a FIFO, a character device or a socket (which cannot be replaced): a FIFO
  nobody reads is one line, not a hang; a device that fails (the "full"
  device) is one line, not a traceback; a folder or a block device is refused;
* text written into a terminal device is escaped, as on standard output.

Device nodes are made with os.mknod, which needs root: those tests skip otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from childproc import child_env, console_script
from helpers import ok, refusal
from mfgkb.cli import app
from mfgkb.kb import KnowledgeBase, article_draft

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
# Generous: only there to end a hang, never to measure speed.
TIMEOUT = 60


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database, built once and copied by ``real``."""
    db = tmp_path_factory.mktemp("template") / "kb.json"
    kb = KnowledgeBase(db)
    try:
        kb.add_article(
            article_draft(
                title="Target article \x1b[31mred\x1b[0m bell\x07 rlo\u202e c1\x9b",
                published=date(2025, 1, 15),
                authors=["Ann Lee"],
            )
        )
    finally:
        kb.close()
    return db


@pytest.fixture
def real(tmp_path: Path, template: Path) -> Path:
    """A valid database at ``tmp_path/real/kb.json``."""
    path = tmp_path / "real" / "kb.json"
    path.parent.mkdir()
    shutil.copy2(template, path)
    return path


def run(runner: CliRunner, db: Path, *args: str) -> Any:
    return runner.invoke(app, ["--db", str(db), *args])


def child(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real console script, so that a hang ends at the timeout instead of the run."""
    return subprocess.run(
        [*console_script(), "--db", str(db), *args],
        env=child_env(tmp_path, db),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mfgkb: "), lines[0]
    assert "Traceback" not in proc.stderr
    return lines[0]


def node(path: Path, kind: int, major: int, minor: int) -> Path:
    """A device node at ``path`` (root only: the test is skipped otherwise)."""
    if not (ROOT and hasattr(os, "mknod")):
        pytest.skip("making a device node needs root")
    try:
        os.mknod(path, 0o666 | kind, os.makedev(major, minor))
    except OSError as exc:
        pytest.skip(f"no device nodes here ({exc.strerror})")
    return path


def unused_block_major() -> int:
    """A block device number no driver has: opening its node cannot reach a disk."""
    try:
        text = Path("/proc/devices").read_text(encoding="ascii")
    except OSError:
        pytest.skip("no /proc/devices to find an unused block major")
    used = {int(line.split()[0]) for line in text.split("Block devices:")[-1].splitlines() if line}
    # 60-63: reserved for local and experimental use, never given out dynamically.
    free = [m for m in (60, 61, 62, 63) if m not in used]
    if not free:
        pytest.skip("no unused block major")
    return free[0]


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


def test_backup_onto_a_device_or_a_socket_is_refused(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    sock_path = tmp_path / "s"
    if len(os.fsencode(sock_path)) >= 100:
        pytest.skip("tmp_path too long for a socket path")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(os.fspath(sock_path))
        line = refusal(run(runner, real, "backup", str(sock_path), "--force"))
        assert f"{sock_path} is a socket, not a regular file" in line
        assert stat.S_ISSOCK(sock_path.lstat().st_mode)
    device = node(tmp_path / "null.json", stat.S_IFCHR, 1, 3)
    line = refusal(run(runner, real, "backup", str(device), "--force"))
    assert f"{device} is a character device, not a regular file" in line
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_backup_force_onto_a_regular_file_still_replaces_it(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "copy.json"
    dest.write_text("old\n", encoding="utf-8")
    ok(run(runner, real, "backup", str(dest), "--force"))
    assert dest.read_bytes() == real.read_bytes()
