"""The files beside the database: safe reads, atomic writes, backups, temp files.

A file is opened only if it is a regular file of a sane size (a named pipe or
a device is refused before a byte is read). Every write goes to a temporary
file in the same directory that is fsynced and then moved over the old file
with ``os.replace`` (and the directory fsynced), so a crash leaves the old or
the new file, never a torn one; Ctrl-C is held back around the rename so that
"saved" is known exactly. Only a regular file is ever replaced: a FIFO, a
device or a socket at the path is refused. The previous version is kept as
``<db>.1`` and so on (``mfgkb.storage.backups`` says which are kept); backups
are hard links, so keeping them costs no copying. An export (write_export) is
the one write that goes into a FIFO, a character device or a socket, never
waiting for a reader that is not there. Knows nothing of the records inside the files.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import shutil
import stat as stat_
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from mfgkb.errors import DatabaseError
from mfgkb.filestamp import FileStamp, follow_links, same_file, special_file, stamp
from mfgkb.storage.backups import BackupPolicy, backup_policy, rotate_backups

# No knowledge base comes near this (100k articles are 60 MB); a bigger file is
# the wrong file, and reading it whole would take the machine's memory.
MAX_DATABASE_BYTES = 2 << 30


def _too_big(path: Path, size: int) -> DatabaseError:
    from mfgkb.models import file_size  # the one size wording (where, backups)

    return DatabaseError(
        f"{path} holds {file_size(size)} or more, larger than the "
        f"{file_size(MAX_DATABASE_BYTES)} "
        f"mfgkb reads as a database; check that it is the right file."
    )


def open_regular(path: Path) -> tuple[BinaryIO, os.stat_result]:
    """``path`` opened for reading, if it is a regular file of a sane size.

    A named pipe would block the open and a device (``/dev/zero``) never ends,
    so the file is opened without blocking and checked with fstat before a byte
    is read. Raises DatabaseError for those, OSError for the usual failures.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat_.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        why = special_file(path, st.st_mode)
        if why is not None:
            raise DatabaseError(why)
        if st.st_size > MAX_DATABASE_BYTES:
            raise _too_big(path, st.st_size)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), st


def read_all(path: Path, fh: BinaryIO, size: int) -> bytes | memoryview:
    """The file's bytes, mapped rather than copied when it is a large regular file.

    Writers only ever replace the file, so the mapped inode does not change
    under us; mapping saves a copy of the whole file (time and memory). The
    size was checked before, but a file someone else is appending to can grow
    meanwhile: what is read stops at the cap all the same.
    """
    raw: bytes | memoryview | None = None
    if size >= 1 << 20:
        # Not mappable (special file systems): read it instead.
        with contextlib.suppress(OSError, ValueError):
            raw = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    if raw is None:
        raw = fh.read(MAX_DATABASE_BYTES + 1)
    if len(raw) > MAX_DATABASE_BYTES:
        raise _too_big(path, len(raw))
    return raw


def _fsync_dir(directory: Path) -> None:
    # Without this the rename itself may not survive a power cut.
    with contextlib.suppress(OSError):  # some filesystems refuse O_RDONLY on dirs
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _snapshot(path: Path) -> Path | None:
    """A hard link to the current file under a temporary name, to become ``.1``.

    The live file is only ever replaced, never modified, so a link is a true
    snapshot and costs no copying. Falls back to a copy where links fail.
    """
    if not path.exists():
        return None
    held = path.with_name(f"{_temp_prefix(path)}previous.tmp")
    with contextlib.suppress(FileNotFoundError):
        held.unlink()
    try:
        os.link(path, held)
    except OSError:
        shutil.copy2(path, held)
    return held


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold Ctrl-C back for a few instructions, so "saved" is known exactly."""
    try:
        import signal

        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (ImportError, AttributeError, ValueError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _target_stat(path: Path) -> os.stat_result | None:
    """The stat of what ``path`` names, links followed (None if nothing is there)."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symbolic link loop, say
        raise DatabaseError(
            f"{path} cannot be written ({exc.strerror or exc}); nothing was changed. "
            f"Check the path."
        ) from None


def _kind(mode: int) -> str:
    if stat_.S_ISFIFO(mode):
        return "a FIFO"
    if stat_.S_ISCHR(mode):
        return "a character device"
    if stat_.S_ISBLK(mode):
        return "a block device"
    if stat_.S_ISSOCK(mode):
        return "a socket"
    if stat_.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def _not_a_file(path: Path, mode: int) -> DatabaseError:
    return DatabaseError(
        f"{path} is {_kind(mode)}, not a regular file; choose a file path. Nothing was written."
    )


def check_regular(path: Path) -> os.stat_result | None:
    """The stat of the regular file at ``path`` (or behind a link there); None if none.

    Writing a file means putting a new one in its place: a FIFO, a device or
    a socket there would be replaced by a plain file, and whatever used it
    would lose it. Those, and folders, are refused with DatabaseError.
    """
    st = _target_stat(path)
    if st is not None and not stat_.S_ISREG(st.st_mode):
        raise _not_a_file(path, st.st_mode)
    return st


def check_writable(path: Path) -> os.stat_result | None:
    """The stat of the file at ``path`` if we may replace it (None if there is none).

    Only a regular file is ever replaced (see check_regular). ``os.replace``
    ignores the old file's mode and owner: left to it, a file made read-only
    would be rewritten and another user's file would become ours. So: anyone
    but root needs write permission and must own the file
    (replacing it would change its owner). Root may write anything, so for
    root the one promise that counts is the mode: a file no one may write
    (``chmod a-w``) is refused; any other file root writes keeps its owner.
    """
    st = check_regular(path)
    if st is None:
        return None
    mode = stat_.S_IMODE(st.st_mode)
    fix = f"make it writable with: chmod u+w {path}"
    if hasattr(os, "geteuid"):
        euid = os.geteuid()
        if euid == 0:
            if not mode & 0o222:
                raise DatabaseError(
                    f"{path} is read-only for everyone (mode {mode:04o}); nothing was "
                    f"changed. To change it, {fix}"
                )
            return st
        if st.st_uid != euid:
            raise DatabaseError(
                f"{path} is owned by another user (uid {st.st_uid}), and writing it would "
                f"make it yours; nothing was changed. Run mfgkb as that user, or work on a "
                f"copy of your own."
            )
    effective = os.access in os.supports_effective_ids
    if not os.access(path, os.W_OK, effective_ids=effective):
        raise DatabaseError(
            f"{path} is read-only for you (mode {mode:04o}); nothing was changed. To change "
            f"it, {fix}"
        )
    return st


def _temp_file(path: Path) -> tuple[int, str]:
    """A new private file beside ``path``; DatabaseError naming the folder if it cannot be."""
    directory = path.parent
    try:
        return tempfile.mkstemp(dir=directory, prefix=_temp_prefix(path), suffix=".tmp")
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DatabaseError(
                f"The folder {directory} is not writable, and mfgkb writes {path.name} by "
                f"saving a new file beside it; nothing was changed. Make the folder "
                f"writable with: chmod u+w {directory}"
            ) from None
        if exc.errno == errno.EROFS:
            raise DatabaseError(
                f"The folder {directory} is on a read-only file system, so {path} cannot be "
                f"written; nothing was changed. Use a path on a writable disk."
            ) from None
        raise DatabaseError(
            f"Could not write {path} ({exc.strerror or exc}); the database was left "
            f"unchanged. Free some space or fix the permissions and try again."
        ) from None


def atomic_write(
    path: Path,
    payload: Iterable[bytes | memoryview],
    *,
    keep_backup: bool = True,
    on_replaced: Callable[[], None] | None = None,
    overwrite: bool = True,
) -> FileStamp:
    """Replace ``path`` with ``payload`` atomically; return the new file's stamp.

    On any failure (disk full, permissions, an interrupt) before the new file
    is in place, the temporary files are removed and the old file and the
    backups are left exactly as they were. ``on_replaced`` runs right after the
    new file is in place, with Ctrl-C held back, so the caller knows for sure
    whether the write happened. With ``overwrite`` false an existing ``path``
    is never replaced: FileExistsError, even if it appeared a moment ago.
    """
    directory = path.parent
    old = check_writable(path)
    policy = backup_policy() if keep_backup else BackupPolicy()  # refused before a write
    fd, tmp_name = _temp_file(path)
    tmp = Path(tmp_name)
    previous: Path | None = None
    replaced = False
    try:
        # mkstemp makes the file private (0600) and ours; keep the old file's
        # owner (root can, others only the group, if a member) and mode, or give
        # a new one the mode any new file would get under the umask.
        if old is not None and hasattr(os, "fchown"):
            with contextlib.suppress(OSError):
                os.fchown(fd, old.st_uid, old.st_gid)
        mode = stat_.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            fh.writelines(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_backup:
            previous = _snapshot(path)
        with _no_interrupts():
            if overwrite:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
            replaced = True
            if on_replaced is not None:
                on_replaced()
    except BaseException as exc:
        if replaced:  # a Ctrl-C held back until the rename was done: keep the backup
            if previous is not None:
                with contextlib.suppress(OSError):
                    rotate_backups(path, previous, policy)
            _fsync_dir(directory)
            raise
        for leftover in (tmp, previous):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
        if isinstance(exc, FileExistsError) and not overwrite:
            raise
        if isinstance(exc, OSError):
            raise DatabaseError(
                f"Could not write {path} ({exc.strerror or exc}); the database was left "
                f"unchanged. Free some space or fix the permissions and try again."
            ) from None
        raise
    if previous is not None:
        # The change is saved; shifting the backups only happens once it is.
        with contextlib.suppress(OSError):
            rotate_backups(path, previous, policy)
    _fsync_dir(directory)
    result = stamp(path)
    assert result is not None
    return result


def write_export(path: Path, text: str, *, on_terminal: Callable[[str], str] | None = None) -> bool:
    """``text`` (as UTF-8) into what ``path`` names; True if a file was put in place.

    A regular file, or a new path, is replaced atomically (atomic_write). A
    FIFO, a character device or a socket cannot be replaced, so it is written
    into directly (``export -o`` to a pipe someone reads, a device, a
    terminal); a terminal gets ``on_terminal(text)``, the escaped text,
    instead. A folder, a block device (a disk) or anything else is refused. No
    write waits forever for a FIFO nobody reads: DatabaseError, as for any
    failure of the write (a full device, a reader that went away).
    """
    st = _target_stat(path)
    if st is None or stat_.S_ISREG(st.st_mode):
        # Through a link to the file it names: the link stays a link.
        atomic_write(follow_links(path), [text.encode("utf-8")], keep_backup=False)
        return True
    if stat_.S_ISSOCK(st.st_mode):
        _send(path, text.encode("utf-8"))
        return False
    if not (stat_.S_ISFIFO(st.st_mode) or stat_.S_ISCHR(st.st_mode)):
        raise _not_a_file(path, st.st_mode)
    fd = _open_stream(path, st.st_mode)
    try:
        if on_terminal is not None and os.isatty(fd):
            text = on_terminal(text)
        _write_all(fd, text.encode("utf-8"))
    except OSError as exc:  # ENOSPC (a full device), EPIPE (the reader left), EIO
        raise _write_failed(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    return False


def _open_stream(path: Path, mode: int) -> int:
    """A FIFO or a character device opened for writing, without waiting for a reader.

    Opened non-blocking, a FIFO with no reader fails at once (ENXIO) instead
    of blocking until one comes, and a device does not wait for a carrier;
    then the descriptor is made blocking again, so that a slow reader slows
    the writes rather than failing them. O_NOCTTY: a terminal written to must
    not become our controlling terminal.
    """
    flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO and stat_.S_ISFIFO(mode):
            raise DatabaseError(
                f"Nobody is reading the FIFO {path}; start the reader first."
            ) from None
        raise DatabaseError(
            f"Could not open {path} ({exc.strerror or exc}); nothing was written."
        ) from None
    try:
        opened = os.fstat(fd).st_mode
        if stat_.S_IFMT(opened) != stat_.S_IFMT(mode):  # replaced between stat and open
            raise DatabaseError(f"{path} changed while it was being opened; try again.")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _send(path: Path, data: bytes) -> None:
    """``data`` to the program listening on the Unix socket at ``path``."""
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(os.fspath(path))
            sock.sendall(data)
    except ConnectionRefusedError:
        raise DatabaseError(
            f"Nobody is listening on the socket {path}; start the program that reads it first."
        ) from None
    except OSError as exc:
        raise _write_failed(path, exc) from None


def _write_failed(path: Path, exc: OSError) -> DatabaseError:
    return DatabaseError(
        f"Could not write to {path} ({exc.strerror or exc}); what it received is incomplete."
    )


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` in place as ``path`` only if no ``path`` exists (atomically)."""
    try:
        os.link(tmp, path)  # fails with FileExistsError rather than replace
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(OSError):
        tmp.unlink()


def _umask() -> int:
    # The only portable way to read the umask is to set it and set it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temp_prefix(path: Path) -> str:
    # Distinct enough that cleaning up after ``kb.json`` never touches the
    # temporary files of ``kb.json.bak`` or of another database in the folder.
    return f".{path.name}.mfgkb-"


def orphan_temp_files(path: Path) -> list[Path]:
    """Temporary files a killed writer left behind next to the database."""
    return sorted(path.parent.glob(f"{_temp_prefix(path)}*.tmp"))


def is_own_file(target: Path, db: Path) -> bool:
    """Is ``target`` the database, its index, lock, temporary file or a backup?

    However either is spelt: through symbolic links (resolved), or as a hard
    link to the database itself.
    """
    real_target, real_db = _resolved(target), _resolved(db)
    name = real_db.name
    if real_target.parent == real_db.parent and (
        real_target.name == name or real_target.name.startswith((f"{name}.", _temp_prefix(real_db)))
    ):
        return True
    return same_file(target, db)  # not there (yet): not the same file


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop (RuntimeError before 3.13)
        return path.absolute()
