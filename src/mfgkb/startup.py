"""Start-up: the console script's entry point, choosing the way a command line runs.

``mfgkb search`` of the common shape runs on the fast path
(:mod:`mfgkb.quicksearch`, no Typer: Typer and Click cost a search more than the
search); everything else runs through the full app (:mod:`mfgkb.cli`), which
builds only the command it runs. Both end in the one error edge,
:mod:`mfgkb.edge`. Every speed trick of start-up is in these modules, and
tests/system/test_startup_imports.py pins what each command line loads.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Console-script entry point: the fast path when it applies, else the full app."""
    # Only a command line with the word "search" can take the fast path: every
    # other one skips even importing it (one module fewer for every command).
    if "search" in sys.argv:
        from mfgkb.quicksearch import parse_search

        args = parse_search(sys.argv[1:], os.environ)
    else:
        args = None
    if args is not None:
        from mfgkb.edge import run
        from mfgkb.quicksearch import search

        run(lambda: search(args))
    from mfgkb.cli import main as full_app

    full_app()
