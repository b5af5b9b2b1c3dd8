"""The errors the knowledge base refuses a request with, worded once for every caller.

Each says what is wrong and the command that helps, as every message of
mfgkb does.
"""

from __future__ import annotations

from mfgkb.errors import DuplicateError, NotFoundError


def no_topic(slug: str) -> NotFoundError:
    return NotFoundError(
        f"There is no topic '{slug}'; list topics with: mfgkb topics, "
        f"or add it with: mfgkb add-topic"
    )


def no_article(article_id: int) -> NotFoundError:
    return NotFoundError(f"There is no article {article_id}; list ids with: mfgkb articles")


def duplicate_url(owner: int, url: str) -> DuplicateError:
    return DuplicateError(
        f"Article {owner} already has the URL {url}; see it with: mfgkb article {owner}"
    )


def changed_meanwhile(what: str) -> DuplicateError:
    return DuplicateError(
        f"{what} was changed by another mfgkb process while you were editing it; "
        f"your edit was not saved over that change."
    )
