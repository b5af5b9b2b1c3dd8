"""The full dump: every topic and article and the article id counter, as JSON.

For a backup or a move to another machine that comes back exactly as it
was: ``mfgkb export --format json`` writes it (``write``), and ``mfgkb import``
of a dump into a new database restores it (``is_dump`` and ``undump``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from mfgkb.errors import ImportFileError, MfgkbError, UsageError
from mfgkb.models import MAX_DEPTH, Article, Topic, nested_deeper, printable

DUMP_FORMAT = "mfgkb-dump"
DUMP_VERSION = 1


def dump(topics: list[Topic], articles: list[Article], next_article_id: int) -> dict[str, Any]:
    """Everything in the knowledge base as plain data, ready for ``json.dump``.

    Topics keep the order given; articles are sorted by id so that two dumps of
    the same knowledge base are identical and diff cleanly.
    """
    return {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "next_article_id": next_article_id,
        "topics": [t.to_dict() for t in topics],
        "articles": [a.to_json() for a in sorted(articles, key=lambda a: a.id)],
    }


def is_dump(data: Any) -> bool:
    """Whether ``data`` (a parsed JSON document) claims to be a dump.

    Only the marker is looked at, so that a damaged dump is reported by
    ``undump`` as a damaged dump, not read as a list of articles. (The importer
    would otherwise take the ``"articles"`` key of a dump for an article array.)
    """
    return isinstance(data, dict) and data.get("format") == DUMP_FORMAT


# The type of every field of a record, and the fields it cannot do without.
# Checked before the dataclasses are built because their from_dict methods
# convert with str() and int() and would turn a wrong value (a string where a
# list belongs) into plausible nonsense or a Python-worded error.
_Types = dict[str, type | tuple[type, ...]]
_NONE = type(None)
_TOPIC_TYPES: _Types = {
    "slug": str,
    "title": str,
    "aliases": list,
    "summary": str,
    "key_terms": list,
    "figures": list,
    "related": list,
    "created": str,
    "updated": str,
}
_KEY_TERM_TYPES: _Types = {"term": str, "definition": str, "topic": (str, _NONE)}
_FIGURE_TYPES: _Types = {"label": str, "value": str, "year": (int, _NONE), "source": (str, _NONE)}
_ARTICLE_TYPES: _Types = {
    "id": int,
    "title": str,
    "authors": list,
    "published": str,
    "added": str,
    "description": str,
    "url": (str, _NONE),
    "topics": list,
    "tags": list,
    "source": str,
}
_STRING_LISTS = frozenset({"aliases", "related", "authors", "topics", "tags"})
# Lists of records: what one item is called in messages, its types, its required fields.
_RECORD_LISTS: dict[str, tuple[str, _Types, str]] = {
    "key_terms": ("key term", _KEY_TERM_TYPES, "term"),
    "figures": ("figure", _FIGURE_TYPES, "label value"),
}

# JSON's names for the types json.load produces, for the messages.
_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    _NONE: "null",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A value from the file for a message: as JSON, short and on one line."""
    return printable(json.dumps(value, default=str)[:40])


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _check_record(record: Any, types: _Types, required: str, what: str = "it") -> None:
    """Raise MfgkbError for the first wrong field; the message is a clause about ``what``."""
    if not isinstance(record, dict):
        raise MfgkbError(f"{what} is {_type_name(record)}, not an object")
    for key in required.split():
        if key not in record:
            raise MfgkbError(f"{what} has no '{key}'")
    for key, expected in types.items():
        if key not in record:
            continue  # optional: from_dict fills in the default
        value = record[key]
        field = f"its '{key}'" if what == "it" else f"the '{key}' of {what}"
        # bool is a subclass of int, but true is no id and no year.
        if not isinstance(value, expected) or isinstance(value, bool):
            wanted = " or ".join(_TYPE_NAMES[t] for t in _as_tuple(expected))
            raise MfgkbError(f"{field} is {_type_name(value)}, not {wanted}")
        if not isinstance(value, list):
            continue
        if key in _STRING_LISTS and not all(isinstance(v, str) for v in value):
            raise MfgkbError(f"{field} holds something other than strings")
        if key in _RECORD_LISTS:
            item, item_types, item_required = _RECORD_LISTS[key]
            for n, sub in enumerate(value, 1):
                _check_record(sub, item_types, item_required, f"its {item} {n}")


def _clause(err: Exception) -> str:
    """An error's message as a clause to follow a colon: "The title is empty" -> "the ..."."""
    if isinstance(err, KeyError):  # str() of a KeyError is just the quoted key
        return f"a '{err.args[0]}' field is missing"
    text = str(err).rstrip(".")
    # Lower-case only a capitalised ordinary word, not "US" or "'slug'".
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _record_name(kind: str, n: int, record: Any, key: str) -> str:
    """ "Topic record 3 ('texas')": the position, and the slug or id when there is one."""
    name = f"{kind} record {n}"
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, str):
        # The slug is not checked yet: keep a damaged one short and on one line.
        name += f" ('{printable(value[:40])}')"
    elif type(value) is int:
        name += f" (id {value})"
    return name


_MAX_ID = 2**53  # ids, counters and years far beyond this are damage, not data


def _timestamp(record: dict[str, Any], key: str) -> None:
    value = record.get(key)
    if value in (None, ""):
        return
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MfgkbError(
            f"its {key} time '{printable(str(value)[:40])}' is not an ISO time"
        ) from None


def _topic(record: Any) -> Topic:
    _check_record(record, _TOPIC_TYPES, "slug title")
    for key in ("created", "updated"):
        _timestamp(record, key)
    for figure in record.get("figures") or []:
        year = figure.get("year") if isinstance(figure, dict) else None
        if isinstance(year, int) and not 0 < year < 10_000:
            raise MfgkbError(f"a figure's year {year} is not a year")
    return Topic.from_dict(record).validated()


def _article(record: Any) -> Article:
    _check_record(record, _ARTICLE_TYPES, "id title published")
    if not 0 < record["id"] < _MAX_ID:
        raise MfgkbError("its id is not a positive whole number of a sensible size")
    _timestamp(record, "added")
    try:
        date.fromisoformat(record["published"])
    except ValueError:
        raise MfgkbError(
            f"its published date '{printable(record['published'][:40])}' is not a YYYY-MM-DD date"
        ) from None
    return Article.from_dict(record["id"], record).validated()


R = TypeVar("R")

# Any exception from building a record is a fault of the record, reported as
# one; MfgkbError covers ValidationError and the checks in _topic/_article.
_FAULTS = (MfgkbError, KeyError, ValueError, TypeError, AttributeError)


def _records(
    raw: list[Any], kind: str, key: str, build: Callable[[Any], R], ident: Callable[[R], Any]
) -> list[R]:
    """Build every record of one list of the dump; a bad or repeated one is an error."""
    built: list[R] = []
    seen: set[Any] = set()
    for n, record in enumerate(raw, 1):
        name = _record_name(kind, n, record, key)
        try:
            item = build(record)
        except _FAULTS as err:
            raise ImportFileError(f"{name} in the dump is not valid: {_clause(err)}.") from None
        if ident(item) in seen:
            raise ImportFileError(
                f"{name} in the dump repeats the {key} of an earlier {kind.lower()}."
            )
        seen.add(ident(item))
        built.append(item)
    return built


def undump(data: Any) -> tuple[list[Topic], list[Article], int]:
    """Topics, articles and the next article id from what ``dump`` made.

    Raises ImportFileError with one sentence naming the first problem: not a
    dump, another version, a missing key, or a bad record (named by its
    position, and its slug or id when it has one). Records are validated as
    when they are added, so what comes back can be stored as it is. Unknown
    keys are ignored. Whether the topics that articles and topics refer to
    exist is left to the caller: the store allows references to missing topics.
    """
    if not is_dump(data):
        raise ImportFileError(
            f'The file is not an mfgkb dump (it has no "format": "{DUMP_FORMAT}" marker); '
            f"import articles with mfgkb import instead."
        )
    version = data.get("version")
    if version != DUMP_VERSION or isinstance(version, bool):
        raise ImportFileError(
            f"The dump is version {_shown(version)}, but this mfgkb reads "
            f"only version {DUMP_VERSION}; load it with the mfgkb release that wrote it."
        )
    if nested_deeper(data, MAX_DEPTH):
        raise ImportFileError(
            f"The dump nests values more than {MAX_DEPTH} levels deep, more than mfgkb can "
            f"store; it is damaged."
        )
    for key in ("next_article_id", "topics", "articles"):
        if key not in data:
            raise ImportFileError(f"The dump has no '{key}' key, so it is incomplete.")
    for key in ("topics", "articles"):
        if not isinstance(data[key], list):
            raise ImportFileError(f"The dump's '{key}' is {_type_name(data[key])}, not a list.")

    topics = _records(data["topics"], "Topic", "slug", _topic, lambda t: t.slug)
    articles = _records(data["articles"], "Article", "id", _article, lambda a: a.id)
    ids = {a.id for a in articles}

    next_id = data["next_article_id"]
    highest = max(ids, default=0)
    # The counter must stay above every id: the store never hands out an id twice.
    if type(next_id) is not int or not highest < next_id < _MAX_ID:
        raise ImportFileError(
            f"The dump's next_article_id ({_shown(next_id)}) is not a "
            f"whole number greater than every article id ({highest})."
        )
    return topics, articles, next_id


def read_dump(file: Path) -> tuple[list[Topic], list[Article], int] | None:
    """The dump in ``file`` (``mfgkb export --format json``); None when it holds records.

    A dump is a JSON object of a known shape; an array or JSON Lines is records,
    and a file that cannot be read is left to the record importer to explain.
    """
    if file.suffix.lower() != ".json" or not file.is_file():
        return None
    try:
        with file.open("rb") as fh:
            if fh.read(4096).lstrip()[:1] != b"{":
                return None  # an array or JSON Lines: records, not a dump
        data = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return None  # the record importer says what is wrong with it
    except RecursionError:  # deeper than the parser goes: nothing mfgkb could store
        raise ImportFileError(
            f"{file} nests values more than {MAX_DEPTH} levels deep, more than mfgkb can "
            f"store; nothing was imported."
        ) from None
    if not is_dump(data):
        if isinstance(data, dict) and "topics" in data and "meta" in data:
            raise UsageError(
                f"{file} looks like a database file, not records; use it with --db, or "
                f"mfgkb restore {file}."
            )
        return None
    return undump(data)


def write(everything: tuple[list[Topic], list[Article], int], out: TextIO) -> None:
    """The dump of (topics, articles, next article id) as indented JSON, UTF-8 as is."""
    out.write(json.dumps(dump(*everything), ensure_ascii=False, indent=2) + "\n")
