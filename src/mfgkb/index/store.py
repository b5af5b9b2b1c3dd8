"""The Index: opening its SQLite file, and every write to it.

At run time the only module that imports sqlite3. Each write runs in one
SQLite transaction and records the stamp of the database file it matches.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mfgkb.index.query import nfkc, tokens
from mfgkb.index.ranking import Ranking
from mfgkb.index.reads import article_from_doc
from mfgkb.index.schema import HL_END, HL_START, INDEX_VERSION, SCHEMA
from mfgkb.models import Article, Topic, fold, url_key


class IndexError_(Exception):
    """The index file is unusable; the caller deletes and rebuilds it."""


# What a damaged or busy index file raises while in use: SQLite's own error,
# named here so that only this package knows the index is SQLite.
IndexFault = sqlite3.DatabaseError


def _clean(text: str) -> str:
    return nfkc(text.replace(HL_START, "").replace(HL_END, ""))


def _topic_fts(t: Topic) -> tuple[str, ...]:
    names = " ".join([t.slug.replace("-", " "), *t.aliases])
    terms = " ".join(f"{k.term} {k.definition}" for k in t.key_terms)
    return tuple(_clean(x) for x in (t.title, names, terms, t.summary, "", ""))


def _article_fts(a: Article) -> tuple[str, ...]:
    return tuple(
        _clean(x)
        for x in (a.title, "", " ".join(a.tags), a.description, ", ".join(a.authors), a.source)
    )


def _vocab_of(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in tokens(text) if len(w) > 2 and not w.isdigit())
    return counts


def _article_row(a: Article) -> tuple[Any, ...]:
    return (
        a.id,
        a.published.isoformat(),
        a.added,
        fold(a.title),
        url_key(a.url) if a.url else None,
        json.dumps(a.to_json(), ensure_ascii=False),
    )


class Index(Ranking):
    """An open index file. Methods that change it run in one SQLite transaction."""

    def __init__(self, path: Path | None, *, readonly: bool = False) -> None:
        """Open (or create) the index; ``readonly`` never creates or changes anything."""
        self.path = path
        try:
            if readonly and path is not None:
                # Read-only on a WAL file still makes its -wal and -shm files, and
                # only a writer removes them again. With no -wal there, every
                # write is in the main file: read it as immutable, creating nothing.
                wal = Path(f"{path}-wal").exists()
                uri = f"{path.resolve().as_uri()}?mode=ro{'' if wal else '&immutable=1'}"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            else:
                target = str(path) if path is not None else ":memory:"
                self.conn = sqlite3.connect(target, isolation_level=None, timeout=30)
                self.conn.execute("PRAGMA synchronous=NORMAL")
            version = self._meta_value("version")
            if version not in (None, INDEX_VERSION) or (readonly and version is None):
                raise IndexError_(f"index version {version}")
            if version is None:  # a new file (an existing one has it all already)
                self.conn.execute("PRAGMA journal_mode=WAL")  # stored in the file
                self.conn.executescript(SCHEMA)
                self._set_meta("version", INDEX_VERSION)
        except sqlite3.Error as exc:
            raise IndexError_(str(exc)) from exc

    def close(self) -> None:
        self.conn.close()

    def _meta_value(self, key: str) -> str | None:
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table yet: a new file
            return None
        return str(row[0]) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def stamp(self) -> str | None:
        """The stamp of the database file this index was built from."""
        return self._meta_value("stamp")

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # After some errors (a full disk) SQLite has rolled back already; a
            # second ROLLBACK would fail and hide the real error.
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

    # -- writing -------------------------------------------------------------
    def rebuild(
        self,
        topics: list[Topic],
        articles: list[Article],
        stamp: str,
        *,
        canonical: bool = False,
        skipped: list[str] | None = None,
    ) -> None:
        """Replace the whole content with these records, built from ``stamp``.

        ``canonical`` says the file at ``stamp`` was written by mfgkb itself, so
        its bytes are exactly ``codec.encode`` of these records (see
        ``codec.splice_article`` in ``mfgkb.storage``).
        """
        with self._write() as c:
            for table in (
                "topics",
                "topic_names",
                "articles",
                "article_topics",
                "article_tags",
                "article_authors",
                "article_sources",
                "vocab",
                "fts",
            ):
                c.execute(f"DELETE FROM {table}")
            self._insert_topics(c, topics)
            self._insert_articles(c, articles)
            self._set_meta("stamp", stamp)
            self._set_meta("canonical", "1" if canonical else "0")
            self._set_meta("skipped", json.dumps(skipped or []))

    def apply(
        self,
        *,
        topics: dict[str, Topic],
        deleted_topics: set[str],
        articles: dict[int, Article],
        deleted_articles: set[int],
        expected: str | None,
        stamp: str,
        canonical: bool = True,
    ) -> bool:
        """Apply one write's changes if the index is at ``expected``; False if stale."""
        with self._write() as c:
            if self.stamp() != expected:
                return False
            gone_topics = set(topics) | deleted_topics
            gone_articles = set(articles) | deleted_articles
            self._delete_topics(c, gone_topics)
            same_text = self._delete_articles(c, gone_articles, articles)
            self._insert_topics(c, list(topics.values()))
            self._insert_articles(c, list(articles.values()), same_text)
            self._set_meta("stamp", stamp)
            self._set_meta("canonical", "1" if canonical else "0")
        return True

    def skipped(self) -> list[str]:
        """Why records of the file were left out of the index (damaged by hand)."""
        return list(json.loads(self._meta_value("skipped") or "[]"))

    def canonical_at(self, stamp: str) -> bool:
        """True if the file at ``stamp`` was written by mfgkb and indexed since."""
        return self.stamp() == stamp and self._meta_value("canonical") == "1"

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Several reads that see one state of the index, whatever writers do meanwhile."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def _delete_topics(self, c: sqlite3.Connection, slugs: set[str]) -> None:
        for slug in slugs:
            row = c.execute("SELECT rid, doc FROM topics WHERE slug = ?", (slug,)).fetchone()
            if row is None:
                continue
            old = Topic.from_dict(json.loads(row[1]))
            self._bump_vocab(c, _vocab_of(_topic_fts(old)), -1)
            c.execute("DELETE FROM fts WHERE rowid = ?", (-row[0],))
            c.execute("DELETE FROM topics WHERE rid = ?", (row[0],))
            c.execute("DELETE FROM topic_names WHERE slug = ?", (slug,))

    def _delete_articles(
        self, c: sqlite3.Connection, ids: set[int], new: dict[int, Article] | None = None
    ) -> set[int]:
        """Delete these articles' rows; returns the ids whose text is kept.

        An article about to be stored again (in ``new``) with the same text
        keeps its full-text row and its words in the vocabulary: a change of
        links (a topic renamed or merged, 2,400 articles at 100k) then costs
        no full-text work, which is most of the time of re-indexing.
        """
        kept: set[int] = set()
        if not ids:
            return kept
        # One range query instead of a lookup per id: an import of 100k new
        # articles would otherwise look each of them up only to find nothing.
        present = {
            int(i)
            for (i,) in c.execute(
                "SELECT id FROM articles WHERE id BETWEEN ? AND ?", (min(ids), max(ids))
            )
        }
        for article_id in ids & present:
            row = c.execute("SELECT doc FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                continue
            old = _article_fts(article_from_doc(row[0]))
            if new is not None and article_id in new and _article_fts(new[article_id]) == old:
                kept.add(article_id)
            else:
                self._bump_vocab(c, _vocab_of(old), -1)
                c.execute("DELETE FROM fts WHERE rowid = ?", (article_id,))
            for table in (
                "articles",
                "article_topics",
                "article_tags",
                "article_authors",
                "article_sources",
            ):
                c.execute(f"DELETE FROM {table} WHERE id = ?", (article_id,))
        return kept

    def _bump_vocab(self, c: sqlite3.Connection, counts: Counter[str], sign: int) -> None:
        c.executemany(
            "INSERT INTO vocab(word, n) VALUES (?, ?) "
            "ON CONFLICT(word) DO UPDATE SET n = n + excluded.n",
            ((w, sign * n) for w, n in counts.items()),
        )
        if sign < 0:
            c.execute("DELETE FROM vocab WHERE n <= 0")

    def _insert_topics(self, c: sqlite3.Connection, topics: list[Topic]) -> None:
        counts: Counter[str] = Counter()
        for t in topics:
            rid = _topic_rid(t.slug)
            c.execute(
                "INSERT INTO topics(rid, slug, title, doc) VALUES (?, ?, ?, ?)",
                (rid, t.slug, t.title, json.dumps(t.to_dict(), ensure_ascii=False)),
            )
            c.executemany(
                "INSERT OR IGNORE INTO topic_names(name, slug) VALUES (?, ?)",
                [(fold(n), t.slug) for n in t.names()],
            )
            fields = _topic_fts(t)
            c.execute(
                "INSERT INTO fts(rowid, title, names, terms, body, people, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (-rid, *fields),
            )
            counts.update(_vocab_of(fields))
        self._bump_vocab(c, counts, 1)

    def _insert_articles(
        self, c: sqlite3.Connection, articles: list[Article], same_text: set[int] | None = None
    ) -> None:
        """Insert these articles' rows; those in ``same_text`` have their full-text row."""
        if not articles:
            return
        c.executemany(
            "INSERT INTO articles(id, published, added, title_key, url_key, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_article_row(a) for a in articles),
        )
        c.executemany(
            "INSERT OR IGNORE INTO article_topics(slug, published, id) VALUES (?, ?, ?)",
            ((s, a.published.isoformat(), a.id) for a in articles for s in a.topics),
        )
        c.executemany(
            "INSERT OR IGNORE INTO article_tags(tag, id) VALUES (?, ?)",
            ((t.lower(), a.id) for a in articles for t in a.tags),
        )
        c.executemany(
            "INSERT OR IGNORE INTO article_authors(author, id, name) VALUES (?, ?, ?)",
            ((fold(n), a.id, n) for a in articles for n in a.authors),
        )
        c.executemany(
            "INSERT OR IGNORE INTO article_sources(source, id, name) VALUES (?, ?, ?)",
            ((fold(a.source), a.id, a.source) for a in articles if fold(a.source)),
        )
        counts: Counter[str] = Counter()
        rows = []
        for a in articles:
            if same_text and a.id in same_text:
                continue
            fields = _article_fts(a)
            rows.append((a.id, *fields))
            counts.update(_vocab_of(fields))
        c.executemany(
            "INSERT INTO fts(rowid, title, names, terms, body, people, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._bump_vocab(c, counts, 1)


def _topic_rid(slug: str) -> int:
    """A topic's row number in the index, the same in every rebuild.

    Equal scores are ordered by row number, so stable numbers keep results in
    the same order after a rebuild.
    """
    import hashlib

    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=7).digest(), "big") + 1
