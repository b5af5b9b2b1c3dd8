"""The command line's root: the Typer app, its global options, the command table, ``main``.

Commands live one group to a module (``topics``, ``articles``, ``reading``,
``transfer``, ``care``) as plain functions; :data:`COMMANDS` names them, and
an app is built holding only the command about to run, so a run imports one
group's module and Typer builds one command; ``mfgkb --help`` lists them
from a table of summaries (:func:`listing_app`) instead of building them all.
(So the command modules import little at the top: an unknown command builds
the whole app, which imports them all.) Each command parses its options,
calls the knowledge base, and hands the result object to ``mfgkb.views``.
Errors raised below become one line on stderr and an exit code at the edge,
``mfgkb.edge.Command``, which ``_Group.invoke`` wraps around every command;
Click's usage errors, the root's own (``_Group.parse_args``) and a command's,
become the same one line.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _completion_classes

# Typer 0.28 and 0.29 both vendor Click as typer._click (neither needs the click
# package); its UsageError is what a bad option value raises.
from typer._click.core import ParameterSource
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperCommand, TyperGroup

from mfgkb import __version__, edge
from mfgkb.cli.completion import SHELL_KEY, completion_shell, install_completion, show_completion
from mfgkb.cli.context import State
from mfgkb.errors import UsageError

# -- Ctrl-C, from the first instruction to the last -----------------------------
# Until a command runs and once it has ended, Ctrl-C ends the process at once
# with the one line saying whether anything was saved (mfgkb/__init__.py does
# the same from the very start, while Typer loads). While a command runs it
# raises KeyboardInterrupt instead, so a write can clean up after itself;
# edge.Command turns that into the same line. Neither Typer nor Click ever
# sees it: they would exit 130 silently, or 1 with "Aborted!".


def _usage_line(err: ClickUsageError) -> str:
    """Click's usage error as our one line; the hint names the help of the command it is about."""
    name = err.ctx.command_path if err.ctx else "mfgkb"
    # Typer 0.29 checks values with pydantic, whose messages start "Value error, ".
    message = err.format_message().replace("Value error, ", "")
    return with_hint(message, name)


def with_hint(message: str, name: str) -> str:
    """A usage error's line, ending with the help to read (once)."""
    # A message may already name the help to read: the root's, for a bad --db.
    _, sep, tail = message.rpartition("(see: mfgkb")
    hinted = bool(sep) and tail.endswith(" --help)") and "(" not in tail
    return message if hinted else f"{message} (see: {name} --help)"


class _Command(TyperCommand):
    """A command in the house style (cli.options.house_style), whose usage errors name it."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except UsageError as err:
            # Our own usage errors (a missing --yes, --title, a bad --since) end
            # with the hint as Click's do (_usage_line).
            raise UsageError(with_hint(err.message, ctx.command_path)) from None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Imported here: mfgkb --help builds no command and imports no options.
        from mfgkb.cli.options import house_style

        house_style(self.params)

    def get_help_option(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        option = super().get_help_option(ctx)
        if option is not None and "-h" not in option.opts:
            # search takes only --help (see _SEARCH_SETTINGS) but a lone -h is
            # help too (parse_args): its --help says so as the others' do.
            record = option.get_help_record

            def with_h(c: Any) -> Any:
                found = record(c)
                return None if found is None else ("-h, --help", found[1])

            option.get_help_record = with_h  # type: ignore[method-assign,assignment]
        return option

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        # "mfgkb link [OPTIONS] ID TOPIC", not Typer's "{article_id} {topic}".
        pieces = [self.options_metavar or "[OPTIONS]"]
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                piece = param.metavar or (param.name or "").upper()
                piece += "..." if param.nargs != 1 else ""
                pieces.append(piece if param.required else f"[{piece}]")
        return pieces

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if "-h" not in ctx.help_option_names and "-h" in args:
            # search keeps only --help (see _SEARCH_SETTINGS), so that "-house"
            # is a word to leave out; "-h" on its own (before a "--") is still
            # a request for help, not a search for "-h".
            end = args.index("--") if "--" in args else len(args)
            args = [*("--help" if a == "-h" else a for a in args[:end]), *args[end:]]
        given = list(args)  # Click's parser consumes the list it is handed
        if ctx.ignore_unknown_options:
            # search lets unknown dash-words through as words to leave out, so
            # Click would search for "--db" and its path: refuse them as every
            # other command does.
            end = args.index("--") if "--" in args else len(args)
            for arg in args[:end]:
                name = arg.partition("=")[0] if arg.startswith("--db=") else arg
                if name in _ROOT_OPTIONS:
                    raise UsageError(_misplaced_line(name, ctx.command_path, given))
        try:
            return list(super().parse_args(ctx, args))
        except NoSuchOption as err:
            if err.option_name in _ROOT_OPTIONS:
                line = _misplaced_line(err.option_name, ctx.command_path, given)
                raise UsageError(line) from None
            if err.ctx is None:
                err.ctx = ctx
            raise
        except ClickUsageError as err:
            # Click's parser raises some (an option missing its value) without
            # a context, and the line would send the user to mfgkb --help.
            if err.ctx is None:
                err.ctx = ctx
            raise


# The root's options a command does not take: given after it, the line says where they go.
_ROOT_OPTIONS = ("--db", "--version")


def _misplaced_line(option: str, command_path: str, args: list[str]) -> str:
    """:func:`_misplaced` with the command's help hint, as its other usage errors have."""
    return with_hint(_misplaced(option, command_path, args), command_path)


def _misplaced(option: str, command_path: str, args: list[str]) -> str:
    """``mfgkb topics --db x``: the one line that shows the command line meant."""
    import shlex

    if option == "--version":
        return "No such option: --version; --version goes before the command: mfgkb --version"
    end = args.index("--") if "--" in args else len(args)
    rest, value, i = [], "FILE", 0
    while i < len(args):
        arg = args[i]
        if i < end and arg == "--db":
            if i + 1 < len(args):
                value = shlex.quote(args[i + 1])
            i += 2
            continue
        if i < end and arg.startswith("--db="):
            value = shlex.quote(arg[len("--db=") :])
        else:
            rest.append(shlex.quote(arg))
        i += 1
    root, _, command = command_path.partition(" ")
    meant = " ".join([root, "--db", value, command, *rest])
    return f"No such option: --db; --db goes before the command: {meant}"


_DB_TEXT = "mfgkb.db_text"  # ctx.meta: the --db value as typed (Click's Path("") is ".")


def _db_text(args: list[str]) -> str | None:
    """The last --db value before the command, as typed; None without one."""
    text = None
    rest = iter(args)
    for arg in rest:
        if arg == "--db":
            text = next(rest, None)
        elif arg.startswith("--db="):
            text = arg[len("--db=") :]
        elif not arg.startswith("-"):
            break  # the command: what follows is its own
    return text


class _Group(TyperGroup):
    """Runs every command inside the error edge (``edge.Command``)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        # The shell after --show-completion / --install-completion is theirs,
        # not a command name: take it out before Click parses the flags.
        args, shell = completion_shell(args)
        if shell is not None:
            ctx.meta[SHELL_KEY] = shell
        ctx.meta[_DB_TEXT] = _db_text(args)
        try:
            return list(super().parse_args(ctx, args))
        except NoArgsIsHelpError:
            raise  # a bare `mfgkb`: Click prints the help, as asked for
        except ClickUsageError as err:
            # `mfgkb --bogus`, `mfgkb --db` with no value: the root's own
            # options are parsed before any command runs, outside edge.Command,
            # where Click would print its usage block and a bare "Error:".
            raise typer.Exit(edge.say(_usage_line(err), edge.Exit.USAGE)) from None

    # Click's Context is what arrives; typer.Context is its subclass, close enough here.
    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        result = None
        with edge.Command() as run:
            try:
                result = super().invoke(ctx)
            except ClickUsageError as err:
                # One line instead of Click's usage block; the hint names the help.
                raise UsageError(_usage_line(err)) from None
            except typer.Abort:
                # Ctrl-C or the end of input at a prompt of Click's, which it
                # would answer with "Aborted!" and exit 1.
                raise KeyboardInterrupt from None
        if run.code != edge.Exit.OK:
            raise typer.Exit(run.code)
        return result


_APP_SETTINGS: dict[str, Any] = {
    "cls": _Group,
    # Typer's own completion options only detect the shell; ours take its name.
    "add_completion": False,
    "help": "A knowledge base for advanced manufacturing: topics, articles, ranked search.\n\n"
    "\b\nExample: mfgkb show advanced-manufacturing",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
# Typer registers the shells' completion classes only with its own completion
# options; the shell's Tab requests (_MFGKB_COMPLETE=complete_zsh) need them.
# (typer.main has imported the module already: this costs nothing.)
_completion_classes.completion_init()


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"mfgkb {__version__}\n")
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="MFGKB_DB",
            metavar="FILE",
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
            callback=install_completion,
            is_eager=True,
            help="Install completion for a shell: bash, zsh, fish or powershell "
            "(default: the current shell), e.g. --install-completion zsh.",
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            callback=show_completion,
            is_eager=True,
            help="Print the completion script for a shell (default: the current shell), "
            "to copy it or customize the installation.",
        ),
    ] = False,
) -> None:
    """A knowledge base for advanced manufacturing: topics, articles, ranked search.

    \b
    Example: mfgkb show advanced-manufacturing
    """
    ctx.obj = State(
        db,
        db_from_env=ctx.get_parameter_source("db") is ParameterSource.ENVIRONMENT,
        db_empty=ctx.meta.get(_DB_TEXT) == "",
    )


# Every command, in the order --help lists them: name -> (module in mfgkb.cli,
# function, Click context settings).
# Click reads this variable for the shell's Tab requests (--help's words among them).
_COMPLETE_VAR = "_MFGKB_COMPLETE"  # also in quicksearch, which must not import this module
_SEARCH_SETTINGS = {
    # "-word" excludes a word: let unknown dash-words through as query words, and
    # keep only --help, or "-house" would be read as -h -o -u -s -e. (A lone
    # "-h" is still help: _Command.parse_args.)
    "ignore_unknown_options": True,
    "help_option_names": ["--help"],
}
COMMANDS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "show": ("topics", "show", None),
    "topics": ("topics", "topics", None),
    "add-topic": ("topics", "add_topic", None),
    "edit-topic": ("topics", "edit_topic", None),
    "rename-topic": ("topic_life", "rename_topic", None),
    "merge-topics": ("topic_life", "merge_topics", None),
    "remove-topic": ("topic_life", "remove_topic", None),
    "add-article": ("articles", "add_article", None),
    "articles": ("articles", "articles", None),
    "article": ("articles", "article", None),
    "edit-article": ("articles", "edit_article", None),
    "remove-article": ("articles", "remove_article", None),
    "link": ("articles", "link", None),
    "unlink": ("articles", "unlink", None),
    "import": ("transfer", "import_", None),
    "search": ("reading", "search", _SEARCH_SETTINGS),
    "open": ("articles", "open_", None),
    "stats": ("reading", "stats", None),
    "tags": ("counts", "tags", None),
    "authors": ("counts", "authors", None),
    "sources": ("counts", "sources", None),
    "export": ("transfer", "export", None),
    "check": ("care", "check", None),
    "where": ("care", "where", None),
    "backup": ("care", "backup", None),
    "restore": ("care", "restore", None),
}


# What --help says of each command: the first paragraph of its docstring, here
# so that --help need not import and build every command (a test checks both
# agree, and that the two apps print the same help).
SUMMARIES: dict[str, str] = {
    "show": "Show a topic page: summary, key terms, figures, related topics, newest articles.",
    "topics": "List every topic with its number of articles.",
    "add-topic": "Add a topic. Every field has an option; a long summary can come from a file.",
    "edit-topic": "Change a topic. Each option given replaces that field; others stay as they are.",
    "rename-topic": "Rename a topic's slug, everywhere.",
    "merge-topics": "Merge one topic into another.",
    "remove-topic": "Remove a topic (after asking). Its articles stay, without the link to it.",
    "add-article": "Add an article and print its new id. "
    "At a terminal, asks for a missing title or date.",
    "articles": "List articles, newest first, filtered by topic, author, tag, source and date.",
    "article": "Show one article in full.",
    "edit-article": "Change an article. "
    "Each option given replaces that field; others stay as they are.",
    "remove-article": "Delete an article (after asking). Its id is never given to another article.",
    "link": "Link an article to a topic.",
    "unlink": "Remove the link between an article and a topic.",
    "import": "Import articles from a file, in one write; duplicates and bad rows are skipped.",
    "search": "Search topics and articles, best match first.",
    "open": "Open an article's URL in the web browser.",
    "stats": "Counts, articles per year and per topic, top authors, sources and tags.",
    "tags": "List every tag with its number of articles, the most used first.",
    "authors": "List every author with their number of articles, the most first.",
    "sources": "List every source with its number of articles, the most first.",
    "export": "Write the knowledge base, or some of its articles, or a topic page, to a file.",
    "check": "Verify the database: JSON, schema, ids, topic links, URLs, dates, index.",
    "where": "Show where the database is: its file, size, contents, index and backups.",
    "backup": "Copy the database to PATH, or list the automatic backups.",
    "restore": "Replace the database with a backup. The current file is kept as DB.1.",
}


def short_help(name: str) -> str:
    """What ``mfgkb --help`` lists for a command: its summary's first sentence, up to a colon.

    Given to Click, which would otherwise cut a long one at 45 characters,
    mid-phrase ("related...").
    """
    first = SUMMARIES[name].split(". ")[0].rstrip(".")
    return first.split(":")[0].split(";")[0]


def build(names: list[str]) -> typer.Typer:
    """An app with the root options and the commands ``names``, importing only their modules."""
    built = typer.Typer(**_APP_SETTINGS)
    built.callback()(_root)
    for name in names:
        module, function, settings = COMMANDS[name]
        callback = getattr(importlib.import_module(f"mfgkb.cli.{module}"), function)
        built.command(name, cls=_Command, context_settings=settings, short_help=short_help(name))(
            callback
        )
    return built


_whole: typer.Typer | None = None


def whole_app() -> typer.Typer:
    """The app with every command (--help, an unknown command, the tests)."""
    global _whole
    if _whole is None:
        _whole = build(list(COMMANDS))
    return _whole


def listing_app() -> typer.Typer:
    """The app that answers ``mfgkb --help``: the root and every command's summary.

    None of the commands is imported or built (for nineteen commands Typer's
    building is most of what --help costs); the help it prints is the whole
    app's. Only a command line that asks for the root's help gets it, so a
    listed command is never run.
    """
    built = typer.Typer(**_APP_SETTINGS)
    built.callback()(_root)
    for name in COMMANDS:
        built.command(name, help=SUMMARIES[name], short_help=short_help(name))(_listed)
    return built


def _listed() -> None:
    # Not reachable: listing_app serves only command lines that end in the root's help.
    raise AssertionError("a listed command was run")


def asks_for_help(argv: list[str], environ: Any) -> bool:
    """Whether ``argv`` asks for the root's help: nothing but --db before -h/--help, or nothing.

    Not during the shell's Tab requests (their words come in the environment).
    """
    if _COMPLETE_VAR in environ:
        return False
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif not arg.startswith("--db="):
            return arg in ("-h", "--help")
    return True


def command_named(argv: list[str]) -> str | None:
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


def app_for(name: str | None) -> typer.Typer:
    """An app holding only the command about to run (or the whole app).

    Typer turns every registered command into a Click command before it runs
    one, and each group's module has its imports: for nineteen commands that is
    20-odd milliseconds of every run. The command itself is the same function.
    """
    if name not in COMMANDS:
        return whole_app()  # unknown, or none: let the whole app say so
    return build([name])


def main() -> None:
    """The full app's entry point (mfgkb.startup.main sends every other command line here)."""
    edge.run(lambda: _run(sys.argv[1:]))


def _run(argv: list[str]) -> int:
    chosen = listing_app() if asks_for_help(argv, os.environ) else app_for(command_named(argv))
    chosen(args=argv, prog_name="mfgkb")
    return edge.Exit.OK
