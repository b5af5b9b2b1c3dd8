"""Turning rows read from a file into article drafts.

Each ``Row`` (see ``mfgkb.formats``, which reads every format) becomes an
``Article`` draft through a field mapping, or a reason it is invalid, with its
line number; a ``BadRow`` is invalid as it comes. Knows nothing of file
formats nor of the database: duplicates against stored articles are the
knowledge base's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from mfgkb.errors import DateError, MfgkbError, UsageError
from mfgkb.formats.rows import AnyRow, BadRow, as_list, split_authors
from mfgkb.models import Article

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
APPROXIMATE_TAG = "approximate-date"


@dataclass(slots=True)
class Parsed:
    """The outcome of reading a file: valid drafts and the reasons for the rest."""

    drafts: list[tuple[int, Article]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)


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
                start = parse_period(text, dayfirst=self.dayfirst, relative=False)
            except DateError:
                raise err from None
            if not self.approximate_dates:
                raise DateError(
                    f"'{text}' gives no day; import with --approximate-dates to store it "
                    f"as {start.isoformat()}, tagged {APPROXIMATE_TAG}."
                ) from None
            return start, True

    def convert(self, row: AnyRow) -> Article:
        """The draft for one row, or raise MfgkbError saying what is wrong."""

        if isinstance(row, BadRow):
            raise MfgkbError(row.reason)
        data = row.data
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
                *as_list(get("tags")),
                *self.extra_tags,
                *([APPROXIMATE_TAG] if approximate else []),
            ],
            source=source,
        ).validated()
        # Topics may be titles or aliases here; the knowledge base resolves them.
        topics = [*as_list(get("topics")), *self.extra_topics]
        return replace(article, topics=list(dict.fromkeys(t.strip() for t in topics if t.strip())))


def parse_rows(
    rows: Iterable[AnyRow], converter: RowConverter, progress: Callable[[int], None] | None = None
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
