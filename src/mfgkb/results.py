"""What the domain hands to a view: one dataclass per kind of answer.

Commands get these from the knowledge base and pass them, unchanged, to a view
(``mfgkb.views``): Rich for people, JSON for programs. Nothing here knows about
either, so a third view (HTML) reads the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from mfgkb.check import Problem
    from mfgkb.models import Article, Topic

# Also results, defined where they are built: mfgkb.models.Article (one article
# in full), mfgkb.index.ranking.SearchResult (search hits) and
# mfgkb.index.reads.Stats (the stats page).


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with --dry-run, would do)."""

    added: list[Article] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False


@dataclass(slots=True)
class CheckReport:
    """What ``check`` found, and with --fix what it repaired and what is left."""

    problems: list[Problem]
    topics: int
    articles: int
    fixed: int = 0
    remaining: list[Problem] = field(default_factory=list)
    path: str = ""  # the database checked


@dataclass(frozen=True, slots=True)
class TopicPage:
    """Everything the topic page shows."""

    topic: Topic
    related: list[tuple[str, str | None]]  # (slug, title or None when the topic is missing)
    term_topics: set[str]  # key-term slugs that exist as topics
    articles: list[Article]
    total_articles: int


@dataclass(frozen=True, slots=True)
class TopicList:
    """Every topic with its number of articles (``mfgkb topics``)."""

    rows: list[tuple[Topic, int]]


@dataclass(frozen=True, slots=True)
class ArticleList:
    """Some articles, in order, and how many match in all (``mfgkb articles``)."""

    articles: list[Article]
    total: int


@dataclass(frozen=True, slots=True)
class Saved:
    """A topic or an article just added or changed."""

    record: Topic | Article
    added: bool  # new, else changed


@dataclass(frozen=True, slots=True)
class Notice:
    """A change whose whole answer is one sentence (removed, linked, copied, restored)."""

    text: str


@dataclass(frozen=True, slots=True)
class BackupList:
    """The automatic backups of a database, newest first."""

    paths: list[Path]
