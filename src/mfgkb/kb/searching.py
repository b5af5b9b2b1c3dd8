"""Answers straight from the index: search, statistics, counts and shell completion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from mfgkb.errors import ValidationError
from mfgkb.index.query import parse_query
from mfgkb.kb.lifecycle import Lifecycle, recovering
from mfgkb.kb.topics import resolve_filters

if TYPE_CHECKING:
    from mfgkb.index.query import Filters
    from mfgkb.index.ranking import SearchResult
    from mfgkb.index.reads import Stats, Tally
    from mfgkb.index.store import Index


class Searching(Lifecycle):
    """The search, stats and completion operations of ``KnowledgeBase``."""

    @recovering
    def search(self, text: str, filters: Filters, limit: int) -> SearchResult:
        idx = self.reader()
        filters = resolve_filters(filters, idx)  # an unknown topic is reported before the query
        return idx.search(parse_query(text), filters, limit=limit)

    @recovering
    def stats(self, filters: Filters | None = None) -> Stats:
        """The stats page, of every article or of those ``filters`` choose."""
        idx = self.reader()
        return idx.stats(resolve_filters(filters, idx) if filters is not None else None)

    @recovering
    def tallies(
        self,
        what: Literal["tag", "author", "source"],
        *,
        by: Literal["count", "name"] = "count",
        limit: int | None = None,
    ) -> list[Tally]:
        """(name, count) of every tag, author or source: how many articles carry it.

        ``by`` "count" puts the most used first (ties by name), "name" sorts
        by name. Authors and sources spelt alike but for case or accents are
        one. Answered from the index's own tables, without reading articles.
        """
        if what not in ("tag", "author", "source"):
            raise ValidationError(f"'{what}' cannot be counted; count tags, authors or sources.")
        if by not in ("count", "name"):
            raise ValidationError(f"Cannot sort by '{by}'; sort by count or by name.")
        if limit is not None and limit < 0:
            raise ValidationError(f"The limit is {limit}; give 0 or more.")
        return self.reader().tallies(what, by=by, limit=limit)

    def complete(self, what: str, prefix: str) -> list[tuple[str, str]]:
        """Shell completion candidates: (value, help). Never creates, rebuilds or raises.

        Runs on every Tab press, so it reads the index as it is (a stale one is
        good enough for a suggestion) and gives nothing rather than an error.
        """

        def candidates(idx: Index) -> list[tuple[str, str]]:
            if what == "topic":
                return idx.complete_topics(prefix)
            if what == "tag":
                from mfgkb.models import count

                return [(t, count(n, "article")) for t, n in idx.complete_tags(prefix)]
            if what == "id":
                return idx.complete_ids(prefix)
            return []

        return self._peek_index(candidates, [])
