"""Reading article records from files: JSON Lines, a JSON array, or CSV.

Turns each row into an ``Article`` draft through a field mapping, or into a
reason it is invalid, with its line number. Knows nothing of the database:
duplicates against stored articles are the knowledge base's business.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from mfgkb.errors import DateError, ImportFileError, MfgkbError, UsageError
from mfgkb.models import MAX_DEPTH, Article, nested_deeper

FIELDS = ("title", "authors", "published", "description", "url", "topics", "tags", "source")
# Column names understood without a --map, besides the field names themselves.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name"),
    "authors": ("authors", "author", "byline"),
    "published": ("published", "date", "pubdate", "published_at", "year"),
    "description": ("description", "short_description", "summary", "abstract"),
    "url": ("url", "link", "href"),
    "topics": ("topics", "topic"),
    "tags": ("tags", "tag", "keywords", "category", "categories"),
    "source": ("source", "publication", "site", "journal", "publisher"),
}
FORMATS = ("jsonl", "json", "csv")
SOURCE_FORMATS = ("feed", "bibtex", "markdown")  # read by mfgkb.sources
APPROXIMATE_TAG = "approximate-date"
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
_LIST_SPLIT = re.compile(r"[,;|]")


@dataclass(slots=True)
class Row:
    """One record of the file, with where it was found."""

    line: int
    data: dict[str, Any]


@dataclass(slots=True)
class Parsed:
    """The outcome of reading a file: valid drafts and the reasons for the rest."""

    drafts: list[tuple[int, Article]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)


def detect_format(path: Path, head: bytes) -> str:
    """The format from the extension, else from the first characters."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".json":  # one JSON document, or JSON Lines misnamed (see _json_array)
        return "json"
    start = head.lstrip()[:1]
    if start == b"[":
        return "json"
    if start == b"{":
        return "jsonl"
    return "csv"


def count_lines(path: Path) -> int:
    """Lines in the file, for a progress bar's total (cheap: no decoding)."""
    n = 0
    if not path.is_file():  # a pipe would be drained (or block), a device never end
        return 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                n += chunk.count(b"\n")
    except OSError:
        return 0
    return n


def read_rows(path: Path, fmt: str | None) -> Iterator[Row]:
    """Every record of the file as a dict, with its line (or record) number.

    JSON Lines and CSV are read a line at a time, so a large file is never in
    memory whole (a JSON array has to be). Feeds, BibTeX and folders of
    Markdown notes are read by ``mfgkb.sources``.
    """
    check_readable(path)
    if fmt is None or fmt in SOURCE_FORMATS:
        from mfgkb import sources

        if path.suffix.lower() in (".md", ".markdown") and path.is_file():
            raise ImportFileError(
                f"{path} is one note; import the folder that holds the notes: "
                f"mfgkb import {path.parent}"
            )
        kind = fmt or sources.detect_source_format(path, _head(path))
        if kind is not None:
            readers = {
                "feed": sources.read_feed,
                "bibtex": sources.read_bibtex,
                "markdown": sources.read_markdown_dir,
            }
            yield from readers[kind](path)
            return
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise ImportFileError(f"{path} does not exist; check the path.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None
    with fh:
        fmt = fmt or detect_format(path, fh.peek(64)[:64])
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        try:
            if fmt == "jsonl":
                yield from _jsonl(_Lines(text))
            elif fmt == "json":
                yield from _json_array(path, read_document(path, text))
            else:
                yield from _csv(path, text)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"{path} is not UTF-8 text (byte {exc.start} of a block); convert it to UTF-8."
            ) from None


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


class _TooLong(Exception):
    """A record grew past MAX_RECORD; the rest of its line has been skipped."""


class _Lines:
    """The lines of a text stream, each record (see ``used``) at most MAX_RECORD characters.

    An iterator class, not a generator: after raising _TooLong it goes on with
    the next line, so one oversized record is one invalid row.
    """

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.used = 0  # characters of the current record; the reader resets it
        self.quotes = 0  # quote characters in them (see _csv)
        self.quote = '"'
        self.eof = False

    def __iter__(self) -> _Lines:
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
            raise _TooLong
        self.quotes += line.count(self.quote)
        return line


_TOO_LONG = f"the record is longer than {MAX_RECORD >> 20} million characters; is the file damaged?"


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(64)
    except IsADirectoryError:
        return b""
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path} ({exc.strerror}).") from None


# A record becomes an article three levels down in the database file (file,
# table, record), so it may nest that much less than the file may.
ROW_DEPTH = MAX_DEPTH - 2
_TOO_DEEP = f"nests values more than {ROW_DEPTH} levels deep, more than mfgkb can store"


def _row(n: int, value: Any) -> Row:
    if not isinstance(value, dict):
        return Row(n, {"__error__": "not a JSON object"})
    if nested_deeper(value, ROW_DEPTH):
        return Row(n, {"__error__": _TOO_DEEP})
    return Row(n, value)


def _jsonl(lines: Iterable[str]) -> Iterator[Row]:
    it = iter(lines)
    for n in itertools.count(1):
        if isinstance(it, _Lines):
            it.used = 0
        try:
            line = next(it)
        except StopIteration:
            return
        except _TooLong:
            yield Row(n, {"__error__": _TOO_LONG})
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(n, {"__error__": f"not valid JSON ({exc.msg})"})
            continue
        except RecursionError:  # deeper than the parser goes (about 1000 levels)
            yield Row(n, {"__error__": _TOO_DEEP})
            continue
        yield _row(n, value)


def _json_array(path: Path, text: str) -> Iterator[Row]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line: JSON Lines after all
            yield from _jsonl(text.splitlines())
            return
        raise _not_json(path, exc) from None
    except RecursionError:
        # Some record is deeper than the parser goes: read the records one by
        # one, so that only that one is refused.
        yield from _json_items(path, text)
        return
    if isinstance(value, dict):  # {"articles": [...]} is common enough; else one record
        value = value.get("articles", value.get("items", [value]))
    if not isinstance(value, list):
        raise ImportFileError(f"{path} holds no JSON array of records.")
    for n, item in enumerate(value, 1):
        yield _row(n, item)


def _not_json(path: Path, exc: json.JSONDecodeError) -> ImportFileError:
    return ImportFileError(
        f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix it or use "
        f"--format jsonl for one record per line."
    )


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


# Strings whole (a bracket inside one is text), and runs of brackets as one token.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]+|[\]}]+')


def _value_end(text: str, start: int) -> int:
    """Where the array or object starting at ``start`` ends, found without parsing it."""
    depth = 0
    for match in _STRUCTURE.finditer(text, start):
        token = match.group()
        if token[0] in "[{":
            depth += len(token)
        elif token[0] in "]}":
            if len(token) >= depth:
                return match.start() + depth
            depth -= len(token)
    return len(text)


def _json_items(path: Path, text: str) -> Iterator[Row]:
    """The records of a JSON array one at a time; one nested too deeply is refused alone."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        raise ImportFileError(f"{path} {_TOO_DEEP}; import a JSON array or JSON Lines instead.")
    pos = _skip_space(text, pos + 1)
    n = 0
    while not text.startswith("]", pos):
        n += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
            yield _row(n, item)
        except RecursionError:
            yield Row(n, {"__error__": _TOO_DEEP})
            pos = _value_end(text, pos)
        except json.JSONDecodeError as exc:
            raise _not_json(path, exc) from None
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif not text.startswith("]", pos):
            raise ImportFileError(
                f"{path} is not valid JSON (record {n} is not followed by a comma or ]); fix it "
                f"or use --format jsonl for one record per line."
            )


def _csv(path: Path, text: io.TextIOWrapper) -> Iterator[Row]:
    sample = text.read(8192)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):  # not sniffable: plain comma-separated
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        # The sniffer can take "" inside a quoted field for something else when
        # the sample is small; "" is how every CSV writer escapes a quote.
        dialect.doublequote = True
    text.seek(0)  # a regular file (see check_readable); the decoder skips the BOM again
    lines = _Lines(text)
    lines.quote = dialect.quotechar or '"'
    # The csv module's own limit (128 KiB a field) would end the whole import;
    # records are bounded by _Lines instead.
    csv.field_size_limit(MAX_RECORD)
    reader = csv.DictReader(lines, dialect=dialect)
    try:
        fieldnames = reader.fieldnames
    except (csv.Error, _TooLong):
        fieldnames = None
    if not fieldnames:
        raise ImportFileError(f"{path} has no header row; CSV files need column names.")
    start = reader.line_num + 1  # a record can span lines: report where it starts
    while True:
        lines.used = lines.quotes = 0
        try:
            record = next(reader)
        except StopIteration:
            return
        except _TooLong:
            yield Row(start, {"__error__": _TOO_LONG})
        except csv.Error as exc:
            yield Row(start, {"__error__": f"not valid CSV ({exc})"})
        else:
            if lines.eof and lines.quotes % 2 and reader.line_num > start:
                # An odd number of quotes and the end of the file reached: a
                # quoted field was never closed and took in every line after it.
                yield Row(
                    start,
                    {
                        "__error__": f"a quoted field opened in this record is never closed, "
                        f"so it ran to the end of the file (line {reader.line_num}); add the "
                        f"closing {lines.quote}"
                    },
                )
                return
            yield Row(start, {k: v for k, v in record.items() if k is not None})
        start = reader.line_num + 1


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["title=headline", ...]`` -> {"title": "headline"}; checks the field names."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not column:
            raise UsageError(f"--map '{pair}' should be FIELD=COLUMN, e.g. title=headline.")
        if name not in FIELDS:
            raise UsageError(
                f"--map '{pair}': '{name}' is not a field; use one of {', '.join(FIELDS)}."
            )
        mapping[name] = column
    return mapping


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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p.strip() for p in _LIST_SPLIT.split(str(value)) if p.strip()]


class RowConverter:
    """Maps rows onto article fields and validates them."""

    def __init__(
        self,
        mapping: dict[str, str],
        *,
        dayfirst: bool = False,
        topics: list[str] | None = None,
        tags: list[str] | None = None,
        source: str | None = None,
        approximate_dates: bool = False,
    ) -> None:
        self.mapping = mapping
        self.dayfirst = dayfirst
        self.extra_topics = topics or []
        self.extra_tags = tags or []
        self.default_source = source or ""
        self.approximate_dates = approximate_dates
        # Records of a JSON file need not all have the same keys: the columns
        # are resolved once per distinct set of keys, not once per file.
        self._columns: dict[tuple[str, ...], dict[str, str | None]] = {}
        self.seen: dict[str, None] = {}  # every column name met, in order

    def check_mapping(self) -> None:
        """After the last row: a --map column that no record had is a usage error."""
        for name, column in self.mapping.items():
            if column not in self.seen:
                raise UsageError(
                    f"--map {name}={column}: the file has no column '{column}'; its columns "
                    f"are: {', '.join(self.seen) or 'none'}."
                )

    def _resolve_columns(self, row: dict[str, Any]) -> dict[str, str | None]:
        """For each field, the column that feeds it: mapped, else a known default."""
        keys = {k.casefold(): k for k in row}
        resolved: dict[str, str | None] = {}
        for name in FIELDS:
            if name in self.mapping:
                resolved[name] = self.mapping[name]
            else:
                resolved[name] = next((keys[c] for c in DEFAULT_COLUMNS[name] if c in keys), None)
        return resolved

    def _date(self, text: str) -> tuple[date, bool]:
        """The publication date, and whether it was only a year or a month."""
        from mfgkb.dates import parse_date, parse_period

        try:
            return parse_date(text, dayfirst=self.dayfirst), False
        except DateError as err:
            try:
                start = parse_period(text, dayfirst=self.dayfirst)
            except DateError:
                raise err from None
            if not self.approximate_dates:
                raise DateError(
                    f"'{text}' gives no day; import with --approximate-dates to store it "
                    f"as {start.isoformat()}, tagged {APPROXIMATE_TAG}."
                ) from None
            return start, True

    def convert(self, row: Row) -> Article:
        """The draft for one row, or raise MfgkbError saying what is wrong."""

        data = row.data
        if "__error__" in data:
            raise MfgkbError(str(data["__error__"]))
        shape = tuple(data)
        cols = self._columns.get(shape)
        if cols is None:
            cols = self._columns[shape] = self._resolve_columns(data)
            self.seen.update(dict.fromkeys(map(str, shape)))

        def get(name: str) -> Any:
            column = cols[name]
            return data.get(column) if column is not None else None

        title = get("title")
        if title is None or not str(title).strip():
            raise MfgkbError("no title")
        published_raw = get("published")
        if published_raw is None or not str(published_raw).strip():
            raise MfgkbError("no publication date")
        published, approximate = self._date(str(published_raw))
        authors, agency = split_authors(get("authors"))
        source = str(get("source") or "") or self.default_source or (agency or "")
        url = get("url")
        article = Article(
            id=0,
            title=str(title),
            published=published,
            authors=authors,
            description=str(get("description") or ""),
            url=str(url) if url else None,
            tags=[
                *_as_list(get("tags")),
                *self.extra_tags,
                *([APPROXIMATE_TAG] if approximate else []),
            ],
            source=source,
        ).validated()
        # Topics may be titles or aliases here; the knowledge base resolves them.
        topics = [*_as_list(get("topics")), *self.extra_topics]
        return replace(article, topics=list(dict.fromkeys(t.strip() for t in topics if t.strip())))


def parse_rows(
    rows: Iterable[Row], converter: RowConverter, progress: Callable[[int], None] | None = None
) -> Parsed:
    """Convert every row; bad rows are collected with their reason, not fatal."""
    parsed = Parsed()
    n = 0
    for n, row in enumerate(rows, 1):
        try:
            parsed.drafts.append((row.line, converter.convert(row)))
        except MfgkbError as err:
            parsed.invalid.append((row.line, err.message))
        if progress is not None and n % 500 == 0:
            progress(500)
    if progress is not None:
        progress(n % 500)
    converter.check_mapping()
    return parsed
