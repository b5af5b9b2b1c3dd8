"""What the database holds: its schema, checks, upgrades and records.

A file is used only if it is a complete database of a schema we know (no
command ever writes over a bad file); an older schema is upgraded through
``MIGRATIONS``. Article ids come from a counter stored in the meta table, so
an id is never reused, even after the newest article is deleted. Stored
records become the dataclasses of ``mfgkb.models`` here, and a record damaged
by hand becomes a clear error rather than a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mfgkb.errors import DatabaseError
from mfgkb.models import MAX_DEPTH, Article, Topic, nested_deeper
from mfgkb.storage.backups import backup_paths

SCHEMA_VERSION = 1
TABLES = ("articles", "meta", "topics")
META_ID = 1

# Upgrades from an older schema: version -> function returning the next version's data.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def _restore_hint(path: Path) -> str:
    existing = backup_paths(path)  # only those that exist
    if existing:
        return f"restore the newest backup with: mfgkb restore {existing[0]}"
    return "no backup exists; repair the file by hand or move it away to start afresh"


def corrupt(path: Path, problem: str) -> DatabaseError:
    """The error for a database file that must not be used or written."""
    return DatabaseError(
        f"The database {path} {problem}; mfgkb will not use or overwrite it; {_restore_hint(path)}."
    )


def not_a_backup(path: Path, problem: str) -> DatabaseError:
    """The error for a file given to ``restore`` that is not a database: it names that file."""
    return DatabaseError(
        f"'{path}' is not an mfgkb database: it {problem}; the database was left unchanged "
        f"(list the automatic backups with: mfgkb backup)."
    )


# An id as mfgkb writes it: ASCII digits, no leading zero, within SQLite's
# integers. str.isdigit also takes "²" or Arabic-Indic digits, which int() refuses or reads.
_ID_KEY = re.compile(r"[1-9][0-9]{0,17}")
_DUMP_FORMAT = "mfgkb-dump"  # export.DUMP_FORMAT, without importing the exporter
TOO_DEEP = f"nests values more than {MAX_DEPTH} levels deep, more than mfgkb can write back"


def validate_data(path: Path, data: Any, *, backup: bool = False) -> tuple[dict[str, Any], bool]:
    """Check a parsed file, migrating an older schema: (data, migrated?); raise if unusable.

    ``backup`` says the file was given to ``restore``: the errors then name it
    as that file, not as the database.
    """
    fail = not_a_backup if backup else corrupt
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
        raise fail(path, TOO_DEEP)
    return data, original < SCHEMA_VERSION


def empty_data() -> dict[str, Any]:
    """A database with no records, at the current schema."""
    return {
        "articles": {},
        "meta": {str(META_ID): {"schema_version": SCHEMA_VERSION, "next_article_id": 1}},
        "topics": {},
    }


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
