"""The fast path of ``mfgkb search``: its command line read by hand, run without Typer.

Loading Typer and Click and building the command costs a search more than the
search itself (about 70 of 150 ms at 100k articles). A search command line of
the common shape (query words, ``--limit N``, ``--json``, the filters, ``--db``
before the command) is therefore read here and run with the same knowledge
base, the same views and the same error edge (mfgkb.edge) as mfgkb.cli's
``search``. Anything else (--help, an option spelled another way, a value Click
would refuse, a word starting with "-", shell completion) goes to the full app,
which answers as it always has. So this module never words a usage error: it
takes only command lines Click accepts, and reads them as Click does.

tests/system/test_startup.py runs both paths on the same input and compares the
bytes. Keep the imports at the top to a few small ones: the full app pays for
whatever start-up loads before it knows which path to take.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mfgkb.index.query import Filters
    from mfgkb.kb.searching import Searching

MAX_INT = 2**63 - 1  # the bound mfgkb.cli puts on --limit
# Click reads this variable for the shell's Tab requests: the full app answers them.
_COMPLETE_VAR = "_MFGKB_COMPLETE"

_VALUE_OPTIONS = {
    "--kind": "kind",
    "--topic": "topic",
    "--author": "author",
    "--tag": "tag",
    "--source": "source",
    "--since": "since",
    "--until": "until",
    "--limit": "limit",
}
_REPEATED = ("topic", "author", "tag", "source")
_FLAGS = {"--dayfirst": "dayfirst", "--json": "json", "--pager": "pager"}
_KINDS = ("topic", "article")


class SearchArgs:
    """A search command line as mfgkb.cli's ``search`` receives it from Click."""

    def __init__(self) -> None:
        self.db: str | None = None  # --db, else $MFGKB_DB when not empty
        self.db_from_env = False
        self.words: list[str] = []
        self.kind: str | None = None
        self.topic: list[str] = []
        self.author: list[str] = []
        self.tag: list[str] = []
        self.source: list[str] = []
        self.since: str | None = None
        self.until: str | None = None
        self.limit = 10
        self.dayfirst = False
        self.json = False
        self.pager = False


def parse_search(argv: list[str], environ: Any) -> SearchArgs | None:
    """The search ``argv`` asks for, or None when the full app must read it.

    None for anything outside the plain shape: Click may read it differently
    or refuse it, and then its own answer is the right one.
    """
    if _COMPLETE_VAR in environ:
        return None
    args = SearchArgs()
    i = 0
    while i < len(argv) and argv[i] != "search":
        name, eq, value = argv[i].partition("=")
        if name != "--db":
            return None  # another command, another global option, or none
        if not eq:
            i += 1
            if i == len(argv) or argv[i].startswith("-"):
                return None
            value = argv[i]
        args.db = value
        i += 1
    if i == len(argv):
        return None
    if args.db is None:
        args.db = environ.get("MFGKB_DB") or None  # Click ignores an empty variable
        args.db_from_env = args.db is not None
    i += 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            args.words.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in _FLAGS and not eq:
            setattr(args, _FLAGS[name], True)
            continue
        if name not in _VALUE_OPTIONS:
            return None  # --help, "--", "-word" (a query word to Click), a typo
        if not eq:
            # Click would take "-x" as the value; whether the user meant that is
            # for the full app to say.
            if i == len(argv) or argv[i].startswith("-"):
                return None
            value = argv[i]
            i += 1
        if not _take(args, _VALUE_OPTIONS[name], value):
            return None
    if not args.words:
        return None
    if args.db is not None and not _readable_or_absent(args.db):
        return None
    return args


def _take(args: SearchArgs, field: str, value: str) -> bool:
    """Store one option's value; False where Click would refuse it (or might)."""
    if field == "limit":
        # Only plain digits: int() also takes "+5", " 5", "1_0" and other scripts' digits.
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_INT:
            return False
        args.limit = int(value)
    elif field == "kind":
        if value not in _KINDS:
            return False
        args.kind = value
    elif field in _REPEATED:
        getattr(args, field).append(value)
    else:
        setattr(args, field, value)
    return True


def _readable_or_absent(db: str) -> bool:
    """What Click's path type lets through for --db: a missing or readable path."""
    try:
        os.stat(db)
    except OSError:
        return True
    return os.access(db, os.R_OK)


def search(args: SearchArgs) -> int:
    """The body of mfgkb.cli's ``search``, on the values Click would have passed; the exit code."""
    from mfgkb import edge

    with edge.Command() as run:
        filters = _filters(args)
        kb = _knowledge_base(args.db, from_env=args.db_from_env)
        edge.watch(kb)
        from mfgkb.models import argv_text  # as the option callbacks of mfgkb.cli do

        result = kb.search(" ".join(map(argv_text, args.words)), filters, args.limit)
        from mfgkb import views

        views.emit(result, json=args.json, pager=args.pager)
    return run.code


def _filters(args: SearchArgs) -> Filters:
    """mfgkb.cli.options.filters: dates are parsed (and dateutil loaded) only when given."""
    from mfgkb.errors import UsageError
    from mfgkb.index.query import Filters

    start = end = None
    if args.since is not None or args.until is not None:  # "" is refused, not ignored
        from mfgkb.dates import bounds

        try:
            start, end = bounds(args.since, args.until, dayfirst=args.dayfirst)
        except UsageError as err:  # with the hint mfgkb.cli.root adds to every usage error
            raise UsageError(f"{err.message} (see: mfgkb search --help)") from None
    from mfgkb.models import argv_text

    return Filters(
        kind=args.kind,
        topic=tuple(map(argv_text, args.topic)),
        author=tuple(map(argv_text, args.author)),
        tag=tuple(map(argv_text, args.tag)),
        since=start,
        until=end,
        source=tuple(map(argv_text, args.source)),
    )


def _knowledge_base(db: str | None, *, from_env: bool) -> Searching:
    """The knowledge base mfgkb.cli's ``kb_of`` opens, for the path Click would have made of ``db``.

    Only its searching part (``KnowledgeBase`` is that and the parts that
    write): the same ``search``, without importing the other five modules.
    """
    from pathlib import Path

    from mfgkb.kb.searching import Searching

    if db is None:
        from platformdirs import user_data_path

        return Searching(user_data_path("mfgkb") / "kb.json", create_parents=True)
    if db == "":  # Path("") would be ".", and the refusal would call it a directory
        from mfgkb.errors import db_is_empty

        raise db_is_empty()
    given = Path(db)
    path = given.expanduser()
    if not path.name or path.is_dir():
        from mfgkb.errors import db_is_a_directory

        raise db_is_a_directory(str(given), str(path / "kb.json"), from_env=from_env)
    return Searching(path)
