"""Ctrl-C while a command runs, including one that Python itself swallows.

While a command runs, Ctrl-C raises KeyboardInterrupt so that a write can clean
up. But a signal handler runs wherever the main thread happens to be, and if
that is a weakref callback or a destructor (the import system runs some),
Python prints "Exception ignored in ..." and drops the exception: the command
would go on as if nothing had been pressed, and could wait for a lock for a
long time. So the handler also leaves a mark; long waits (the database lock)
call :func:`check`, and the edge (mfgkb.edge) reports a marked run as
interrupted however it ended. Python's "Exception ignored" report of that
KeyboardInterrupt (a traceback on stderr) is silenced by :func:`quiet_hook`,
so the edge's one line is all the user sees.
"""

from __future__ import annotations

import sys
from typing import Any

pending = False  # Ctrl-C was pressed during this command
_deferred = 0  # inside that many ``deferred()`` blocks


def handler(signum: int, frame: object) -> None:
    """The command-time SIGINT handler: mark, then raise where the program is."""
    global pending
    pending = True
    if not _deferred:
        raise KeyboardInterrupt


class deferred:
    """A block that Ctrl-C does not cut short: it is raised when the block ends.

    For code that cannot take an exception at any instruction: orjson's
    module set-up (Rust) crashed the process with a segmentation fault when
    KeyboardInterrupt was raised in the Python it calls while importing.
    """

    def __enter__(self) -> None:
        global _deferred
        _deferred += 1

    def __exit__(self, *exc: object) -> None:
        global _deferred
        _deferred -= 1
        if not _deferred and exc[0] is None:
            check()


def quiet_hook(unraisable: Any) -> None:
    """``sys.unraisablehook`` while a command runs: a swallowed Ctrl-C says nothing.

    :func:`handler` has marked it already, and the edge reports it in one line;
    anything else Python could not raise is reported as Python would.
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed and the exception got lost."""
    if pending:
        raise KeyboardInterrupt


def reset() -> None:
    global pending
    pending = False
