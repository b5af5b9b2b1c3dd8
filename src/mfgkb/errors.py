"""The errors mfgkb raises on purpose.

Every error carries a complete sentence for the user that names the problem and
the fix. The CLI turns them into one line on stderr and an exit code; nothing
below the CLI prints or exits.
"""

from __future__ import annotations


class MfgkbError(Exception):
    """Base class: a problem the user can act on. ``str(err)`` is the message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(MfgkbError):
    """The command line itself is wrong (a missing required option, say)."""

    exit_code = 2


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
