"""The errors mfgkb raises on purpose.

Every error carries a complete sentence for the user that names the problem and
the fix. The CLI turns them into one line on stderr and an exit code (``Exit``,
here so that the errors and the edge, mfgkb.edge, share it); nothing below the
CLI prints or exits.
"""

from __future__ import annotations


class Exit:
    """Exit codes, one meaning each (plain ints: an IntEnum would cost start-up time)."""

    OK = 0
    ERROR = 1  # a problem with the data or the input; the message says which
    USAGE = 2  # the command line itself is wrong
    INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT


class MfgkbError(Exception):
    """Base class: a problem the user can act on. ``str(err)`` is the message."""

    exit_code = Exit.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(MfgkbError):
    """The command line itself is wrong (a missing required option, say)."""

    exit_code = Exit.USAGE


class ValidationError(MfgkbError):
    """A value the user gave is not acceptable (empty title, bad URL, bad slug)."""


class DateError(ValidationError):
    """A date could not be read, or was missing its year or day."""


class NotFoundError(MfgkbError):
    """An unknown topic, article id or file."""


class DuplicateError(MfgkbError):
    """The record would duplicate one already stored (a URL, a topic slug)."""


class DatabaseError(MfgkbError):
    """The database file cannot be used: corrupt, unreadable, newer schema, locked."""


class ImportFileError(MfgkbError):
    """An import file cannot be read at all (as opposed to single bad rows)."""


def db_is_empty() -> UsageError:
    """The refusal of ``--db ""`` (which a path would read as ".", the current folder).

    A bad value of a root option, so a usage error whose hint is the root's
    help, whichever command follows (mfgkb.cli.root.with_hint keeps it). An
    empty $MFGKB_DB never gets here: Click, and mfgkb.quicksearch with it,
    take it for unset and use the default database.
    """
    return UsageError("--db is empty; give a database file path, e.g. kb.json. (see: mfgkb --help)")


def db_is_a_directory(given: str, suggestion: str, *, from_env: bool) -> ValidationError:
    """The refusal of a database path that is a folder, naming where it came from.

    One wording for both ways a search runs (mfgkb.cli and mfgkb.quicksearch).
    """
    where = f"MFGKB_DB={given}" if from_env else f"--db {given}"
    fix = "set it to a file path" if from_env else "give a file path"
    return ValidationError(
        f"{where} is a directory, not a database file; {fix}, e.g. {suggestion}."
    )


def missing_folder(folder: object, *, alternative: str = "") -> NotFoundError:
    """The refusal of a path whose folder does not exist, with the mkdir that creates it.

    Exit 1, not 2: the command line is fine, the folder is not. One wording for
    backup PATH and export -o (and the --db check in storage may share it).
    """
    also = f" or {alternative}" if alternative else ""
    return NotFoundError(
        f"The folder {folder} does not exist; create it (mkdir -p {folder}){also}."
    )
