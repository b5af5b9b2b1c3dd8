"""The errors the knowledge base refuses a request with, worded once for every caller.

Each says what is wrong and the command that helps, as every message of
mfgkb does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mfgkb.errors import DuplicateError, NotFoundError, ValidationError
from mfgkb.models import fold

if TYPE_CHECKING:
    from mfgkb.models import Topic


def no_topic(slug: str) -> NotFoundError:
    return NotFoundError(
        f"There is no topic '{slug}'; list topics with: mfgkb topics, "
        f"or add it with: mfgkb add-topic"
    )


def no_article(article_id: int) -> NotFoundError:
    return NotFoundError(f"There is no article {article_id}; list ids with: mfgkb articles")


def duplicate_url(owner: int, stored: str, given: str) -> DuplicateError:
    """``given`` is, once normalised, the URL ``stored`` of article ``owner``.

    The line quotes the stored URL (the one ``mfgkb article`` shows), and the
    typed one beside it when they are written differently.
    """
    same = "" if stored == given else f" (the same page as {given}, once normalised)"
    return DuplicateError(
        f"Article {owner} already has the URL {stored}{same}; see it with: mfgkb article {owner}"
    )


def changed_meanwhile(what: str) -> DuplicateError:
    return DuplicateError(
        f"{what} was changed by another mfgkb process while you were editing it; "
        f"your edit was not saved over that change."
    )


def _names(slugs: list[str]) -> str:
    shown = ", ".join(f"'{s}'" for s in slugs[:5])
    return shown + (f" and {len(slugs) - 5} more" if len(slugs) > 5 else "")


def topic_in_use(slug: str, related_by: list[str], term_links: list[str]) -> ValidationError:
    """Removing ``slug`` would leave other topics pointing at nothing."""
    parts = []
    if related_by:
        parts.append(f"listed as related by {_names(related_by)}")
    if term_links:
        parts.append(f"linked from key terms of {_names(term_links)}")
    return ValidationError(
        f"The topic '{slug}' is {' and '.join(parts)}; nothing was removed. To remove it "
        f"and those links with it: mfgkb remove-topic {slug} --force"
    )


def same_topic(source: str, into: str, slug: str) -> ValidationError:
    if source == into:
        return ValidationError(
            f"A topic cannot be merged into itself ('{slug}'); name two different topics."
        )
    return ValidationError(
        f"'{source}' and '{into}' are both names of the topic '{slug}'; a topic cannot be "
        f"merged into itself. Name two different topics."
    )


def _alias_drop(name: str, topic: Topic) -> str:
    """The command that drops the alias ``name``, ready to copy.

    --alias replaces the aliases as a whole, so the command gives every one
    kept; with none kept there is no --alias to give, and $EDITOR does it.
    """
    import shlex

    kept = [a for a in topic.aliases if fold(a) != fold(name)]
    if not kept:
        return f"mfgkb edit-topic {topic.slug} --editor"
    return " ".join(
        [f"mfgkb edit-topic {topic.slug}", *(f"--alias {shlex.quote(a)}" for a in kept)]
    )


def not_the_slug(name: str, topic: Topic) -> ValidationError:
    """``name`` is a title or alias of ``topic``, given where only its slug will do.

    Removing a topic by another of its names is refused: an alias can be left
    over from a merge (``foundries`` merged into ``chips-act``), and removing
    by it would remove the topic it was merged into.
    """
    slug = topic.slug
    drop = ""
    if fold(name) in {fold(a) for a in topic.aliases}:
        drop = f" (or drop that alias with: {_alias_drop(name, topic)})"
    return ValidationError(
        f"'{name.strip()}' is a name of the topic {slug} ({topic.title}), not its slug; "
        f"to remove that topic give its slug: mfgkb remove-topic {slug}{drop}"
    )
