"""The topic life cycle on the command line: rename-topic, merge-topics, remove-topic.

The knowledge base does the work (mfgkb.kb.topic_life), each change in one
write; these commands read the arguments, ask before a removal, and hand the
result to a view.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mfgkb import views
from mfgkb.cli.completion import complete_topic
from mfgkb.cli.context import kb_of
from mfgkb.cli.options import JsonOpt, typed_text
from mfgkb.errors import UsageError, ValidationError


def _topic_arg(metavar: str, help: str) -> Any:
    """A topic named by the user: any of its names, completed from the database's slugs."""
    return typer.Argument(
        metavar=metavar, help=help, autocompletion=complete_topic, callback=typed_text
    )


def rename_topic(
    ctx: typer.Context,
    old: Annotated[str, _topic_arg("OLD", "The topic: its slug, title or an alias (any case).")],
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW",
            help="Its new slug: lower-case letters, digits and single hyphens.",
            callback=typed_text,
        ),
    ],
    json_: JsonOpt = False,
) -> None:
    """Rename a topic's slug, everywhere.

    Its articles, other topics' related lists and key terms follow. The old
    slug stays one of the topic's names (an alias), so --topic OLD, show OLD
    and scripts keep working.

    \b
    Example: mfgkb rename-topic north-carolina nc
    """
    views.emit(kb_of(ctx).rename_topic(old, new), json=json_)


def merge_topics(
    ctx: typer.Context,
    source: Annotated[str, _topic_arg("FROM", "The topic to merge away (any of its names).")],
    into: Annotated[str, _topic_arg("INTO", "The topic that stays (any of its names).")],
    json_: JsonOpt = False,
) -> None:
    """Merge one topic into another.

    FROM's articles, aliases, key terms, figures, related topics and summary move
    to INTO (without duplicates); its slug and title become aliases of INTO,
    and the topics that pointed at it point at INTO. No article is removed.

    \b
    Example: mfgkb merge-topics chip-foundries chips-act
      (after: mfgkb add-topic --title "Chip foundries" --related chips-act)
    """
    views.emit(kb_of(ctx).merge_topics(source, into), json=json_)


def remove_topic(
    ctx: typer.Context,
    slug: Annotated[str, _topic_arg("SLUG", "The topic's slug (a title or alias is refused).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also remove the links of other topics to it (related lists, key terms).",
        ),
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Remove a topic (after asking). Its articles stay, without the link to it.

    A topic that other topics list as related, or link to from a key term, is
    only removed with --force, which takes those links out too (the key terms
    stay, without their link).

    \b
    Example: mfgkb remove-topic additive-manufacturing --yes
      (after: mfgkb add-topic --title "Additive manufacturing")
    """
    from mfgkb.cli import prompts  # only where a question may be asked

    kb = kb_of(ctx)
    expected = None
    if not yes:
        # The preview first: an unknown topic, or one still in use without
        # --force, is refused before anyone is asked about it.
        preview = kb.topic_removal(slug, force=force)
        name = preview.topic.slug
        if not prompts.stdin_is_terminal():
            raise UsageError(f"Removing the topic {name} needs confirmation; add --yes.")
        from mfgkb.views.topic_life import removal_question

        if not prompts.confirm(removal_question(preview)):
            raise ValidationError(f"The topic {name} was not removed: not confirmed.")
        slug, expected = name, preview.topic  # what was confirmed is what goes
    views.emit(kb.remove_topic(slug, force=force, expected=expected), json=json_)
