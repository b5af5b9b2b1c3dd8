"""Topics' life cycle: renaming, merging and removing topics, and who points at one.

Each change is one transaction: one atomic write of the file, with the index
brought in step by the path every write takes. Articles are never removed
and keep their ids; all a topic's end can take from them is a link. A slug a
topic gives up stays one of the names of the topic that now stands for it (an
alias), so ``--topic OLD``, links and habits keep working; slugs, titles and
aliases being one namespace, that name was the topic's own already.

The articles and topics to change are found through the index, which
``writer`` hands over in step with the file read under the lock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mfgkb.errors import DuplicateError, ValidationError
from mfgkb.kb.lifecycle import Lifecycle, recovering
from mfgkb.kb.refusals import (
    changed_meanwhile,
    no_topic,
    not_the_slug,
    same_topic,
    topic_in_use,
)
from mfgkb.kb.topics import resolve
from mfgkb.models import Figure, KeyTerm, Topic, fold, now_utc, validate_slug

if TYPE_CHECKING:
    from mfgkb.index.store import Index
    from mfgkb.results import TopicMerge, TopicRemoval, TopicRename
    from mfgkb.storage.tables import Transaction


class TopicLife(Lifecycle):
    """The rename, merge and remove operations of ``KnowledgeBase``."""

    def rename_topic(self, old: str, new_slug: str) -> TopicRename:
        """Give the topic ``old`` (any of its names) the slug ``new_slug``, everywhere.

        Articles, other topics' related lists and key terms follow; the old
        slug becomes an alias. Refused (nothing written) for a slug that is
        not valid or that is a name of another topic.
        """
        from mfgkb.results import TopicRename  # not at the top: search needs none

        validate_slug(new_slug)  # before the lock, as add-topic checks its slug
        with self.writer() as (tx, idx):
            slug = resolve(old, idx)
            current = _topic(tx, slug)
            if new_slug == slug:
                raise ValidationError(
                    f"The topic '{slug}' has that slug already; give a different one."
                )
            owners = [s for s in idx.topic_owners(new_slug) if s != slug]
            if new_slug in owners:
                raise DuplicateError(
                    f"A topic '{new_slug}' already exists; choose another slug, or combine "
                    f"the two with: mfgkb merge-topics {slug} {new_slug}"
                )
            if owners:
                raise ValidationError(
                    f"The name '{new_slug}' is already used by the topic '{owners[0]}'; "
                    f"choose another slug, or combine the two with: "
                    f"mfgkb merge-topics {slug} {owners[0]}"
                )
            now = now_utc()
            renamed = replace(
                current,
                slug=new_slug,
                aliases=[*current.aliases, slug],
                key_terms=_terms_to(current.key_terms, slug, new_slug),
                updated=now,
            ).validated()
            tx.rename_topic(slug, renamed)
            articles = _relink(tx, idx, slug, new_slug)[0]
            topics = _repoint(tx, idx, slug, new_slug, besides={slug}, now=now)
        return TopicRename(old=slug, topic=renamed, articles=articles, topics=topics)

    def merge_topics(self, source: str, into: str) -> TopicMerge:
        """Merge the topic ``source`` into ``into`` (names of each); ``source`` goes.

        Its articles, aliases, key terms, figures and related topics move to
        ``into`` (without duplicates: a key term by its term, a figure when all
        of it is the same), its summary follows ``into``'s after a blank line,
        its slug and title become aliases of ``into``, and what pointed at it
        points at ``into`` (which never lists itself as related). A key term of
        either that linked to the other (or to itself) stays, without its link:
        ``into``'s page would only link to itself, and the definition is kept.
        """
        from mfgkb.results import TopicMerge  # not at the top: search needs none

        with self.writer() as (tx, idx):
            src_slug, dst_slug = resolve(source, idx), resolve(into, idx)
            if src_slug == dst_slug:
                raise same_topic(source, into, src_slug)
            src, dst = _topic(tx, src_slug), _topic(tx, dst_slug)
            now = now_utc()
            merged = replace(
                dst,
                aliases=[*dst.aliases, src.slug, src.title, *src.aliases],
                summary=_joined(dst.summary, src.summary),
                key_terms=_unlinked_from(
                    _merged_terms(dst.key_terms, src.key_terms), {src_slug, dst_slug}
                ),
                figures=_merged_figures(dst.figures, src.figures),
                related=[s for s in [*dst.related, *src.related] if s not in (src_slug, dst_slug)],
                updated=now,
            ).validated()
            for name in merged.names():
                # Every name was one of the two topics' own; in a file where two
                # topics share a name (check reports it) it could be a third's.
                others = [s for s in idx.topic_owners(name) if s not in (src_slug, dst_slug)]
                if fold(name) and others:
                    raise ValidationError(
                        f"The name '{name.strip()}' is also used by the topic '{others[0]}'; "
                        f"give it to one topic only with: mfgkb edit-topic {others[0]}"
                    )
            tx.put_topic(merged)
            tx.delete_topic(src_slug)
            moved, both = _relink(tx, idx, src_slug, dst_slug)
            topics = _repoint(tx, idx, src_slug, dst_slug, besides={src_slug, dst_slug}, now=now)
        return TopicMerge(
            source=src,
            topic=merged,
            articles=moved,
            already_linked=both,
            topics=topics,
            aliases=_gained(dst.aliases, merged.aliases, src.aliases),
            key_terms=len(merged.key_terms) - len(dst.key_terms),
            figures=len(merged.figures) - len(dst.figures),
            related=len([s for s in merged.related if s not in dst.related]),
            summary=merged.summary != dst.summary,
        )

    @recovering
    def topic_removal(self, name: str, *, force: bool = False) -> TopicRemoval:
        """What ``remove_topic`` would do, without writing: for the question to ask.

        Raises the refusal ``remove_topic`` would raise (other topics point to
        it and ``force`` is false), so nobody is asked about a removal that
        would then be refused.
        """
        removal = _removal(self.reader(), name)
        if removal.referenced and not force:
            raise topic_in_use(removal.topic.slug, removal.related_by, removal.term_links)
        return removal

    def remove_topic(
        self, name: str, *, force: bool = False, expected: Topic | None = None
    ) -> TopicRemoval:
        """Remove a topic, named by its slug; its articles stay, without the link to it.

        A title or alias is refused (``not_the_slug``), nothing written: after
        a merge the merged topic's slug is an alias of the topic it went into.

        Refused while other topics list it as related or link to it from a
        key term, unless ``force``, which drops those related entries and
        keeps the key terms without their link. With ``expected`` (the topic
        of the preview the user confirmed), refused if the topic changed since.
        """
        with self.writer() as (tx, idx):
            removal = _removal(idx, name)
            slug = removal.topic.slug
            current = _topic(tx, slug)
            if expected is not None and current != expected:
                raise changed_meanwhile(f"Topic {slug}")
            if removal.referenced and not force:
                raise topic_in_use(slug, removal.related_by, removal.term_links)
            tx.delete_topic(slug)
            _relink(tx, idx, slug, None)
            _repoint(tx, idx, slug, None, besides={slug}, now=now_utc())
        return removal._replace(removed=True)


def _topic(tx: Transaction, slug: str) -> Topic:
    topic = tx.get_topic(slug)
    if topic is None:  # the index named it, and it matches the file: only a race
        raise no_topic(slug)
    return topic


def _removal(idx: Index, name: str) -> TopicRemoval:
    from mfgkb.results import TopicRemoval

    slug = resolve(name, idx)
    topic = idx.topic(slug)
    assert topic is not None  # resolve found it in the same index
    if fold(name) != slug:
        # Only the slug removes: a title or alias may be a merged topic's old
        # name, and would remove the topic it went into (see not_the_slug).
        raise not_the_slug(name, topic)
    related_by, term_links = idx.topic_references(slug)
    return TopicRemoval(
        topic=topic,
        articles=len(idx.topic_article_ids(slug)),
        related_by=related_by,
        term_links=term_links,
    )


def _relink(tx: Transaction, idx: Index, old: str, new: str | None) -> tuple[int, int]:
    """Articles linked to ``old`` linked to ``new`` instead (or to nothing, for None).

    Returns (articles whose link changed, articles that were linked to both
    and keep one link); each article keeps its other links in order.
    """
    moved = both = 0
    for article_id in idx.topic_article_ids(old):
        article = tx.get_article(article_id)
        if article is None:  # the index matches the file: cannot happen
            continue
        if new is not None and new in article.topics:
            both += 1
        else:
            moved += 1
        topics = [new if t == old else t for t in article.topics]
        tx.put_article(replace(article, topics=list(dict.fromkeys(t for t in topics if t))))
    return moved, both


def _repoint(
    tx: Transaction, idx: Index, old: str, new: str | None, *, besides: set[str], now: str
) -> list[str]:
    """Other topics' related lists and key terms pointing at ``old`` pointed at ``new``.

    With ``new`` None the related entry goes and the key term stays, without
    its link. ``besides``: topics the caller wrote itself. A topic never
    becomes related to itself. Returns the slugs of the topics changed.
    """
    related_by, term_links = idx.topic_references(old)
    changed = []
    for slug in sorted({*related_by, *term_links} - besides):
        topic = _topic(tx, slug)
        pointed = [new if s == old else s for s in topic.related]
        related = [s for s in dict.fromkeys(pointed) if s is not None and s != slug]
        key_terms = _terms_to(topic.key_terms, old, new)
        # Not validated again: a topic damaged by hand elsewhere must not block this.
        tx.put_topic(replace(topic, related=related, key_terms=key_terms, updated=now))
        changed.append(slug)
    return changed


def _terms_to(terms: list[KeyTerm], old: str, new: str | None) -> list[KeyTerm]:
    return [replace(k, topic=new) if k.topic == old else k for k in terms]


def _unlinked_from(terms: list[KeyTerm], slugs: set[str]) -> list[KeyTerm]:
    """``terms`` with every link to one of ``slugs`` taken out (each term stays)."""
    return [replace(k, topic=None) if k.topic in slugs else k for k in terms]


def _merged_terms(kept: list[KeyTerm], added: list[KeyTerm]) -> list[KeyTerm]:
    """``kept`` then the terms of ``added`` it lacks (the same term, in any case, is one)."""
    seen = {fold(k.term) for k in kept}
    out = list(kept)
    for term in added:
        if fold(term.term) not in seen:
            seen.add(fold(term.term))
            out.append(term)
    return out


def _merged_figures(kept: list[Figure], added: list[Figure]) -> list[Figure]:
    """``kept`` then the figures of ``added`` it lacks; a figure with another value,
    year or source is another figure, and stays."""

    def key(f: Figure) -> tuple[str, str, int | None, str]:
        return (fold(f.label), f.value.strip(), f.year, fold(f.source or ""))

    seen = {key(f) for f in kept}
    out = list(kept)
    for figure in added:
        if key(figure) not in seen:
            seen.add(key(figure))
            out.append(figure)
    return out


def _joined(kept: str, added: str) -> str:
    """Two summaries as one: neither is lost, the same text is not repeated."""
    if not added.strip() or added.strip() in kept:
        return kept
    if not kept.strip():
        return added
    return f"{kept.rstrip()}\n\n{added.strip()}"


def _gained(kept: list[str], now: list[str], added: list[str]) -> int:
    """How many of ``added`` are in ``now`` and were not in ``kept`` (names in any case)."""
    before, after = {fold(a) for a in kept}, {fold(a) for a in now}
    return len({fold(a) for a in added if fold(a) in after and fold(a) not in before})
