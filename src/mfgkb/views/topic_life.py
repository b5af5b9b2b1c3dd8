"""Human views of the topic life cycle (rename, merge, remove) and of the counts.

Registered in :mod:`mfgkb.views.human`'s table by result name and loaded only
when one of these is shown (human.py is kept under the 600-line limit). Text
from the database goes through ``lit``, as everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from mfgkb.models import count, printable, showing
from mfgkb.views.terminal import lit

if TYPE_CHECKING:
    from mfgkb.results import TallyList, TopicMerge, TopicRemoval, TopicRename


def _detail(*parts: str | Text, style: str = "") -> RenderableType:
    """A line under the first, indented (wrapped lines too)."""
    from rich.padding import Padding

    return Padding(Text.assemble(*parts, style=style), (0, 0, 0, 2))


def _slugs(slugs: list[str]) -> Text:
    return lit(", ".join(slugs), "magenta")


def _updated(topics: list[str]) -> RenderableType:
    if not topics:
        return _detail("No other topic pointed to it.", style="dim")
    n = count(len(topics), "topic")
    return _detail(f"Related topics or key terms updated in {n}: ", _slugs(topics), ".")


def renamed(done: TopicRename) -> RenderableType:
    head = Text.assemble(
        "Renamed the topic ",
        lit(done.old, "magenta"),
        " to ",
        lit(done.topic.slug, "bold magenta"),
        "; ",
        lit(done.old, "magenta"),
        " still names it.",
    )
    relinked = _detail(f"{count(done.articles, 'article')} relinked.")
    return Group(head, relinked, _updated(done.topics))


def merged(done: TopicMerge) -> RenderableType:
    src, dst = done.source, done.topic
    head = Text.assemble(
        "Merged the topic ",
        lit(src.slug, "magenta"),
        " (",
        lit(src.title),
        ") into ",
        lit(dst.slug, "bold magenta"),
        "; ",
        lit(src.slug, "magenta"),
        " now names it.",
    )
    moved = f"{count(done.articles, 'article')} moved"
    if done.already_linked:
        both = count(done.already_linked, "article")
        moved += f"; {both} linked to both kept one link"
    return Group(head, _detail(moved + "."), _detail(_parts_moved(done)), _updated(done.topics))


def _parts_moved(done: TopicMerge) -> str:
    """What else the merged topic brought, by count: only what there was to move."""
    src = done.source
    parts = [
        count(done.aliases, "alias", "aliases"),
        count(done.key_terms, "key term"),
        count(done.figures, "figure"),
        count(done.related, "related topic"),
    ]
    counts = (done.aliases, done.key_terms, done.figures, done.related)
    parts = [part for part, n in zip(parts, counts, strict=True) if n]
    if done.summary:
        parts.append("its summary")
    # What could have moved: a related entry naming either topic is dropped
    # (the merged topic would list itself), not "already there".
    movable = [r for r in src.related if r not in (src.slug, done.topic.slug)]
    had = len(src.aliases) + len(src.key_terms) + len(src.figures) + len(movable)
    moved = done.aliases + done.key_terms + done.figures + done.related
    if not parts:
        if had or src.summary.strip():
            return (
                "Nothing else moved: its aliases, key terms, figures and related topics "
                "were already there."
            )
        return (
            "Nothing else moved: it had no aliases, key terms, figures, other related topics "
            "or summary."
        )
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    left = " (the others were already there)" if moved < had else ""
    return f"Also moved: {listed}{left}."


def removed(done: TopicRemoval) -> RenderableType:
    t = done.topic
    lines: list[RenderableType] = [
        Text.assemble("Removed the topic ", lit(t.slug, "bold magenta"), " (", lit(t.title), ")."),
        _detail(f"{count(done.articles, 'article')} lost the link to it; no article was removed."),
    ]
    if done.related_by:
        lines.append(_detail("No longer listed as related by: ", _slugs(done.related_by), "."))
    if done.term_links:
        kept = _slugs(done.term_links)
        lines.append(_detail("Key terms kept, without their link, in: ", kept, "."))
    return Group(*lines)


def removal_question(preview: TopicRemoval) -> str:
    """The question ``remove-topic`` asks, from the preview of what it would do (plain text)."""
    t = preview.topic
    question = (
        f"Remove the topic {printable(t.slug)} ({printable(t.title)})? "
        f"{count(preview.articles, 'article')} will lose the link to it; no article is removed."
    )
    pointing = sorted({*preview.related_by, *preview.term_links})
    if pointing:  # only with --force: the preview refuses otherwise
        question += (
            f" Links to it are also taken out of {count(len(pointing), 'topic')}: "
            f"{printable(', '.join(pointing))}."
        )
    return question


def tallies(listing: TallyList) -> RenderableType:
    from rich.table import Table

    noun = listing.what
    if not listing.rows:
        article = "an" if noun[:1] in "aeiou" else "a"  # an author, a tag, a source
        return Text(f"No article has {article} {noun} yet.", style="dim")
    table = Table(header_style="bold", box=None, padding=(0, 2))
    table.add_column(noun, overflow="fold", style="magenta" if noun == "tag" else "")
    table.add_column("articles", justify="right", no_wrap=True)
    for row in listing.rows:
        table.add_row(lit(row.name), f"{row.articles:,}")
    if listing.total > len(listing.rows):
        note = Text(showing(len(listing.rows), listing.total, noun), style="dim")
        return Group(table, note)
    return table
