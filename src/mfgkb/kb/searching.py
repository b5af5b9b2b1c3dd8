"""Answers straight from the index: search, statistics and shell completion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfgkb.index.query import parse_query
from mfgkb.kb.lifecycle import Lifecycle, recovering
from mfgkb.kb.topics import resolve_filters

if TYPE_CHECKING:
    from mfgkb.index.query import Filters
    from mfgkb.index.ranking import SearchResult
    from mfgkb.index.reads import Stats
    from mfgkb.index.store import Index


class Searching(Lifecycle):
    """The search, stats and completion operations of ``KnowledgeBase``."""

    @recovering
    def search(self, text: str, filters: Filters, limit: int) -> SearchResult:
        idx = self.reader()
        filters = resolve_filters(filters, idx)  # an unknown topic is reported before the query
        return idx.search(parse_query(text), filters, limit=limit)

    @recovering
    def stats(self) -> Stats:
        return self.reader().stats()

    def complete(self, what: str, prefix: str) -> list[tuple[str, str]]:
        """Shell completion candidates: (value, help). Never creates, rebuilds or raises.

        Runs on every Tab press, so it reads the index as it is (a stale one is
        good enough for a suggestion) and gives nothing rather than an error.
        """

        def candidates(idx: Index) -> list[tuple[str, str]]:
            if what == "topic":
                return idx.complete_topics(prefix)
            if what == "tag":
                return [(t, f"{n} articles") for t, n in idx.complete_tags(prefix)]
            if what == "id":
                return idx.complete_ids(prefix)
            return []

        return self._peek_index(candidates, [])
