"""What the domain hands to a view: one dataclass per kind of answer.

Commands get these from the knowledge base and pass them, unchanged, to a view
(``mfgkb.views``): Rich for people, JSON for programs. Nothing here knows about
either, so a third view (HTML) reads the same objects.

The answers that never change once made are NamedTuples: every command that
gives one imports this module, and a frozen dataclass takes several times as
long to define (measured: importing this module took 9-10 ms with
dataclasses only, 6 ms this way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pathlib import Path

    from mfgkb.check import Problem
    from mfgkb.index.reads import Tally
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
    # (slug, title) of the other topics whose related list names this one, by
    # slug; a topic this one lists as related too is in both lists.
    referenced_by: list[tuple[str, str]] = field(default_factory=list)


class TopicList(NamedTuple):
    """Every topic with its number of articles (``mfgkb topics``)."""

    rows: list[tuple[Topic, int]]


class ArticleList(NamedTuple):
    """Some articles, in order, and how many match in all (``mfgkb articles``)."""

    articles: list[Article]
    total: int


class Saved(NamedTuple):
    """A topic or an article just added or changed."""

    record: Topic | Article
    added: bool  # new, else changed


class Notice(NamedTuple):
    """A change whose whole answer is one sentence (removed, linked, copied, restored)."""

    text: str


class BackupList(NamedTuple):
    """The automatic backups of a database, newest first."""

    paths: list[Path]


class TopicRename(NamedTuple):
    """What ``rename-topic`` did."""

    old: str  # the slug the topic had, one of its aliases now
    topic: Topic  # the topic as stored, under its new slug
    articles: int  # articles whose link now names the new slug
    topics: list[str]  # other topics whose related list or key terms were changed, by slug


class TopicMerge(NamedTuple):
    """What ``merge-topics`` did."""

    source: Topic  # the topic merged away, as it was
    topic: Topic  # the topic it went into, as stored now
    articles: int  # articles newly linked to ``topic`` (they were linked to ``source``)
    already_linked: int  # articles that were linked to both: one link is left
    topics: list[str]  # other topics whose related list or key terms were changed, by slug


class TopicRemoval(NamedTuple):
    """What ``remove-topic`` would do (a preview) or did (``removed``)."""

    topic: Topic
    articles: int  # articles that lose their link to it (none is removed)
    related_by: list[str]  # other topics listing it as related, by slug
    term_links: list[str]  # other topics with a key term linking to it, by slug
    removed: bool = False

    @property
    def referenced(self) -> bool:
        """Whether other topics point to it (removing it then needs ``force``)."""
        return bool(self.related_by or self.term_links)


class TallyList(NamedTuple):
    """``mfgkb tags``, ``authors`` or ``sources``: names with their articles, and how many."""

    what: str  # "tag", "author" or "source"
    rows: list[Tally]  # those shown, in the order asked for
    total: int  # how many names there are in all (more than shown under --limit)
