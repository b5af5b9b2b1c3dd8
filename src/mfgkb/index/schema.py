"""The index's layout: its version, its SQL tables and the FTS columns' weights."""

from __future__ import annotations

INDEX_VERSION = "6"

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
CREATE TABLE IF NOT EXISTS article_sources(source TEXT NOT NULL, id INTEGER NOT NULL,
    name TEXT NOT NULL, PRIMARY KEY(source, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_sources_id ON article_sources(id);
CREATE TABLE IF NOT EXISTS vocab(word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, names, terms, body, people, source,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""
