"""The write lock: one writer at a time per database, however many processes.

The lock is an advisory lock on ``<db>.lock`` (flock on POSIX, filelock on
Windows), which the kernel drops when the holder dies, so a crashed writer
never blocks anyone. The lock file is never followed through a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat as stat_
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mfgkb import interrupts
from mfgkb.errors import DatabaseError

LOCK_TIMEOUT_ENV = "MFGKB_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 15.0


@contextlib.contextmanager
def hold(lock_path: Path, db: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``lock_path`` (for ``db``); fail clearly after the timeout."""
    try:
        timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        raise DatabaseError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds, e.g. {LOCK_TIMEOUT_ENV}=15."
        ) from None
    try:
        release = _acquire(lock_path, timeout)
    except TimeoutError:
        raise DatabaseError(
            f"Another mfgkb process has been writing to {db} for over "
            f"{timeout:g} s (lock {lock_path}); try again when it has finished."
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"Cannot create the lock file {lock_path} ({exc.strerror}); "
            f"check the folder's permissions."
        ) from None
    try:
        yield
    finally:
        release()


def _open_lock(lock_path: Path) -> int:
    """The lock file, opened (and made if need be) without following a link.

    A link would let anyone who can write the folder make mfgkb create or
    lock a file anywhere; a named pipe or a device is no lock file either (and
    must not block the open). Raises DatabaseError for those.
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    remove = f"remove it (rm {lock_path}) and try again; mfgkb makes a new one"
    try:
        fd = os.open(lock_path, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except IsADirectoryError:
        raise DatabaseError(
            f"The lock file {lock_path} is a folder, not a regular file; {remove}."
        ) from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(lock_path):
            raise DatabaseError(
                f"The lock file {lock_path} is a symbolic link, which mfgkb never follows; "
                f"{remove}."
            ) from None
        raise
    st = os.fstat(fd)
    if not stat_.S_ISREG(st.st_mode):
        os.close(fd)
        raise DatabaseError(
            f"The lock file {lock_path} is not a regular file (mode {st.st_mode:o}); {remove}."
        )
    return fd


def _acquire(lock_path: Path, timeout: float) -> Callable[[], None]:
    """Take the exclusive lock on ``lock_path``; return the function that releases it.

    POSIX flock directly: the filelock package does the same but costs 15 ms of
    imports on every write. On Windows, filelock does it.
    """
    # A platform check rather than catching ImportError: mypy then checks each
    # branch only where it runs (filelock is installed only on Windows).
    if sys.platform == "win32":
        from filelock import FileLock, Timeout

        lock = FileLock(str(lock_path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError(str(lock_path)) from None
        return lambda: lock.release()
    import fcntl

    fd = _open_lock(lock_path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise TimeoutError(str(lock_path)) from None
            interrupts.check()  # a Ctrl-C that Python swallowed must not wait out the lock
            time.sleep(0.02)

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return release
