"""JSON Lines: one JSON object per line, read a line at a time; written from articles.

What ``write`` produces ``read`` reads back: the ``--json`` form of each
article (the importer ignores its ``id`` and ``added``: imported articles
get fresh ids).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from mfgkb.formats import Format
from mfgkb.formats.rows import (
    TOO_DEEP,
    TOO_LONG,
    AnyRow,
    BadRow,
    Lines,
    TooLong,
    record_row,
    text_rows,
)
from mfgkb.models import Article


def read(path: Path) -> Iterator[AnyRow]:
    """Every record of a JSON Lines file."""
    return text_rows(path, _read)


def _read(path: Path, text: io.TextIOWrapper) -> Iterator[AnyRow]:
    return records(Lines(text))


def records(lines: Iterable[str]) -> Iterator[AnyRow]:
    """One row per non-blank line, numbered by line."""
    it = iter(lines)
    for n in itertools.count(1):
        if isinstance(it, Lines):
            it.used = 0
        try:
            line = next(it)
        except StopIteration:
            return
        except TooLong:
            yield BadRow(n, TOO_LONG)
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRow(n, f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:  # deeper than the parser goes (about 1000 levels)
            yield BadRow(n, TOO_DEEP)
            continue
        yield record_row(n, value)


# Characters that str.splitlines() (used for a misnamed .json file (see
# mfgkb.formats.json), and by many other tools) takes for line breaks but json.dumps leaves
# raw when ensure_ascii is off. As escapes they cannot split a record.
_JSON_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def write(articles: Iterable[Article], out: TextIO) -> None:
    """One JSON object per line: the ``--json`` form of each article, UTF-8 as is."""
    for article in articles:
        line = json.dumps(article.to_json(), ensure_ascii=False)
        out.write(_JSON_LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", line))
        out.write("\n")


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "jsonl",
    "JSON Lines",
    extensions=(".jsonl", ".ndjson"),
    starts=(b"{",),
    reader=read,
    writer=write,
    export_help="articles",
    json_text=True,
    order=10,
)
