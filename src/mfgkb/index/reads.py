"""Reading the index without searching it: records, listings, stats, completion.

These answer ``show``, ``articles``, ``stats`` and shell completion straight
from SQLite's indexes, without parsing the JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from mfgkb.index.query import Filters, like_escape
from mfgkb.models import Article, Topic, fold, url_key

if TYPE_CHECKING:
    import sqlite3


class Stats(NamedTuple):
    """What ``mfgkb stats`` shows."""

    topics: int  # the topics the counted articles are linked to
    articles: int
    authors: int
    tags: int
    per_year: list[tuple[str, int]]  # every year from the first to the last; 0 for none
    per_topic: list[tuple[str, int]]
    top_authors: list[tuple[str, int]]
    top_sources: list[tuple[str, int]]
    top_tags: list[tuple[str, int]]
    all_topics: int = 0  # every topic of the knowledge base, for "in 3 of 9 topics"


class Tally(NamedTuple):
    """One row of ``mfgkb tags``, ``authors`` or ``sources``: a name and its articles."""

    name: str
    articles: int  # not "count": a tuple has a method of that name


# what -> (the column grouped on, the name shown, the table), for Reads.tallies.
_TALLIES = {
    "tag": ("tag", "tag", "article_tags"),
    "author": ("author", "min(name)", "article_authors"),
    "source": ("source", "min(name)", "article_sources"),
}


class Reads:
    """The Index's reading methods (see ``mfgkb.index.store.Index``)."""

    conn: sqlite3.Connection

    def max_id(self) -> int:
        (highest,) = self.conn.execute("SELECT max(id) FROM articles").fetchone()
        return int(highest or 0)

    # -- reading: topics -----------------------------------------------------
    def topic(self, slug: str) -> Topic | None:
        row = self.conn.execute("SELECT doc FROM topics WHERE slug = ?", (slug,)).fetchone()
        return Topic.from_dict(json.loads(row[0])) if row else None

    def resolve_topic(self, name: str) -> str | None:
        """The slug of the topic whose slug, title or alias is ``name`` (any case)."""
        row = self.conn.execute(
            "SELECT slug FROM topic_names WHERE name = ? ORDER BY slug LIMIT 1", (fold(name),)
        ).fetchone()
        return str(row[0]) if row else None

    def topic_named(self, name: str, *, besides: str) -> str | None:
        """The slug of a topic other than ``besides`` that answers to ``name``."""
        row = self.conn.execute(
            "SELECT slug FROM topic_names WHERE name = ? AND slug != ? ORDER BY slug LIMIT 1",
            (fold(name), besides),
        ).fetchone()
        return str(row[0]) if row else None

    def topic_owners(self, name: str) -> list[str]:
        """The slugs of every topic that answers to ``name`` (one, in a healthy file)."""
        rows = self.conn.execute(
            "SELECT slug FROM topic_names WHERE name = ? ORDER BY slug", (fold(name),)
        )
        return [str(s) for (s,) in rows]

    def topic_names(self) -> dict[str, str]:
        """Every folded name -> slug, for suggestions."""
        return {str(n): str(s) for n, s in self.conn.execute("SELECT name, slug FROM topic_names")}

    def topic_titles(self, slugs: Iterable[str]) -> dict[str, str]:
        wanted = list(slugs)
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = self.conn.execute(f"SELECT slug, title FROM topics WHERE slug IN ({marks})", wanted)
        return {str(s): str(t) for s, t in rows}

    def topic_references(self, slug: str) -> tuple[list[str], list[str]]:
        """The other topics pointing at ``slug``: (those listing it as related,
        those with a key term linking to it), each in slug order."""
        related = self.conn.execute(
            "SELECT slug FROM topics t WHERE slug != ?1 AND EXISTS "
            "(SELECT 1 FROM json_each(t.doc, '$.related') WHERE value = ?1) ORDER BY slug",
            (slug,),
        )
        related_slugs = [str(s) for (s,) in related]
        terms = self.conn.execute(
            "SELECT slug FROM topics t WHERE slug != ?1 AND EXISTS "
            "(SELECT 1 FROM json_each(t.doc, '$.key_terms') "
            "WHERE json_extract(value, '$.topic') = ?1) ORDER BY slug",
            (slug,),
        )
        return related_slugs, [str(s) for (s,) in terms]

    def topic_article_ids(self, slug: str) -> list[int]:
        """The ids of the articles linked to ``slug``, in id order."""
        rows = self.conn.execute(
            "SELECT id FROM article_topics WHERE slug = ? ORDER BY id", (slug,)
        )
        return [int(i) for (i,) in rows]

    def topics_with_counts(self) -> list[tuple[Topic, int]]:
        rows = self.conn.execute(
            "SELECT t.doc, (SELECT count(*) FROM article_topics a WHERE a.slug = t.slug) "
            "FROM topics t ORDER BY t.slug"
        )
        return [(Topic.from_dict(json.loads(doc)), int(n)) for doc, n in rows]

    # -- reading: articles ---------------------------------------------------
    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute("SELECT doc FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_from_doc(row[0]) if row else None

    def article_by_url(self, url: str) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM articles WHERE url_key = ? ORDER BY id LIMIT 1", (url_key(url),)
        ).fetchone()
        return int(row[0]) if row else None

    def url_keys(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT url_key, id FROM articles WHERE url_key IS NOT NULL")
        return {str(k): int(i) for k, i in rows}

    def articles(
        self, filters: Filters, *, sort: str = "published", limit: int | None = None
    ) -> tuple[list[Article], int]:
        """Matching articles in ``sort`` order (newest first for dates) and their total."""
        where, params = filters.sql("id")
        order = {
            "published": "published DESC, id DESC",
            "added": "added DESC, id DESC",
            "title": "title_key ASC, id ASC",
        }[sort]
        if len(set(filters.topic)) == 1 and sort == "published":
            # Walk the (slug, published, id) key backwards: no sort step at all.
            # (With several topics the join would list an article once per topic.)
            other = filters._replace(topic=())
            where2, params2 = other.sql("a.id")
            sql = (
                "SELECT a.doc FROM article_topics t JOIN articles a ON a.id = t.id "
                f"WHERE t.slug = ? AND {where2} ORDER BY t.published DESC, t.id DESC"
            )
            params_list: list[Any] = [filters.topic[0], *params2]
        else:
            sql = f"SELECT doc FROM articles WHERE {where} ORDER BY {order}"
            params_list = list(params)
        if limit is not None:
            sql += " LIMIT ?"
            params_list.append(limit)
        docs = [article_from_doc(d) for (d,) in self.conn.execute(sql, params_list)]
        if limit is None or len(docs) < limit:
            total = len(docs)
        else:
            (total,) = self.conn.execute(
                f"SELECT count(*) FROM articles WHERE {where}", params
            ).fetchone()
        return docs, int(total)

    def counts(self) -> tuple[int, int]:
        (topics,) = self.conn.execute("SELECT count(*) FROM topics").fetchone()
        (articles,) = self.conn.execute("SELECT count(*) FROM articles").fetchone()
        return int(topics), int(articles)

    def stats(self, filters: Filters | None = None, top: int = 10) -> Stats:
        """Counts and distributions for ``mfgkb stats``, straight from the index.

        With ``filters`` (those of ``articles``), of the articles they choose,
        else of every article: each figure is of those articles, so "topics"
        counts the topics they are linked to, and the per-topic chart lists
        those topics (a topic without any is in ``mfgkb topics``, not here).
        The same rule with a filter and without one.
        """
        c = self.conn
        chosen = filters is not None and filters != Filters()

        def only(id_expr: str, joiner: str = "WHERE") -> tuple[str, list[Any]]:
            if not chosen:
                return "", []
            assert filters is not None
            where, params = filters.sql(id_expr)
            return f" {joiner} {where}", params

        def pairs(sql: str, params: list[Any], *more: Any) -> list[tuple[str, int]]:
            return [(str(k), int(n)) for k, n in c.execute(sql, [*params, *more])]

        def one(sql: str, params: list[Any]) -> int:
            (n,) = c.execute(sql, params).fetchone()
            return int(n)

        _, articles = self.counts()
        w_id, p_id = only("id")
        if chosen:
            articles = one(f"SELECT count(*) FROM articles{w_id}", p_id)
        w_topic, p_topic = only("a.id", "AND")
        per_topic = pairs(
            "SELECT t.slug, (SELECT count(*) FROM article_topics a "
            f"WHERE a.slug = t.slug{w_topic}) AS n FROM topics t ORDER BY n DESC, t.slug",
            p_topic,
        )
        linked = [(t, n) for t, n in per_topic if n]
        return Stats(
            topics=len(linked),
            articles=articles,
            authors=one(f"SELECT count(DISTINCT author) FROM article_authors{w_id}", p_id),
            tags=one(f"SELECT count(DISTINCT tag) FROM article_tags{w_id}", p_id),
            per_year=_every_year(
                pairs(
                    f"SELECT substr(published, 1, 4) AS y, count(*) FROM articles{w_id} "
                    "GROUP BY y ORDER BY y",
                    p_id,
                )
            ),
            per_topic=linked,
            all_topics=len(per_topic),
            top_authors=pairs(
                f"SELECT min(name), count(*) AS n FROM article_authors{w_id} GROUP BY author "
                "ORDER BY n DESC, author LIMIT ?",
                p_id,
                top,
            ),
            top_sources=pairs(
                f"SELECT min(name), count(*) AS n FROM article_sources{w_id} GROUP BY source "
                "ORDER BY n DESC, source LIMIT ?",
                p_id,
                top,
            ),
            top_tags=pairs(
                f"SELECT tag, count(*) AS n FROM article_tags{w_id} GROUP BY tag "
                "ORDER BY n DESC, tag LIMIT ?",
                p_id,
                top,
            ),
        )

    def tallies(self, what: str, *, by: str = "count", limit: int | None = None) -> list[Tally]:
        """How many articles carry each tag, author or source (``what``).

        Sorted by ``by``: "count" (most first, then by name) or "name". Names
        that differ only in case or accents are one author or source, shown
        as the first spelling in code point order (as ``stats`` does); tags
        are stored in one form already.
        """
        key, name, table = _TALLIES[what]
        order = {"count": f"n DESC, {key}", "name": key}[by]
        sql = f"SELECT {name}, count(*) AS n FROM {table} GROUP BY {key} ORDER BY {order}"
        params: tuple[int, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [Tally(str(n), int(c)) for n, c in self.conn.execute(sql, params)]

    def complete_topics(self, prefix: str) -> list[tuple[str, str]]:
        """(slug, title) of topics whose slug starts with ``prefix``, for shell completion."""
        rows = self.conn.execute(
            "SELECT slug, title FROM topics WHERE slug >= ? AND slug < ? ORDER BY slug",
            (prefix, prefix + "\U0010ffff"),
        )
        return [(str(s), str(t)) for s, t in rows]

    def complete_tags(self, prefix: str) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT tag, count(*) FROM article_tags WHERE tag >= ? AND tag < ? "
            "GROUP BY tag ORDER BY count(*) DESC LIMIT 100",
            (prefix, prefix + "\U0010ffff"),
        )
        return [(str(t), int(n)) for t, n in rows]

    def complete_ids(self, prefix: str, limit: int = 50) -> list[tuple[str, str]]:
        """Ids starting with ``prefix`` (newest first) with their titles."""
        rows = self.conn.execute(
            "SELECT id, json_extract(doc, '$.title') FROM articles "
            "WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
            (like_escape(prefix) + "%", limit),
        )
        return [(str(i), str(t)) for i, t in rows]


def article_from_doc(doc: str) -> Article:
    d = json.loads(doc)
    return Article.from_dict(int(d["id"]), d)


MAX_YEAR_SPAN = 100  # the widest span of years stats fills with the years between


def _every_year(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``rows`` (year, count) with the years between them that have none, as 0.

    A chart that skips a year with no articles (2022, then 2025) reads as if
    they were consecutive. Not over a span of more than ``MAX_YEAR_SPAN``
    years (a mistyped 0225 for 2025 would fill 1,800 rows): then the years
    that have articles are listed as they are.
    """
    if not rows or not all(y.isdigit() for y, _ in rows):
        return rows
    if int(rows[-1][0]) - int(rows[0][0]) >= MAX_YEAR_SPAN:
        return rows
    counts = dict(rows)
    first, last = int(rows[0][0]), int(rows[-1][0])
    width = len(rows[0][0])
    return [(f"{y:0{width}d}", counts.get(f"{y:0{width}d}", 0)) for y in range(first, last + 1)]
