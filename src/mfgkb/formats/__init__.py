"""The file formats mfgkb reads and writes, and the registry that finds them.

Each format is one module of this package that says, in a module-level
``FORMAT = Format(...)``, what the format is called, how to recognise a file
of it (extensions, first bytes, or a folder), and its reader and writer
(functions of that module, or "module:function" strings). ``registry()``
finds them: it imports every module of the package (``pkgutil`` over
``__path__``) and keeps those that define a ``FORMAT``. A module without
one (``rows``, ``text``, ``reading``, ``dump``) is a helper, whatever it is
called. So adding a format is one module in this package, and nothing else:
no list to edit, here or in the command line.

The registry is built once per process, the first time it is asked for (by
``mfgkb import`` and ``mfgkb export``, whose --format help comes from it);
no other command imports this package. Its order is ``Format.order``, then
the name: the order of the --format help and choices, and of detection (an
extension or first bytes two formats share go to the earlier; so do a
folder and the fallback, of which there is one each today). The built-in
formats have orders 10 to 60; a new one left at the default (100) comes
after them. Two modules declaring the same name are an error, not a choice.

Discovery imports the format modules but none of their parsers: each module
imports csv, feedparser, bibtexparser or frontmatter inside the function
that reads or writes, so building the command line (``--help`` included)
loads no parser. A new module should do the same (the start-up tests in
tests/system/test_startup_imports.py pin it).

A reader takes a path and yields ``rows.Row`` and ``rows.BadRow`` values; a
writer takes what its ``writes`` names and a text stream:

* "articles": a list of articles (the filters of ``mfgkb export`` choose them);
* "page": a ``TopicPage`` (the ``--topic`` of ``mfgkb export``);
* "everything": (topics, articles, next article id), a full dump.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

from mfgkb.errors import UsageError

_BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 64  # as many first bytes as ``Format.starts`` may need


Reader = Callable[[Path], Iterator[Any]]
Writer = Callable[[Any, TextIO], None]


class Format(NamedTuple):
    """One file format: its name, how to recognise it, and its reader and writer.

    A NamedTuple, not a dataclass: every run of import or export builds the
    registry, and a frozen dataclass takes several times as long to define.
    """

    name: str
    label: str  # what the help calls a file of it: "JSON Lines", "BibTeX"
    extensions: tuple[str, ...] = ()  # lower-case, with the dot
    starts: tuple[bytes, ...] = ()  # lower-case first bytes (after a BOM and white space)
    folder: bool = False  # a folder of files, not one file
    fallback: bool = False  # the format of a file that nothing else claims
    reader: Reader | str | None = None  # path -> rows; or "module:function"
    writer: Writer | str | None = None  # (subject, stream) -> None; or "module:function"
    writes: Literal["articles", "page", "everything"] = "articles"
    export_help: str = ""  # what the export holds, for the --format help
    json_text: bool = False  # JSON escapes control characters without changing the data
    order: int = 100  # place in the registry: lower first, then by name

    def claims(self, path: Path) -> bool:
        """Whether the file's extension names this format."""
        return path.suffix.lower() in self.extensions

    def sniffs(self, head: bytes) -> bool:
        """Whether the file's first bytes look like this format."""
        start = head.removeprefix(_BOM).lstrip().lower()
        return bool(self.starts) and start.startswith(self.starts)

    def read(self, path: Path) -> Iterator[Any]:
        """The rows of the file.

        ``rows.Row`` and ``rows.BadRow`` values: not named here, so that this
        module imports none of its formats' modules at its top level
        (``reading.read_rows`` has the precise type).
        """
        if self.reader is None:
            raise UsageError(f"mfgkb cannot import {self.name}; use one of {names(readable())}.")
        reader: Reader = _load(self.reader)
        return reader(path)

    def write(self, subject: Any, out: TextIO) -> None:
        """``subject`` (see ``writes``) in this format."""
        if self.writer is None:
            raise UsageError(f"mfgkb cannot export {self.name}; use one of {names(writable())}.")
        writer: Writer = _load(self.writer)
        writer(subject, out)


def _load(target: Any) -> Any:
    if not isinstance(target, str):
        return target
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


_registry: tuple[Format, ...] | None = None


def registry() -> tuple[Format, ...]:
    """Every format of the package, in order (found on the first call, then kept)."""
    global _registry
    if _registry is None:
        _registry = _discover()
    return _registry


def _discover() -> tuple[Format, ...]:
    found: list[Format] = []
    for module in pkgutil.iter_modules(__path__):
        declared = getattr(importlib.import_module(f"{__name__}.{module.name}"), "FORMAT", None)
        if isinstance(declared, Format):
            found.append(declared)
    found.sort(key=lambda f: (f.order, f.name))
    named = [f.name for f in found]
    if len(set(named)) < len(named):  # a module copied and not renamed: say so, not pick one
        raise RuntimeError(f"two format modules in {__name__} declare the same name: {named}")
    return tuple(found)


def readable() -> list[Format]:
    """The formats ``mfgkb import`` reads, in the registry's order."""
    return [f for f in registry() if f.reader is not None]


def writable() -> list[Format]:
    """The formats ``mfgkb export`` writes, in the registry's order."""
    return [f for f in registry() if f.writer is not None]


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
        return next(f for f in registry() if f.folder)
    for f in registry():
        if f.claims(path):
            return f
    for f in registry():
        if f.sniffs(head):
            return f
    return next(f for f in registry() if f.fallback)
