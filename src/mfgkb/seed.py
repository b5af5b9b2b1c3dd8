"""The knowledge base shipped with mfgkb (the TOML files in the project's ``data/``).

The wheel carries ``data/`` as ``mfgkb/seed``; a source checkout reads ``data/``
directly. Loaded only when a database is created.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from mfgkb.errors import DatabaseError
from mfgkb.models import Article, Topic


def seed_dir() -> Path:
    """Where the shipped knowledge base lives in this installation."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seed", here.parents[1] / "data"):
        if (candidate / "topics").is_dir():
            return candidate
    raise DatabaseError(
        "The built-in knowledge base is missing from this installation; reinstall mfgkb "
        "(pip install --force-reinstall mfgkb)."
    )


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_seed(created: str) -> tuple[list[Topic], list[Article]]:
    """The shipped topics and articles, validated, stamped with ``created``."""
    root = seed_dir()
    topics = [
        Topic.from_dict({**_read(p), "created": created, "updated": created}).validated()
        for p in sorted((root / "topics").glob("*.toml"))
    ]
    articles = []
    for raw in _read(root / "articles.toml").get("articles", []):
        published = raw["published"]
        articles.append(
            Article.from_dict(
                0,
                {
                    **raw,
                    "published": published.isoformat()
                    if isinstance(published, date)
                    else str(published),
                    "added": created,
                },
            ).validated()
        )
    return topics, articles
