"""The command line: the only package that uses Typer.

* ``root``: the app, its global options, the table of commands, ``main``;
* ``context``: the --db given and the knowledge base opened on it;
* ``options``: the options commands share, and their values as domain values;
* ``prompts``: questions at the terminal and edits in $EDITOR;
* ``completion``: shell completion scripts and values;
* ``topics``, ``topic_life``, ``articles``, ``reading``, ``counts``,
  ``transfer``, ``care``: the commands, one group to a module.

Nothing is imported here when the package is (see mfgkb.kb for why):
``from mfgkb.cli import app`` builds the whole app on first use, and ``main``
is the full app's entry point (mfgkb.startup.main sends command lines there).
"""

from __future__ import annotations

from typing import Any

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    # __import__ rather than importlib.import_module: the same import, but one
    # that python -X importtime reports (the start-up tests count on it).
    root = __import__("mfgkb.cli.root", fromlist=["main"])
    if name == "app":
        value = root.whole_app()
    elif name == "main":
        value = root.main
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
