"""The knowledge base as the commands see it: one object per database path.

Ties the store (the truth, written under a lock) to the search index (derived,
kept in step by the same code path as every write, rebuilt when stale). Takes
and returns dataclasses; knows nothing of the command line or of the terminal.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from mfgkb.errors import DatabaseError, DuplicateError, NotFoundError, ValidationError
from mfgkb.filestamp import FileStamp, follow_links, special_file, stamp
from mfgkb.index.query import Filters, parse_query
from mfgkb.index.ranking import SearchResult
from mfgkb.index.reads import Stats
from mfgkb.index.store import Index, IndexError_, IndexFault
from mfgkb.models import Article, Topic, fold, now_utc, url_key

if TYPE_CHECKING:
    from mfgkb.check import Problem
    from mfgkb.results import CheckReport, ImportReport, TopicPage
    from mfgkb.storage.store import Store
    from mfgkb.storage.tables import Transaction


P = ParamSpec("P")
R = TypeVar("R")


def _recovering(
    method: Callable[Concatenate[KnowledgeBase, P], R],
) -> Callable[Concatenate[KnowledgeBase, P], R]:
    """Run a reading method again on a fresh index if the index file is damaged.

    The index is derived data: a damaged page (a disk error, a killed copy) is
    no reason to fail, only to throw the index away and build it again.
    """

    def wrapper(self: KnowledgeBase, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except IndexFault as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseError(
                    f"The search index {self.index_path} is busy in another mfgkb process; "
                    f"try again in a moment."
                ) from None
            self.reset_index()
            return method(self, *args, **kwargs)

    wrapper.__doc__ = method.__doc__
    return wrapper


def index_path_for(db: Path) -> Path:
    return db.with_name(db.name + ".index")


class KnowledgeBase:
    """Operations on one database file."""

    def __init__(self, path: Path, *, create_parents: bool = False) -> None:
        # A symlinked database is used through the file it points to (see
        # follow_links): its index, like its lock and backups, is beside that file.
        self.path = follow_links(path)
        self.index_path = index_path_for(self.path)
        self._create_parents = create_parents
        self._index: Index | None = None
        self.warnings: list[str] = []  # for the user, printed by the CLI after the command
        # A dry run: a database that does not exist yet is not created (nor its
        # index or lock); readers see the shipped knowledge base in memory.
        self.read_only = False

    @functools.cached_property
    def store(self) -> Store:
        # Imported here: reading commands that find the index current never
        # need TinyDB, orjson or the lock.
        from mfgkb.storage.store import Store

        return Store(self.path)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # -- plumbing ----------------------------------------------------------
    def reset_index(self) -> None:
        """Throw the index away; the next use builds it again from the database."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(self.index_path) + suffix).unlink()

    def _open_index(self) -> Index:
        if self._index is None:
            try:
                self._index = Index(self.index_path)
            except IndexError_:
                # Derived data: a damaged or outdated index is simply rebuilt.
                self.reset_index()
                try:
                    self._index = Index(self.index_path)
                except IndexError_:  # unwritable folder: keep the index in memory
                    self._index = Index(None)
        return self._index

    def ensure(self) -> None:
        """Create the database from the shipped knowledge base if it does not exist."""
        if self.read_only:
            return
        if self.path.exists():
            # A pipe or a device is refused before an index is made beside it
            # (/dev/zero.index); a file that cannot be read is reported by reading.
            with contextlib.suppress(OSError):
                why = special_file(self.path, self.path.stat().st_mode)
                if why is not None:
                    raise DatabaseError(why)
            return
        if self._create_parents:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        from mfgkb.seed import load_seed
        from mfgkb.storage.records import empty_data

        with self.store.transaction(create=empty_data, on_commit=self._sync_index) as tx:
            if tx.stamp is None:  # nobody created it while we waited for the lock
                topics, articles = load_seed(now_utc())
                for topic in topics:
                    tx.put_topic(topic)
                tx.add_articles(articles)

    def reader(self) -> Index:
        """The index, brought up to date with the database file if needed."""
        self.ensure()
        if self.read_only and not self.path.exists():
            return self._seed_index()
        data: dict[str, Any] | None = None
        if self._index is None and not self.index_path.exists():
            # Read (and so validate) the file before creating its index: a file
            # refused as damaged must not get one beside it.
            data, st = self.store.read()
        idx = self._open_index()
        current = stamp(self.path)
        if data is not None or current is None or idx.stamp() != current.encode():
            if data is None:
                data, st = self.store.read()
            idx = self._rebuild_from(idx, data, st.encode(), canonical=False)
        self._warn_skipped(idx)
        return idx

    def _seed_index(self) -> Index:
        """An in-memory index of the knowledge base ``ensure`` would create, ids and all."""
        if self._index is None:
            from mfgkb.seed import load_seed

            topics, articles = load_seed(now_utc())
            idx = Index(None)
            idx.rebuild(topics, [replace(a, id=n) for n, a in enumerate(articles, 1)], "")
            self._index = idx
        return self._index

    def _warn_skipped(self, idx: Index) -> None:
        skipped = idx.skipped()
        if skipped and not self.warnings:
            more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
            self.warnings.append(
                f"warning: {len(skipped)} record(s) of {self.path} are left out because they "
                f"cannot be read: {skipped[0]}{more}"
            )

    def _sync_index(self, tx: Transaction, before: FileStamp | None, after: FileStamp) -> None:
        """Bring the index in step with a write that has just been saved."""
        try:
            idx = self._open_index()
            ch = tx.changes
            applied = not ch.everything and idx.apply(
                topics=ch.topics,
                deleted_topics=ch.deleted_topics,
                articles=ch.articles,
                deleted_articles=ch.deleted_articles,
                expected=before.encode() if before else None,
                stamp=after.encode(),
            )
            if not applied:
                self._rebuild_from(idx, tx.data, after.encode(), canonical=True)
        except IndexFault:
            # The data is saved; a damaged index is dropped and rebuilt on next use.
            self.reset_index()

    def _rebuild_from(
        self, idx: Index, data: dict[str, Any], stamp_: str, *, canonical: bool
    ) -> Index:
        """Fill ``idx`` from ``data``; returns the index to use from now on.

        That is ``idx``, or an index in memory when the index file cannot be
        written (a full disk): the database is read all the same, and the next
        command tries the file again.
        """
        from mfgkb.storage.records import records_of

        skipped: list[str] = []
        records = records_of(data, skipped)
        # ``data`` is a top-level dict the caller no longer needs (Transaction.data
        # is a copy): emptying it lets the raw tables go before indexing starts.
        data.clear()
        try:
            idx.rebuild(*records, stamp_, canonical=canonical, skipped=skipped)
        except IndexFault:
            if idx.path is None:
                raise
            self.reset_index()  # what the failed build left is of no use
            idx = self._index = Index(None)
            idx.rebuild(*records, stamp_, canonical=canonical, skipped=skipped)
        return idx

    @contextlib.contextmanager
    def writer(self) -> Iterator[tuple[Transaction, Index]]:
        """A locked transaction plus an index that matches what it read."""
        self.ensure()
        with self.store.transaction(on_commit=self._sync_index) as tx:
            expected = tx.stamp.encode() if tx.stamp else ""
            try:
                idx = self._open_index()
                if idx.stamp() != expected:
                    idx = self._rebuild_from(idx, tx.data, expected, canonical=False)
            except IndexFault:
                self.reset_index()
                idx = self._open_index()
                idx = self._rebuild_from(idx, tx.data, expected, canonical=False)
            try:
                yield tx, idx
            except IndexFault:
                # Nothing was written (the transaction ends with this error).
                self.reset_index()
                raise DatabaseError(
                    f"The search index {self.index_path} was damaged and has been cleared; "
                    f"nothing was saved. Run the command again."
                ) from None

    # -- topics --------------------------------------------------------------
    @_recovering
    def resolve_topic(self, name: str) -> str:
        """The slug for a slug, title or alias, or NotFoundError with suggestions."""
        return self._resolve(name, self.reader())

    def _resolve(self, name: str, idx: Index) -> str:
        slug = idx.resolve_topic(name)
        if slug is not None:
            return slug
        import difflib

        names = idx.topic_names()
        close = difflib.get_close_matches(fold(name), list(names), n=5, cutoff=0.5)
        slugs = list(dict.fromkeys(names[c] for c in close))[:3]
        hint = f"did you mean {', '.join(slugs)}? " if slugs else ""
        raise NotFoundError(f"There is no topic '{name}'; {hint}List topics with: mfgkb topics")

    @_recovering
    def topic_page(self, name: str, limit: int | None) -> TopicPage:
        idx = self.reader()
        slug = self._resolve(name, idx)
        topic = idx.topic(slug)
        assert topic is not None
        term_slugs = {k.topic for k in topic.key_terms if k.topic}
        titles = idx.topic_titles(set(topic.related) | term_slugs)
        articles, total = idx.articles(Filters(topic=(slug,)), limit=limit)
        from mfgkb.results import TopicPage  # not at the top: search needs no results module

        return TopicPage(
            topic=topic,
            related=[(s, titles.get(s)) for s in topic.related],
            term_topics={s for s in term_slugs if s in titles},
            articles=articles,
            total_articles=total,
        )

    @_recovering
    def topics(self) -> list[tuple[Topic, int]]:
        return self.reader().topics_with_counts()

    def add_topic(self, topic: Topic) -> Topic:
        topic = topic.validated()
        with self.writer() as (tx, idx):
            if tx.get_topic(topic.slug) is not None:
                raise DuplicateError(
                    f"A topic '{topic.slug}' already exists; change it with: "
                    f"mfgkb edit-topic {topic.slug}"
                )
            self._check_names(idx, topic)
            self._check_topic_refs(tx, topic)
            now = now_utc()
            topic = replace(topic, created=now, updated=now)
            tx.put_topic(topic)
        return topic

    def edit_topic(
        self, name: str, changes: dict[str, Any], *, expected: Topic | None = None
    ) -> Topic:
        """Change a topic; with ``expected``, only if nobody changed it in the meantime."""
        slug = self.resolve_topic(name)
        with self.writer() as (tx, idx):
            current = tx.get_topic(slug)
            if current is None:
                raise NotFoundError(f"There is no topic '{slug}'; list topics with: mfgkb topics")
            if expected is not None and current != expected:
                raise _changed_meanwhile(f"Topic {slug}")
            topic = replace(current, **changes).validated()
            self._check_names(idx, topic)
            self._check_topic_refs(tx, topic)
            if topic != current:
                topic = replace(topic, updated=now_utc())
                tx.put_topic(topic)
        return topic

    @staticmethod
    def _check_names(idx: Index, topic: Topic) -> None:
        # Slugs, titles and aliases are one namespace (--topic takes any of
        # them): a name another topic has would silently change what it means.
        for name in topic.names():
            other = idx.topic_named(name, besides=topic.slug) if fold(name) else None
            if other is not None:
                raise ValidationError(
                    f"The name '{name.strip()}' is already used by the topic '{other}'; "
                    f"choose another, or change that topic with: mfgkb edit-topic {other}"
                )

    @staticmethod
    def _check_topic_refs(tx: Transaction, topic: Topic) -> None:
        refs = [*topic.related, *(k.topic for k in topic.key_terms if k.topic)]
        missing = [s for s in refs if s != topic.slug and tx.get_topic(s) is None]
        if missing:
            raise NotFoundError(
                f"There is no topic '{missing[0]}' to link to; add it first with: "
                f"mfgkb add-topic --slug {missing[0]} --title ..."
            )

    # -- articles ------------------------------------------------------------
    @_recovering
    def articles(
        self, filters: Filters, *, sort: str = "published", limit: int | None = None
    ) -> tuple[list[Article], int]:
        idx = self.reader()
        filters = filters._replace(topic=tuple(self._resolve(t, idx) for t in filters.topic))
        return idx.articles(filters, sort=sort, limit=limit)

    @_recovering
    def article(self, article_id: int) -> Article:
        found = self.reader().article(article_id)
        if found is None:
            raise _no_article(article_id)
        return found

    def _check_article(self, tx: Transaction, idx: Index, article: Article) -> Article:
        article = article.validated()
        for slug in article.topics:
            if tx.get_topic(slug) is None:
                raise _no_topic(slug)
        if article.url:
            owner = idx.article_by_url(article.url)
            if owner is not None and owner != article.id:
                raise _duplicate_url(owner, article.url)
        return article

    def add_article(self, draft: Article) -> Article:
        """Validate and store a new article; returns it with its new id."""
        # Fail on bad input before taking the lock; topics may still be titles
        # or aliases here, so they are checked once resolved.
        replace(draft, topics=[]).validated()
        fast = self._append_article(draft)
        if fast is not None:
            return fast
        with self.writer() as (tx, idx):
            topics = [self._resolve(t, idx) for t in draft.topics]
            article = self._check_article(tx, idx, replace(draft, topics=topics, added=now_utc()))
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
                    topics = [self._resolve(t, idx) for t in draft.topics]
                    article = replace(draft, topics=topics, added=now_utc()).validated()
                    if article.url and (owner := idx.article_by_url(article.url)) is not None:
                        raise _duplicate_url(owner, article.url)
                    done = self.store.append_article(
                        article, before, idx.successor_key, idx.max_id()
                    )
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
    ) -> Article:
        """Change an article; with ``expected``, only if nobody changed it in the meantime."""
        with self.writer() as (tx, idx):
            current = tx.get_article(article_id)
            if current is None:
                raise _no_article(article_id)
            if expected is not None and current != expected:
                raise _changed_meanwhile(f"Article {article_id}")
            if "topics" in changes:
                changes["topics"] = [self._resolve(t, idx) for t in changes["topics"]]
            article = self._check_article(tx, idx, replace(current, **changes))
            if article != current:
                tx.put_article(article)
        return article

    def remove_article(self, article_id: int) -> Article:
        with self.writer() as (tx, _):
            current = tx.get_article(article_id)
            if current is None:
                raise _no_article(article_id)
            tx.delete_article(article_id)
        return current

    def link(self, article_id: int, topic: str, *, add: bool) -> Article:
        with self.writer() as (tx, idx):
            current = tx.get_article(article_id)
            if current is None:
                raise _no_article(article_id)
            slug = self._resolve(topic, idx)
            if add:
                topics = [*current.topics, slug] if slug not in current.topics else current.topics
            else:
                if slug not in current.topics:
                    raise ValidationError(
                        f"Article {article_id} is not linked to '{slug}'; its topics are: "
                        f"{', '.join(current.topics) or 'none'}."
                    )
                topics = [t for t in current.topics if t != slug]
            article = replace(current, topics=topics)
            if article != current:
                tx.put_article(article)
        return article

    def import_articles(
        self,
        drafts: list[tuple[int, Article]],
        *,
        invalid: list[tuple[int, str]] | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Store validated drafts in one write, skipping duplicate URLs and unknown topics.

        ``drafts`` carry the line they came from, for the report. The list is
        emptied as it is used, so the drafts need not be held twice in memory.
        """
        from mfgkb.results import ImportReport

        report = ImportReport(invalid=list(invalid or []), dry_run=dry_run)
        with contextlib.ExitStack() as stack:
            # A dry run only reads: no lock, and no database created for it.
            tx, idx = (None, self.reader()) if dry_run else stack.enter_context(self.writer())
            seen = idx.url_keys()
            slugs: dict[str, str | None] = {}
            now = now_utc()
            accepted: list[Article] = []
            drafts.reverse()  # pop() from the end keeps the file's order
            while drafts:
                line, draft = drafts.pop()
                topics: list[str] = []
                for name in draft.topics:
                    if name not in slugs:
                        slugs[name] = idx.resolve_topic(name)
                    slug = slugs[name]
                    if slug is None:
                        break
                    topics.append(slug)
                else:
                    if draft.url:
                        key = url_key(draft.url)
                        if key in seen:
                            owner = seen[key]
                            where = f"article {owner}" if owner > 0 else f"line {-owner}"
                            report.duplicates.append((line, f"URL already in {where}"))
                            continue
                        seen[key] = -line  # later rows repeating it point at this line
                    accepted.append(replace(draft, topics=list(dict.fromkeys(topics)), added=now))
                    continue
                report.invalid.append((line, f"unknown topic '{name}'"))
            del seen
            report.invalid.sort()
            report.added = accepted if tx is None else tx.add_articles(accepted)
            del accepted
        return report

    @_recovering
    def stats(self) -> Stats:
        return self.reader().stats()

    def complete(self, what: str, prefix: str) -> list[tuple[str, str]]:
        """Shell completion candidates: (value, help). Never creates, rebuilds or raises.

        Runs on every Tab press, so it reads the index as it is (a stale one is
        good enough for a suggestion) and gives nothing rather than an error.
        """
        if not self.index_path.exists():
            return []
        try:
            idx = Index(self.index_path, readonly=True)
        except (IndexFault, IndexError_, OSError):
            return []
        try:
            if what == "topic":
                return idx.complete_topics(prefix)
            if what == "tag":
                return [(t, f"{n} articles") for t, n in idx.complete_tags(prefix)]
            if what == "id":
                return idx.complete_ids(prefix)
        except IndexFault:
            pass
        finally:
            idx.close()
        return []

    # -- export and full restore ------------------------------------------------
    def everything(self) -> tuple[list[Topic], list[Article], int]:
        """Every record (topics in stored order) and the id counter, for a full dump."""
        from mfgkb.storage.records import article_of, topic_of

        self.ensure()
        data, _ = self.store.read()
        topics = [topic_of(d) for _, d in sorted(data["topics"].items(), key=lambda kv: int(kv[0]))]
        articles = [article_of(k, d) for k, d in data["articles"].items()]
        return (
            topics,
            sorted(articles, key=lambda a: a.id),
            int(data["meta"]["1"]["next_article_id"]),
        )

    def check_restorable(self) -> None:
        """Refuse to restore a dump over records: a dump goes into a new or empty database."""
        from mfgkb.storage.store import load

        if self.path.exists():
            data, _, _ = load(self.path)
            if data["topics"] or data["articles"]:
                raise DuplicateError(
                    f"The database {self.path} is not empty; a full dump is restored only into "
                    f"a new one: mfgkb --db NEW.json import DUMP.json"
                )

    def restore_dump(self, topics: list[Topic], articles: list[Article], next_id: int) -> None:
        """Fill a new (or empty) database with a dump, ids, times and counter as they were."""
        from mfgkb.storage.records import empty_data

        self.check_restorable()
        if not self.path.exists() and self._create_parents:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        floor = self._indexed_high_water()
        with self.store.transaction(create=empty_data, on_commit=self._sync_index) as tx:
            for topic in topics:
                tx.put_topic(topic)
            # Ids an earlier file at this path gave out (its backups, its index) stay used.
            tx.restore_articles(articles, max(next_id, floor, self.store.high_water()))

    def _indexed_high_water(self) -> int:
        """One past the highest id in the index, or 0: ids some version of the file held.

        The index survives a database file that was damaged or replaced, so it
        remembers ids that no file on disk may hold any more.
        """
        if not self.index_path.exists():
            return 0
        try:
            idx = Index(self.index_path, readonly=True)
        except (IndexFault, IndexError_, OSError):
            return 0
        try:
            return idx.max_id() + 1
        except IndexFault:
            return 0
        finally:
            idx.close()

    # -- safety --------------------------------------------------------------
    def check(self, *, fix: bool) -> CheckReport:
        """Verify the file (and with ``fix``, repair what is safe, after a backup)."""
        from mfgkb.results import CheckReport
        from mfgkb.storage.files import orphan_temp_files
        from mfgkb.storage.store import load

        self.ensure()
        data, st, _ = load(self.path)  # raises for a file that cannot be used at all
        orphans = orphan_temp_files(self.path)
        problems = self._problems(data, self.path.read_bytes(), st.encode(), orphans)
        report = CheckReport(
            problems=problems, topics=len(data["topics"]), articles=len(data["articles"])
        )
        del data
        if fix and any(p.fixable for p in problems):
            return self._fix(orphans)
        report.remaining = list(problems)
        return report

    def _problems(
        self, data: dict[str, Any], raw: bytes, stamp_: str | None, orphans: list[Path]
    ) -> list[Problem]:
        """Every problem of one snapshot of the file: its data, its bytes, what lies beside it."""
        from mfgkb.check import Problem, check_data, duplicate_keys

        problems = check_data(data)
        problems += [
            Problem("file", f"the key '{k}' appears twice in one object; only the last is used")
            for k in duplicate_keys(raw)
        ]
        problems += [
            Problem(str(p.name), "is a temporary file left by an interrupted write", True)
            for p in orphans
        ]
        if self._open_index().stamp() != stamp_:
            problems.append(Problem("index", "is out of date with the database file", True))
        return problems

    def _fix(self, orphans: list[Path]) -> CheckReport:
        """Check again and repair, all under the lock, so that what is listed, what is
        repaired and what remains come from one state of the file (writers wait)."""
        from mfgkb.check import check_data, repair
        from mfgkb.results import CheckReport

        with self.store.transaction(on_commit=self._sync_index) as tx:
            # The lock removed the temporary files left by killed writers (the
            # ones seen before it was taken; no writer can leave one meanwhile).
            expected = tx.stamp.encode() if tx.stamp else None
            data = tx.data
            raw = self.path.read_bytes()  # the bytes tx read: writers wait for the lock
            report = CheckReport(
                problems=self._problems(data, raw, expected, orphans),
                topics=len(data["topics"]),
                articles=len(data["articles"]),
            )
            report.fixed = tx.repair(repair)
            remaining = check_data(tx.data)
            if not tx.dirty:  # the file stays as it is: its bytes and its index are checked
                remaining += [p for p in report.problems if p.where == "file"]
                idx = self._open_index()
                if idx.stamp() != expected:
                    self._rebuild_from(idx, tx.data, expected or "", canonical=False)
            # Written (if dirty) when the block ends, with the index brought in step.
            report.remaining = remaining
        return report

    def backups(self) -> list[Path]:
        return self.store.backups()

    def backup_to(self, dest: Path, *, force: bool = False) -> Path:
        self.ensure()
        return self.store.backup_to(dest, force=force)

    def restore_from(self, src: Path) -> None:
        if _same_file(src, self.path):
            raise ValidationError("That is the database itself; name a backup file to restore.")
        self.store.restore_from(src, self._indexed_high_water())
        self.reader()  # rebuild the index for the restored content now, not on next use

    # -- search --------------------------------------------------------------
    @_recovering
    def search(self, text: str, filters: Filters, limit: int) -> SearchResult:
        idx = self.reader()
        filters = filters._replace(topic=tuple(self._resolve(t, idx) for t in filters.topic))
        return idx.search(parse_query(text), filters, limit=limit)


def _same_file(a: Path, b: Path) -> bool:
    """One file under two names (a symbolic or a hard link)?"""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is not there
        return False


def _no_topic(slug: str) -> NotFoundError:
    return NotFoundError(
        f"There is no topic '{slug}'; list topics with: mfgkb topics, "
        f"or add it with: mfgkb add-topic"
    )


def _duplicate_url(owner: int, url: str) -> DuplicateError:
    return DuplicateError(
        f"Article {owner} already has the URL {url}; see it with: mfgkb article {owner}"
    )


def _changed_meanwhile(what: str) -> DuplicateError:
    return DuplicateError(
        f"{what} was changed by another mfgkb process while you were editing it; "
        f"your edit was not saved over that change."
    )


def _no_article(article_id: int) -> NotFoundError:
    return NotFoundError(f"There is no article {article_id}; list ids with: mfgkb articles")


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
