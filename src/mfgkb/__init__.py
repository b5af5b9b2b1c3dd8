"""mfgkb: a command-line knowledge base for advanced manufacturing."""

# The C module under ``signal``, already loaded by Python itself: importing
# ``signal`` (it builds enums) would leave a window before the handler is set.
import _signal  # type: ignore[import-not-found]
import os
import sys

__version__ = "0.1.0"

NOTHING_SAVED = "Interrupted before anything was saved; the database is unchanged."


def _ctrl_c_at_start_up(signum: int, frame: object) -> None:
    """Ctrl-C before mfgkb.cli takes over: nothing can have been saved yet."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # a second one must not cut this short
    try:  # noqa: SIM105  (contextlib is not loaded yet)
        os.write(2, f"mfgkb: {NOTHING_SAVED}\n".encode())
    except OSError:
        pass
    os._exit(130)


def _is_the_program() -> bool:
    """Run as the ``mfgkb`` script or ``python -m mfgkb``, not imported by a test or a program."""
    argv0 = sys.argv[0] if sys.argv else ""
    # While ``python -m mfgkb`` imports this package to find mfgkb.__main__,
    # argv[0] is "-m"; the script's name is the console script's.
    return argv0 == "-m" or os.path.splitext(os.path.basename(argv0))[0] == "mfgkb"


# The package is the first of mfgkb that Python runs, for the console script
# and for python -m mfgkb alike: from here on Ctrl-C gets mfgkb's answer (one
# line, exit 130), not a traceback while Typer loads or Click's silent 130 while
# it parses the options. mfgkb.cli.main replaces this handler with its own.
if _is_the_program():
    _signal.signal(_signal.SIGINT, _ctrl_c_at_start_up)
