"""Start-up: the console script's entry point, with a fast path for ``mfgkb search``.

Loading Typer and Click and building the command costs a search more than the
search itself (about 70 of 150 ms at 100k articles). A search command line of
the common shape (query words, ``--limit N``, ``--json``, the filters, ``--db``
before the command) is therefore read here by hand and run with the same
knowledge base and renderer as mfgkb.cli's ``search``. Anything else (--help,
an option spelled another way, a value Click would refuse, a word starting
with "-", shell completion) goes to the full app in mfgkb.cli, which answers as
it always has. So this module never words a usage error: it takes only command
lines Click accepts, and reads them as Click does.

What a search prints, its errors (one line, the same words and exit code), its
warnings and its answer to Ctrl-C (one line, exit 130) are those of mfgkb.cli;
tests/test_startup.py runs both paths on the same input and compares the bytes.
Every speed trick of start-up lives here, so the rest of the code need not
know. Keep this module's own imports to a few small ones and import the rest
only once the fast path is taken: the full app pays for whatever is here too.
"""

from __future__ import annotations

# _signal, not signal: loaded by Python itself, while signal builds enums (see
# mfgkb/__init__.py).
import _signal  # type: ignore[import-not-found]
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from mfgkb.index.query import Filters
    from mfgkb.index.ranking import SearchResult
    from mfgkb.kb import KnowledgeBase

# mfgkb.cli's Ctrl-C wording; NOTHING_SAVED comes from the package, as there.
_INTERRUPTED_SAVED = "Interrupted after the changes were saved."
MAX_INT = 2**63 - 1  # the bound mfgkb.cli puts on --limit
# Click reads this variable for the shell's Tab requests: the full app answers them.
_COMPLETE_VAR = "_MFGKB_COMPLETE"

_VALUE_OPTIONS = {
    "--kind": "kind",
    "--topic": "topic",
    "--author": "author",
    "--tag": "tag",
    "--since": "since",
    "--until": "until",
    "--limit": "limit",
}
_REPEATED = ("topic", "author", "tag")
_FLAGS = {"--dayfirst": "dayfirst", "--json": "json", "--pager": "pager"}
_KINDS = ("topic", "article")


class SearchArgs:
    """A search command line as mfgkb.cli's ``search`` receives it from Click."""

    def __init__(self) -> None:
        self.db: str | None = None  # --db, else $MFGKB_DB when not empty
        self.words: list[str] = []
        self.kind: str | None = None
        self.topic: list[str] = []
        self.author: list[str] = []
        self.tag: list[str] = []
        self.since: str | None = None
        self.until: str | None = None
        self.limit = 10
        self.dayfirst = False
        self.json = False
        self.pager = False


def main() -> None:
    """Console-script entry point: the fast path when it applies, else the full app."""
    args = parse_search(sys.argv[1:], os.environ)
    if args is not None:
        run_search(args)
    from mfgkb.cli import main as full_app

    full_app()


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


# -- running it, as mfgkb.cli runs its commands ----------------------------------

_kb: KnowledgeBase | None = None  # once the search has one, for Ctrl-C's wording
_told = False  # the one final line (an error or an interrupt) is written


class OutputError(Exception):
    """Standard output could not be written (mfgkb.cli.OutputError's twin)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _saved() -> bool:
    # mfgkb.cli asks kb.store; a store never made has written nothing, and
    # asking here would load TinyDB just to learn that.
    return _kb is not None and "store" in vars(_kb) and _kb.store.writes > 0


def _interrupted_message() -> str:
    from mfgkb import NOTHING_SAVED

    return _INTERRUPTED_SAVED if _saved() else NOTHING_SAVED


def _exit_on_sigint(signum: int, frame: object) -> None:
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # a second one must not cut this short
    if not _told:
        try:  # noqa: SIM105  (contextlib is not needed otherwise)
            os.write(2, f"mfgkb: {_interrupted_message()}\n".encode())
        except OSError:
            pass
    os._exit(130)


def _handle_sigint(handler: Any) -> Any:
    """Install ``handler`` for Ctrl-C; the one it replaces (None where signals can't be set)."""
    try:
        return _signal.signal(_signal.SIGINT, handler)
    except ValueError:  # not the main thread
        return None


def _prepare_stdio() -> None:
    """The standard streams of mfgkb.cli._prepare_stdio, whose docstring says why."""
    import io

    class StdoutFile(io.FileIO):
        def write(self, data: Any) -> int:
            try:
                return super().write(data)
            except (BrokenPipeError, BlockingIOError):
                raise
            except OSError as exc:
                raise OutputError(exc.strerror or str(exc)) from None

    for fd, mode in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, mode)
    old = sys.stdout
    encoding = getattr(old, "encoding", None) or "utf-8"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(StdoutFile(1, "w", closefd=False)),
        encoding=encoding,
        errors="backslashreplace",
        line_buffering=bool(getattr(old, "line_buffering", False)),
    )
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115


def _fail(message: str, code: int) -> int:
    global _told
    from mfgkb.models import printable

    sys.stderr.write(f"mfgkb: {printable(message)}\n")
    sys.stderr.flush()
    _told = True
    return code


def _output_failed(err: OutputError) -> int:
    if _saved():
        return _fail(f"Could not write the output ({err.reason}); the change was saved.", 0)
    return _fail(f"Could not write the output ({err.reason}).", 1)


def run_search(args: SearchArgs) -> NoReturn:
    """Run the search and end the process, as mfgkb.cli.main ends it."""
    # The cyclic collector would only re-scan the objects the imports and the
    # search build (mfgkb.cli turns it off for each command, for the same reason).
    import gc

    gc.disable()
    _handle_sigint(_exit_on_sigint)
    _prepare_stdio()
    try:
        code = _invoke(args)
    except SystemExit as exc:  # Rich's answer to a closed pipe, as mfgkb.cli.main reads it
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    except KeyboardInterrupt:  # after the search, as the error line was being written
        code = 130
    if code == 130 and not _told:
        sys.stderr.write(f"mfgkb: {_interrupted_message()}\n")
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OutputError as err:
        if not _told:
            code = _output_failed(err)
    try:  # noqa: SIM105
        sys.stderr.flush()
    except (OSError, ValueError):  # ValueError: closed after a broken pipe
        pass
    os._exit(code)


def _invoke(args: SearchArgs) -> int:
    """mfgkb.cli's _Group.invoke around its ``search``: the exit code."""
    from mfgkb.errors import MfgkbError

    # While the search runs, Ctrl-C raises KeyboardInterrupt, so that what it
    # writes (a new index) is cleaned up; before and after, it ends the process.
    previous = _handle_sigint(_signal.default_int_handler)
    try:
        _search(args)
        return 0
    except MfgkbError as err:
        return _fail(err.message, err.exit_code)
    except KeyboardInterrupt:
        if previous is not None:
            _handle_sigint(previous)
        from mfgkb import NOTHING_SAVED

        return _fail(_INTERRUPTED_SAVED if _saved() else NOTHING_SAVED, 130)
    except OutputError as err:
        return _output_failed(err)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    finally:
        if _kb is not None:
            from mfgkb.models import printable

            for warning in _kb.warnings:
                sys.stderr.write(f"mfgkb: {printable(warning)}\n")
            _kb.close()
        if previous is not None:
            _handle_sigint(previous)


def _search(args: SearchArgs) -> None:
    """The body of mfgkb.cli's ``search``, on the values Click would have passed."""
    global _kb
    filters = _filters(args)
    _kb = _knowledge_base(args.db)
    from mfgkb.models import argv_text  # as the option callbacks of mfgkb.cli do

    result = _kb.search(" ".join(map(argv_text, args.words)), filters, args.limit)
    if args.json:
        # render.print_json is this function; importing it alone spares Rich.
        from mfgkb.jsonout import print_json

        print_json(search_json(result))
        if not result.hits and result.suggestions:
            from mfgkb import render

            render.message(f"No results; did you mean: {', '.join(result.suggestions)}?")
    else:
        from mfgkb import render

        render.show(render.search_results(result), pager=args.pager)


def search_json(result: SearchResult) -> list[dict[str, Any]]:
    """The ``--json`` form of a search's hits (mfgkb.cli's ``search`` builds the same)."""
    return [
        {
            "kind": h.kind,
            ("slug" if h.kind == "topic" else "id"): h.ref if h.kind == "topic" else int(h.ref),
            "title": h.title,
            "score": round(h.score, 4),
            "field": h.field,
            "snippet": h.snippet,
            "highlights": [list(s) for s in h.spans],
            "matched_all": h.matched_all,
        }
        for h in result.hits
    ]


def _filters(args: SearchArgs) -> Filters:
    """mfgkb.cli._filters: dates are parsed (and dateutil loaded) only when given."""
    from mfgkb.errors import UsageError
    from mfgkb.index.query import Filters

    start = end = None
    if args.since or args.until:
        from mfgkb.dates import parse_period

        dayfirst = args.dayfirst
        start = parse_period(args.since, dayfirst=dayfirst) if args.since else None
        end = parse_period(args.until, dayfirst=dayfirst, end=True) if args.until else None
    if start and end and start > end:
        raise UsageError(f"--since {args.since} is after --until {args.until}; swap them.")
    from mfgkb.models import argv_text

    return Filters(
        kind=args.kind,
        topic=tuple(map(argv_text, args.topic)),
        author=tuple(map(argv_text, args.author)),
        tag=tuple(map(argv_text, args.tag)),
        since=start,
        until=end,
    )


def _knowledge_base(db: str | None) -> KnowledgeBase:
    """mfgkb.cli._kb for the path Click would have made of ``db``."""
    from pathlib import Path

    from mfgkb.kb import KnowledgeBase

    if db is None:
        from platformdirs import user_data_path

        return KnowledgeBase(user_data_path("mfgkb") / "kb.json", create_parents=True)
    given = Path(db)
    path = given.expanduser()
    if not path.name or path.is_dir():
        from mfgkb.errors import ValidationError

        raise ValidationError(
            f"--db {given} is a directory, not a database file; give a file path, "
            f"e.g. {path / 'kb.json'}."
        )
    return KnowledgeBase(path)
