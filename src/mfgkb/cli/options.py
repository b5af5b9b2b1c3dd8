"""The options and arguments commands share, and turning their values into domain values.

Each option is declared once (``TopicOpt``, ``IdArg``, ...) so that its help
and checks read the same in every command that takes it.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mfgkb.cli.completion import complete_id, complete_tag, complete_topic
from mfgkb.cli.context import MAX_INT
from mfgkb.errors import UsageError

if TYPE_CHECKING:
    from datetime import date

    from mfgkb.index.query import Filters


def typed_text(value: Any) -> Any:
    """An option's text as typed, in a C or ASCII locale too (see models.argv_text)."""
    from mfgkb.models import argv_text

    if isinstance(value, list):
        return [argv_text(v) for v in value]
    return argv_text(value) if isinstance(value, str) else value


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead.")]
# A repeated filter matches any of its values; different filters all apply.
TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        help="Only articles linked to this topic (repeat: any of them).",
        autocompletion=complete_topic,
        callback=typed_text,
    ),
]
AuthorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        help="Only articles by an author whose name contains this (repeat: any).",
        callback=typed_text,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="Only articles with this tag (repeat: any).",
        autocompletion=complete_tag,
        callback=typed_text,
    ),
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="NAME",
        help="Only articles from this source, the whole name in any case (repeat: any).",
        callback=typed_text,
    ),
]
TopicArg = Annotated[
    str,
    typer.Argument(
        help="Slug, title or alias of the topic (any case).",
        autocompletion=complete_topic,
        callback=typed_text,
    ),
]
PagerOpt = Annotated[
    bool, typer.Option("--pager", help="Show the output through $PAGER (at a terminal).")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Published on or after: 2025, 2025-10 or a date.")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Published on or before: 2025, 2025-10 or a date.")
]
DayfirstOpt = Annotated[
    bool,
    typer.Option(
        "--dayfirst",
        help="Read ambiguous numeric dates day first: 03/04/2025 is 3 April (default: 4 March).",
    ),
]


class Sort(StrEnum):
    published = "published"
    added = "added"
    title_ = "title"  # `title` would shadow str.title


SortOpt = Annotated[
    Sort, typer.Option("--sort", help="Order: newest published, newest added, or title.")
]


class Layout(StrEnum):
    auto = "auto"
    compact = "compact"
    table = "table"


LayoutOpt = Annotated[
    Layout,
    typer.Option(
        "--format",
        help="compact: a few lines each; table: columns (when no word has to be cut); "
        "auto: a table from 120 columns on.",
    ),
]


class Kind(StrEnum):
    topic = "topic"
    article = "article"


def date_of(text: str, dayfirst: bool) -> date:
    from mfgkb.dates import parse_date

    return parse_date(text, dayfirst=dayfirst)


def filters(
    *,
    topic: list[str] | None,
    author: list[str] | None,
    tag: list[str] | None,
    since: str | None,
    until: str | None,
    source: list[str] | None = None,
    dayfirst: bool = False,
    kind: Kind | None = None,
) -> Filters:
    from mfgkb.index.query import Filters

    start = end = None
    if since or until:
        from mfgkb.dates import parse_period

        start = parse_period(since, dayfirst=dayfirst) if since else None
        end = parse_period(until, dayfirst=dayfirst, end=True) if until else None
    if start and end and start > end:
        raise UsageError(f"--since {since} is after --until {until}; swap them.")
    return Filters(
        kind=kind.value if kind else None,
        topic=tuple(topic or ()),
        author=tuple(author or ()),
        tag=tuple(tag or ()),
        since=start,
        until=end,
        source=tuple(source or ()),
    )


def limit_of(value: int) -> int | None:
    if value < 0:
        raise UsageError("--limit must be 0 (no limit) or more.")
    return value or None


def read_text(value: str | None, file: Path | None, what: str) -> str | None:
    """A long text given inline, or from a file, or from standard input ('-')."""
    if value is not None and file is not None:
        raise UsageError(f"Give the {what} either inline or with a file, not both.")
    if file is None:
        return value
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"Cannot read {file} ({exc.strerror}); check the path.") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file} is not UTF-8 text; convert it first.") from None


AuthorsOpt = Annotated[list[str] | None, typer.Option("--author", help="An author (repeatable).")]
TopicsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", help="Slug of a topic to link (repeatable).", autocompletion=complete_topic
    ),
]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", help="A tag (repeatable).", autocompletion=complete_tag),
]

IdArg = Annotated[
    int,
    typer.Argument(
        help="The article's id (see mfgkb articles).",
        autocompletion=complete_id,
        min=1,
        max=MAX_INT,
    ),
]

EditorOpt = Annotated[bool, typer.Option("--editor", help="Edit every field in $EDITOR instead.")]


def write_target(text: str) -> Path:
    """A path to write to (``backup PATH``, ``export -o``), as typed.

    Taken as text, not as a Path, because a Path drops the trailing slash that
    says "a folder": ``backup copies/`` with no folder ``copies`` would write a
    file named ``copies``. Such a path is refused (exit 2) instead.
    """
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) and not path.is_dir():
        if os.path.lexists(path):
            raise UsageError(
                f"{text} ends in a slash, so it names a folder, but {path} is not one; "
                f"drop the slash to name the file."
            )
        raise UsageError(
            f"The folder {text} does not exist; create it first (mkdir -p {path}) "
            f"or give a file name."
        )
    return path
