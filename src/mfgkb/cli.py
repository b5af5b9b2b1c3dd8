"""The command line: the only module that uses Typer.

Each command parses its options, calls the knowledge base, and hands the result
to ``render`` (people) or ``render.print_json`` (programs). Errors raised below
become one line on stderr and an exit code here, in ``_Group.invoke``: 1 for a
problem with the data or the input, 2 for a usage error, 130 for Ctrl-C.

Start-up time matters (every command pays it), so everything beyond Typer is
imported inside the commands that need it.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer import _completion_classes

# Typer 0.28 and 0.29 both vendor Click as typer._click (neither needs the click
# package); its UsageError is what a bad option value raises.
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperGroup

from mfgkb import NOTHING_SAVED, __version__, formats
from mfgkb.errors import (
    DuplicateError,
    ImportFileError,
    MfgkbError,
    NotFoundError,
    UsageError,
    ValidationError,
)
from mfgkb.models import printable

if TYPE_CHECKING:
    from datetime import date

    from mfgkb.index.query import Filters
    from mfgkb.kb import KnowledgeBase
    from mfgkb.models import Figure, KeyTerm


# -- Ctrl-C, from the first instruction to the last -----------------------------
# Until a command runs and once it has ended, Ctrl-C ends the process at once
# with the one line saying whether anything was saved (mfgkb/__init__.py does
# the same from the very start, while Typer loads). While a command runs it
# raises KeyboardInterrupt instead, so a write can clean up after itself;
# _Group.invoke turns that into the same line. Neither Typer nor Click ever
# sees it: they would exit 130 silently, or 1 with "Aborted!".

_INTERRUPTED_SAVED = "Interrupted after the changes were saved."
_current: _State | None = None  # the running command's state, once it has one
_told = False  # the one final line (an error or an interrupt) is written


def _interrupted_message() -> str:
    state = _current
    saved = state is not None and state.kb is not None and state.kb.store.writes > 0
    return _INTERRUPTED_SAVED if saved else NOTHING_SAVED


def _exit_on_sigint(signum: int, frame: object) -> None:
    # A second Ctrl-C must not cut this one short (or print a second line).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _told:
        with contextlib.suppress(OSError):
            os.write(2, f"mfgkb: {_interrupted_message()}\n".encode())
    os._exit(130)


# -- standard output ---------------------------------------------------------------


class OutputError(Exception):
    """Standard output could not be written (a full disk, a closed descriptor).

    Not an OSError, so that no ``except OSError`` meant for the database's
    files takes it for theirs.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _StdoutFile(io.FileIO):
    """Descriptor 1, whose write errors are raised as OutputError."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except (BrokenPipeError, BlockingIOError):  # `| head`; a retry, for the buffer
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from None


def _prepare_stdio() -> None:
    """Standard streams that cannot fail with a traceback.

    A closed descriptor 0, 1 or 2 (``>&-``) is given /dev/null first, so that
    the database, opened later, can never become the program's output; fd 1 is
    opened read-only, so writing to it fails as a closed one would. Characters
    the output's encoding lacks (an ASCII or C locale) are written as escapes.
    """
    for fd, mode in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, mode)  # the lowest free descriptor: this one
    old = sys.stdout
    encoding = getattr(old, "encoding", None) or "utf-8"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_StdoutFile(1, "w", closefd=False)),
        encoding=encoding,
        errors="backslashreplace",
        line_buffering=bool(getattr(old, "line_buffering", False)),
    )
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115  (reads give end of input)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115


def _output_failed_code(err: OutputError) -> int:
    """``_output_failed`` outside a command (Click's own --help, the final flush)."""
    try:
        _output_failed(err)
    except typer.Exit as failed:
        return failed.exit_code


def _output_failed(err: OutputError) -> NoReturn:
    """Say the output was lost; a change already saved is still a success (no retry)."""
    state = _current
    if state is not None and state.kb is not None and state.kb.store.writes > 0:
        _fail(f"Could not write the output ({err.reason}); the change was saved.", 0)
    _fail(f"Could not write the output ({err.reason}).", 1)


def _fail(message: str, code: int) -> NoReturn:
    # Messages quote what the user (or a file) gave: show control characters
    # escaped here too, not only on stdout.
    global _told
    sys.stderr.write(f"mfgkb: {printable(message)}\n")
    sys.stderr.flush()
    _told = True
    raise typer.Exit(code)


def _handle_sigint(handler: Any) -> Any:
    """Install ``handler`` for Ctrl-C; the one it replaces (None where signals can't be set)."""
    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (an embedding program's worker)
        return None


class _Group(TyperGroup):
    """Turns our errors into one line on stderr and an exit code, for every command."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        # The shell after --show-completion / --install-completion is theirs,
        # not a command name: take it out before Click parses the flags.
        args, shell = _completion_shell(args)
        if shell is not None:
            ctx.meta[_SHELL_KEY] = shell
        return list(super().parse_args(ctx, args))

    # Click's Context is what arrives; typer.Context is its subclass, close enough here.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        # A command is a short-lived process that builds a few hundred thousand
        # containers at 100k articles and makes no reference cycles worth
        # collecting: the cyclic collector would re-scan them again and again
        # (it tripled the time to parse the database). Memory is still freed
        # by reference counting.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        # While the command runs, Ctrl-C raises KeyboardInterrupt (so writes
        # clean up); before and after, it ends the process (_exit_on_sigint).
        previous = _handle_sigint(signal.default_int_handler)
        try:
            return super().invoke(ctx)
        except MfgkbError as err:
            _fail(err.message, err.exit_code)
        except ClickUsageError as err:
            # One line instead of Click's usage block; the hint names the help.
            name = err.ctx.command_path if err.ctx else "mfgkb"
            _fail(f"{err.format_message()} (see: {name} --help)", 2)
        except (KeyboardInterrupt, typer.Abort):
            # Abort: Ctrl-C or the end of input at a prompt, which Click would
            # answer with "Aborted!" and exit 1.
            if previous is not None:
                _handle_sigint(previous)
            state = ctx.obj if isinstance(ctx.obj, _State) else None
            saved = state is not None and state.kb is not None and state.kb.store.writes > 0
            _fail(_INTERRUPTED_SAVED if saved else NOTHING_SAVED, 130)
        except OutputError as err:
            _output_failed(err)
        except BrokenPipeError:  # `mfgkb articles | head`: not an error worth a word
            sys.stderr.close()
            raise typer.Exit(0) from None
        finally:
            state = ctx.obj if isinstance(ctx.obj, _State) else None
            if state is not None and state.kb is not None:
                for warning in state.kb.warnings:
                    sys.stderr.write(f"mfgkb: {printable(warning)}\n")
                # Closing the index lets SQLite checkpoint and remove its
                # write-ahead log; left open, the next process must replay it.
                state.kb.close()
            if gc_was_enabled:
                gc.enable()
            if previous is not None:
                _handle_sigint(previous)


MAX_INT = 2**63 - 1  # SQLite's largest integer: ids and limits beyond it are typos

_APP_SETTINGS: dict[str, Any] = {
    "cls": _Group,
    # Typer's own completion options only detect the shell; ours take its name.
    "add_completion": False,
    "help": "A knowledge base for advanced manufacturing: topics, articles, ranked search.\n\n"
    "Example: mfgkb show advanced-manufacturing",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)
# Typer registers the shells' completion classes only with its own completion
# options; the shell's Tab requests (_MFGKB_COMPLETE=complete_zsh) need them.
# (typer.main has imported the module already: this costs nothing.)
_completion_classes.completion_init()


class _State:
    def __init__(self, db: Path | None) -> None:
        self.db = db
        self.kb: KnowledgeBase | None = None


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mfgkb {__version__}\n")
        raise typer.Exit()


_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
_COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
_SHELL_KEY = "mfgkb.completion_shell"


def _completion_shell(args: list[str]) -> tuple[list[str], str | None]:
    """``args`` without the shell named after a completion option, and that shell.

    Only the options before the command are looked at (they are the app's own);
    the word after the option is the shell unless it is an option itself.
    """
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name in _COMPLETION_OPTIONS:
            if eq:
                return [*args[:i], name, *args[i + 1 :]], value
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                return [*args[: i + 1], *args[i + 2 :]], args[i + 1]
            return args, None
        if args[i] == "--db":
            i += 1  # its value, whatever it looks like
        elif not args[i].startswith("-"):
            break  # the command
        i += 1
    return args, None


def _completion(ctx: typer.Context, value: bool, *, install: bool) -> None:
    """Print, or install, the completion script of the named (else the current) shell."""
    if not value or ctx.resilient_parsing:
        return
    from typer._completion_shared import _get_shell_name, get_completion_script
    from typer._completion_shared import install as install_script

    option = _COMPLETION_OPTIONS[0 if install else 1]
    shell = ctx.meta.get(_SHELL_KEY) or _get_shell_name()
    if shell is None:
        _fail(f"The shell could not be detected; name it, e.g. mfgkb {option} bash.", 2)
    if shell not in _SHELLS:
        _fail(
            f"Shell {shell!r} is not supported; name one of bash, zsh, fish or powershell, "
            f"e.g. mfgkb {option} zsh.",
            2,
        )
    prog = ctx.find_root().info_name or "mfgkb"
    var = "_{}_COMPLETE".format(prog.replace("-", "_").upper())
    if not install:
        sys.stdout.write(get_completion_script(prog_name=prog, complete_var=var, shell=shell))
        sys.stdout.write("\n")
        raise typer.Exit(0)
    import subprocess

    try:
        _, path = install_script(shell=shell, prog_name=prog, complete_var=var)
    except (OSError, subprocess.SubprocessError) as exc:
        _fail(f"Could not install {shell} completion ({exc}); use --show-completion instead.", 1)
    from mfgkb import render

    render.message(f"Installed {shell} completion in {path}; it works in a new terminal.")
    raise typer.Exit(0)


def _install_completion(ctx: typer.Context, value: bool) -> None:
    _completion(ctx, value, install=True)


def _show_completion(ctx: typer.Context, value: bool) -> None:
    _completion(ctx, value, install=False)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="MFGKB_DB",
            help="Database file. Default: $MFGKB_DB, else kb.json in the user data folder.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            callback=_install_completion,
            is_eager=True,
            help="Install completion for a shell: bash, zsh, fish or powershell "
            "(default: the current shell), e.g. --install-completion zsh.",
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            callback=_show_completion,
            is_eager=True,
            help="Print the completion script for a shell (default: the current shell), "
            "to copy it or customize the installation.",
        ),
    ] = False,
) -> None:
    """A knowledge base for advanced manufacturing: topics, articles, ranked search.

    Example: mfgkb show advanced-manufacturing
    """
    global _current
    ctx.obj = _current = _State(db)


def _kb(ctx: typer.Context) -> KnowledgeBase:
    from mfgkb.kb import KnowledgeBase

    state: _State = ctx.find_root().obj
    if state.kb is None:
        if state.db is not None:
            path = state.db.expanduser()
            if not path.name or path.is_dir():
                raise ValidationError(
                    f"--db {state.db} is a directory, not a database file; give a file path, "
                    f"e.g. {path / 'kb.json'}."
                )
            state.kb = KnowledgeBase(path)
        else:
            state.kb = KnowledgeBase(_default_db(), create_parents=True)
    return state.kb


def _default_db() -> Path:
    """kb.json in the platform's user data folder (e.g. ~/.local/share/mfgkb)."""
    from platformdirs import user_data_path

    return user_data_path("mfgkb") / "kb.json"


# -- shell completion ---------------------------------------------------------


def _completer(what: str) -> Any:
    """A Typer autocompletion function listing ``what`` from the user's own database."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from mfgkb.kb import KnowledgeBase

        db = ctx.find_root().params.get("db") or os.environ.get("MFGKB_DB")
        kb = KnowledgeBase(Path(db).expanduser() if db else _default_db())
        try:
            candidates = kb.complete(what, incomplete)
        finally:
            kb.close()
        # The shell prints the values and (zsh, fish) the help: control
        # characters escaped. A value that needs escaping is left out, as its
        # escaped form would insert a different tag than the one stored.
        return [(v, printable(h)) for v, h in candidates if printable(v) == v]

    return complete


_complete_topic = _completer("topic")
_complete_tag = _completer("tag")
_complete_id = _completer("id")

# -- shared options ---------------------------------------------------------


def _typed_text(value: Any) -> Any:
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
        autocompletion=_complete_topic,
        callback=_typed_text,
    ),
]
AuthorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        help="Only articles by an author whose name contains this (repeat: any).",
        callback=_typed_text,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="Only articles with this tag (repeat: any).",
        autocompletion=_complete_tag,
        callback=_typed_text,
    ),
]
TopicArg = Annotated[
    str,
    typer.Argument(
        help="Slug, title or alias of the topic (any case).",
        autocompletion=_complete_topic,
        callback=_typed_text,
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


class Kind(StrEnum):
    topic = "topic"
    article = "article"


def _date(text: str, dayfirst: bool) -> date:
    from mfgkb.dates import parse_date

    return parse_date(text, dayfirst=dayfirst)


def _filters(
    *,
    topic: list[str] | None,
    author: list[str] | None,
    tag: list[str] | None,
    since: str | None,
    until: str | None,
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
    )


def _limit(value: int) -> int | None:
    if value < 0:
        raise UsageError("--limit must be 0 (no limit) or more.")
    return value or None


def _read_text(value: str | None, file: Path | None, what: str) -> str | None:
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


def _prompt_missing(
    value: str | None, label: str, option: str, check: Callable[[str], object] | None = None
) -> str:
    """Ask at a terminal; elsewhere a missing required option is a usage error.

    An answer ``check`` refuses is not the end: the reason is shown and the
    question asked again (until end of input), so what was typed before stays.
    """
    if value is not None:
        return value
    if sys.stdin.isatty() and sys.stdout.isatty():
        while True:
            answer = _ask(f"{label}: ")
            if answer is None:  # Ctrl-D: no answer, as if nothing had been typed
                break
            if check is None:
                return answer
            try:
                check(answer)
            except MfgkbError as err:
                sys.stderr.write(f"mfgkb: {printable(err.message)}\n")
                continue
            return answer
    raise UsageError(f'Missing {option}; give it on the command line, e.g. {option} "...".')


def _ask(question: str) -> str | None:
    """One line typed at the terminal; None at the end of input (Ctrl-D).

    Not Click's prompt: it reports Ctrl-D and Ctrl-C alike, as Abort, and the
    two mean different things (no answer; stop). Ctrl-C raises
    KeyboardInterrupt, after ending the question's line so that the edge's one
    line starts on a line of its own.
    """
    sys.stdout.write(question)
    sys.stdout.flush()
    try:
        return input()
    except EOFError:
        _end_line()
        return None
    except KeyboardInterrupt:
        _end_line()
        raise


def _end_line() -> None:
    with contextlib.suppress(OSError, OutputError):
        sys.stdout.write("\n")
        sys.stdout.flush()


def _confirm(question: str, *, default: bool = False) -> bool:
    """A yes/no question at the terminal; Ctrl-D (no answer) is No."""
    choices = "[Y/n]" if default else "[y/N]"
    while True:
        answer = _ask(f"{question} {choices}: ")
        if answer is None:
            return False
        word = answer.strip().lower()
        if not word:
            return default
        if word in ("y", "yes", "n", "no"):
            return word.startswith("y")
        sys.stderr.write("mfgkb: Answer y (yes) or n (no).\n")


EditorOpt = Annotated[bool, typer.Option("--editor", help="Edit every field in $EDITOR instead.")]

T = TypeVar("T")


def _stdin_is_terminal() -> bool:
    """Can a question be answered? (A function, so tests can say yes.)"""
    return sys.stdin.isatty()


def _edit_in_editor(text: str, save: Callable[[str], T]) -> T | None:
    """Open ``text`` in $EDITOR until ``save`` accepts it; None if left unchanged.

    A rejected edit is not thrown away: the error is shown and the edited text
    opens again; declining keeps it in a file whose path is printed.
    """
    from mfgkb import render
    from mfgkb.editing import run_editor

    shown = text
    while True:
        # Closed without saving: what it showed stands, which after a
        # rejected edit is that edit, not the record.
        edited = run_editor(shown)
        if edited is None:
            edited = shown
        if edited == text:  # the record as it is
            render.message("No changes.")
            return None
        try:
            return save(edited)
        except MfgkbError as err:
            sys.stderr.write(f"mfgkb: {printable(err.message)}\n")
            # A record changed meanwhile cannot be fixed by editing again.
            retry = not isinstance(err, DuplicateError) and _stdin_is_terminal()
            if retry and _confirm("Edit it again?", default=True):
                shown = edited
                continue
            import tempfile

            with tempfile.NamedTemporaryFile(
                "w", suffix=".md", prefix="mfgkb-edit-", delete=False, encoding="utf-8"
            ) as kept:
                kept.write(edited)
            raise ValidationError(f"Nothing was saved; your edit is kept in {kept.name}.") from None


# -- topics -----------------------------------------------------------------


@app.command()
def show(
    ctx: typer.Context,
    topic: TopicArg,
    limit: Annotated[
        int,
        typer.Option("--limit", help="How many articles to list; 0 for all.", min=0, max=MAX_INT),
    ] = 20,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """Show a topic page: summary, key terms, figures, related topics, newest articles.

    Example: mfgkb show advanced-manufacturing
    """
    page = _kb(ctx).topic_page(topic, limit=_limit(limit))
    from mfgkb import render

    if json_:
        render.print_json(
            {
                "topic": page.topic.to_dict(),
                "articles": [a.to_json() for a in page.articles],
                "total_articles": page.total_articles,
            }
        )
    else:
        render.show(render.topic_page(page), pager=pager)


@app.command()
def topics(ctx: typer.Context, json_: JsonOpt = False, pager: PagerOpt = False) -> None:
    """List every topic with its number of articles.

    Example: mfgkb topics
    """
    rows = _kb(ctx).topics()
    from mfgkb import render

    if json_:
        render.print_json([{**t.to_dict(), "article_count": n} for t, n in rows])
    else:
        render.show(render.topics_table(rows), pager=pager)


def _key_terms(values: list[str]) -> list[KeyTerm]:
    from mfgkb.models import KeyTerm

    out = []
    for raw in values:
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise UsageError(
                f"--term '{raw}' should be 'TERM|DEFINITION' or 'TERM|DEFINITION|TOPIC-SLUG'."
            )
        out.append(KeyTerm(parts[0], parts[1], parts[2] if len(parts) == 3 and parts[2] else None))
    return out


def _figures(values: list[str]) -> list[Figure]:
    from mfgkb.models import Figure

    out = []
    for raw in values:
        parts = [p.strip() for p in raw.split("|")]
        if not 2 <= len(parts) <= 4 or not parts[0] or not parts[1]:
            raise UsageError(
                f"--figure '{raw}' should be 'LABEL|VALUE', optionally '|YEAR' and '|SOURCE'."
            )
        year: int | None = None
        if len(parts) > 2 and parts[2]:
            if not (parts[2].isascii() and parts[2].isdigit()) or not 0 < int(parts[2]) < 10_000:
                raise UsageError(f"The year in --figure '{raw}' is not a year.")
            year = int(parts[2])
        out.append(
            Figure(parts[0], parts[1], year, parts[3] if len(parts) > 3 and parts[3] else None)
        )
    return out


AliasOpt = Annotated[list[str] | None, typer.Option("--alias", help="Another name (repeatable).")]
SummaryOpt = Annotated[str | None, typer.Option("--summary", help="Summary in Markdown.")]
SummaryFileOpt = Annotated[
    Path | None,
    typer.Option("--summary-file", help="Read the summary from a file; '-' reads standard input."),
]
TermOpt = Annotated[
    list[str] | None,
    typer.Option("--term", help="Key term 'TERM|DEFINITION[|TOPIC-SLUG]' (repeatable)."),
]
FigureOpt = Annotated[
    list[str] | None,
    typer.Option("--figure", help="Figure 'LABEL|VALUE[|YEAR[|SOURCE]]' (repeatable)."),
]
RelatedOpt = Annotated[
    list[str] | None, typer.Option("--related", help="Slug of a related topic (repeatable).")
]


@app.command("add-topic")
def add_topic(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option("--title", help="The topic's title.")] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", help="Stable id; default: made from the title.")
    ] = None,
    alias: AliasOpt = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    term: TermOpt = None,
    figure: FigureOpt = None,
    related: RelatedOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a topic. Every field has an option; a long summary can come from a file.

    Example: mfgkb add-topic --title "Additive manufacturing" --alias "3D printing"
    --related advanced-manufacturing --summary-file notes.md
    """
    from mfgkb.models import MAX_TITLE, Topic, clean_text, slugify

    title = _prompt_missing(
        title, "Title", "--title", lambda t: clean_text(t, "topic title", MAX_TITLE, required=True)
    )
    clean_text(title, "topic title", MAX_TITLE, required=True)  # its message before the slug's
    slug = slug or slugify(title)
    if not slug:
        raise UsageError(f"No slug can be made from the title {title!r}; give one with --slug.")
    topic = Topic(
        slug=slug,
        title=title,
        aliases=alias or [],
        summary=_read_text(summary, summary_file, "summary") or "",
        key_terms=_key_terms(term or []),
        figures=_figures(figure or []),
        related=related or [],
    )
    created = _kb(ctx).add_topic(topic)
    from mfgkb import render

    if json_:
        render.print_json(created.to_dict())
    else:
        render.message(f"Added topic {created.slug}.")


@app.command("edit-topic")
def edit_topic(
    ctx: typer.Context,
    topic: TopicArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Replace the aliases (repeatable).")
    ] = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    term: Annotated[
        list[str] | None,
        typer.Option(
            "--term", help="Replace the key terms: 'TERM|DEFINITION[|SLUG]' (repeatable)."
        ),
    ] = None,
    figure: Annotated[
        list[str] | None,
        typer.Option("--figure", help="Replace the figures: 'LABEL|VALUE[|YEAR[|SOURCE]]'."),
    ] = None,
    related: Annotated[
        list[str] | None, typer.Option("--related", help="Replace the related slugs (repeatable).")
    ] = None,
    editor: EditorOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Change a topic. Each option given replaces that field; others stay as they are.

    With --editor, the whole topic opens in $EDITOR as Markdown (the summary) with
    YAML front matter (the other fields); a bad edit is shown again rather than lost.

    Example: mfgkb edit-topic chips-act --alias "CHIPS and Science Act" --alias "US CHIPS Act"
    """
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if alias is not None:
        changes["aliases"] = alias
    text = _read_text(summary, summary_file, "summary")
    if text is not None:
        changes["summary"] = text
    if term is not None:
        changes["key_terms"] = _key_terms(term)
    if figure is not None:
        changes["figures"] = _figures(figure)
    if related is not None:
        changes["related"] = related
    kb = _kb(ctx)
    if editor:
        if changes:
            raise UsageError("--editor edits every field; give it without other options.")
        from mfgkb import editing

        slug = kb.resolve_topic(topic)
        current = kb.topic_page(slug, limit=1).topic
        edited = _edit_in_editor(
            editing.topic_document(current),
            lambda text: kb.edit_topic(slug, editing.topic_changes(text), expected=current),
        )
        if edited is None:
            return
        updated = edited
    else:
        if not changes:
            raise UsageError("Nothing to change; give at least one option, e.g. --title.")
        updated = kb.edit_topic(topic, changes)
    from mfgkb import render

    if json_:
        render.print_json(updated.to_dict())
    else:
        render.message(f"Updated topic {updated.slug}.")


# -- articles -----------------------------------------------------------------

AuthorsOpt = Annotated[list[str] | None, typer.Option("--author", help="An author (repeatable).")]
TopicsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", help="Slug of a topic to link (repeatable).", autocompletion=_complete_topic
    ),
]
TagsOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", help="A tag (repeatable).", autocompletion=_complete_tag),
]


@app.command("add-article")
def add_article(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option("--title", help="The article's title.")] = None,
    author: AuthorsOpt = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help="Publication date: 'October 10, 2025', 2025-10-10, '10 Oct 2025'."
        ),
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Web address (http or https).")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="A short description.")
    ] = None,
    topic: TopicsOpt = None,
    tag: TagsOpt = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Publication or site name.")
    ] = None,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Add an article and print its new id. At a terminal, asks for a missing title or date.

    A date without a year, or text that is not a date, is refused rather than guessed.
    A URL that is already stored (ignoring http/https, host case, a trailing slash and
    utm_* tracking parameters) is refused with the id of the article that has it.

    Example: mfgkb add-article --title "Is the US Still the Global Manufacturing Leader?"
    --author "Jedrik Hastings" --date "October 10, 2025" --topic advanced-manufacturing
    """
    from mfgkb.kb import article_draft
    from mfgkb.models import MAX_TITLE, clean_text

    title = _prompt_missing(
        title, "Title", "--title", lambda t: clean_text(t, "title", MAX_TITLE, required=True)
    )
    when = _prompt_missing(
        date_, "Publication date", "--date", lambda d: _date(d, dayfirst=dayfirst)
    )
    published = _date(when, dayfirst)
    draft = article_draft(
        title=title,
        published=published,
        authors=author or [],
        description=description or "",
        url=url,
        topics=topic or [],
        tags=tag or [],
        source=source or "",
    )
    stored = _kb(ctx).add_article(draft)
    from mfgkb import render

    if json_:
        render.print_json(stored.to_json())
    else:
        sys.stdout.write(f"{stored.id}\n")
        render.message(f"Added article {stored.id}.")


@app.command()
def articles(
    ctx: typer.Context,
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: SortOpt = Sort.published,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many; 0 for all.", min=0, max=MAX_INT)
    ] = 50,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List articles, newest first, filtered by topic, author, tag and date.

    Example: mfgkb articles --topic advanced-manufacturing --since 2025 --limit 20
    """
    filters = _filters(
        topic=topic, author=author, tag=tag, since=since, until=until, dayfirst=dayfirst
    )
    found, total = _kb(ctx).articles(filters, sort=sort.value, limit=_limit(limit))
    from mfgkb import render

    if json_:
        render.print_json([a.to_json() for a in found])
    else:
        render.show(render.articles_table(found, total), pager=pager)


IdArg = Annotated[
    int,
    typer.Argument(
        help="The article's id (see mfgkb articles).",
        autocompletion=_complete_id,
        min=1,
        max=MAX_INT,
    ),
]


@app.command()
def article(ctx: typer.Context, article_id: IdArg, json_: JsonOpt = False) -> None:
    """Show one article in full.

    Example: mfgkb article 1
    """
    found = _kb(ctx).article(article_id)
    from mfgkb import render

    if json_:
        render.print_json(found.to_json())
    else:
        render.show(render.article_detail(found))


@app.command("edit-article")
def edit_article(
    ctx: typer.Context,
    article_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="Replace the authors (repeatable).")
    ] = None,
    date_: Annotated[str | None, typer.Option("--date", help="New publication date.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="New URL; '' removes it.")] = None,
    description: Annotated[
        str | None, typer.Option("--description", help="New description.")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", help="Replace the topics (repeatable).")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Replace the tags (repeatable).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="New source.")] = None,
    editor: EditorOpt = False,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Change an article. Each option given replaces that field; others stay as they are.

    With --editor, the whole article opens in $EDITOR as Markdown with YAML front
    matter; a bad edit is shown again rather than lost.

    Example: mfgkb edit-article 1 --source "Industry Weekly" --tag policy --tag united-states
    """
    changes: dict[str, Any] = {}
    for name, value in (
        ("title", title),
        ("authors", author),
        ("url", url),
        ("description", description),
        ("topics", topic),
        ("tags", tag),
        ("source", source),
    ):
        if value is not None:
            changes[name] = value
    if date_ is not None:
        changes["published"] = _date(date_, dayfirst)
    kb = _kb(ctx)
    if editor:
        if changes:
            raise UsageError("--editor edits every field; give it without other options.")
        from mfgkb import editing

        current = kb.article(article_id)
        updated = _edit_in_editor(
            editing.article_document(current),
            # ``expected``: what the editor showed; another process's change
            # made meanwhile is refused rather than silently overwritten.
            lambda text: kb.edit_article(
                article_id, editing.article_changes(text, dayfirst=dayfirst), expected=current
            ),
        )
        if updated is None:
            return
    else:
        if not changes:
            raise UsageError("Nothing to change; give at least one option, e.g. --title.")
        updated = kb.edit_article(article_id, changes)
    from mfgkb import render

    if json_:
        render.print_json(updated.to_json())
    else:
        render.message(f"Updated article {updated.id}.")


@app.command("remove-article")
def remove_article(
    ctx: typer.Context,
    article_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete an article (after asking). Its id is never given to another article.

    Example: mfgkb remove-article 12 --yes
    """
    kb = _kb(ctx)
    if not yes:
        found = kb.article(article_id)
        if not sys.stdin.isatty():
            raise UsageError(f"Removing article {article_id} needs confirmation; add --yes.")
        if not _confirm(f"Remove article {article_id}, {printable(found.title)!r}?"):
            raise ValidationError(f"Article {article_id} was not removed: not confirmed.")
    removed = kb.remove_article(article_id)
    from mfgkb import render

    render.message(f"Removed article {removed.id}.")


def _link(ctx: typer.Context, article_id: int, topic: str, *, add: bool) -> None:
    updated = _kb(ctx).link(article_id, topic, add=add)
    from mfgkb import render

    render.message(
        f"Article {updated.id} is linked to: {', '.join(updated.topics) or 'no topics'}."
    )


@app.command()
def link(
    ctx: typer.Context,
    article_id: IdArg,
    topic: TopicArg,
) -> None:
    """Link an article to a topic.

    Example: mfgkb link 1 chips-act
    """
    _link(ctx, article_id, topic, add=True)


@app.command()
def unlink(
    ctx: typer.Context,
    article_id: IdArg,
    topic: TopicArg,
) -> None:
    """Remove the link between an article and a topic.

    Example: mfgkb unlink 1 chips-act
    """
    _link(ctx, article_id, topic, add=False)


def _import_dump(kb: KnowledgeBase, file: Path, *, dry_run: bool) -> bool:
    """Restore a full dump (``mfgkb export --format json``) into a new database.

    False when ``file`` is not a dump, so the caller imports it as records.
    """
    if file.suffix.lower() != ".json" or not file.is_file():
        return False
    import json

    from mfgkb.formats.dump import is_dump, undump

    try:
        with file.open("rb") as fh:
            if fh.read(4096).lstrip()[:1] != b"{":
                return False  # an array or JSON Lines: records, not a dump
        data = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return False  # the record importer says what is wrong with it
    except RecursionError:  # deeper than the parser goes: nothing mfgkb could store
        from mfgkb.models import MAX_DEPTH

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
        return False
    topics, articles, next_id = undump(data)
    del data
    from mfgkb import render

    kb.check_restorable()
    if dry_run:
        render.message(
            f"Would restore {len(topics)} topics and {len(articles)} articles into {kb.path}."
        )
        return True
    kb.restore_dump(topics, articles, next_id)
    render.message(f"Restored {len(topics)} topics and {len(articles)} articles into {kb.path}.")
    return True


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=formats.import_help())],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"File format: {formats.names(formats.readable())}; default: from the "
            "extension or content.",
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN: feed an article field (title, authors, published, description, "
            "url, topics, tags, source) from a column of the file (repeatable).",
        ),
    ] = None,
    topic: TopicsOpt = None,
    tag: TagsOpt = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Source for rows that name none.")
    ] = None,
    dayfirst: DayfirstOpt = False,
    approximate_dates: Annotated[
        bool,
        typer.Option(
            "--approximate-dates",
            help="Store a date that is only a year or a month (common in BibTeX) as its "
            "first day, tagged approximate-date, instead of refusing the row.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, but write nothing.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Import articles from a file, in one write; duplicates and bad rows are skipped.

    Columns named like the fields (or title/headline, url/link, date, authors,
    description/short_description, ...) are used as they are; --map names others.
    Author lists such as "Rebecca Santana and Kevin McGill, AP" are split into
    names, and a wire-service credit (AP, Reuters, ...) becomes the source.
    A URL already stored, or seen earlier in the file, is a duplicate.

    Example: mfgkb import news.jsonl --map title=headline --map description=short_description
    --map url=link --map authors=authors --map published=date
    """
    from mfgkb import render
    from mfgkb.formats.reading import read_rows
    from mfgkb.importer import RowConverter, count_lines, parse_mapping, parse_rows

    if format_ is not None:
        formats.by_name(format_, "import")  # a usage error before any reading
    kb = _kb(ctx)
    kb.read_only = dry_run
    if _import_dump(kb, file, dry_run=dry_run):
        return
    # An unknown --topic would make every row invalid: refuse it before reading.
    topics = [kb.resolve_topic(t) for t in topic or []]
    converter = RowConverter(
        parse_mapping(map_ or []),
        dayfirst=dayfirst,
        topics=topics,
        tags=tag,
        source=source,
        approximate_dates=approximate_dates,
    )
    rows = read_rows(file, format_)
    with render.progress("Reading", lambda: count_lines(file)) as advance:
        parsed = parse_rows(rows, converter, advance)
    with render.status("Saving and indexing…"):
        report = kb.import_articles(parsed.drafts, invalid=parsed.invalid, dry_run=dry_run)
    nothing = not report.added and not report.duplicates  # not one row could be used
    if json_:
        render.print_json(
            {
                "added": len(report.added),
                "ids": [a.id for a in report.added] if not dry_run else [],
                "duplicates": [{"line": n, "reason": r} for n, r in report.duplicates],
                "invalid": [{"line": n, "reason": r} for n, r in report.invalid],
                "dry_run": dry_run,
            }
        )
    elif not nothing:
        render.show(render.import_report(report))
    if nothing:  # a script should notice, and a person needs the reason, not a zero
        if not report.invalid:
            raise ImportFileError(f"{file} holds no articles; check that it is the file meant.")
        line, reason = report.invalid[0]
        some = "row is" if len(report.invalid) == 1 else f"{len(report.invalid):,} rows are"
        raise ImportFileError(
            f"Nothing in {file} could be imported: its {some} invalid. Line {line}: "
            f"{reason[:1].upper()}{reason[1:].rstrip('.')}. "
            "Fix the rows, or name the columns with --map or the format with --format."
        )


# -- search -------------------------------------------------------------------


# "-word" excludes a word: let unknown dash-words through as query words, and
# keep only --help, or "-house" would be read as -h -o -u -s -e.
@app.command(context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(help="What to look for.", show_default=False, callback=_typed_text),
    ],
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="Only topics or only articles.")
    ] = None,
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many results.", min=1, max=MAX_INT)
    ] = 10,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """Search topics and articles, best match first.

    Topics are searched in their title, slug, aliases, key terms and summary;
    articles in their title, description, authors, tags and source. Case and
    accents are ignored and words are stemmed (manufacturer finds manufacturing).
    Results with all the words come before those with only some.

    \b
    Query syntax:
      word word      both words (results with only some come after)
      "a phrase"     the words next to each other, in this order
      manufact*      any word that starts with "manufact"
      -word          leave out results with this word
    The article filters (--topic, --author, --tag, --since, --until) leave out topics.

    Example: mfgkb search chips act --limit 5
    """
    filters = _filters(
        topic=topic, author=author, tag=tag, since=since, until=until, dayfirst=dayfirst, kind=kind
    )
    if limit < 1:
        raise UsageError("--limit must be 1 or more.")
    result = _kb(ctx).search(" ".join(words), filters, limit)
    from mfgkb import render

    if json_:
        render.print_json(
            [
                {
                    "kind": h.kind,
                    ("slug" if h.kind == "topic" else "id"): h.ref
                    if h.kind == "topic"
                    else int(h.ref),
                    "title": h.title,
                    "score": round(h.score, 4),
                    "field": h.field,
                    "snippet": h.snippet,
                    "highlights": [list(s) for s in h.spans],
                    "matched_all": h.matched_all,
                }
                for h in result.hits
            ]
        )
        if not result.hits and result.suggestions:
            render.message(f"No results; did you mean: {', '.join(result.suggestions)}?")
    else:
        render.show(render.search_results(result), pager=pager)


@app.command("open")
def open_(ctx: typer.Context, article_id: IdArg) -> None:
    """Open an article's URL in the web browser.

    Example: mfgkb open 12
    """
    found = _kb(ctx).article(article_id)
    if not found.url:
        raise NotFoundError(
            f"Article {article_id} has no URL; add one with: mfgkb edit-article "
            f"{article_id} --url https://..."
        )
    import webbrowser

    from mfgkb.models import validate_url

    url = validate_url(found.url)  # a hand edit could have put anything there
    if not webbrowser.open(url):
        raise MfgkbError(f"No web browser could be started; open {url} yourself.")


@app.command()
def stats(ctx: typer.Context, json_: JsonOpt = False, pager: PagerOpt = False) -> None:
    """Counts, articles per year and per topic, top authors, sources and tags.

    Example: mfgkb stats
    """
    result = _kb(ctx).stats()
    from mfgkb import render

    if json_:
        render.print_json(result._asdict())
    else:
        render.show(render.stats_view(result), pager=pager)


@app.command()
def export(
    ctx: typer.Context,
    format_: Annotated[str, typer.Option("--format", help=formats.export_help())] = "json",
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: SortOpt = Sort.published,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many; 0 for all.", min=0, max=MAX_INT)
    ] = 0,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    dayfirst: DayfirstOpt = False,
) -> None:
    """Write the knowledge base, or some of its articles, or a topic page, to a file.

    The json dump holds everything and is read back by import into a new database,
    giving the same file. jsonl, csv and bibtex take the same filters as articles.
    markdown writes the topic page of --topic as a document to publish; the other
    filters, --sort and --limit choose its articles.

    Example: mfgkb export --format markdown --topic advanced-manufacturing -o am.md
    """
    from dataclasses import replace

    fmt = formats.by_name(format_, "export")
    kb = _kb(ctx)
    filters = _filters(
        topic=topic, author=author, tag=tag, since=since, until=until, dayfirst=dayfirst
    )
    subject: Any
    if fmt.writes == "everything":
        if any(v is not None for v in (topic, author, tag, since, until)) or limit:
            filtered = [f.name for f in formats.writable() if f.writes == "articles"]
            raise UsageError(
                f"The {fmt.name} dump is always complete; filters go with {', '.join(filtered)}."
            )
        subject = kb.everything()
    elif fmt.writes == "page":
        if not topic:
            raise UsageError(f"--format {fmt.name} writes one topic page; name it with --topic.")
        if len(set(topic)) > 1:
            raise UsageError(f"--format {fmt.name} writes one topic page; give one --topic.")
        # The page's own parts, with the article list the filters and --sort give.
        page = kb.topic_page(topic[0], limit=1)
        found, total = kb.articles(filters, sort=sort.value, limit=_limit(limit))
        subject = replace(page, articles=found, total_articles=total)
    else:
        subject, _ = kb.articles(filters, sort=sort.value, limit=_limit(limit))
    buffer = io.StringIO()
    fmt.write(subject, buffer)
    text = buffer.getvalue()
    _write_out(text if output is not None else _for_stdout(text, fmt.json_text), output, kb.path)


def _for_stdout(text: str, json_text: bool) -> str:
    """Export text as it may go to standard output: no control sequences at a terminal.

    JSON escapes control and format characters as ``\\uXXXX``, which is the
    same data, so json and jsonl are escaped wherever they go. Escaping CSV,
    BibTeX or Markdown would change the data: they are escaped only when
    standard output is a terminal, and a pipe or a file gets them as they are.
    """
    from mfgkb.models import json_printable

    if json_text:
        return json_printable(text)
    return printable(text, multiline=True) if sys.stdout.isatty() else text


def _write_out(text: str, output: Path | None, db: Path | None = None) -> None:
    """Text to standard output, or to a file (atomically) or a pipe or device (see write_export)."""
    if output is None:
        sys.stdout.write(text)
        return
    from mfgkb.storage.files import write_export

    target = output.expanduser()
    if target.is_dir() or not target.name:
        raise UsageError(f"{target} is a folder; give a file name, e.g. {target / 'export.txt'}.")
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist; create it first.")
    if db is not None and _same_data(target, db):
        raise UsageError(f"{target} is the database or one of its files; write elsewhere.")
    if not write_export(target, text, on_terminal=lambda t: printable(t, multiline=True)):
        return  # into a pipe, a device or a socket: nothing to announce
    from mfgkb import render

    render.message(f"Wrote {target}.")


def _same_data(target: Path, db: Path) -> bool:
    """Is ``target`` the database, its index, lock or one of its backups (however spelt)?"""
    from mfgkb.storage.files import is_own_file

    return is_own_file(target, db)


# -- your data ---------------------------------------------------------------


@app.command()
def check(
    ctx: typer.Context,
    fix: Annotated[
        bool, typer.Option("--fix", help="Repair what can be repaired safely, after a backup.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Verify the database: JSON, schema, ids, topic links, URLs, dates, index.

    Exits 0 when nothing is wrong (or everything was repaired), 1 otherwise.
    --fix removes links to missing topics, raises a too-low id counter, deletes
    temporary files left by interrupted writes and rebuilds a stale index.

    Example: mfgkb check --fix
    """
    kb = _kb(ctx)
    report = kb.check(fix=fix)
    from mfgkb import render

    if json_:
        render.print_json(
            {
                "path": str(kb.path),
                "problems": [
                    {"where": p.where, "message": p.message, "fixable": p.fixable}
                    for p in report.problems
                ],
                "fixed": report.fixed,
                "remaining": len(report.remaining),
            }
        )
    else:
        render.show(render.check_report(report, str(kb.path)))
    if report.remaining:
        raise typer.Exit(1)


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="File or folder to copy the database to; omit to list backups."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace PATH if it is an existing file.")
    ] = False,
) -> None:
    """Copy the database to PATH, or list the automatic backups.

    Before each change mfgkb keeps the previous file as <db>.1, shifting older
    ones to <db>.2 and <db>.3. A copy into a folder gets a name of its own,
    kb-YYYYMMDD-HHMMSS.json; an existing file is replaced only with --force.

    Example: mfgkb backup ~/Documents/mfgkb-2025-11-25.json
    """
    kb = _kb(ctx)
    from mfgkb import render

    if path is None:
        render.show(render.backups_table(kb.backups()))
        return
    dest = kb.backup_to(path.expanduser(), force=force)
    render.message(f"Copied {kb.path} to {dest}.")


@app.command()
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup: <db>.1, or a file made by backup.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup. The current file is kept as <db>.1.

    Example: mfgkb restore ~/.local/share/mfgkb/kb.json.1
    """
    kb = _kb(ctx)

    def asked() -> bool:  # once the file is known to be restorable
        if not sys.stdin.isatty():
            raise UsageError(f"Restoring from {path} needs confirmation; add --yes.")
        return _confirm(f"Replace {kb.path} with {path}?")

    if not kb.restore_from(path.expanduser(), None if yes else asked):
        raise ValidationError(f"{kb.path} was not restored: not confirmed.")
    from mfgkb import render

    render.message(f"Restored {kb.path} from {path}; the previous file is {kb.path}.1.")


def _command_named(argv: list[str]) -> str | None:
    """The subcommand on a command line, skipping the global options before it."""
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif arg.startswith("--db="):
            continue
        elif arg.startswith("-"):
            return None  # --help, --version, an unknown option: the whole app answers
        else:
            return arg
    return None


def _app_for(name: str | None) -> typer.Typer:
    """An app holding only the command about to run (or the whole app).

    Typer turns every registered command into a Click command, with a Pydantic
    adapter per option, before it runs one: for sixteen commands that is
    20-odd milliseconds of every run. The command itself is the same object.
    """
    if name is None:
        return app
    infos = [
        c
        for c in app.registered_commands
        # Typer's own rule for a command without a name: the function's, dashed.
        if (c.name or getattr(c.callback, "__name__", "").lower().replace("_", "-")) == name
    ]
    if len(infos) != 1:
        return app  # unknown or ambiguous: let the whole app say so
    only = typer.Typer(**_APP_SETTINGS)
    only.registered_callback = app.registered_callback
    only.registered_commands = infos
    return only


def main() -> None:
    """Console-script entry point."""
    _handle_sigint(_exit_on_sigint)  # already, if run as mfgkb; again for any other name
    _prepare_stdio()
    try:
        _app_for(_command_named(sys.argv[1:]))(prog_name="mfgkb")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    except OutputError as err:  # Click's own output (--help) goes straight to stdout
        code = _output_failed_code(err)
    if code == 130 and not _told:
        # A Ctrl-C that Typer caught (a second one, while the first was being
        # reported): it exits 130 without a word.
        sys.stderr.write(f"mfgkb: {_interrupted_message()}\n")
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OutputError as err:
        if not _told:
            code = _output_failed_code(err)
    # ValueError: stderr closed after a broken pipe (see _Group.invoke), which
    # would end the process with 120 and "lost sys.stderr" instead of 0.
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    # Everything is written and closed by now (database, index, lock). Leave
    # without freeing the loaded database object by object, which takes tens
    # of milliseconds at 100k articles; the OS reclaims the memory at once.
    os._exit(code)
