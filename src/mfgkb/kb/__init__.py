"""The knowledge base as the commands see it: one object per database path.

Ties the store (the truth, written under a lock) to the search index (derived,
kept in step by the same code path as every write, rebuilt when stale). Takes
and returns dataclasses; knows nothing of the command line or of the terminal.

The parts, each importing only ``lifecycle`` and those before it:

* ``lifecycle``: opening the database, index freshness, rebuilds, recovery;
* ``refusals``: the errors requests are refused with;
* ``topics``: names to slugs, topic pages, adding and editing topics;
* ``topic_life``: renaming, merging and removing topics;
* ``articles``: reading, adding (the splice fast path), editing, removing;
* ``transfer``: import, full dump and restore, backups;
* ``checking``: check and check --fix;
* ``searching``: search, stats, shell completion;
* ``facade``: ``KnowledgeBase``, all of the above in one class.

Nothing is imported here when the package is, as in ``mfgkb.index``:
``from mfgkb.kb import KnowledgeBase`` loads ``facade`` on first use (by
name, as ``mfgkb.formats`` loads its plug-ins). Importing a part therefore
never runs a package that is itself half-way through importing that part, so
there is no import cycle even through the package (tests/unit/test_format_registry.py
walks them). ``__init__.pyi`` tells type checkers the same names.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["KnowledgeBase", "article_draft", "index_path_for"]

# What ``from mfgkb.kb import X`` gives, and the part that defines it.
_HOMES = {
    "KnowledgeBase": "mfgkb.kb.facade",
    "article_draft": "mfgkb.kb.articles",
    "index_path_for": "mfgkb.kb.lifecycle",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # found once: an ordinary attribute from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
