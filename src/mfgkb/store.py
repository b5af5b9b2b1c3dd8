"""The database file: the user's data and the only source of truth.

The only module that imports TinyDB. TinyDB's own JSONStorage rewrites the file
in place (a kill tears it), reuses ids and takes a 0-byte file for an empty
database, so we plug our own storage into its Storage interface:

* reads parse the whole file once (orjson) and refuse anything that is not a
  complete database of a schema we know: no command ever writes over a bad file;
* writes happen only at the end of a transaction, under an exclusive lock file
  next to the database, after re-reading under that lock, into a temporary file
  in the same directory that is fsynced and then moved over the old file with
  ``os.replace`` (and the directory fsynced), so a crash leaves the old or the
  new file, never a torn one;
* the previous version is kept as ``<db>.1`` (then ``.2``, ``.3``) before each
  write; backups are hard links, so keeping them costs no copying;
* the file is written with sorted keys, two-space indents and UTF-8, so it
  diffs cleanly in git;
* article ids come from a counter stored in the file, so an id is never reused,
  even after the newest article is deleted.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import re
import shutil
import stat as stat_
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from mfgkb.errors import DatabaseError, NotFoundError
from mfgkb.filestamp import FileStamp, follow_links, special_file, stamp
from mfgkb.models import MAX_DEPTH, Article, Topic, nested_deeper

SCHEMA_VERSION = 1
TABLES = ("articles", "meta", "topics")
BACKUPS = 3
META_ID = 1
LOCK_TIMEOUT_ENV = "MFGKB_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 15.0
# No knowledge base comes near this (100k articles are 60 MB); a bigger file is
# the wrong file, and reading it whole would take the machine's memory.
MAX_DATABASE_BYTES = 2 << 30

# Upgrades from an older schema: version -> function returning the next version's data.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


_OPTS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
_BATCH = 2000


def encode(data: dict[str, Any]) -> Iterator[bytes | memoryview]:
    """The on-disk form, in pieces: sorted keys, two-space indent, UTF-8, final newline.

    Byte for byte what ``orjson.dumps(data, OPT_INDENT_2 | OPT_SORT_KEYS)``
    gives, but each table is dumped a few thousand records at a time, so the
    whole file never sits in memory next to the data (at 100k articles that
    is 60 MB, plus orjson's growing buffer).
    """
    names = sorted(data)
    if not names:
        yield b"{}\n"
        return
    yield b"{\n"
    for t, name in enumerate(names):
        table = data[name]
        yield b"  " + orjson.dumps(name) + b": "
        if not isinstance(table, dict) or not table:
            yield orjson.dumps(table, option=_OPTS).replace(b"\n", b"\n  ")
        else:
            yield b"{\n"
            keys = sorted(table)
            for start in range(0, len(keys), _BATCH):
                part = orjson.dumps(
                    {k: table[k] for k in keys[start : start + _BATCH]}, option=_OPTS
                )
                # b'{\n  "1": ...\n}' -> its lines, indented two more levels.
                body = part[2:-2].replace(b"\n", b"\n  ")
                yield (b"  " + body + b",\n") if start + _BATCH < len(keys) else (b"  " + body)
            yield b"\n  }"
        yield b",\n" if t + 1 < len(names) else b"\n"
    yield b"}\n"


def backup_paths(path: Path) -> list[Path]:
    """The rotating backups of ``path``, newest first (whether they exist or not)."""
    return [path.with_name(f"{path.name}.{n}") for n in range(1, BACKUPS + 1)]


def _restore_hint(path: Path) -> str:
    existing = [p for p in backup_paths(path) if p.exists()]
    if existing:
        return f"restore the newest backup with: mfgkb restore {existing[0]}"
    return "no backup exists; repair the file by hand or move it away to start afresh"


def corrupt(path: Path, problem: str) -> DatabaseError:
    """The error for a database file that must not be used or written."""
    return DatabaseError(
        f"The database {path} {problem}; mfgkb will not use or overwrite it; {_restore_hint(path)}."
    )


def _not_a_backup(path: Path, problem: str) -> DatabaseError:
    """The error for a file given to ``restore`` that is not a database: it names that file."""
    return DatabaseError(
        f"'{path}' is not an mfgkb database: it {problem}; the database was left unchanged "
        f"(list the automatic backups with: mfgkb backup)."
    )


# An id as mfgkb writes it: ASCII digits, no leading zero, within SQLite's
# integers. str.isdigit also takes "²" or Arabic-Indic digits, which int() refuses or reads.
_ID_KEY = re.compile(r"[1-9][0-9]{0,17}")
_DUMP_FORMAT = "mfgkb-dump"  # export.DUMP_FORMAT, without importing the exporter
_TOO_DEEP = f"nests values more than {MAX_DEPTH} levels deep, more than mfgkb can write back"


def validate_data(path: Path, data: Any, *, backup: bool = False) -> tuple[dict[str, Any], bool]:
    """Check a parsed file, migrating an older schema: (data, migrated?); raise if unusable.

    ``backup`` says the file was given to ``restore``: the errors then name it
    as that file, not as the database.
    """
    fail = _not_a_backup if backup else corrupt
    if backup and isinstance(data, dict) and data.get("format") == _DUMP_FORMAT:
        raise DatabaseError(
            f"'{path}' is an export dump, not a backup; load it with: mfgkb --db NEW import {path}"
        )
    if not isinstance(data, dict):
        raise fail(path, f"holds a JSON {type(data).__name__}, not an object")
    missing = [t for t in TABLES if not isinstance(data.get(t), dict)]
    if missing:
        raise fail(path, f"is missing its {', '.join(missing)} table(s)")
    meta = data["meta"].get(str(META_ID))
    if not isinstance(meta, dict) or not isinstance(meta.get("schema_version"), int):
        raise fail(path, "has no schema version in its meta table")
    original = version = int(meta["schema_version"])
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"The {'backup' if backup else 'database'} {path} uses schema version {version}, "
            f"newer than this mfgkb "
            f"understands ({SCHEMA_VERSION}); upgrade mfgkb (pip install -U mfgkb)."
        )
    while version < SCHEMA_VERSION:
        if version not in MIGRATIONS:
            raise fail(path, f"has schema version {version}, which cannot be upgraded")
        data = MIGRATIONS[version](data)
        version += 1
    meta = data["meta"][str(META_ID)]
    if not isinstance(meta.get("next_article_id"), int):
        raise fail(path, "has no article id counter in its meta table")
    for table in ("articles", "topics"):
        records = data[table]
        if not all(map(_ID_KEY.fullmatch, records)):
            bad = next(k for k in records if not _ID_KEY.fullmatch(k))
            raise fail(
                path,
                f"has a record with the id '{bad[:40]}' in its {table}, which is not a "
                f"whole number written with the digits 0-9",
            )
        if not all(isinstance(doc, dict) for doc in records.values()):
            bad = next(k for k, doc in records.items() if not isinstance(doc, dict))
            raise fail(path, f"has a record {bad} in its {table} that is not an object")
    if nested_deeper(data, MAX_DEPTH):
        raise fail(path, _TOO_DEEP)
    return data, original < SCHEMA_VERSION


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MB"


def _too_big(path: Path, size: int) -> DatabaseError:
    return DatabaseError(
        f"{path} holds {_size(size)} or more, larger than the {_size(MAX_DATABASE_BYTES)} "
        f"mfgkb reads as a database; check that it is the right file."
    )


def open_regular(path: Path) -> tuple[BinaryIO, os.stat_result]:
    """``path`` opened for reading, if it is a regular file of a sane size.

    A named pipe would block the open and a device (``/dev/zero``) never ends,
    so the file is opened without blocking and checked with fstat before a byte
    is read. Raises DatabaseError for those, OSError for the usual failures.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat_.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        why = special_file(path, st.st_mode)
        if why is not None:
            raise DatabaseError(why)
        if st.st_size > MAX_DATABASE_BYTES:
            raise _too_big(path, st.st_size)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), st


def _read_all(path: Path, fh: BinaryIO, size: int) -> bytes | memoryview:
    """The file's bytes, mapped rather than copied when it is a large regular file.

    Writers only ever replace the file, so the mapped inode does not change
    under us; mapping saves a copy of the whole file (time and memory). The
    size was checked before, but a file someone else is appending to can grow
    meanwhile: what is read stops at the cap all the same.
    """
    raw: bytes | memoryview | None = None
    if size >= 1 << 20:
        # Not mappable (special file systems): read it instead.
        with contextlib.suppress(OSError, ValueError):
            raw = memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ))
    if raw is None:
        raw = fh.read(MAX_DATABASE_BYTES + 1)
    if len(raw) > MAX_DATABASE_BYTES:
        raise _too_big(path, len(raw))
    return raw


def load(path: Path, *, backup: bool = False) -> tuple[dict[str, Any], FileStamp, bool]:
    """Parse and validate the file: (data, stamp of the bytes read, migrated?).

    ``backup`` says the file was given to ``restore`` (see ``validate_data``).
    """
    fail = _not_a_backup if backup else corrupt
    try:
        fh, st = open_regular(path)
        with fh:
            raw = _read_all(path, fh, st.st_size)
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
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc):  # orjson stops at 1024 levels
            raise fail(path, _TOO_DEEP) from None
        raise fail(path, f"is not valid JSON, it may be truncated ({exc})") from None
    del raw  # the parsed data is several times its size: let the bytes go first
    checked, migrated = validate_data(path, data, backup=backup)
    return checked, FileStamp.of(st), migrated


def _fsync_dir(directory: Path) -> None:
    # Without this the rename itself may not survive a power cut.
    with contextlib.suppress(OSError):  # some filesystems refuse O_RDONLY on dirs
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _snapshot(path: Path) -> Path | None:
    """A hard link to the current file under a temporary name, to become ``.1``.

    The live file is only ever replaced, never modified, so a link is a true
    snapshot and costs no copying. Falls back to a copy where links fail.
    """
    if not path.exists():
        return None
    held = path.with_name(f"{_temp_prefix(path)}previous.tmp")
    with contextlib.suppress(FileNotFoundError):
        held.unlink()
    try:
        os.link(path, held)
    except OSError:
        shutil.copy2(path, held)
    return held


def _rotate_backups(path: Path, previous: Path) -> None:
    """Make ``previous`` the ``.1`` backup, shifting older ones up to ``.BACKUPS``."""
    backups = backup_paths(path)
    for older, newer in zip(reversed(backups[1:]), reversed(backups[:-1]), strict=True):
        if newer.exists():
            os.replace(newer, older)
    os.replace(previous, backups[0])


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold Ctrl-C back for a few instructions, so "saved" is known exactly."""
    try:
        import signal

        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (ImportError, AttributeError, ValueError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def check_writable(path: Path) -> os.stat_result | None:
    """The stat of the file at ``path`` if we may replace it (None if there is none).

    ``os.replace`` ignores the old file's mode and owner: left to it, a file
    made read-only would be rewritten and another user's file would become
    ours. So: anyone but root needs write permission and must own the file
    (replacing it would change its owner). Root may write anything, so for
    root the one promise that counts is the mode: a file no one may write
    (``chmod a-w``) is refused; any other file root writes keeps its owner.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symbolic link loop, say
        raise DatabaseError(
            f"{path} cannot be written ({exc.strerror or exc}); nothing was changed. "
            f"Check the path."
        ) from None
    mode = stat_.S_IMODE(st.st_mode)
    fix = f"make it writable with: chmod u+w {path}"
    if hasattr(os, "geteuid"):
        euid = os.geteuid()
        if euid == 0:
            if not mode & 0o222:
                raise DatabaseError(
                    f"{path} is read-only for everyone (mode {mode:04o}); nothing was "
                    f"changed. To change it, {fix}"
                )
            return st
        if st.st_uid != euid:
            raise DatabaseError(
                f"{path} is owned by another user (uid {st.st_uid}), and writing it would "
                f"make it yours; nothing was changed. Run mfgkb as that user, or work on a "
                f"copy of your own."
            )
    effective = os.access in os.supports_effective_ids
    if not os.access(path, os.W_OK, effective_ids=effective):
        raise DatabaseError(
            f"{path} is read-only for you (mode {mode:04o}); nothing was changed. To change "
            f"it, {fix}"
        )
    return st


def _temp_file(path: Path) -> tuple[int, str]:
    """A new private file beside ``path``; DatabaseError naming the folder if it cannot be."""
    directory = path.parent
    try:
        return tempfile.mkstemp(dir=directory, prefix=_temp_prefix(path), suffix=".tmp")
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DatabaseError(
                f"The folder {directory} is not writable, and mfgkb writes {path.name} by "
                f"saving a new file beside it; nothing was changed. Make the folder "
                f"writable with: chmod u+w {directory}"
            ) from None
        if exc.errno == errno.EROFS:
            raise DatabaseError(
                f"The folder {directory} is on a read-only file system, so {path} cannot be "
                f"written; nothing was changed. Use a path on a writable disk."
            ) from None
        raise DatabaseError(
            f"Could not write {path} ({exc.strerror or exc}); the database was left "
            f"unchanged. Free some space or fix the permissions and try again."
        ) from None


def atomic_write(
    path: Path,
    payload: Iterable[bytes | memoryview],
    *,
    keep_backup: bool = True,
    on_replaced: Callable[[], None] | None = None,
    overwrite: bool = True,
) -> FileStamp:
    """Replace ``path`` with ``payload`` atomically; return the new file's stamp.

    On any failure (disk full, permissions, an interrupt) before the new file
    is in place, the temporary files are removed and the old file and the
    backups are left exactly as they were. ``on_replaced`` runs right after the
    new file is in place, with Ctrl-C held back, so the caller knows for sure
    whether the write happened. With ``overwrite`` false an existing ``path``
    is never replaced: FileExistsError, even if it appeared a moment ago.
    """
    directory = path.parent
    old = check_writable(path)
    fd, tmp_name = _temp_file(path)
    tmp = Path(tmp_name)
    previous: Path | None = None
    replaced = False
    try:
        # mkstemp makes the file private (0600) and ours; keep the old file's
        # owner (root can, others only the group, if a member) and mode, or give
        # a new one the mode any new file would get under the umask.
        if old is not None and hasattr(os, "fchown"):
            with contextlib.suppress(OSError):
                os.fchown(fd, old.st_uid, old.st_gid)
        mode = stat_.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            fh.writelines(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_backup:
            previous = _snapshot(path)
        with _no_interrupts():
            if overwrite:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
            replaced = True
            if on_replaced is not None:
                on_replaced()
    except BaseException as exc:
        if replaced:  # a Ctrl-C held back until the rename was done: keep the backup
            if previous is not None:
                with contextlib.suppress(OSError):
                    _rotate_backups(path, previous)
            _fsync_dir(directory)
            raise
        for leftover in (tmp, previous):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
        if isinstance(exc, FileExistsError) and not overwrite:
            raise
        if isinstance(exc, OSError):
            raise DatabaseError(
                f"Could not write {path} ({exc.strerror or exc}); the database was left "
                f"unchanged. Free some space or fix the permissions and try again."
            ) from None
        raise
    if previous is not None:
        # The change is saved; shifting the backups only happens once it is.
        with contextlib.suppress(OSError):
            _rotate_backups(path, previous)
    _fsync_dir(directory)
    result = stamp(path)
    assert result is not None
    return result


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` in place as ``path`` only if no ``path`` exists (atomically)."""
    try:
        os.link(tmp, path)  # fails with FileExistsError rather than replace
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(OSError):
        tmp.unlink()


def _umask() -> int:
    # The only portable way to read the umask is to set it and set it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- appending one article without parsing the file --------------------------
#
# Adding an article is the commonest write. Parsing and re-encoding the whole
# file for it costs a third of a second at 100k articles, so when the file is
# known to be exactly what ``encode`` wrote (the index vouches for that: same
# stamp, written by us), the new record is spliced into the bytes instead. The
# layout ``encode`` produces makes the places unambiguous: records of the
# articles table start with a line indented by exactly four spaces, tables with
# two, and JSON strings cannot hold a raw newline. The result is byte for byte
# what ``encode`` would give for the new data (tests check this).

_HEAD = b'{\n  "articles": {\n'
_ARTICLES_END = b'\n  },\n  "meta": {\n'
_META_END = b'\n  },\n  "topics": '


def _block(name: str, value: Any) -> bytes:
    """``  "name": <value>`` as it stands inside the top-level object."""
    return orjson.dumps({name: value}, option=_OPTS)[2:-2]


def _record(key: str, doc: dict[str, Any]) -> bytes:
    """``    "key": {...}`` as it stands inside a table."""
    dumped = orjson.dumps({"t": {key: doc}}, option=_OPTS)
    return dumped[len(b'{\n  "t": {\n') : -len(b"\n  }\n}")]


def splice_article(
    raw: bytes, article: Article, successor: Callable[[str], str | None], highest: int = 0
) -> tuple[list[bytes | memoryview], Article] | None:
    """The new file's pieces with ``article`` added under the next id, or None.

    ``raw`` must be a file ``encode`` wrote; None means the layout was not as
    expected and the caller must take the slow path.
    """
    if not raw.startswith(_HEAD):
        return None
    articles_end = raw.find(_ARTICLES_END)
    meta_start = articles_end + len(b"\n  },\n")
    meta_end = raw.find(_META_END, meta_start) + len(b"\n  }")
    if articles_end < 0 or meta_end < meta_start:
        return None
    old_meta = raw[meta_start:meta_end]
    try:
        meta = orjson.loads(b"{" + old_meta + b"}")["meta"]
        next_id = meta[str(META_ID)]["next_article_id"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None
    if not isinstance(next_id, int) or isinstance(next_id, bool) or next_id <= highest:
        return None  # a counter behind the ids in use: the slow path corrects it
    if _block("meta", meta) != old_meta:  # not in encode's layout after all
        return None
    stored = replace(article, id=next_id)
    meta[str(META_ID)]["next_article_id"] = next_id + 1
    record = _record(str(next_id), stored.to_dict())
    view = memoryview(raw)
    after = successor(str(next_id))
    if after is None:  # sorts last: goes after the last record
        head: list[bytes | memoryview] = [view[:articles_end], b",\n", record]
        middle = view[articles_end:meta_start]
    else:
        at = raw.find(b'\n    "' + after.encode() + b'": {\n', len(_HEAD) - 1, articles_end)
        if at < 0:
            return None
        head = [view[: at + 1], record, b",\n"]
        middle = view[at + 1 : meta_start]
    return [*head, middle, _block("meta", meta), view[meta_end:]], stored


def _temp_prefix(path: Path) -> str:
    # Distinct enough that cleaning up after ``kb.json`` never touches the
    # temporary files of ``kb.json.bak`` or of another database in the folder.
    return f".{path.name}.mfgkb-"


def orphan_temp_files(path: Path) -> list[Path]:
    """Temporary files a killed writer left behind next to the database."""
    return sorted(path.parent.glob(f"{_temp_prefix(path)}*.tmp"))


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


def _open_lock(lock_path: Path) -> int:
    """The lock file, opened (and made if need be) without following a link.

    A link would let anyone who can write the folder make mfgkb create or
    lock a file anywhere; a named pipe or a device is no lock file either (and
    must not block the open). Raises DatabaseError for those.
    """
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    remove = f"remove it (rm {lock_path}) and try again; mfgkb makes a new one"
    try:
        fd = os.open(lock_path, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except IsADirectoryError:
        raise DatabaseError(
            f"The lock file {lock_path} is a folder, not a regular file; {remove}."
        ) from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(lock_path):
            raise DatabaseError(
                f"The lock file {lock_path} is a symbolic link, which mfgkb never follows; "
                f"{remove}."
            ) from None
        raise
    st = os.fstat(fd)
    if not stat_.S_ISREG(st.st_mode):
        os.close(fd)
        raise DatabaseError(
            f"The lock file {lock_path} is not a regular file (mode {st.st_mode:o}); {remove}."
        )
    return fd


def _acquire(lock_path: Path, timeout: float) -> Callable[[], None]:
    """Take the exclusive lock on ``lock_path``; return the function that releases it.

    POSIX flock directly: the filelock package does the same but costs 15 ms of
    imports on every write. On Windows, filelock does it.
    """
    # A platform check rather than catching ImportError: mypy then checks each
    # branch only where it runs (filelock is installed only on Windows).
    if sys.platform == "win32":
        from filelock import FileLock, Timeout

        lock = FileLock(str(lock_path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError(str(lock_path)) from None
        return lambda: lock.release()
    import fcntl

    fd = _open_lock(lock_path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise TimeoutError(str(lock_path)) from None
            time.sleep(0.02)

    def release() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    return release


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


def empty_data() -> dict[str, Any]:
    """A database with no records, at the current schema."""
    return {
        "articles": {},
        "meta": {str(META_ID): {"schema_version": SCHEMA_VERSION, "next_article_id": 1}},
        "topics": {},
    }


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
        try:
            timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
        except ValueError:
            raise DatabaseError(
                f"{LOCK_TIMEOUT_ENV} must be a number of seconds, e.g. {LOCK_TIMEOUT_ENV}=15."
            ) from None
        try:
            release = _acquire(self.lock_path, timeout)
        except TimeoutError:
            raise DatabaseError(
                f"Another mfgkb process has been writing to {self.path} for over "
                f"{timeout:g} s (lock {self.lock_path}); try again when it has finished."
            ) from None
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the lock file {self.lock_path} ({exc.strerror}); "
                f"check the folder's permissions."
            ) from None
        try:
            for orphan in orphan_temp_files(self.path):
                # Only a writer holding this lock makes these: they are left
                # over from one that was killed.
                with contextlib.suppress(OSError):
                    orphan.unlink()
            yield
        finally:
            release()

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
        self,
        article: Article,
        expected: FileStamp,
        successor: Callable[[str], str | None],
        highest: int,
    ) -> tuple[Article, FileStamp] | None:
        """Add one article by splicing (see ``splice_article``); None to use a transaction.

        The caller holds the lock and has checked that the file at ``expected``
        was written by mfgkb (the index's word) and that the article is valid.
        """
        fh, st = open_regular(self.path)
        with fh:
            if FileStamp.of(st) != expected:
                return None
            raw = fh.read()
        spliced = splice_article(raw, article, successor, highest)
        if spliced is None:
            return None
        pieces, stored = spliced
        after = atomic_write(self.path, pieces, on_replaced=self._written)
        return stored, after

    def backups(self) -> list[Path]:
        """Existing backups, newest first."""
        return [p for p in backup_paths(self.path) if p.exists()]

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
            raise NotFoundError(f"The folder {dest.parent} does not exist; create it first.")
        if is_own_file(dest, self.path):
            raise DatabaseError(
                f"{dest} is the database or one of its own files (backups, lock, index); "
                f"choose another path."
            )
        taken = DatabaseError(
            f"{dest} already exists and mfgkb will not overwrite it; add --force to "
            f"replace it, or give a new file name or a folder."
        )
        if os.path.lexists(dest) and not force:
            raise taken
        try:
            atomic_write(dest, encode(data), keep_backup=False, overwrite=force)
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

    def restore_from(self, src: Path, floor: int = 0) -> FileStamp:
        """Replace the database with a valid copy from ``src``, keeping a backup.

        The restored counter is raised, under the lock, past every counter on
        disk and past ``floor`` (ids the caller knows were handed out), so no
        id of the replaced file is given out again.
        """
        if not src.exists():  # anything else there is refused, by name, by load
            raise NotFoundError(
                f"The backup {src} does not exist; list the automatic backups with: mfgkb backup"
            )
        data, _, _ = load(src, backup=True)
        with self.locked():
            meta = data["meta"][str(META_ID)]
            highest = max(map(int, data["articles"]), default=0)
            counter = max(meta["next_article_id"], highest + 1, floor, self.high_water())
            if counter != meta["next_article_id"]:
                meta["next_article_id"] = counter
            return atomic_write(self.path, encode(data), on_replaced=self._written)


def is_own_file(target: Path, db: Path) -> bool:
    """Is ``target`` the database, its index, lock, temporary file or a backup?

    However either is spelt: through symbolic links (resolved), or as a hard
    link to the database itself.
    """
    real_target, real_db = _resolved(target), _resolved(db)
    name = real_db.name
    if real_target.parent == real_db.parent and (
        real_target.name == name or real_target.name.startswith((f"{name}.", _temp_prefix(real_db)))
    ):
        return True
    try:
        return os.path.samefile(target, db)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symbolic link loop (RuntimeError before 3.13)
        return path.absolute()


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


_BAD_RECORD = (KeyError, TypeError, ValueError, AttributeError)


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"it has no {exc.args[0]!r} field"
    return str(exc) or type(exc).__name__


def _unreadable(what: str, exc: Exception) -> DatabaseError:
    return DatabaseError(
        f"{what} in the database cannot be read ({_why(exc)}); correct it in the file by "
        f"hand (mfgkb check lists every problem)."
    )


def topic_of(doc: Any) -> Topic:
    """The Topic for a stored record, or DatabaseError if it was damaged by hand."""
    try:
        return Topic.from_dict(doc)
    except _BAD_RECORD as exc:
        raise _unreadable("A topic record", exc) from None


def article_of(key: str | int, doc: Any) -> Article:
    """The Article for a stored record, or DatabaseError if it was damaged by hand."""
    try:
        return Article.from_dict(int(key), doc)
    except _BAD_RECORD as exc:
        raise _unreadable(f"Article {key}", exc) from None


def records_of(
    data: dict[str, Any], skipped: list[str] | None = None
) -> tuple[list[Topic], list[Article]]:
    """Dataclasses for every record in validated ``data``.

    A record that cannot be read (a hand edit gone wrong) raises, or, when
    ``skipped`` is given, is left out and described there: one bad record
    should not make the rest of the knowledge base unreadable.
    """
    topics: list[Topic] = []
    articles: list[Article] = []
    for doc in data["topics"].values():
        try:
            topics.append(topic_of(doc))
        except DatabaseError as err:
            if skipped is None:
                raise
            skipped.append(err.message)
    for key, doc in data["articles"].items():
        try:
            articles.append(article_of(key, doc))
        except DatabaseError as err:
            if skipped is None:
                raise
            skipped.append(err.message)
    return topics, articles
