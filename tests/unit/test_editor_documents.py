"""The documents $EDITOR shows (``mfgkb.editing``): written from a record, read back."""

from __future__ import annotations

import pytest

from helpers import EDITOR_HOSTILE
from mfgkb.editing import article_changes, article_document, topic_changes, topic_document
from mfgkb.errors import ValidationError
from mfgkb.seed import load_seed


def test_article_document_round_trip() -> None:
    _, articles = load_seed("2026-01-01T00:00:00Z")
    article = articles[0]
    changes = article_changes(article_document(article))
    assert changes["title"] == article.title
    assert changes["published"] == article.published
    assert changes["description"] == article.description
    assert changes["tags"] == article.tags


def test_topic_document_round_trip() -> None:
    topics, _ = load_seed("2026-01-01T00:00:00Z")
    topic = next(t for t in topics if t.slug == "advanced-manufacturing")
    changes = topic_changes(topic_document(topic))
    assert changes["summary"] == topic.summary
    assert changes["key_terms"] == topic.key_terms
    assert changes["figures"] == topic.figures
    assert changes["aliases"] == topic.aliases


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: [unclosed\n---\nbody\n",
        "---\ntitle: t\npublished: someday\n---\n",
        "---\ntitle: t\npublished: 2025-01-01\ncolour: red\n---\n",
        "---\ntitle: t\npublished: 2025-01-01\nauthors: {a: 1}\n---\n",
    ],
)
def test_a_bad_article_document_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValidationError):
        article_changes(text)


def test_editor_documents_with_control_characters_round_trip() -> None:
    _, articles = load_seed("2026-01-01T00:00:00Z")
    article = articles[0]
    from dataclasses import replace

    hostile = replace(
        article, title=EDITOR_HOSTILE, description="a\n" + EDITOR_HOSTILE, tags=[EDITOR_HOSTILE]
    )
    changes = article_changes(article_document(hostile))
    assert changes["title"] == hostile.title
    assert changes["description"] == hostile.description
    assert changes["tags"] == hostile.tags
    with pytest.raises(ValidationError, match="description"):
        article_changes(article_document(hostile).rstrip("\n") + "\nA body as well.\n")
