"""Shared by the command tests: a refusal, a success, the files a database has, a FIFO reader."""

from __future__ import annotations

import os
import select
import threading
from pathlib import Path
from typing import Any

# Only there to end a hang, never to measure speed.
FIFO_TIMEOUT = 60


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
        if not poll.poll(FIFO_TIMEOUT * 1000):
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
        self.thread.join(FIFO_TIMEOUT)
        assert not self.thread.is_alive()
        self._close()
        return self.data
