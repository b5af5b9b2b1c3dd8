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
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import (
    ROOT,
    TIMEOUT,
    FifoReader,
    exported,
    hostile_title_database,
    needs_fifo,
    ok,
    refusal,
    run,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid database, built once and copied by ``real``."""
    return hostile_title_database(tmp_path_factory.mktemp("template") / "kb.json")


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


@pytest.fixture
def listening(tmp_path: Path) -> Iterator[tuple[Path, list[bytes]]]:
    """A Unix stream socket at a path, and what a client sends it once it is done."""
    path = tmp_path / "sock"
    if len(os.fsencode(path)) >= 100:  # sun_path holds 108 bytes
        pytest.skip("tmp_path too long for a socket path")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(os.fspath(path))
    server.listen(1)
    server.settimeout(TIMEOUT)
    got: list[bytes] = []

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(TIMEOUT)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
            got.append(b"".join(chunks))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, got
    thread.join(TIMEOUT)
    server.close()


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


# -- export -o: files atomically, pipes and devices directly -----------------------------------


@needs_fifo
def test_export_into_a_fifo_with_a_reader_gives_it_the_whole_export(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    try:
        ok(run(runner, real, "export", "--format", "csv", "-o", str(fifo)))
    finally:
        got = reader.close()
    assert got == exported(runner, real, tmp_path, "--format", "csv")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a pipe, not replaced by a file


def test_export_into_the_full_device_is_one_line_not_a_traceback(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    full = node(tmp_path / "full", stat.S_IFCHR, 1, 7)  # like /dev/full: every write fails
    line = refusal(run(runner, real, "export", "-o", str(full)))
    assert str(full) in line
    assert "No space left on device" in line
    assert stat.S_ISCHR(full.lstat().st_mode)


def test_export_into_a_character_device_writes_it_and_keeps_the_node(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    null = node(tmp_path / "null", stat.S_IFCHR, 1, 3)  # like /dev/null
    result = ok(run(runner, real, "export", "--format", "jsonl", "-o", str(null)))
    assert result.stderr == ""
    assert stat.S_ISCHR(null.lstat().st_mode)


def test_export_into_a_socket_sends_the_export(
    runner: CliRunner,
    real: Path,
    tmp_path: Path,
    listening: tuple[Path, list[bytes]],
) -> None:
    path, got = listening
    ok(run(runner, real, "export", "--format", "csv", "-o", str(path)))
    expected = exported(runner, real, tmp_path, "--format", "csv")
    for _ in range(TIMEOUT * 100):  # the server thread may still be reading
        if got:
            break
        threading.Event().wait(0.01)
    assert got == [expected]
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_export_into_a_socket_nobody_listens_on_is_one_line(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    path = tmp_path / "s"
    if len(os.fsencode(path)) >= 100:
        pytest.skip("tmp_path too long for a socket path")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(os.fspath(path))  # bound, never listening: connections are refused
        line = refusal(run(runner, real, "export", "-o", str(path)))
    assert str(path) in line
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_export_onto_a_block_device_is_refused_unopened(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    disk = node(tmp_path / "disk", stat.S_IFBLK, unused_block_major(), 0)
    line = refusal(run(runner, real, "export", "-o", str(disk)))
    assert f"{disk} is a block device, not a regular file" in line
    assert stat.S_ISBLK(disk.lstat().st_mode)


def test_export_onto_a_regular_file_replaces_it(
    runner: CliRunner, real: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    result = ok(run(runner, real, "export", "--format", "csv", "-o", str(target)))
    assert f"Wrote {target}." in result.stderr
    assert "Target article" in target.read_text(encoding="utf-8")


# -- links to regular files ----------------------------------------------------------


def test_export_onto_a_link_writes_through_it_and_keeps_the_link(
    tmp_path: Path, real: Path
) -> None:
    target = tmp_path / "out" / "articles.csv"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    ok(run(CliRunner(), real, "export", "--format", "csv", "-o", str(link)))
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert "Target article" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_backup_force_onto_a_link_writes_through_it_and_keeps_the_link(
    tmp_path: Path, real: Path
) -> None:
    target = tmp_path / "copies" / "kb-copy.json"
    target.parent.mkdir()
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "copy-link.json"
    link.symlink_to(target)
    ok(run(CliRunner(), real, "backup", str(link), "--force"))
    assert link.is_symlink()
    assert target.read_bytes() == real.read_bytes()
