"""The knowledge base's plumbing: opening the database and keeping its index in step.

The store is the truth (written under a lock); the search index is derived
data, brought up to date when stale, updated by the same code path as every
write, rebuilt (in memory if its file cannot be written) when damaged. Every
other part of ``mfgkb.kb`` reads through ``reader`` and writes through
``writer``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from mfgkb.errors import DatabaseError
from mfgkb.filestamp import FileStamp, follow_links, special_file, stamp
from mfgkb.index.store import Index, IndexError_, IndexFault
from mfgkb.models import now_utc

if TYPE_CHECKING:
    from mfgkb.storage.store import Store
    from mfgkb.storage.tables import Transaction


P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
S = TypeVar("S", bound="Lifecycle")


def recovering(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Run a reading method again on a fresh index if the index file is damaged.

    The index is derived data: a damaged page (a disk error, a killed copy) is
    no reason to fail, only to throw the index away and build it again.
    """

    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
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


class Lifecycle:
    """One database file and its index: opening, freshness, rebuilding, recovery."""

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

    def _peek_index(self, read: Callable[[Index], T], default: T) -> T:
        """``read`` of the index file as it is, or ``default``; never creates, rebuilds or raises.

        For answers where an index that is stale, or not there, is good enough:
        it is opened read-only, so nothing is written beside the database.
        """
        if not self.index_path.exists():
            return default
        try:
            idx = Index(self.index_path, readonly=True)
        except (IndexFault, IndexError_, OSError):
            return default
        try:
            return read(idx)
        except IndexFault:
            return default
        finally:
            idx.close()

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
            from mfgkb.models import count

            more = f" (and {len(skipped) - 1:,} more)" if len(skipped) > 1 else ""
            are = "is" if len(skipped) == 1 else "are"
            self.warnings.append(
                f"warning: {count(len(skipped), 'record')} of {self.path} {are} left out "
                f"because {'it' if len(skipped) == 1 else 'they'} cannot be read: "
                f"{skipped[0]}{more}"
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
