"""The error edge: how every run of mfgkb ends, whichever path ran it.

* :class:`Command` is one command's run: the cyclic GC off, Ctrl-C raised as
  KeyboardInterrupt so that a write can clean up, and every error of ours turned
  into one line on stderr and an :class:`Exit` code.
* :func:`run` prepares the standard streams, sets the Ctrl-C answer for the
  time before and after a command, and leaves the process with the code.

Both the search fast path (mfgkb.quicksearch) and the full app (mfgkb.cli)
run inside these, so the wording of an error, of Ctrl-C ("saved" or "nothing
saved") and of a lost output is the same whichever ran. Every command pays for
this module's imports: keep them to a few small ones (no ``signal``, ``enum``
or ``contextlib``).
"""

from __future__ import annotations

# _signal, not signal: loaded by Python itself, while signal builds enums (see
# mfgkb/__init__.py).
import _signal  # type: ignore[import-not-found]
import gc
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from mfgkb import interrupts
from mfgkb.errors import Exit as Exit  # the exit codes, also as edge.Exit

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from mfgkb.kb.lifecycle import Lifecycle


INTERRUPTED_SAVED = "Interrupted after the changes were saved."

_kb: Lifecycle | None = None  # the running command's, for Ctrl-C's wording
_wrote = False  # the last command, now ended, wrote the database
_told = False  # the one final line (an error or an interrupt) is written


def watch(kb: Lifecycle) -> None:
    """Note the knowledge base the running command works on.

    When the command ends, :class:`Command` prints its warnings and closes it;
    until then, a Ctrl-C's line asks it whether anything was saved.
    """
    global _kb
    _kb = kb


def saved() -> bool:
    """Has the running command written the database?"""
    # A store never made has written nothing, and asking it would load TinyDB
    # just to learn that.
    return _wrote or (_kb is not None and "store" in vars(_kb) and _kb.store.writes > 0)


def interrupted_message() -> str:
    from mfgkb import NOTHING_SAVED

    return INTERRUPTED_SAVED if saved() else NOTHING_SAVED


def _exit_on_sigint(signum: int, frame: object) -> None:
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # a second one must not cut this short
    if not _told:
        try:  # noqa: SIM105  (contextlib is not needed otherwise)
            os.write(2, f"mfgkb: {interrupted_message()}\n".encode())
        except OSError:
            pass
    os._exit(Exit.INTERRUPTED)


def handle_sigint(handler: Any) -> Any:
    """Install ``handler`` for Ctrl-C; the one it replaces (None where signals can't be set)."""
    try:
        return _signal.signal(_signal.SIGINT, handler)
    except ValueError:  # not the main thread (an embedding program's worker)
        return None


# -- standard output ---------------------------------------------------------------


class OutputError(Exception):
    """Standard output could not be written (a full disk, a closed descriptor).

    Not an OSError, so that no ``except OSError`` meant for the database's
    files takes it for theirs.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def prepare_stdio() -> None:
    """Standard streams that cannot fail with a traceback.

    A closed descriptor 0, 1 or 2 (``>&-``) is given /dev/null first, so that
    the database, opened later, can never become the program's output; fd 1 is
    opened read-only, so writing to it fails as a closed one would. Characters
    the output's encoding lacks (an ASCII or C locale) are written as escapes.
    """
    import io

    class StdoutFile(io.FileIO):
        """Descriptor 1, whose write errors are raised as OutputError."""

        def write(self, data: Any) -> int:
            try:
                return super().write(data)
            except (BrokenPipeError, BlockingIOError):  # `| head`; a retry, for the buffer
                raise
            except OSError as exc:
                raise OutputError(exc.strerror or str(exc)) from None

    for fd, mode in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, mode)  # the lowest free descriptor: this one
    old = sys.stdout
    encoding = getattr(old, "encoding", None) or "utf-8"
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(StdoutFile(1, "w", closefd=False)),
        encoding=encoding,
        errors="backslashreplace",
        line_buffering=bool(getattr(old, "line_buffering", False)),
    )
    if sys.stdin is None:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115  (reads give end of input)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115


# -- the one line --------------------------------------------------------------


def say(message: str, code: int = Exit.ERROR) -> int:
    """Write the run's one final line on stderr; its exit code.

    Messages quote what the user (or a file) gave: control characters are shown
    escaped here too, not only on stdout.
    """
    global _told
    from mfgkb.models import printable

    sys.stderr.write(f"mfgkb: {printable(message)}\n")
    sys.stderr.flush()
    _told = True
    return code


def output_failed(err: OutputError) -> int:
    """Say the output was lost; a change already saved is still a success (no retry)."""
    if saved():
        return say(f"Could not write the output ({err.reason}); the change was saved.", Exit.OK)
    return say(f"Could not write the output ({err.reason}).")


class Command:
    """One command's run, as a ``with`` block; ``code`` is its exit code afterwards.

    Our errors, Ctrl-C, a lost output and a closed pipe end the block with one
    line (or none, for the pipe) and a code; anything else (the CLI's own exits)
    passes through. The knowledge base given to :func:`watch` has its warnings
    printed and is closed, whatever happened.
    """

    def __init__(self) -> None:
        self.code = Exit.OK
        self._gc = False
        self._previous: Any = None

    def __enter__(self) -> Command:
        global _kb, _wrote, _told
        _kb, _wrote, _told = None, False, False  # a program (or a test) may run several
        # A command is a short-lived process that builds a few hundred thousand
        # containers at 100k articles and makes no reference cycles worth
        # collecting: the cyclic collector would re-scan them again and again
        # (it tripled the time to parse the database). Memory is still freed by
        # reference counting. (Importers of formats whose libraries do build
        # cycles turn it back on for themselves: see formats/bibtex.py.)
        self._gc = gc.isenabled()
        gc.disable()
        # While the command runs, Ctrl-C raises KeyboardInterrupt (so writes
        # clean up); before and after, it ends the process (_exit_on_sigint).
        interrupts.reset()
        self._previous = handle_sigint(interrupts.handler)
        self._unraisable = sys.unraisablehook
        sys.unraisablehook = interrupts.quiet_hook
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        err: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        global _kb, _wrote
        try:
            return self._settle(err)
        finally:
            if _kb is not None:
                from mfgkb.models import printable

                for warning in _kb.warnings:
                    sys.stderr.write(f"mfgkb: {printable(warning)}\n")
                # Closing the index lets SQLite checkpoint and remove its
                # write-ahead log; left open, the next process must replay it.
                _kb.close()
                _wrote, _kb = saved(), None
            sys.unraisablehook = self._unraisable
            if self._gc:
                gc.enable()
            if self._previous is not None:
                handle_sigint(self._previous)

    def _settle(self, err: BaseException | None) -> bool:
        from mfgkb.errors import MfgkbError

        if err is None and interrupts.pending:
            # A Ctrl-C whose exception Python dropped (see mfgkb.interrupts):
            # the command finished, but the user asked it to stop.
            err = KeyboardInterrupt()
        if err is None:
            return False
        if isinstance(err, MfgkbError):
            self.code = say(err.message, err.exit_code)
        elif isinstance(err, KeyboardInterrupt):
            if self._previous is not None:  # a second Ctrl-C ends the process at once
                handle_sigint(self._previous)
            self.code = say(interrupted_message(), Exit.INTERRUPTED)
        elif isinstance(err, OutputError):
            self.code = output_failed(err)
        elif isinstance(err, BrokenPipeError):  # `mfgkb articles | head`: not worth a word
            sys.stderr.close()
            self.code = Exit.OK
        else:
            return False
        return True


def exit_code(exc: SystemExit) -> int:
    """The code a SystemExit stands for, saying its message if it has one."""
    if isinstance(exc.code, str):
        sys.stderr.write(exc.code + "\n")
    return exc.code if isinstance(exc.code, int) else (Exit.OK if exc.code is None else Exit.ERROR)


def run(body: Callable[[], int]) -> NoReturn:
    """Run ``body`` (a command line's work, returning its code) and end the process."""
    handle_sigint(_exit_on_sigint)  # already, if run as mfgkb; again for any other name
    prepare_stdio()
    try:
        code = body()
    except SystemExit as exc:  # Click's exits, and Rich's answer to a closed pipe
        code = exit_code(exc)
    except KeyboardInterrupt:  # outside a command, as its line was being written
        code = Exit.INTERRUPTED
    except OutputError as err:  # Click's own output (--help) goes straight to stdout
        code = output_failed(err)
    if code == Exit.INTERRUPTED and not _told:
        # A Ctrl-C that Click caught (a second one, while the first was being
        # reported): it exits 130 without a word.
        sys.stderr.write(f"mfgkb: {interrupted_message()}\n")
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OutputError as err:
        if not _told:
            code = output_failed(err)
    try:  # noqa: SIM105
        sys.stderr.flush()
    except (OSError, ValueError):  # ValueError: stderr closed after a broken pipe
        pass
    # Everything is written and closed by now (database, index, lock). Leave
    # without freeing the loaded database object by object, which takes tens
    # of milliseconds at 100k articles; the OS reclaims the memory at once.
    os._exit(code)
