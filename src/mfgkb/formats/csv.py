"""CSV (or TSV): a header row naming the columns, then one record per row.

The dialect is sniffed from the first 8 KiB; records are read a line at a
time, each within MAX_RECORD. ``write`` gives the shape ``read`` reads back.
The csv module is imported when a file is read or written, not before.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from mfgkb.errors import ImportFileError
from mfgkb.formats import Format
from mfgkb.formats.rows import MAX_RECORD, TOO_LONG, AnyRow, BadRow, Lines, Row, TooLong, text_rows
from mfgkb.models import Article


def read(path: Path) -> Iterator[AnyRow]:
    """Every record of the file, numbered by the line it starts on."""
    return text_rows(path, _read)


def _read(path: Path, text: io.TextIOWrapper) -> Iterator[AnyRow]:
    import csv

    sample = text.read(8192)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):  # not sniffable: plain comma-separated
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        # The sniffer can take "" inside a quoted field for something else when
        # the sample is small; "" is how every CSV writer escapes a quote.
        dialect.doublequote = True
    text.seek(0)  # a regular file (see rows.check_readable); the decoder skips the BOM again
    lines = Lines(text)
    lines.quote = dialect.quotechar or '"'
    # The csv module's own limit (128 KiB a field) would end the whole import;
    # records are bounded by Lines instead.
    csv.field_size_limit(MAX_RECORD)
    reader = csv.DictReader(lines, dialect=dialect)
    try:
        fieldnames = reader.fieldnames
    except (csv.Error, TooLong):
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
        except TooLong:
            yield BadRow(start, TOO_LONG)
        except csv.Error as exc:
            yield BadRow(start, f"not valid CSV ({exc})")
        else:
            if lines.eof and lines.quotes % 2 and reader.line_num > start:
                # An odd number of quotes and the end of the file reached: a
                # quoted field was never closed and took in every line after it.
                yield BadRow(
                    start,
                    f"a quoted field opened in this record is never closed, so it ran to the "
                    f"end of the file (line {reader.line_num}); add the closing {lines.quote}",
                )
                return
            yield Row(start, {k: v for k, v in record.items() if k is not None})
        start = reader.line_num + 1


CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "published",
    "added",
    "description",
    "url",
    "topics",
    "tags",
    "source",
)
LIST_SEPARATOR = "; "


def write(articles: Iterable[Article], out: TextIO) -> None:
    """A header row, then one row per article; lists joined with "; ".

    Imports back through ``mfgkb import`` with the same titles, dates,
    descriptions, URLs, topics and sources (the csv module quotes commas,
    quotes and line breaks in a field). What does not survive, because the
    importer splits and tidies the list columns:

    * an author name holding a comma, ";", "&" or the word "and" ("Smith,
      Jr.", "Procter & Gamble") comes back as several names; a name in
      capitals comes back title-cased; a news agency named as an author (AP,
      Reuters, ...) is dropped from the authors;
    * a tag holding ",", ";" or "|" comes back as several tags.

    The importer also guesses the dialect from the first 8 KiB (csv.Sniffer),
    and guesses wrong when every quoted field there that holds a doubled
    quote also holds a comma or line break ('The "Made in USA" label,
    explained'): such a file is standard CSV, but ``mfgkb import`` misreads
    it until the importer stops trusting the sniffer's ``doublequote``.

    Cells are written as they are: a title starting with "=" is not defused
    for spreadsheet programs, since that would change it on the way back.
    """
    import csv

    # "\n", not the csv default "\r\n": the caller opens the stream and decides
    # the platform's line ends; the csv reader accepts both.
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in articles:
        writer.writerow(
            [
                a.id,
                a.title,
                LIST_SEPARATOR.join(a.authors),
                a.published.isoformat(),
                a.added,
                a.description,
                a.url or "",
                LIST_SEPARATOR.join(a.topics),
                LIST_SEPARATOR.join(a.tags),
                a.source,
            ]
        )


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "csv",
    "CSV",
    extensions=(".csv", ".tsv"),
    fallback=True,  # a header row can start with anything
    reader=read,
    writer=write,
    export_help="articles",
    order=30,
)
