"""What identifies one version of a file without reading it.

Kept apart from ``store`` so that reading commands can tell whether the index
is current without importing TinyDB and the rest of the write path.
"""

from __future__ import annotations

import os
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


def stamp(path: Path) -> FileStamp | None:
    """The stamp of the file at ``path``, or None when it does not exist."""
    try:
        return FileStamp.of(path.stat())
    except FileNotFoundError:
        return None
