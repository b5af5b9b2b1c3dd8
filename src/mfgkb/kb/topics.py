"""Topics: resolving a name to a slug, reading a topic's page, adding and editing topics.

Slugs, titles and aliases are one namespace: ``--topic`` takes any of them,
so every name a topic answers to must be its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mfgkb.errors import DuplicateError, NotFoundError, ValidationError
from mfgkb.index.query import Filters
from mfgkb.kb.lifecycle import Lifecycle, recovering
from mfgkb.kb.refusals import changed_meanwhile
from mfgkb.models import Topic, fold, now_utc

if TYPE_CHECKING:
    from mfgkb.index.store import Index
    from mfgkb.results import Saved, TopicPage
    from mfgkb.storage.tables import Transaction


def resolve(name: str, idx: Index) -> str:
    """The slug ``name`` (a slug, title or alias) stands for in ``idx``, or NotFoundError."""
    slug = idx.resolve_topic(name)
    if slug is not None:
        return slug
    import difflib

    names = idx.topic_names()
    wanted = fold(name)
    # A ratio of 0.6 on the whole name: at 0.5 "nosuch" met the alias "nc"
    # (two letters in common). A name under 3 characters is as close to
    # anything short, so it is suggested only for a query as short.
    candidates = [n for n in names if len(n) >= 3 or len(wanted) < 3]
    close = difflib.get_close_matches(wanted, candidates, n=5, cutoff=0.6)
    slugs = list(dict.fromkeys(names[c] for c in close))[:3]
    hint = f"did you mean {', '.join(slugs)}? Or list" if slugs else "list"
    raise NotFoundError(f"There is no topic '{name}'; {hint} topics with: mfgkb topics")


def resolve_filters(filters: Filters, idx: Index) -> Filters:
    """``filters`` with each ``--topic`` name turned into its slug."""
    return filters._replace(topic=tuple(resolve(t, idx) for t in filters.topic))


class Topics(Lifecycle):
    """The topic operations of ``KnowledgeBase``."""

    @recovering
    def resolve_topic(self, name: str) -> str:
        """The slug for a slug, title or alias, or NotFoundError with suggestions."""
        return resolve(name, self.reader())

    @recovering
    def topic_page(self, name: str, limit: int | None) -> TopicPage:
        idx = self.reader()
        slug = resolve(name, idx)
        topic = idx.topic(slug)
        assert topic is not None
        term_slugs = {k.topic for k in topic.key_terms if k.topic}
        referenced_by, _ = idx.topic_references(slug)
        titles = idx.topic_titles(set(topic.related) | term_slugs | set(referenced_by))
        articles, total = idx.articles(Filters(topic=(slug,)), limit=limit)
        from mfgkb.results import TopicPage  # not at the top: search needs none

        return TopicPage(
            topic=topic,
            related=[(s, titles.get(s)) for s in topic.related],
            term_topics={s for s in term_slugs if s in titles},
            articles=articles,
            total_articles=total,
            referenced_by=[(s, titles[s]) for s in referenced_by if s in titles],
        )

    @recovering
    def topics(self) -> list[tuple[Topic, int]]:
        return self.reader().topics_with_counts()

    def add_topic(self, topic: Topic) -> Topic:
        topic = topic.validated()
        with self.writer() as (tx, idx):
            if tx.get_topic(topic.slug) is not None:
                raise DuplicateError(
                    f"A topic '{topic.slug}' already exists; change it with: "
                    f"mfgkb edit-topic {topic.slug}"
                )
            _check_names(idx, topic)
            _check_topic_refs(tx, topic)
            now = now_utc()
            topic = replace(topic, created=now, updated=now)
            tx.put_topic(topic)
        return topic

    def edit_topic(
        self, name: str, changes: dict[str, Any], *, expected: Topic | None = None
    ) -> Saved:
        """Change a topic; with ``expected``, only if nobody changed it in the meantime.

        Changes that give the values it has already write nothing (``changed`` False).
        """
        from mfgkb.results import Saved  # not at the top: search needs none

        slug = self.resolve_topic(name)
        with self.writer() as (tx, idx):
            current = tx.get_topic(slug)
            if current is None:
                raise NotFoundError(f"There is no topic '{slug}'; list topics with: mfgkb topics")
            if expected is not None and current != expected:
                raise changed_meanwhile(f"Topic {slug}")
            topic = replace(current, **changes).validated()
            _check_names(idx, topic)
            _check_topic_refs(tx, topic)
            changed = topic != current
            if changed:
                topic = replace(topic, updated=now_utc())
                tx.put_topic(topic)
        return Saved(topic, added=False, changed=changed)


def _check_names(idx: Index, topic: Topic) -> None:
    # Slugs, titles and aliases are one namespace (--topic takes any of
    # them): a name another topic has would silently change what it means.
    for name in topic.names():
        other = idx.topic_named(name, besides=topic.slug) if fold(name) else None
        if other is not None:
            raise ValidationError(
                f"The name '{name.strip()}' is already used by the topic '{other}'; "
                f"choose another, or change that topic with: mfgkb edit-topic {other}"
            )


def _check_topic_refs(tx: Transaction, topic: Topic) -> None:
    refs = [*topic.related, *(k.topic for k in topic.key_terms if k.topic)]
    missing = [s for s in refs if s != topic.slug and tx.get_topic(s) is None]
    if missing:
        raise NotFoundError(
            f"There is no topic '{missing[0]}' to link to; add it first with: "
            f"mfgkb add-topic --slug {missing[0]} --title ..."
        )
