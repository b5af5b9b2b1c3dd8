"""The file formats mfgkb reads and writes, in one registry.

Each entry of ``REGISTRY`` says what a format is called, how to recognise a
file of it (extensions, first bytes, or a folder), and where its reader and
writer live, as "module:function" strings. ``mfgkb import --format`` and
``mfgkb export --format`` take their choices and help from here, and
``detect`` picks the format of a file given without ``--format``.

The entries are plain data, so that building the command line (``--help``
included) costs no parser: a format's module, and what it imports (csv,
feedparser, bibtexparser, frontmatter), is loaded only when a file of that
format is read or written. Adding a format is one module in this package
and one entry below.

A reader takes a path and yields ``rows.Row`` and ``rows.BadRow`` values; a
writer takes what its ``writes`` names and a text stream:

* "articles": a list of articles (the filters of ``mfgkb export`` choose them);
* "page": a ``TopicPage`` (the ``--topic`` of ``mfgkb export``);
* "everything": (topics, articles, next article id), a full dump.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

from mfgkb.errors import UsageError

_BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 64  # as many first bytes as ``Format.starts`` may need


class Format(NamedTuple):
    """One file format: its name, how to recognise it, and its reader and writer.

    A NamedTuple, not a dataclass: the registry is built by every command at
    start-up, and a frozen dataclass takes several times as long to define.
    """

    name: str
    label: str  # what the help calls a file of it: "JSON Lines", "BibTeX"
    extensions: tuple[str, ...] = ()  # lower-case, with the dot
    starts: tuple[bytes, ...] = ()  # lower-case first bytes (after a BOM and white space)
    folder: bool = False  # a folder of files, not one file
    fallback: bool = False  # the format of a file that nothing else claims
    reader: str | None = None  # "module:function", path -> rows
    writer: str | None = None  # "module:function", (subject, stream) -> None
    writes: Literal["articles", "page", "everything"] = "articles"
    export_help: str = ""  # what the export holds, for the --format help
    json_text: bool = False  # JSON escapes control characters without changing the data

    def claims(self, path: Path) -> bool:
        """Whether the file's extension names this format."""
        return path.suffix.lower() in self.extensions

    def sniffs(self, head: bytes) -> bool:
        """Whether the file's first bytes look like this format."""
        start = head.removeprefix(_BOM).lstrip().lower()
        return bool(self.starts) and start.startswith(self.starts)

    def read(self, path: Path) -> Iterator[Any]:
        """The rows of the file (loads the format's module).

        ``rows.Row`` and ``rows.BadRow`` values: not named here, so that the
        registry imports none of its formats' modules (``reading.read_rows``
        has the precise type).
        """
        if self.reader is None:
            raise UsageError(f"mfgkb cannot import {self.name}; use one of {names(readable())}.")
        reader: Callable[[Path], Iterator[Any]] = _load(self.reader)
        return reader(path)

    def write(self, subject: Any, out: TextIO) -> None:
        """``subject`` (see ``writes``) in this format (loads the format's module)."""
        if self.writer is None:
            raise UsageError(f"mfgkb cannot export {self.name}; use one of {names(writable())}.")
        writer: Callable[[Any, TextIO], None] = _load(self.writer)
        writer(subject, out)


def _load(target: str) -> Any:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


_HERE = __name__

REGISTRY: tuple[Format, ...] = (
    Format(
        "jsonl",
        "JSON Lines",
        extensions=(".jsonl", ".ndjson"),
        starts=(b"{",),
        reader=f"{_HERE}.jsonl:read",
        writer=f"{_HERE}.jsonl:write",
        export_help="articles",
        json_text=True,
    ),
    Format(
        "json",
        "JSON array",
        # One JSON document, or JSON Lines misnamed (the reader tells them apart).
        extensions=(".json",),
        starts=(b"[",),
        reader=f"{_HERE}.json:read",
        writer=f"{_HERE}.dump:write",
        writes="everything",
        export_help="a full dump that import restores exactly",
        json_text=True,
    ),
    Format(
        "csv",
        "CSV",
        extensions=(".csv", ".tsv"),
        fallback=True,
        reader=f"{_HERE}.csv:read",
        writer=f"{_HERE}.csv:write",
        export_help="articles",
    ),
    Format(
        "feed",
        "RSS or Atom feed",
        extensions=(".rss", ".atom", ".xml"),
        # RSS 1.0 files start with <rdf:RDF>; feedparser reads them like RSS 2.0.
        starts=(b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"),
        reader=f"{_HERE}.feed:read",
    ),
    Format(
        "bibtex",
        "BibTeX",
        extensions=(".bib",),
        starts=(b"@",),
        reader=f"{_HERE}.bibtex:read",
        writer=f"{_HERE}.bibtex:write",
        export_help="articles",
    ),
    Format(
        "markdown",
        "folder of Markdown notes",
        folder=True,
        reader=f"{_HERE}.markdown:read",
        writer=f"{_HERE}.markdown:write",
        writes="page",
        export_help="the --topic page",
    ),
)


def readable() -> list[Format]:
    """The formats ``mfgkb import`` reads, in the registry's order."""
    return [f for f in REGISTRY if f.reader is not None]


def writable() -> list[Format]:
    """The formats ``mfgkb export`` writes, in the registry's order."""
    return [f for f in REGISTRY if f.writer is not None]


def names(formats: list[Format]) -> str:
    """ "jsonl, json, csv": the names, for help and messages."""
    return ", ".join(f.name for f in formats)


def by_name(name: str, action: Literal["import", "export"]) -> Format:
    """The format called ``name`` that ``mfgkb ACTION`` handles, or a usage error listing them."""
    formats = readable() if action == "import" else writable()
    for f in formats:
        if f.name == name.strip().lower():
            return f
    raise UsageError(
        f"--format '{name}' is not a format mfgkb can {action}; use one of {names(formats)}."
    )


def import_help() -> str:
    """What ``mfgkb import`` reads, for its FILE argument."""
    files = [f.label for f in readable() if not f.folder]
    folders = [f.label for f in readable() if f.folder]
    return f"A {', '.join(files)} file" + "".join(f", or a {label}" for label in folders) + "."


def export_help() -> str:
    """ "json: a full dump ...; jsonl, csv, bibtex: articles; ...", grouped by what they hold."""
    groups: dict[str, list[str]] = {}
    for f in writable():
        groups.setdefault(f.export_help, []).append(f.name)
    return "; ".join(f"{', '.join(group)}: {what}" for what, group in groups.items()) + "."


def detect(path: Path, head: bytes) -> Format:
    """The format of a file given without --format.

    A folder is the folder format; else the extension decides, else the first
    bytes, else it is the fallback (CSV: a header row can start with anything).
    """
    if path.is_dir():
        return next(f for f in REGISTRY if f.folder)
    for f in REGISTRY:
        if f.claims(path):
            return f
    for f in REGISTRY:
        if f.sniffs(head):
            return f
    return next(f for f in REGISTRY if f.fallback)
