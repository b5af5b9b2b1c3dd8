"""What identifies one version of a file without reading it.

Kept apart from ``store`` so that reading commands can tell whether the index
is current without importing TinyDB and the rest of the write path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple


class FileStamp(NamedTuple):
    """Size, modification time and inode: any write through a new file changes it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStamp:
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)

    def encode(self) -> str:
        return f"{self.size}:{self.mtime_ns}:{self.inode}"


def follow_links(path: Path) -> Path:
    """The file ``path`` names once symbolic links at its end are followed.

    A database reached through a link is written through to the file the link
    points to, as editors and SQLite do: the temporary file, the rename, the
    backups, the lock and the index all go beside the real file, so the link
    stays a link and every spelling of the path shares one lock. Only the last
    component is followed, so a path without links stays as the user gave it
    (relative, for messages); a loop is left as it is, for the open to report.
    """
    for _ in range(40):  # the kernel's own limit on links in a row
        try:
            target = path.readlink()
        except OSError:  # not a link (or not there): this is the file
            return path
        path = path.parent / target
    return path


def special_file(path: Path, mode: int) -> str | None:
    """Why ``path`` cannot be a database, if its mode says a pipe, a device or a socket."""
    if stat.S_ISFIFO(mode):
        kind = "a named pipe"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    else:
        kind = "not a plain file"
    return f"{path} is {kind}, not a regular file; a database is a JSON file: pass the path of one."


def stamp(path: Path) -> FileStamp | None:
    """The stamp of the file at ``path``, or None when it does not exist."""
    try:
        return FileStamp.of(path.stat())
    except FileNotFoundError:
        return None


def same_file(a: Path, b: Path) -> bool:
    """One file under two names (a symbolic or a hard link)? False if either is not there."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
