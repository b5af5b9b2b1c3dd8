"""Articles: reading, adding (with the append fast path), editing, linking, removing.

``add_article`` first tries to splice the new record into a file mfgkb wrote
(``Store.append_article``, ``codec.splice_article``), which is the commonest
write and at 100k articles a third of a second cheaper than a rewrite; the
index vouches that the file is such a one, and checks the article against one
snapshot of it. Anything unusual falls back to a full transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from mfgkb.filestamp import stamp
from mfgkb.index.store import IndexFault
from mfgkb.kb.lifecycle import Lifecycle, recovering
from mfgkb.kb.refusals import changed_meanwhile, duplicate_url, no_article, no_topic
from mfgkb.kb.topics import resolve, resolve_filters
from mfgkb.models import Article, now_utc

if TYPE_CHECKING:
    from mfgkb.errors import DuplicateError
    from mfgkb.index.query import Filters
    from mfgkb.index.store import Index
    from mfgkb.results import Saved
    from mfgkb.storage.tables import Transaction


class Articles(Lifecycle):
    """The article operations of ``KnowledgeBase``."""

    @recovering
    def articles(
        self, filters: Filters, *, sort: str = "published", limit: int | None = None
    ) -> tuple[list[Article], int]:
        idx = self.reader()
        return idx.articles(resolve_filters(filters, idx), sort=sort, limit=limit)

    @recovering
    def article(self, article_id: int) -> Article:
        found = self.reader().article(article_id)
        if found is None:
            raise no_article(article_id)
        return found

    def add_article(self, draft: Article) -> Article:
        """Validate and store a new article; returns it with its new id."""
        # Fail on bad input before taking the lock; topics may still be titles
        # or aliases here, so they are checked once resolved.
        replace(draft, topics=[]).validated()
        fast = self._append_article(draft)
        if fast is not None:
            return fast
        with self.writer() as (tx, idx):
            topics = [resolve(t, idx) for t in draft.topics]
            article = _check_article(tx, idx, replace(draft, topics=topics, added=now_utc()))
            (stored,) = tx.add_articles([article])
        return stored

    def _append_article(self, draft: Article) -> Article | None:
        """The fast path of ``add_article``: splice into a file mfgkb wrote, if it is one.

        Everything the slow path checks is checked here against the index,
        which is only trusted when it was built from this exact file; the
        checks read one snapshot of it, so a reader rebuilding the index at the
        same moment cannot change what they see.
        """
        self.ensure()
        if self._index is None and not self.index_path.exists():
            return None  # nothing to vouch for the file: the slow path reads (checks) it first
        with self.store.locked():
            idx = self._open_index()
            before = stamp(self.path)
            try:
                with idx.snapshot():
                    if before is None or not idx.canonical_at(before.encode()):
                        return None
                    topics = [resolve(t, idx) for t in draft.topics]
                    article = replace(draft, topics=topics, added=now_utc()).validated()
                    if article.url and (owner := idx.article_by_url(article.url)) is not None:
                        raise _duplicate(idx, owner, article.url)
                    done = self.store.append_article(article, before, idx.max_id())
            except IndexFault:  # damaged: the slow path rebuilds it
                self.reset_index()
                return None
            if done is None:
                return None
            stored, after = done
            try:
                # Under the lock the index is still at ``before``; were it not,
                # the stamps would differ and the next command would rebuild it.
                idx.apply(
                    topics={},
                    deleted_topics=set(),
                    articles={stored.id: stored},
                    deleted_articles=set(),
                    expected=before.encode(),
                    stamp=after.encode(),
                )
            except IndexFault:  # the article is saved; the index is rebuilt on next use
                self.reset_index()
            return stored

    def edit_article(
        self, article_id: int, changes: dict[str, Any], *, expected: Article | None = None
    ) -> Saved:
        """Change an article; with ``expected``, only if nobody changed it in the meantime.

        Changes that give the values it has already write nothing (``changed`` False).
        """
        from mfgkb.results import Saved  # not at the top: search needs none

        with self.writer() as (tx, idx):
            current = tx.get_article(article_id)
            if current is None:
                raise no_article(article_id)
            if expected is not None and current != expected:
                raise changed_meanwhile(f"Article {article_id}")
            if "topics" in changes:
                changes["topics"] = [resolve(t, idx) for t in changes["topics"]]
            article = _check_article(tx, idx, replace(current, **changes))
            if article != current:
                tx.put_article(article)
        return Saved(article, added=False, changed=article != current)

    def remove_article(self, article_id: int) -> Article:
        with self.writer() as (tx, _):
            current = tx.get_article(article_id)
            if current is None:
                raise no_article(article_id)
            tx.delete_article(article_id)
        return current

    def link(self, article_id: int, topic: str, *, add: bool) -> Saved:
        """Link an article to a topic (any of its names), or unlink it (``add`` False).

        Linking one linked already, or unlinking one that is not, writes
        nothing: the result's ``changed`` is False.
        """
        from mfgkb.results import Saved  # not at the top: search needs none

        with self.writer() as (tx, idx):
            current = tx.get_article(article_id)
            if current is None:
                raise no_article(article_id)
            slug = resolve(topic, idx)
            if add:
                topics = [*current.topics, slug] if slug not in current.topics else current.topics
            else:
                topics = [t for t in current.topics if t != slug]
            article = replace(current, topics=topics)
            if article != current:
                tx.put_article(article)
        return Saved(article, added=False, changed=article != current)


def _check_article(tx: Transaction, idx: Index, article: Article) -> Article:
    """``article`` validated, its topics existing and its URL no other article's."""
    article = article.validated()
    for slug in article.topics:
        if tx.get_topic(slug) is None:
            raise no_topic(slug)
    if article.url:
        owner = idx.article_by_url(article.url)
        if owner is not None and owner != article.id:
            raise _duplicate(idx, owner, article.url)
    return article


def _duplicate(idx: Index, owner: int, url: str) -> DuplicateError:
    """The refusal of ``url``, quoting the URL article ``owner`` stores."""
    stored = idx.article(owner)
    return duplicate_url(owner, stored.url if stored and stored.url else url, url)


def article_draft(
    *,
    title: str,
    published: date,
    authors: list[str],
    description: str = "",
    url: str | None = None,
    topics: list[str] | None = None,
    tags: list[str] | None = None,
    source: str = "",
) -> Article:
    """An article not yet stored (id 0)."""
    return Article(
        id=0,
        title=title,
        published=published,
        authors=authors,
        description=description,
        url=url,
        topics=topics or [],
        tags=tags or [],
        source=source,
    )
