"""The database file as a whole: the user's data and the only source of truth.

``Store`` ties the parts together: reads parse the whole file once (orjson)
and check it (``records``); writes happen only at the end of a transaction
(``tables``), under the lock (``locking``), after re-reading under that lock,
through an atomic replace that keeps backups (``files``) of the bytes
``codec`` makes. Restores never let an id be handed out twice.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
import stat as stat_
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mfgkb import interrupts
from mfgkb.errors import DatabaseError, NotFoundError
from mfgkb.filestamp import FileStamp, follow_links
from mfgkb.models import Article
from mfgkb.storage import locking
from mfgkb.storage.backups import backup_paths
from mfgkb.storage.codec import encode, splice_article
from mfgkb.storage.files import (
    atomic_write,
    check_regular,
    is_own_file,
    open_regular,
    orphan_temp_files,
    read_all,
)
from mfgkb.storage.records import META_ID, TOO_DEEP, corrupt, not_a_backup, validate_data
from mfgkb.storage.tables import Transaction

with interrupts.deferred():  # a Ctrl-C inside orjson's set-up crashes the process
    import orjson


def load(path: Path, *, backup: bool = False) -> tuple[dict[str, Any], FileStamp, bool]:
    """Parse and validate the file: (data, stamp of the bytes read, migrated?).

    ``backup`` says the file was given to ``restore`` (see ``validate_data``).
    """
    fail = not_a_backup if backup else corrupt
    try:
        fh, st = open_regular(path)
        with fh:
            raw = read_all(path, fh, st.st_size)
    except FileNotFoundError:
        raise NotFoundError(f"The database {path} does not exist.") from None
    except IsADirectoryError:
        raise DatabaseError(
            f"{path} is a directory, not a database file; pass a file path."
        ) from None
    except OSError as exc:
        raise DatabaseError(
            f"The database {path} cannot be read ({exc.strerror}); check its permissions."
        ) from None
    if not raw or (bytes(raw[:4096]).isspace() and bytes(raw).isspace()):
        raise fail(path, f"is empty ({len(raw)} bytes, no data)")
    if bytes(raw[: len(_SQLITE)]) == _SQLITE:
        raise _search_index(path, backup=backup)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):  # orjson stops at 1024 levels
            raise fail(path, TOO_DEEP) from None
        raise fail(path, _not_json(exc, bytes(raw[:4096]))) from None
    del raw  # the parsed data is several times its size: let the bytes go first
    checked, migrated = validate_data(path, data, backup=backup)
    return checked, FileStamp.of(st), migrated


# The first bytes of every SQLite 3 file, such as the search index beside the database.
_SQLITE = b"SQLite format 3\x00"


def _search_index(path: Path, *, backup: bool) -> DatabaseError:
    """The refusal of an SQLite file given as the database: most likely its index."""
    beside = None
    if path.name.endswith(".index") and len(path.name) > len(".index"):
        beside = path.with_name(path.name[: -len(".index")])
    if backup:
        found = f"; the database is the .json file beside it: {beside}" if beside else ""
        return not_a_backup(path, f"is an SQLite file, such as mfgkb's search index{found}")
    if beside is not None:
        return DatabaseError(
            f"{path} is mfgkb's search index, not a database; give the .json file beside "
            f"it: {beside}"
        )
    return DatabaseError(f"{path} is an SQLite file, not an mfgkb database (a .json file).")


def _not_json(exc: orjson.JSONDecodeError, head: bytes) -> str:
    """Why the bytes are not JSON, in words: cut short, not text at all, or where they go wrong.

    orjson's message ends with Python's "line L column C (char N)"; the char
    offset is noise to a user, and "truncated" is only said of a file that
    really stops inside a value.
    """
    if exc.msg.startswith("unexpected end of data") or "EOF" in exc.msg:
        return (
            f"is not valid JSON: it ends in the middle of a value (line {exc.lineno}, "
            f"column {exc.colno}), so it may be truncated"
        )
    if b"\x00" in head or "UTF-8" in exc.msg:
        return "is not a JSON file: it holds binary data, not text"
    return f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"


def counts(path: Path, *, backup: bool = False) -> tuple[int, int]:
    """(topics, articles) in the database file at ``path``; raises as ``load`` does."""
    data, _, _ = load(path, backup=backup)
    return len(data["topics"]), len(data["articles"])


# The layout codec.encode writes: sorted tables, two-space indents, so each
# article's key is a line of its own at four spaces, before the meta table.
_LAYOUT_START = b'{\n  "articles": {'
_META_START = b'\n  "meta": {'
# (Every other line of a record is indented further, or is its closing brace.
# A literal is counted some 5x faster than a pattern anchored at line starts.)
_ARTICLE_KEY = re.compile(rb'\n    "')


def article_count(path: Path) -> int:
    """How many articles the database file at ``path`` holds; raises as ``load`` does.

    For the backup list, which may name many files of 50 MB or more: in a
    file laid out as mfgkb writes it (sorted keys, two-space indents, which
    no JSON string can fake: it cannot hold a newline) the article keys are
    counted in the bytes, without parsing them (no parsed copy in memory
    either). Any other file is parsed. ``restore`` checks a backup in full
    all the same.
    """
    try:
        fh, st = open_regular(path)
        with fh:
            if st.st_size > len(_LAYOUT_START):
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as raw:
                    whole = raw[-16:].rstrip().endswith(b"\n  }\n}")  # not cut short
                    meta = raw.find(_META_START) if whole else -1
                    if raw[: len(_LAYOUT_START)] == _LAYOUT_START and meta > 0:
                        return sum(1 for _ in _ARTICLE_KEY.finditer(raw, 0, meta))
    except (OSError, ValueError):
        pass  # load says what is wrong, in its words
    return counts(path, backup=True)[1]


CommitHook = Callable[[Transaction, FileStamp | None, FileStamp], None]


class Store:
    """One database file, its lock and its backups."""

    def __init__(self, path: Path) -> None:
        # Resolved once: every file below goes beside the real database, so a
        # symlinked --db is written through and shares the real file's lock.
        self.path = follow_links(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.writes = 0  # files written by this object, to say what an interrupt kept

    def _written(self) -> None:
        self.writes += 1

    def check_directory(self) -> None:
        if not self.path.parent.is_dir():
            raise DatabaseError(
                f"The folder {self.path.parent} for the database does not exist; create it "
                f"(mkdir -p {self.path.parent}) or pass another --db path."
            )

    def read(self) -> tuple[dict[str, Any], FileStamp]:
        """The validated data and its stamp, without taking the lock.

        Safe without a lock because writers only ever replace the file whole.
        """
        data, st, _ = load(self.path)
        return data, st

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive write lock; fail clearly after the timeout.

        The lock is an advisory lock on ``<db>.lock``, which the kernel drops
        when the holder dies, so a crashed writer never blocks anyone.
        """
        self.check_directory()
        with locking.hold(self.lock_path, self.path):
            for orphan in orphan_temp_files(self.path):
                # Only a writer holding this lock makes these: they are left
                # over from one that was killed.
                with contextlib.suppress(OSError):
                    orphan.unlink()
            yield

    @contextlib.contextmanager
    def transaction(
        self,
        *,
        create: Callable[[], dict[str, Any]] | None = None,
        on_commit: CommitHook | None = None,
    ) -> Iterator[Transaction]:
        """Lock, re-read, let the caller change records, write once atomically.

        ``create`` supplies the initial data when the file does not exist yet;
        without it a missing file is an error. ``on_commit`` runs after the file
        is written and before the lock is released (to update derived data).
        An exception inside the block discards every change.
        """
        with self.locked():
            before: FileStamp | None
            if self.path.exists():
                data, before, migrated = load(self.path)
            elif create is not None:
                data, before, migrated = create(), None, True
            else:
                raise NotFoundError(f"The database {self.path} does not exist.")
            tx = Transaction(data, before)
            yield tx
            if tx.dirty or migrated:
                after = atomic_write(self.path, encode(tx.data), on_replaced=self._written)
                if on_commit is not None:
                    on_commit(tx, before, after)

    def append_article(
        self, article: Article, expected: FileStamp, highest: int
    ) -> tuple[Article, FileStamp] | None:
        """Add one article by splicing (see ``splice_article``); None to use a transaction.

        The caller holds the lock and has checked that the file at ``expected``
        was written by mfgkb and that the article is valid; ``highest`` is the
        highest id in use there.
        """
        fh, st = open_regular(self.path)
        with fh:
            if FileStamp.of(st) != expected:
                return None
            raw = fh.read()
        spliced = splice_article(raw, article, highest)
        if spliced is None:
            return None
        pieces, stored = spliced
        after = atomic_write(self.path, pieces, on_replaced=self._written)
        return stored, after

    def backups(self) -> list[Path]:
        """Existing backups, newest first."""
        return backup_paths(self.path)  # only those that exist

    def backup_to(self, dest: Path, *, force: bool = False) -> Path:
        """Copy the current, valid database to ``dest`` (a file or a folder).

        Never over an earlier copy by surprise: into a folder, each copy gets a
        name of its own (``kb-YYYYMMDD-HHMMSS.json``, ``-2`` and so on within one
        second); an existing file is replaced only with ``force``.
        """
        data, _ = self.read()  # refuse to back up a corrupt file as if it were good
        if dest.is_dir():
            return self._backup_into(dest, data)
        if not dest.parent.is_dir():
            from mfgkb.errors import missing_folder

            raise missing_folder(dest.parent)
        if is_own_file(dest, self.path):
            raise DatabaseError(
                f"{dest} is the database or one of its own files (backups, lock, index); "
                f"choose another path."
            )
        check_regular(dest)  # a FIFO or a device: --force would not help either
        taken = DatabaseError(
            f"{dest} already exists and mfgkb will not overwrite it; add --force to "
            f"replace it, or give a new file name or a folder."
        )
        if os.path.lexists(dest) and not force:
            raise taken
        try:  # through a link (--force) to the file it names: the link stays a link
            atomic_write(follow_links(dest), encode(data), keep_backup=False, overwrite=force)
        except FileExistsError:  # made by someone else a moment ago
            raise taken from None
        return dest

    def _backup_into(self, folder: Path, data: dict[str, Any]) -> Path:
        stem = f"{self.path.stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        suffix = self.path.suffix or ".json"
        for n in range(1, 1001):  # bounded: a thousand copies within one second is a bug
            dest = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            if os.path.lexists(dest):
                continue
            try:
                atomic_write(dest, encode(data), keep_backup=False, overwrite=False)
            except FileExistsError:  # taken meanwhile: try the next name
                continue
            return dest
        raise DatabaseError(
            f"The folder {folder} already holds too many copies named {stem}*; "
            f"give a file name instead."
        )

    def high_water(self) -> int:
        """The highest id counter in the database file and its backups, whatever their state.

        Ids handed out must never be handed out again, even after an older
        file is restored over a newer one (or over a damaged one): the next
        id goes past every counter still on disk.
        """
        return max(_counter_in(p) for p in [self.path, *backup_paths(self.path)])

    def restore_from(
        self, src: Path, floor: int = 0, confirm: Callable[[], bool] | None = None
    ) -> FileStamp | None:
        """Replace the database with a valid copy from ``src``, keeping a backup.

        The restored counter is raised, under the lock, past every counter on
        disk and past ``floor`` (ids the caller knows were handed out), so no
        id of the replaced file is given out again. ``confirm`` is asked once
        ``src`` is known to be a good copy (a question about a file that cannot
        be restored is a wasted one), before the lock; None if it says no.
        """
        if not src.exists():  # anything else there is refused, by name, by load
            raise NotFoundError(
                f"The backup {src} does not exist; list the automatic backups with: mfgkb backup"
            )
        data, _, _ = load(src, backup=True)
        if confirm is not None and not confirm():
            return None
        with self.locked():
            meta = data["meta"][str(META_ID)]
            highest = max(map(int, data["articles"]), default=0)
            counter = max(meta["next_article_id"], highest + 1, floor, self.high_water())
            if counter != meta["next_article_id"]:
                meta["next_article_id"] = counter
            return atomic_write(self.path, encode(data), on_replaced=self._written)


_COUNTER = re.compile(rb'"next_article_id"\s*:\s*([0-9]{1,18})\b')


def _counter_in(path: Path) -> int:
    """The id counter written in ``path``, found in its bytes (0 if none or unreadable).

    Read from the bytes rather than parsed, so that a damaged file still
    tells which ids it gave out. Inside a JSON string the name's quotes are
    escaped, so only the meta table's key matches.
    """
    try:
        # O_NONBLOCK: a named pipe left where a backup belongs must not hang us.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat_.S_ISREG(st.st_mode) or st.st_size == 0:
                return 0
            # Mapped, not read: a large file is searched without a copy in memory.
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as raw:
                at = raw.rfind(b'"next_article_id"')
                found = _COUNTER.match(raw[at : at + 64]) if at >= 0 else None
    except (OSError, ValueError):
        return 0
    return int(found.group(1)) if found else 0
