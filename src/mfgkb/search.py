"""The search index: ranking, snippets, and fast listings. Derived, never the truth.

A SQLite file next to the database (``<db>.index``) holds a copy of every record
in a shape that answers queries without parsing the JSON file:

* an FTS5 table over topics (title, slug and aliases, key terms, summary) and
  articles (title, tags, description, authors, source), tokenised with the
  Porter stemmer and with case and accents folded, ranked by BM25 with field
  weights;
* plain tables for listing articles by topic, tag, author and date, newest
  first, with indexes, so ``show`` and ``articles`` stay fast at 100k articles;
* a vocabulary of unstemmed words for "did you mean" suggestions.

The index records the stamp (size, mtime, inode) of the database file it was
built from. When the file's stamp differs (edited by hand, replaced by a git
pull, written by a crashed process) the index is rebuilt from the file. Delete
the index at any time: the next command rebuilds it.

Why FTS5 rather than a pure-Python index (whoosh, a pickled inverted index):
it ships with Python, queries run in C without loading the index into memory,
it updates incrementally in a transaction, and it brings BM25, phrase and
prefix queries and snippets. A pickled index would be loaded whole by every
search, which is what makes the peers slow at 100k records.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from mfgkb.models import Article, Topic, fold, tag_form, url_key

INDEX_VERSION = "5"

# Column order of the FTS table, and the BM25 weight of each column. A topic's
# title and names (slug, aliases) weigh most, then its key terms, then its
# summary; an article's title weighs more than its description, authors and
# source.
COLUMNS = ("title", "names", "terms", "body", "people", "source")
WEIGHTS = (10.0, 8.0, 4.0, 1.0, 2.0, 1.5)
TOPIC_BOOST = 1.5  # a topic page answers a query better than one article does
FIELD_NAMES = {
    "topic": {"title": "title", "names": "aliases", "terms": "key terms", "body": "summary"},
    "article": {
        "title": "title",
        "terms": "tags",
        "body": "description",
        "people": "authors",
        "source": "source",
    },
}
HL_START, HL_END = "\ue000", "\ue001"  # private-use markers, stripped from indexed text

# Words too common to say anything about relevance. Dropped from a query that
# has other words, so a pasted question ranks by its content words.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)

# At most this many distinct terms (and as many excluded ones, and words in a
# phrase) go to SQLite: each term is one expression in the ranking query, and
# SQLite refuses an expression tree deeper than 1000. A pasted page of text
# is searched for its first distinct content words; more add nothing to a
# ranking anyway.
MAX_TERMS = 64

_WORD = re.compile(r"[^\W_]+")
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS topics(
    rid INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS topic_names(name TEXT NOT NULL, slug TEXT NOT NULL,
    PRIMARY KEY(name, slug)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles(
    id INTEGER PRIMARY KEY, published TEXT NOT NULL, added TEXT NOT NULL,
    title_key TEXT NOT NULL, url_key TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published, id);
CREATE INDEX IF NOT EXISTS articles_added ON articles(added, id);
CREATE INDEX IF NOT EXISTS articles_title ON articles(title_key, id);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url_key);
CREATE TABLE IF NOT EXISTS article_topics(slug TEXT NOT NULL, published TEXT NOT NULL,
    id INTEGER NOT NULL, PRIMARY KEY(slug, published, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_topics_id ON article_topics(id);
CREATE TABLE IF NOT EXISTS article_tags(tag TEXT NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY(tag, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_tags_id ON article_tags(id);
CREATE TABLE IF NOT EXISTS article_authors(author TEXT NOT NULL, id INTEGER NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY(author, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_authors_id ON article_authors(id);
CREATE TABLE IF NOT EXISTS vocab(word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, names, terms, body, people, source,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""


class IndexError_(Exception):
    """The index file is unusable; the caller deletes and rebuilds it."""


# What a damaged or busy index file raises while in use: SQLite's own error,
# named here so that only this module knows the index is SQLite.
IndexFault = sqlite3.DatabaseError


# -- queries ---------------------------------------------------------------
# Plain value types here are NamedTuples rather than dataclasses: they are
# built at import time by every search, and a dataclass costs ten times more
# to create.


class Term(NamedTuple):
    """One query element: a word, a "quoted phrase" or a prefix*, maybe -excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False
    # Whole words of the index that a prefix stands for. The index holds Porter
    # stems ("incentiv" is stored as "incent"), so a prefix longer than a
    # word's stem only matches through the words themselves.
    alternatives: tuple[str, ...] = ()

    def fts(self) -> str:
        """The FTS5 form: always quoted phrases, so no input is a syntax error."""
        phrase = '"' + " ".join(self.words) + '"' + (" *" if self.prefix else "")
        if not self.alternatives:
            return phrase
        return "(" + " OR ".join([phrase, *(f'"{w}"' for w in self.alternatives)]) + ")"


class Query(NamedTuple):
    """A parsed query: positive terms (all wanted) and excluded ones."""

    terms: tuple[Term, ...]
    excluded: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    def words(self) -> list[str]:
        """The positive words, for suggestions."""
        return [w for t in self.terms for w in t.words]


def _nfkc(text: str) -> str:
    # Compatibility forms (the "ﬁ" ligature of PDF text, full-width letters) as
    # their plain letters, and ß as ss (as "STRASSE" spells it), on both sides:
    # indexed text and queries. The tokenizer does the rest of the folding.
    return unicodedata.normalize("NFKC", text).replace("ß", "ss").replace("ẞ", "SS")


def search_fold(text: str) -> str:
    """Lower case without accents, as the index's tokenizer (unicode61) folds text."""
    decomposed = unicodedata.normalize("NFD", _nfkc(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Words as the index sees them: case and accents folded, split on non-letters."""
    return _WORD.findall(search_fold(text))


def parse_query(text: str) -> Query:
    """Parse free text: words, "phrases", prefix*, -excluded; nothing is a syntax error."""
    terms: list[Term] = []
    excluded: list[Term] = []
    for neg, phrase, bare in _QUERY_TOKEN.findall(text):
        negated = bool(neg)
        prefix = False
        if bare:
            negated = bare.startswith("-") and len(bare) > 1
            body = bare[1:] if negated else bare
            prefix = body.endswith("*")
            words = tuple(tokens(body))
        else:
            words = tuple(tokens(phrase))
        words = words[:MAX_TERMS]
        if not words:
            continue
        term = Term(words, prefix=prefix, negated=negated)
        (excluded if negated else terms).append(term)
    content = [t for t in terms if len(t.words) > 1 or t.prefix or t.words[0] not in STOPWORDS]
    if content:  # keep stop words only when the query has nothing else
        terms = content
    return Query(
        tuple(dict.fromkeys(terms))[:MAX_TERMS], tuple(dict.fromkeys(excluded))[:MAX_TERMS]
    )


def _match_expr(terms: Iterable[Term], joiner: str, excluded: Iterable[Term]) -> str:
    expr = f" {joiner} ".join(t.fts() for t in terms)
    nots = " ".join(f"NOT {t.fts()}" for t in excluded)
    return f"({expr}) {nots}".strip()


class Filters(NamedTuple):
    """Restrictions on which articles a listing or a search returns.

    Each of ``topic``, ``author`` and ``tag`` holds the values given for that
    filter (a repeated option): an article matches one of them. Different
    filters all apply.
    """

    kind: str | None = None  # "topic" or "article"
    topic: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    @property
    def articles_only(self) -> bool:
        return bool(self.topic or self.author or self.tag) or any(
            v is not None for v in (self.since, self.until)
        )

    def sql(self, id_expr: str) -> tuple[str, list[Any]]:
        """A WHERE fragment restricting article ids (``id_expr``) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        # Each list is one JSON parameter: any number of values stays one
        # expression (SQLite refuses deep OR chains and too many parameters).
        if self.topic:
            clauses.append(
                f"{id_expr} IN (SELECT id FROM article_topics "
                "WHERE slug IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(list(dict.fromkeys(self.topic))))
        if self.tag:
            clauses.append(
                f"{id_expr} IN (SELECT id FROM article_tags "
                "WHERE tag IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(list(dict.fromkeys(tag_form(t) for t in self.tag))))
        if self.author:
            likes = ["%" + _like_escape(fold(a)) + "%" for a in self.author]
            clauses.append(
                f"{id_expr} IN (SELECT article_authors.id FROM article_authors, json_each(?) "
                "WHERE author LIKE json_each.value ESCAPE '\\')"
            )
            params.append(json.dumps(list(dict.fromkeys(likes))))
        if self.since is not None or self.until is not None:
            bounds = []
            if self.since is not None:
                bounds.append("published >= ?")
                params.append(self.since.isoformat())
            if self.until is not None:
                bounds.append("published <= ?")
                params.append(self.until.isoformat())
            clauses.append(f"{id_expr} IN (SELECT id FROM articles WHERE {' AND '.join(bounds)})")
        return (" AND ".join(clauses) or "1"), params


def _like_escape(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


class Stats(NamedTuple):
    """What ``mfgkb stats`` shows."""

    topics: int
    articles: int
    authors: int
    tags: int
    per_year: list[tuple[str, int]]
    per_topic: list[tuple[str, int]]
    top_authors: list[tuple[str, int]]
    top_sources: list[tuple[str, int]]
    top_tags: list[tuple[str, int]]


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


def _clean(text: str) -> str:
    return _nfkc(text.replace(HL_START, "").replace(HL_END, ""))


# -- the index -------------------------------------------------------------


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


class Index:
    """An open index file. Methods that change it run in one SQLite transaction."""

    def __init__(self, path: Path | None, *, readonly: bool = False) -> None:
        """Open (or create) the index; ``readonly`` never creates or changes anything."""
        self.path = path
        try:
            if readonly and path is not None:
                self.conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
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
        its bytes are exactly ``store.encode`` of these records (see
        ``store.splice_article``).
        """
        with self._write() as c:
            for table in (
                "topics",
                "topic_names",
                "articles",
                "article_topics",
                "article_tags",
                "article_authors",
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
            self._delete_articles(c, gone_articles)
            self._insert_topics(c, list(topics.values()))
            self._insert_articles(c, list(articles.values()))
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

    def max_id(self) -> int:
        (highest,) = self.conn.execute("SELECT max(id) FROM articles").fetchone()
        return int(highest or 0)

    def successor_key(self, key: str) -> str | None:
        """The smallest article id that sorts after ``key`` as text (file order)."""
        row = self.conn.execute(
            "SELECT min(CAST(id AS TEXT)) FROM articles WHERE CAST(id AS TEXT) > ?", (key,)
        ).fetchone()
        return str(row[0]) if row and row[0] is not None else None

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

    def _delete_articles(self, c: sqlite3.Connection, ids: set[int]) -> None:
        if not ids:
            return
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
            old = _article_from_doc(row[0])
            self._bump_vocab(c, _vocab_of(_article_fts(old)), -1)
            for table in ("articles", "article_topics", "article_tags", "article_authors"):
                c.execute(f"DELETE FROM {table} WHERE id = ?", (article_id,))
            c.execute("DELETE FROM fts WHERE rowid = ?", (article_id,))

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

    def _insert_articles(self, c: sqlite3.Connection, articles: list[Article]) -> None:
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
        counts: Counter[str] = Counter()
        rows = []
        for a in articles:
            fields = _article_fts(a)
            rows.append((a.id, *fields))
            counts.update(_vocab_of(fields))
        c.executemany(
            "INSERT INTO fts(rowid, title, names, terms, body, people, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._bump_vocab(c, counts, 1)

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

    def topics_with_counts(self) -> list[tuple[Topic, int]]:
        rows = self.conn.execute(
            "SELECT t.doc, (SELECT count(*) FROM article_topics a WHERE a.slug = t.slug) "
            "FROM topics t ORDER BY t.slug"
        )
        return [(Topic.from_dict(json.loads(doc)), int(n)) for doc, n in rows]

    # -- reading: articles ---------------------------------------------------
    def article(self, article_id: int) -> Article | None:
        row = self.conn.execute("SELECT doc FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article_from_doc(row[0]) if row else None

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
        docs = [_article_from_doc(d) for (d,) in self.conn.execute(sql, params_list)]
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

    def stats(self, top: int = 10) -> Stats:
        """Counts and distributions for ``mfgkb stats``, straight from the index."""
        c = self.conn

        def pairs(sql: str, *params: Any) -> list[tuple[str, int]]:
            return [(str(k), int(n)) for k, n in c.execute(sql, params)]

        topics, articles = self.counts()
        (authors,) = c.execute("SELECT count(DISTINCT author) FROM article_authors").fetchone()
        (tags,) = c.execute("SELECT count(DISTINCT tag) FROM article_tags").fetchone()
        return Stats(
            topics=topics,
            articles=articles,
            authors=int(authors),
            tags=int(tags),
            per_year=pairs(
                "SELECT substr(published, 1, 4) AS y, count(*) FROM articles GROUP BY y ORDER BY y"
            ),
            per_topic=pairs(
                "SELECT t.slug, (SELECT count(*) FROM article_topics a WHERE a.slug = t.slug) AS n "
                "FROM topics t ORDER BY n DESC, t.slug"
            ),
            top_authors=pairs(
                "SELECT min(name), count(*) AS n FROM article_authors GROUP BY author "
                "ORDER BY n DESC, author LIMIT ?",
                top,
            ),
            top_sources=pairs(
                "SELECT json_extract(doc, '$.source') AS s, count(*) AS n FROM articles "
                "WHERE s != '' GROUP BY s ORDER BY n DESC, s LIMIT ?",
                top,
            ),
            top_tags=pairs(
                "SELECT tag, count(*) AS n FROM article_tags GROUP BY tag "
                "ORDER BY n DESC, tag LIMIT ?",
                top,
            ),
        )

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
            (_like_escape(prefix) + "%", limit),
        )
        return [(str(i), str(t)) for i, t in rows]

    # -- reading: search -----------------------------------------------------
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


def _topic_rid(slug: str) -> int:
    """A topic's row number in the index, the same in every rebuild.

    Equal scores are ordered by row number, so stable numbers keep results in
    the same order after a rebuild.
    """
    import hashlib

    return int.from_bytes(hashlib.blake2b(slug.encode(), digest_size=7).digest(), "big") + 1


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


def _article_from_doc(doc: str) -> Article:
    d = json.loads(doc)
    return Article.from_dict(int(d["id"]), d)
