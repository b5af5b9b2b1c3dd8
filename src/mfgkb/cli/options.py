"""The options and arguments commands share, and turning their values into domain values.

Each option is declared once (``TopicOpt``, ``IdArg``, ...) so that its help
and checks read the same in every command that takes it.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.core import Parameter
from typer._click.exceptions import UsageError as ClickUsageError

from mfgkb.cli.completion import complete_id, complete_tag, complete_topic
from mfgkb.cli.context import MAX_INT
from mfgkb.errors import UsageError

if TYPE_CHECKING:
    from typer._click.core import Context

if TYPE_CHECKING:
    from datetime import date

    from mfgkb.index.query import Filters


# -- the house style of options: placeholders and whole numbers ----------------------
# Applied to every command as it is built (cli.root._Command), so an option
# declared anywhere gets it without repeating it.

# Placeholders by option name, for the options several commands share.
_METAVARS = {
    "--date": "DATE",
    "--since": "DATE",
    "--until": "DATE",
    "--topic": "SLUG",
    "--related": "SLUG",
    "--slug": "SLUG",
    "--limit": "N",
    "--map": "FIELD=COLUMN",
    "--format": "FORMAT",
    "--output": "FILE",
    "--url": "URL",
    "--author": "NAME",
    "--tag": "TAG",
}


def is_argument(param: Parameter) -> bool:
    return param.param_type_name == "argument"


def _name(param: Parameter) -> str:
    """How a message names the option (``--limit``) or argument (``ID``)."""
    if is_argument(param):
        return param.metavar or (param.name or "").upper()
    return max(param.opts, key=len)


def _refuse_number(
    value: Any, param: Parameter | None, ctx: Context | None, least: int
) -> NoReturn:
    """The one line for a whole number out of bounds, or not one: what to give instead."""
    who = _name(param) if param is not None else "The value"
    hint = "use 0 for all" if least == 0 else f"give {least} or more"
    try:
        n = value if isinstance(value, int) else int(value)
    except ValueError:
        problem = f"{value!r} is not a whole number"
    else:
        problem = f"{n} is less than {least}" if n < least else f"{n} is too large"
    raise ClickUsageError(f"{who}: {problem} ({hint}).", ctx)


def _whole_number(least: int, most: int) -> Any:
    """A Click type for whole numbers from ``least`` to ``most``, refused in our words.

    In place of Click's IntRange, whose help shows ``0<=x<=9223372036854775807``
    and whose errors read "'abc' is not a valid int range".
    """
    from typer._click.types import ParamType  # Typer 0.28's Click (0.29 has no types)

    class WholeNumber(ParamType):
        name = "N"

        def get_metavar(self, param: Parameter, ctx: Context | None = None) -> str:
            return "N"

        def convert(self, value: Any, param: Parameter | None, ctx: Context | None) -> int:
            try:
                n = value if isinstance(value, int) else int(value)
            except ValueError:
                n = None
            if n is None or not least <= n <= most:
                _refuse_number(value, param, ctx, least)
            return n

    return WholeNumber()


def house_style(params: list[Parameter]) -> None:
    """Placeholders in capitals (TEXT, N, FILE, SLUG, ...), whole numbers in our words.

    (Typer 0.29 converts values with pydantic, not Click types: there its
    parameters have no ``type``, and only the placeholders by name apply.)
    """
    for param in params:
        kind: Any = getattr(param, "type", None)
        if type(kind).__name__ == "IntRange":
            least = kind.min if kind.min is not None else -MAX_INT
            param.type = _whole_number(int(least), int(kind.max or MAX_INT))
            kind = param.type
        if param.metavar is not None or getattr(param, "is_flag", False):
            continue
        if is_argument(param):
            param.metavar = (param.name or "").upper()
        elif (named := _METAVARS.get(max(param.opts, key=len))) is not None:
            param.metavar = named
        elif kind is None:
            continue
        elif choices := getattr(kind, "choices", None):  # an enum: Typer's own type
            param.metavar = "|".join(str(getattr(c, "value", c)) for c in choices)
        else:
            param.metavar = {"path": "FILE", "file": "FILE", "integer": "N", "N": "N"}.get(
                getattr(kind, "name", ""), "TEXT"
            )


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
        metavar="TOPIC",
        autocompletion=complete_topic,
        callback=typed_text,
    ),
]
# One --limit for the lists that may show all; each command gives its default
# (``limit: LimitOpt = 50``).
LimitOpt = Annotated[
    int, typer.Option("--limit", help="At most this many; 0 for all.", min=0, max=MAX_INT)
]
PagerOpt = Annotated[
    bool, typer.Option("--pager", help="Show the output through $PAGER (at a terminal).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Published on or after: 2025, 2025-10, a date, or '30 days', 'last month'.",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Published on or before: 2025, 2025-10, a date, or '30 days', 'last month'.",
    ),
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


# Each listing has its own auto rule (views.listings): articles take a table
# from 120 columns on, topics from 80, in both cases only where no word is cut.
_LAYOUT_HELP = (
    "compact: a few lines each; table: columns (when no word has to be cut); "
    "auto: a table from {} columns on, where it fits."
)
ArticleLayoutOpt = Annotated[Layout, typer.Option("--format", help=_LAYOUT_HELP.format(120))]
TopicLayoutOpt = Annotated[Layout, typer.Option("--format", help=_LAYOUT_HELP.format(80))]


class Kind(StrEnum):
    topic = "topic"
    article = "article"


def date_of(text: str, dayfirst: bool) -> date:
    from mfgkb.dates import parse_date

    # Typed by the user, so "today" and "3 days ago" are days too (import files' are not).
    return parse_date(text, dayfirst=dayfirst, relative=True)


def date_option(text: str, dayfirst: bool) -> date:
    """The --date given on the command line; a bad one is a usage error, as a bad --since is.

    (At the prompt for a missing date, :func:`date_of` refuses an answer and the
    question is asked again: there is no option to name.)
    """
    from mfgkb.errors import DateError

    try:
        return date_of(text, dayfirst)
    except DateError as err:
        raise UsageError(f"--date: {err.message}") from None


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
    # dateutil is loaded only when a date is given; an empty one is refused, not ignored.
    if since is not None or until is not None:
        from mfgkb.dates import bounds

        start, end = bounds(since, until, dayfirst=dayfirst)
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
    """A --limit as the knowledge base takes it: None for 0, "all" (Click refused < 0)."""
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
        "--topic",
        help="A topic to link: its slug, title or alias (repeatable).",
        autocompletion=complete_topic,
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
        metavar="ID",
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
    file named ``copies``. Such a path is refused instead. A missing folder is
    exit 1 with the mkdir to run, as for --db: the command line is fine.
    """
    from mfgkb.errors import missing_folder

    if not text.strip():  # Path("") is ".": the current folder, which nobody typed
        raise UsageError("The path is empty; give a file name, e.g. kb-copy.json.")
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) and not path.is_dir():
        if os.path.lexists(path):
            raise UsageError(
                f"{text} ends in a slash, so it names a folder, but {path} is not one; "
                f"drop the slash to name the file."
            )
        raise missing_folder(path, alternative="give a file name")
    if not path.is_dir() and not path.parent.is_dir():
        raise missing_folder(path.parent)
    return path
