"""Read-modify-write of the records in memory: the only module that imports TinyDB.

TinyDB's own JSONStorage rewrites the file in place (a kill tears it), reuses
ids and takes a 0-byte file for an empty database, so TinyDB is given only a
storage holding data that is already loaded and checked. Its writes stay in
memory until the transaction commits (``mfgkb.storage.store`` writes the file
then, once), which is what makes a transaction all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from mfgkb.errors import NotFoundError
from mfgkb.models import Article, Topic
from mfgkb.storage.records import META_ID, article_of, topic_of

if TYPE_CHECKING:
    from mfgkb.filestamp import FileStamp


class _MemoryStorage(Storage):
    """Hands TinyDB the already loaded and validated data; collects its writes.

    The file is written once, when the transaction commits, not once per
    TinyDB operation: that is what makes a transaction all-or-nothing.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data
        self.dirty = True


@dataclass(slots=True)
class Changes:
    """What a transaction changed, for whoever keeps derived data (the index)."""

    articles: dict[int, Article] = field(default_factory=dict)
    deleted_articles: set[int] = field(default_factory=set)
    topics: dict[str, Topic] = field(default_factory=dict)
    deleted_topics: set[str] = field(default_factory=set)
    everything: bool = False  # records changed wholesale (a repair): rebuild derived data


class _IntKeys(MutableMapping[int, Any]):
    """A table's raw ``{"17": doc}`` dict seen with int keys, without copying it."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __getitem__(self, key: int) -> Any:
        return self.raw[str(key)]

    def __setitem__(self, key: int, value: Any) -> None:
        self.raw[str(key)] = value

    def __delitem__(self, key: int) -> None:
        del self.raw[str(key)]

    def __contains__(self, key: object) -> bool:
        return str(key) in self.raw

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class _Table(Table):
    """TinyDB's Table, minus two full copies of the table on every write.

    TinyDB's ``_update_table`` rebuilds the whole table dict with int keys and
    then again with str keys for each insert or update: at 100k articles that
    is a tenth of a second per write. Our storage keeps the data in memory with
    str keys, so the update can work on it in place through an int-keyed view.
    """

    def _update_table(self, updater: Callable[[Any], None]) -> None:
        tables = self._storage.read()
        assert tables is not None  # _MemoryStorage always holds data
        raw = tables.setdefault(self.name, {})
        updater(_IntKeys(raw))
        self._storage.write(tables)
        self.clear_cache()


class _TinyDB(TinyDB):
    table_class = _Table


class Transaction:
    """Read-modify-write access to the database while its lock is held."""

    def __init__(self, data: dict[str, Any], stamp: FileStamp | None) -> None:
        self.stamp = stamp  # of the file as read under the lock; None for a new file
        self._db = _TinyDB(data, storage=_MemoryStorage)
        self._storage: _MemoryStorage = self._db.storage  # type: ignore[assignment]
        self._articles: Table = self._db.table("articles", cache_size=0)
        self._topics: Table = self._db.table("topics", cache_size=0)
        self._meta: Table = self._db.table("meta", cache_size=0)
        self.changes = Changes()
        self._topic_ids: dict[str, int] | None = None

    # -- storage plumbing ------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._storage.dirty

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._storage.data)

    # -- topics ------------------------------------------------------------
    def _topic_index(self) -> dict[str, int]:
        if self._topic_ids is None:
            self._topic_ids = {
                str(doc.get("slug")): doc.doc_id for doc in self._topics.all() if "slug" in doc
            }
        return self._topic_ids

    def get_topic(self, slug: str) -> Topic | None:
        doc_id = self._topic_index().get(slug)
        doc = self._topics.get(doc_id=doc_id) if doc_id is not None else None
        return topic_of(doc) if isinstance(doc, dict) else None

    def put_topic(self, topic: Topic) -> None:
        """Insert or replace the topic with this slug."""
        ids = self._topic_index()
        if topic.slug in ids:
            self._topics.update(topic.to_dict(), doc_ids=[ids[topic.slug]])
        else:
            ids[topic.slug] = self._topics.insert(topic.to_dict())
        self.changes.topics[topic.slug] = topic
        self.changes.deleted_topics.discard(topic.slug)

    def rename_topic(self, old: str, topic: Topic) -> None:
        """Store ``topic`` in place of the topic ``old`` (same record, so same place in
        the file), under its new slug."""
        ids = self._topic_index()
        if topic.slug in ids and topic.slug != old:
            raise ValueError(f"a topic {topic.slug!r} exists already")  # callers check first
        doc_id = ids.pop(old)
        self._topics.update(topic.to_dict(), doc_ids=[doc_id])
        ids[topic.slug] = doc_id
        self.changes.topics.pop(old, None)
        self.changes.deleted_topics.add(old)
        self.changes.topics[topic.slug] = topic
        self.changes.deleted_topics.discard(topic.slug)

    def delete_topic(self, slug: str) -> None:
        """Remove the topic with this slug (articles and other topics are the caller's)."""
        ids = self._topic_index()
        doc_id = ids.pop(slug, None)
        if doc_id is None:
            raise NotFoundError(f"There is no topic '{slug}'; list topics with: mfgkb topics")
        self._topics.remove(doc_ids=[doc_id])
        self.changes.topics.pop(slug, None)
        self.changes.deleted_topics.add(slug)

    def _meta_doc(self) -> dict[str, Any]:
        doc = self._meta.get(doc_id=META_ID)
        assert isinstance(doc, dict)
        return dict(doc)

    def get_article(self, article_id: int) -> Article | None:
        doc = self._articles.get(doc_id=article_id)
        return article_of(article_id, doc) if isinstance(doc, dict) else None

    def _storage_articles(self) -> dict[str, Any]:
        articles = self._storage.data["articles"]
        assert isinstance(articles, dict)
        return articles

    def add_articles(self, articles: list[Article]) -> list[Article]:
        """Store new articles under fresh ids from the counter; return them with ids."""
        if not articles:
            return []
        meta = self._meta_doc()
        # A counter behind the ids in use (a hand edit) would hand out an id
        # twice; new ids always go past the highest one stored.
        highest = max(map(int, self._storage_articles()), default=0)
        next_id = max(int(meta["next_article_id"]), highest + 1)
        stored = [replace(a, id=next_id + offset) for offset, a in enumerate(articles)]
        # A generator, so each record's Document is dropped as soon as TinyDB
        # has copied it in: at 100k articles a list of them costs 40 MB.
        self._articles.insert_multiple(Document(a.to_dict(), doc_id=a.id) for a in stored)
        self._meta.update({"next_article_id": next_id + len(articles)}, doc_ids=[META_ID])
        for article in stored:
            self.changes.articles[article.id] = article
        return stored

    def restore_articles(self, articles: list[Article], next_id: int) -> None:
        """Store articles under the ids they carry (a full restore) and set the counter."""
        self._articles.insert_multiple(Document(a.to_dict(), doc_id=a.id) for a in articles)
        highest = max((a.id for a in articles), default=0)
        # Never lower the counter: an empty database may already have given ids out.
        current = int(self._meta_doc()["next_article_id"])
        self._meta.update(
            {"next_article_id": max(next_id, highest + 1, current)}, doc_ids=[META_ID]
        )
        for article in articles:
            self.changes.articles[article.id] = article

    def put_article(self, article: Article) -> None:
        """Replace an existing article (same id)."""
        if not self._articles.contains(doc_id=article.id):
            raise NotFoundError(f"There is no article {article.id}; list ids with: mfgkb articles")
        # Table.update merges keys; replace the whole record so removed fields go.
        self._articles.remove(doc_ids=[article.id])
        self._articles.insert(Document(article.to_dict(), doc_id=article.id))
        self.changes.articles[article.id] = article

    def repair(self, fix: Callable[[dict[str, Any]], int]) -> int:
        """Let ``fix`` change the raw data in place; it returns how many records it changed."""
        changed = fix(self._storage.data)
        if changed:
            self._storage.dirty = True
            self.changes.everything = True
        return changed

    def delete_article(self, article_id: int) -> None:
        self._articles.remove(doc_ids=[article_id])
        self.changes.articles.pop(article_id, None)
        self.changes.deleted_articles.add(article_id)
