"""The store's file format: exact bytes, streamed encoding and the append fast path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgkb.models import Article
from mfgkb.storage.codec import encode, splice_article

OPTS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def reference(data: dict[str, Any]) -> bytes:
    """What the file must hold: orjson's sorted, indented dump and a newline."""
    return orjson.dumps(data, option=OPTS) + b"\n"


def database(ids: list[int], next_id: int) -> dict[str, Any]:
    return {
        "articles": {
            str(i): {
                # Looks like a record start to a search that ignored JSON escaping.
                "title": f'Article {i} — “quoted” \\ é\n    "{i + 1}": {{\n',
                "authors": ["A. Writer"] if i % 2 else [],
                "published": "2025-10-10",
                "added": "2026-01-01T00:00:00Z",
                "description": "line one\nline two",
                "url": None,
                "topics": ["advanced-manufacturing"],
                "tags": [],
                "source": "",
            }
            for i in ids
        },
        "meta": {"1": {"next_article_id": next_id, "schema_version": 1}},
        "topics": {"1": {"slug": "advanced-manufacturing", "title": "Advanced", "aliases": []}},
    }


def test_file_is_sorted_indented_utf8(tmp_path: Path) -> None:
    data = database([1, 2, 10], 11)
    raw = b"".join(encode(data))
    assert raw == reference(data)
    text = raw.decode("utf-8")
    assert "“quoted”" in text  # UTF-8 kept, not \\u escapes
    assert text.startswith('{\n  "articles": {\n    "1": {\n      "added"')
    assert json.loads(text) == data


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"articles": {}, "meta": {}, "topics": {}},
        database([], 1),
        database(list(range(1, 4500)), 4500),  # spans several encoding batches
    ],
)
def test_streamed_encoding_matches_a_whole_dump(data: dict[str, Any]) -> None:
    assert b"".join(encode(data)) == reference(data)


@settings(max_examples=150, deadline=None)
@given(
    ids=st.sets(st.integers(min_value=1, max_value=2000), min_size=1, max_size=60),
    gap=st.integers(min_value=1, max_value=30),
)
def test_splicing_an_article_equals_re_encoding(ids: set[int], gap: int) -> None:
    """Adding through the fast path gives the very bytes a full rewrite gives."""
    ordered = sorted(ids)
    next_id = ordered[-1] + gap
    data = database(ordered, next_id)
    raw = b"".join(encode(data))
    new = Article(
        id=0,
        title="Spliced “new” article",
        published=date(2025, 11, 3),
        authors=["Dana Ruiz"],
        description="x\ny",
        topics=["advanced-manufacturing"],
        added="2026-11-25T00:00:00Z",
    )
    result = splice_article(raw, new)
    assert result is not None
    pieces, stored = result
    assert stored.id == next_id
    expected = json.loads(raw)
    expected["articles"][str(next_id)] = stored.to_dict()
    expected["meta"]["1"]["next_article_id"] = next_id + 1
    assert b"".join(bytes(p) for p in pieces) == reference(expected)


@pytest.mark.parametrize("next_id", [3001, 3007, 9999, 30000, 300000])
def test_splicing_finds_its_place_among_thousands_of_records(next_id: int) -> None:
    """The place is found in the bytes (text order: "30000" goes before "3001")."""
    data = database(list(range(1, 3001)), next_id)
    raw = b"".join(encode(data))
    new = Article(id=0, title="t", published=date(2025, 1, 1))
    result = splice_article(raw, new, 3000)
    assert result is not None
    pieces, stored = result
    data["articles"][str(next_id)] = stored.to_dict()
    data["meta"]["1"]["next_article_id"] = next_id + 1
    assert b"".join(bytes(p) for p in pieces) == reference(data)


@pytest.mark.parametrize(
    "raw",
    [
        reference(database([], 1)),  # empty articles table: no record to splice next to
        json.dumps(database([1], 2)).encode(),  # valid, but not in encode's layout
        reference(database([1], 2)).replace(b'"next_article_id": 2', b'"next_article_id": "2"'),
        reference(database([1, 5], 5)),  # the counter's id is taken: never a second "5"
    ],
)
def test_splicing_declines_files_it_does_not_recognise(raw: bytes) -> None:
    new = Article(id=0, title="t", published=date(2025, 1, 1))
    assert splice_article(raw, new) is None
