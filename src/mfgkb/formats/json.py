"""A JSON array of records (or an object holding one under "articles" or "items").

The file is read whole (within MAX_DOCUMENT): an array cannot be parsed a
record at a time. A ``.json`` file that is really JSON Lines is read as that.
What ``mfgkb export --format json`` writes is a full dump, restored by
``mfgkb.formats.dump`` instead of being read here.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from mfgkb.errors import ImportFileError
from mfgkb.formats import Format, dump
from mfgkb.formats.jsonl import records
from mfgkb.formats.rows import TOO_DEEP, AnyRow, BadRow, read_document, record_row, text_rows


def read(path: Path) -> Iterator[AnyRow]:
    """Every record of the array."""
    return text_rows(path, _read)


def _read(path: Path, text: io.TextIOWrapper) -> Iterator[AnyRow]:
    return _array(path, read_document(path, text))


def _array(path: Path, text: str) -> Iterator[AnyRow]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line: JSON Lines after all
            yield from records(text.splitlines())
            return
        raise _not_json(path, exc) from None
    except RecursionError:
        # Some record is deeper than the parser goes: read the records one by
        # one, so that only that one is refused.
        yield from _items(path, text)
        return
    if isinstance(value, dict):  # {"articles": [...]} is common enough; else one record
        value = value.get("articles", value.get("items", [value]))
    if not isinstance(value, list):
        raise ImportFileError(f"{path} holds no JSON array of records.")
    for n, item in enumerate(value, 1):
        yield record_row(n, item)


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


def _items(path: Path, text: str) -> Iterator[AnyRow]:
    """The records of a JSON array one at a time; one nested too deeply is refused alone."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        raise ImportFileError(f"{path} {TOO_DEEP}; import a JSON array or JSON Lines instead.")
    pos = _skip_space(text, pos + 1)
    n = 0
    while not text.startswith("]", pos):
        n += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
            yield record_row(n, item)
        except RecursionError:
            yield BadRow(n, TOO_DEEP)
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


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "json",
    "JSON array",
    # One JSON document, or JSON Lines misnamed (the reader tells them apart).
    extensions=(".json",),
    starts=(b"[",),
    reader=read,
    writer=dump.write,  # the full dump, which import restores (cli/transfer.py)
    writes="everything",
    export_help="a full dump that import restores exactly",
    json_text=True,
    order=20,
)
