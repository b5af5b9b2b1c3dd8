"""Ranked search: BM25 with field weights, snippets, and "did you mean" suggestions.

Documents with all the query's terms come first; documents with only some of
them fill up the rest, those with more of the terms first, so a search never
comes back empty while anything matches at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from mfgkb.index.query import Filters, Query, Term
from mfgkb.index.reads import Reads
from mfgkb.index.schema import COLUMNS, FIELD_NAMES, HL_END, HL_START, TOPIC_BOOST, WEIGHTS


def _match_expr(terms: Iterable[Term], joiner: str, excluded: Iterable[Term]) -> str:
    expr = f" {joiner} ".join(t.fts() for t in terms)
    nots = " ".join(f"NOT {t.fts()}" for t in excluded)
    return f"({expr}) {nots}".strip()


class Hit(NamedTuple):
    """One search result: what matched, where, and a snippet with the matches marked."""

    kind: str
    ref: str  # topic slug or article id
    title: str
    score: float
    field: str
    snippet: str  # plain text
    spans: tuple[tuple[int, int], ...]  # [start, end) of each highlighted match in snippet
    published: str | None = None
    authors: tuple[str, ...] = ()
    source: str = ""
    matched_all: bool = True


class SearchResult(NamedTuple):
    hits: list[Hit]
    query: Query
    suggestions: tuple[str, ...] = ()


def _split_marked(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Turn FTS5's marker-delimited snippet into plain text plus highlight spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start = -1
    for ch in marked:
        if ch == HL_START:
            start = pos
        elif ch == HL_END:
            if start >= 0:
                spans.append((start, pos))
            start = -1
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(spans)


class Ranking(Reads):
    """The Index's search methods (see ``mfgkb.index.store.Index``)."""

    def search(self, query: Query, filters: Filters, limit: int = 10) -> SearchResult:
        """Ranked hits: all query terms first, then partial matches, never none."""
        if query.empty:
            return SearchResult([], query)
        query = query._replace(
            terms=tuple(self._expand(t) for t in query.terms),
            excluded=tuple(self._expand(t) for t in query.excluded),
        )
        if filters.kind == "topic" and filters.articles_only:
            return SearchResult([], query)  # article filters exclude every topic
        kind_sql = "1"
        if filters.kind == "topic":
            kind_sql = "f.rowid < 0"
        elif filters.kind == "article" or filters.articles_only:
            kind_sql = "f.rowid > 0"
        where, params = filters.sql("f.rowid") if filters.articles_only else ("1", [])
        weights = ", ".join(str(w) for w in WEIGHTS)
        score = f"bm25(fts, {weights}) * (CASE WHEN f.rowid < 0 THEN {TOPIC_BOOST} ELSE 1 END)"
        base = f"FROM fts f WHERE fts MATCH ? AND {kind_sql} AND {where}"

        all_expr = _match_expr(query.terms, "AND", query.excluded)
        rows = self.conn.execute(
            f"SELECT f.rowid, {score} AS s, 1 {base} ORDER BY s, f.rowid LIMIT ?",
            [all_expr, *params, limit],
        ).fetchall()
        if len(rows) < limit and len(query.terms) > 1:
            # Fill up with documents that have only some of the terms, those with
            # more of the terms first. They never outrank a document with all.
            any_expr = _match_expr(query.terms, "OR", query.excluded)
            coverage = " + ".join(
                "(f.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))" for _ in query.terms
            )
            seen = [r[0] for r in rows]
            not_seen = f"f.rowid NOT IN ({','.join('?' * len(seen))})" if seen else "1"
            more = self.conn.execute(
                f"SELECT f.rowid, {score} AS s, {coverage} AS cov {base} AND {not_seen} "
                f"ORDER BY cov DESC, s, f.rowid LIMIT ?",
                [*(t.fts() for t in query.terms), any_expr, *params, *seen, limit - len(rows)],
            ).fetchall()
            rows += [(r[0], r[1], 0) for r in more]
        hits = self._hits(rows, query)
        suggestions = () if hits else tuple(self.suggest(query.words()))
        return SearchResult(hits, query, suggestions)

    def _hits(self, rows: list[tuple[int, float, int]], query: Query) -> list[Hit]:
        if not rows:
            return []
        any_expr = _match_expr(query.terms, "OR", ())
        snippets = ", ".join(
            f"snippet(fts, {i}, '{HL_START}', '{HL_END}', '…', 24)" for i in range(len(COLUMNS))
        )
        marks = ",".join("?" * len(rows))
        found = {
            r[0]: r[1:]
            for r in self.conn.execute(
                f"SELECT rowid, {snippets} FROM fts WHERE fts MATCH ? AND rowid IN ({marks})",
                [any_expr, *(r[0] for r in rows)],
            )
        }
        hits = []
        for rowid, score, full in rows:
            kind = "topic" if rowid < 0 else "article"
            col_snips = found.get(rowid, ("",) * len(COLUMNS))
            field_name, snippet, spans = _best_field(kind, col_snips)
            if kind == "topic":
                trow = self.conn.execute(
                    "SELECT slug, title FROM topics WHERE rid = ?", (-rowid,)
                ).fetchone()
                if trow is None:
                    continue
                hits.append(
                    Hit(
                        "topic",
                        trow[0],
                        trow[1],
                        -score,
                        field_name,
                        snippet,
                        spans,
                        matched_all=bool(full),
                    )
                )
            else:
                article = self.article(rowid)
                if article is None:
                    continue
                hits.append(
                    Hit(
                        "article",
                        str(rowid),
                        article.title,
                        -score,
                        field_name,
                        snippet,
                        spans,
                        published=article.published.isoformat(),
                        authors=tuple(article.authors),
                        source=article.source,
                        matched_all=bool(full),
                    )
                )
        return hits

    def _expand(self, term: Term, most: int = 50) -> Term:
        """A one-word prefix term with the indexed words it stands for."""
        if not term.prefix or len(term.words) != 1:
            return term
        prefix = term.words[0]
        rows = self.conn.execute(
            "SELECT word FROM vocab WHERE word >= ? AND word < ? ORDER BY n DESC LIMIT ?",
            (prefix, prefix + "\U0010ffff", most),
        )
        return term._replace(alternatives=tuple(str(w) for (w,) in rows))

    def suggest(self, words: list[str], n: int = 3) -> list[str]:
        """Close spellings from the index's own vocabulary ("semiconducter")."""
        import difflib

        out: list[str] = []
        for word in words:
            if len(word) < 3:
                continue
            candidates = {
                str(w): int(c)
                for w, c in self.conn.execute(
                    "SELECT word, n FROM vocab WHERE word >= ? AND word < ? "
                    "AND length(word) BETWEEN ? AND ?",
                    (word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2),
                )
            }
            if word in candidates:  # a known word: its spelling is not the problem
                continue
            close = difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.75)
            close.sort(
                key=lambda w: (-difflib.SequenceMatcher(None, word, w).ratio(), -candidates[w])
            )
            out.extend(w for w in close if w not in out)
        return out[:n]


def _best_field(
    kind: str, snippets: tuple[str, ...]
) -> tuple[str, str, tuple[tuple[int, int], ...]]:
    """The highest-weighted column whose snippet has a highlighted match."""
    names = FIELD_NAMES[kind]
    order = sorted(range(len(COLUMNS)), key=lambda i: -WEIGHTS[i])
    for i in order:
        col = COLUMNS[i]
        if col in names and HL_START in (snippets[i] or ""):
            text, spans = _split_marked(snippets[i])
            return names[col], text, spans
    # Matched only through stemming in a way snippet() did not mark: show the title.
    return "title", _split_marked(snippets[0] or "")[0], ()
