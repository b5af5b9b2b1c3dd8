"""The database's on-disk bytes: encoding, and adding one article by splicing.

``encode`` writes the file with sorted keys, two-space indents and UTF-8, so it
diffs cleanly in git, and streams it a few thousand records at a time.
``splice_article`` relies on exactly that layout to add a record without
parsing the file, so the two live here side by side: a change to one is a
change to the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from mfgkb import interrupts
from mfgkb.models import Article
from mfgkb.storage.records import META_ID

with interrupts.deferred():  # a Ctrl-C inside orjson's set-up crashes the process
    import orjson

_OPTS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_BATCH = 2000


def encode(data: dict[str, Any]) -> Iterator[bytes | memoryview]:
    """The on-disk form, in pieces: sorted keys, two-space indent, UTF-8, final newline.

    Byte for byte what ``orjson.dumps(data, OPT_INDENT_2 | OPT_SORT_KEYS)``
    gives, but each table is dumped a few thousand records at a time, so the
    whole file never sits in memory next to the data (at 100k articles that
    is 60 MB, plus orjson's growing buffer).
    """
    names = sorted(data)
    if not names:
        yield b"{}\n"
        return
    yield b"{\n"
    for t, name in enumerate(names):
        table = data[name]
        yield b"  " + orjson.dumps(name) + b": "
        if not isinstance(table, dict) or not table:
            yield orjson.dumps(table, option=_OPTS).replace(b"\n", b"\n  ")
        else:
            yield b"{\n"
            keys = sorted(table)
            for start in range(0, len(keys), _BATCH):
                part = orjson.dumps(
                    {k: table[k] for k in keys[start : start + _BATCH]}, option=_OPTS
                )
                # b'{\n  "1": ...\n}' -> its lines, indented two more levels.
                body = part[2:-2].replace(b"\n", b"\n  ")
                yield (b"  " + body + b",\n") if start + _BATCH < len(keys) else (b"  " + body)
            yield b"\n  }"
        yield b",\n" if t + 1 < len(names) else b"\n"
    yield b"}\n"


# -- appending one article without parsing the file --------------------------
#
# Adding an article is the commonest write. Parsing and re-encoding the whole
# file for it costs a third of a second at 100k articles, so when the file is
# known to be exactly what ``encode`` wrote (the index vouches for that: same
# stamp, written by us), the new record is spliced into the bytes instead. The
# layout ``encode`` produces makes the places unambiguous: records of the
# articles table start with a line indented by exactly four spaces, tables with
# two, and JSON strings cannot hold a raw newline. The result is byte for byte
# what ``encode`` would give for the new data (tests check this).

_HEAD = b'{\n  "articles": {\n'
_ARTICLES_END = b'\n  },\n  "meta": {\n'
_META_END = b'\n  },\n  "topics": '


def _block(name: str, value: Any) -> bytes:
    """``  "name": <value>`` as it stands inside the top-level object."""
    return orjson.dumps({name: value}, option=_OPTS)[2:-2]


def _record(key: str, doc: dict[str, Any]) -> bytes:
    """``    "key": {...}`` as it stands inside a table."""
    dumped = orjson.dumps({"t": {key: doc}}, option=_OPTS)
    return dumped[len(b'{\n  "t": {\n') : -len(b"\n  }\n}")]


def splice_article(
    raw: bytes, article: Article, highest: int = 0
) -> tuple[list[bytes | memoryview], Article] | None:
    """The new file's pieces with ``article`` added under the next id, or None.

    ``raw`` must be a file ``encode`` wrote; None means the layout was not as
    expected and the caller must take the slow path. ``highest`` is the
    highest id the caller knows to be in use: a counter at or below it is left
    for the slow path to correct.
    """
    if not raw.startswith(_HEAD):
        return None
    articles_end = raw.find(_ARTICLES_END)
    meta_start = articles_end + len(b"\n  },\n")
    meta_end = raw.find(_META_END, meta_start) + len(b"\n  }")
    if articles_end < 0 or meta_end < meta_start:
        return None
    old_meta = raw[meta_start:meta_end]
    try:
        meta = orjson.loads(b"{" + old_meta + b"}")["meta"]
        next_id = meta[str(META_ID)]["next_article_id"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    if not isinstance(next_id, int) or isinstance(next_id, bool) or next_id <= highest:
        return None  # a counter behind the ids in use: the slow path corrects it
    if _block("meta", meta) != old_meta:  # not in encode's layout after all
        return None
    at = _successor(raw, str(next_id).encode(), articles_end)
    if at is None:
        return None
    stored = replace(article, id=next_id)
    meta[str(META_ID)]["next_article_id"] = next_id + 1
    record = _record(str(next_id), stored.to_dict())
    view = memoryview(raw)
    if at == articles_end:  # sorts last: goes after the last record
        head: list[bytes | memoryview] = [view[:articles_end], b",\n", record]
        middle = view[articles_end:meta_start]
    else:
        head = [view[: at + 1], record, b",\n"]
        middle = view[at + 1 : meta_start]
    return [*head, middle, _block("meta", meta), view[meta_end:]], stored


_RECORD = b'\n    "'  # a record of a table starts a line indented by exactly four spaces
_RECORD_OPEN = b'": {\n'


def _successor(raw: bytes, key: bytes, end: int) -> int | None:
    """Where the first article record whose key sorts after ``key`` starts (its newline).

    ``end`` (the end of the articles table) when none does; None when ``key``
    is there already or a record is not in ``encode``'s layout. ``encode``
    sorts keys as text, so a binary search over the bytes finds the place in
    a few dozen short scans, with neither a parse nor the index's help: each
    probe looks for the first record start at or after a middle offset.
    """
    lo, hi, best = len(_HEAD) - 1, end, end
    # Record starts before ``lo`` sort before ``key``, those at or after ``hi``
    # after it; ``best`` is the first of the latter (or ``end``).
    while lo < hi:
        mid = (lo + hi) // 2
        at = raw.find(_RECORD, mid, hi + len(_RECORD) - 1)  # one that starts before hi
        if at < 0:  # no record starts in [mid, hi): they all sort after
            hi = mid
            continue
        start = at + len(_RECORD)
        close = raw.find(_RECORD_OPEN, start, end)
        if close < 0:
            return None
        found = raw[start:close]
        if b'"' in found or found == key:
            return None
        if found > key:
            best, hi = at, mid
        else:
            lo = at + 1
    return best
