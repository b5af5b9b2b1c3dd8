"""Views: a result object in, output out. ``human`` (Rich) for people, ``json`` for programs.

Commands call :func:`emit` with what the domain returned and never build Rich
objects or JSON themselves, so a third view (HTML) is one more module here.
This module stays cheap to import (no Rich): a view is loaded, by name as
mfgkb.kb loads its parts, when it is used (so no view module imports this
package half-way through its own import: no import cycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


def emit(result: object, *, json: bool = False, pager: bool = False, layout: str = "auto") -> None:
    """Show ``result``: JSON on stdout with ``json``, else for a person (``pager``: via $PAGER).

    ``layout`` (auto, compact, table) is how a listing is laid out for a person.
    """
    if json:
        _view("json").emit(result)
    else:
        _view("human").emit(result, pager=pager, layout=layout)


def notice(text: str) -> None:
    """A short status line on stderr (stdout stays clean for pipes)."""
    _view("terminal").message(text)


def progress(label: str, total: Callable[[], int]) -> AbstractContextManager[Callable[[int], None]]:
    """A progress bar on stderr at a terminal; ``total`` is worked out only if one is shown."""
    return _view("terminal").progress(label, total)  # type: ignore[no-any-return]


def status(label: str) -> AbstractContextManager[None]:
    """A spinner on stderr at a terminal, for a step without a count."""
    return _view("terminal").status(label)  # type: ignore[no-any-return]


def _view(name: str) -> Any:
    return importlib.import_module(f"mfgkb.views.{name}")


__all__ = ["emit", "notice", "progress", "status"]
