"""What every reader yields, and the limits and helpers readers share.

A reader turns a file into ``Row`` values (a record with its line or record
number, keyed by the file's own column names, or by the article field names
for feeds, BibTeX and notes) and ``BadRow`` values (a record that cannot be
used at all, with the reason). A file that cannot be read at all raises
``ImportFileError``. Converting rows into articles is ``mfgkb.importer``'s job.
"""

from __future__ import annotations

import io
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mfgkb.errors import ImportFileError
from mfgkb.models import MAX_DEPTH, nested_deeper


@dataclass(slots=True)
class Row:
    """One record of the file, with where it was found."""

    line: int
    data: dict[str, Any]


@dataclass(slots=True)
class BadRow:
    """A record that cannot become an article, with where it was found and why."""

    line: int
    reason: str


AnyRow = Row | BadRow

# What one record may be: a JSON or CSV line, a CSV record, a Markdown note
# (characters), and a file read whole: a JSON array, a feed, a BibTeX file
# (bytes). Beyond them memory would grow with the input instead of the budget.
MAX_RECORD = 4 << 20
MAX_DOCUMENT = 64 << 20

# Wire services credited after the names ("Carla K. Johnson, AP"): a credit,
# not a person, so it becomes the article's source when it has none.
AGENCIES = {
    "ap": "AP",
    "associated press": "Associated Press",
    "reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "upi": "UPI",
    "bloomberg": "Bloomberg",
}
# Just the separators: the parts are stripped after. "\s*" on either side took
# quadratic time on a long run of spaces (each one began a new failing match).
_AUTHOR_SPLIT = re.compile(r",|;|&|\band\b", re.IGNORECASE)
# Between the items of a list given as one string ("a, b; c | d"): a CSV
# column, a note's "tags: a, b", BibTeX keywords. The parts are stripped after.
LIST_SPLIT = re.compile(r"[,;|]")


def check_readable(path: Path) -> None:
    """ImportFileError unless ``path`` is a regular file or a folder.

    A named pipe would block until something writes to it, and a device such
    as /dev/zero never ends: neither is a saved export.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist; check the path.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    raise ImportFileError(
        f"{path} is {special_kind(mode)}, not a file; save its data to a file and import that."
    )


def special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_document(path: Path, stream: Any) -> Any:
    """All of a file that is read whole (str or bytes, as ``stream`` gives), within MAX_DOCUMENT."""
    data = stream.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        raise ImportFileError(
            f"{path} is larger than {MAX_DOCUMENT >> 20} MB, more than one import reads "
            f"at once; split it into smaller files."
        )
    return data


class TooLong(Exception):
    """A record grew past MAX_RECORD; the rest of its line has been skipped."""


class Lines:
    """The lines of a text stream, each record (see ``used``) at most MAX_RECORD characters.

    An iterator class, not a generator: after raising TooLong it goes on with
    the next line, so one oversized record is one invalid row.
    """

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.used = 0  # characters of the current record; the reader resets it
        self.quotes = 0  # quote characters in them (see mfgkb.formats.csv)
        self.quote = '"'
        self.eof = False

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RECORD + 1 - self.used)
        if not line:
            self.eof = True
            raise StopIteration
        self.used += len(line)
        if self.used > MAX_RECORD:
            while line and not line.endswith(("\n", "\r")):
                line = self.stream.readline(1 << 16)
            raise TooLong
        self.quotes += line.count(self.quote)
        return line


TOO_LONG = f"the record is longer than {MAX_RECORD >> 20} million characters; is the file damaged?"


# A record becomes an article three levels down in the database file (file,
# table, record), so it may nest that much less than the file may.
ROW_DEPTH = MAX_DEPTH - 2
TOO_DEEP = f"nests values more than {ROW_DEPTH} levels deep, more than mfgkb can store"


def record_row(n: int, value: Any) -> AnyRow:
    """A parsed JSON record as a row, or why it cannot be one."""
    if not isinstance(value, dict):
        return BadRow(n, "not a JSON object")
    if nested_deeper(value, ROW_DEPTH):
        return BadRow(n, TOO_DEEP)
    return Row(n, value)


def split_authors(value: Any) -> tuple[list[str], str | None]:
    """Names from "Rebecca Santana and Kevin McGill, AP": (names, agency credit)."""
    if isinstance(value, list):
        parts = [str(v) for v in value]
    else:
        parts = _AUTHOR_SPLIT.split(str(value or ""))
    names: list[str] = []
    agency: str | None = None
    for part in parts:
        name = " ".join(part.split())
        if not name:
            continue
        if name.casefold() in AGENCIES:
            agency = AGENCIES[name.casefold()]
            continue
        if name.isupper() and len(name) > 3:  # "BRUCE SCHREINER" -> "Bruce Schreiner"
            name = name.title()
        names.append(name)
    return names, agency


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p.strip() for p in LIST_SPLIT.split(str(value)) if p.strip()]


def open_error(path: Path, exc: OSError) -> ImportFileError:
    """Why a file read whole cannot be opened, in the words ``text_rows`` uses."""
    if isinstance(exc, FileNotFoundError):
        return ImportFileError(f"{path} does not exist; check the path.")
    if isinstance(exc, IsADirectoryError):
        return ImportFileError(f"{path} is a folder; give the file itself.")
    return ImportFileError(
        f"Cannot read {path} ({exc.strerror}); check that it is a readable file."
    )


def read_bytes(path: Path) -> bytes:
    """The whole file (at most MAX_DOCUMENT), or ImportFileError saying why not."""
    try:
        with path.open("rb") as fh:
            data: bytes = read_document(path, fh)
    except OSError as exc:
        raise open_error(path, exc) from None
    return data


def read_text(path: Path) -> str:
    """The whole file as text, or ImportFileError saying why not."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8."
        ) from None


def text_rows(
    path: Path, read: Callable[[Path, io.TextIOWrapper], Iterator[AnyRow]]
) -> Iterator[AnyRow]:
    """The rows ``read`` finds in the file as UTF-8 text (a byte order mark skipped).

    The text is decoded as it is read, so a line-by-line reader never holds
    the whole file.
    """
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist; check the path.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None
    with fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        try:
            yield from read(path, text)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{path} is not UTF-8 text (byte {exc.start} of a block); convert it to UTF-8."
            ) from None
