"""Reading any file ``mfgkb import`` is given: the format named, else the one detected.

Apart from the registry (``mfgkb.formats``), which finds the format modules
by name when first asked and imports none of them at its top level, so that
the graph of imports stays acyclic. No ``FORMAT`` here: a helper, not a format.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mfgkb.errors import ImportFileError
from mfgkb.formats import HEAD_BYTES, by_name, detect
from mfgkb.formats.rows import AnyRow, check_readable


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(HEAD_BYTES)
    except IsADirectoryError:
        return b""
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None


def read_rows(path: Path, name: str | None) -> Iterator[AnyRow]:
    """Every record of the file (or folder), in the format named, else the one detected."""
    check_readable(path)
    fmt = by_name(name, "import") if name is not None else None
    one_note = path.suffix.lower() in (".md", ".markdown") and path.is_file()
    if one_note and (fmt is None or fmt.folder):
        raise ImportFileError(
            f"{path} is one note; import the folder that holds the notes: "
            f"mfgkb import {path.parent}"
        )
    yield from (fmt or detect(path, _head(path))).read(path)
