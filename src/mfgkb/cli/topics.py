"""Topic commands: show, topics, add-topic, edit-topic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mfgkb import views
from mfgkb.cli.context import MAX_INT, kb_of
from mfgkb.cli.options import (
    EditorOpt,
    JsonOpt,
    Layout,
    PagerOpt,
    TopicArg,
    TopicLayoutOpt,
    limit_of,
    read_text,
)
from mfgkb.errors import UsageError

if TYPE_CHECKING:
    from mfgkb.models import Figure, KeyTerm
    from mfgkb.results import Saved


def show(
    ctx: typer.Context,
    topic: TopicArg,
    limit: Annotated[
        int,
        typer.Option("--limit", help="How many articles to list; 0 for all.", min=0, max=MAX_INT),
    ] = 20,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """Show a topic page: summary, key terms, figures, related topics, newest articles.

    \b
    Example: mfgkb show advanced-manufacturing
    """
    views.emit(kb_of(ctx).topic_page(topic, limit=limit_of(limit)), json=json_, pager=pager)


def topics(
    ctx: typer.Context,
    layout: TopicLayoutOpt = Layout.auto,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List every topic with its number of articles.

    A table where the columns fit without cutting a word (--format chooses).

    \b
    Example: mfgkb topics
    """
    from mfgkb.results import TopicList

    views.emit(TopicList(kb_of(ctx).topics()), json=json_, pager=pager, layout=layout.value)


def _key_terms(values: list[str]) -> list[KeyTerm]:
    from mfgkb.models import KeyTerm

    out = []
    for raw in values:
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) not in (2, 3) or not parts[0]:
            raise UsageError(
                f"--term '{raw}' should be 'TERM|DEFINITION' or 'TERM|DEFINITION|TOPIC-SLUG'."
            )
        out.append(KeyTerm(parts[0], parts[1], parts[2] if len(parts) == 3 and parts[2] else None))
    return out


def _figures(values: list[str]) -> list[Figure]:
    from mfgkb.models import Figure

    out = []
    for raw in values:
        parts = [p.strip() for p in raw.split("|")]
        if not 2 <= len(parts) <= 4 or not parts[0] or not parts[1]:
            raise UsageError(
                f"--figure '{raw}' should be 'LABEL|VALUE', optionally '|YEAR' and '|SOURCE'."
            )
        year: int | None = None
        if len(parts) > 2 and parts[2]:
            if not (parts[2].isascii() and parts[2].isdigit()) or not 0 < int(parts[2]) < 10_000:
                raise UsageError(f"The year in --figure '{raw}' is not a year.")
            year = int(parts[2])
        out.append(
            Figure(parts[0], parts[1], year, parts[3] if len(parts) > 3 and parts[3] else None)
        )
    return out


AliasOpt = Annotated[list[str] | None, typer.Option("--alias", help="Another name (repeatable).")]
SummaryOpt = Annotated[str | None, typer.Option("--summary", help="Summary in Markdown.")]
SummaryFileOpt = Annotated[
    Path | None,
    typer.Option("--summary-file", help="Read the summary from a file; '-' reads standard input."),
]
TermOpt = Annotated[
    list[str] | None,
    typer.Option("--term", help="Key term 'TERM|DEFINITION[|TOPIC-SLUG]' (repeatable)."),
]
FigureOpt = Annotated[
    list[str] | None,
    typer.Option("--figure", help="Figure 'LABEL|VALUE[|YEAR[|SOURCE]]' (repeatable)."),
]
RelatedOpt = Annotated[
    list[str] | None, typer.Option("--related", help="Slug of a related topic (repeatable).")
]


def add_topic(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option("--title", help="The topic's title.")] = None,
    slug: Annotated[
        str | None, typer.Option("--slug", help="Stable id; default: made from the title.")
    ] = None,
    alias: AliasOpt = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    term: TermOpt = None,
    figure: FigureOpt = None,
    related: RelatedOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a topic. Every field has an option; a long summary can come from a file.

    \b
    Example: mfgkb add-topic --title "Additive manufacturing" \\
      --alias "3D printing" --related advanced-manufacturing \\
      --summary-file notes.md
    """
    from mfgkb.cli import prompts  # only where a question may be asked
    from mfgkb.models import MAX_TITLE, Topic, clean_text, slugify

    title = prompts.prompt_missing(
        title, "Title", "--title", lambda t: clean_text(t, "topic title", MAX_TITLE, required=True)
    )
    clean_text(title, "topic title", MAX_TITLE, required=True)  # its message before the slug's
    slug = slug or slugify(title)
    if not slug:
        raise UsageError(f"No slug can be made from the title {title!r}; give one with --slug.")
    topic = Topic(
        slug=slug,
        title=title,
        aliases=alias or [],
        summary=read_text(summary, summary_file, "summary") or "",
        key_terms=_key_terms(term or []),
        figures=_figures(figure or []),
        related=related or [],
    )
    from mfgkb.results import Saved

    views.emit(Saved(kb_of(ctx).add_topic(topic), added=True), json=json_)


def edit_topic(
    ctx: typer.Context,
    topic: TopicArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Replace the aliases (repeatable).")
    ] = None,
    summary: SummaryOpt = None,
    summary_file: SummaryFileOpt = None,
    term: Annotated[
        list[str] | None,
        typer.Option(
            "--term", help="Replace the key terms: 'TERM|DEFINITION[|SLUG]' (repeatable)."
        ),
    ] = None,
    figure: Annotated[
        list[str] | None,
        typer.Option("--figure", help="Replace the figures: 'LABEL|VALUE[|YEAR[|SOURCE]]'."),
    ] = None,
    related: Annotated[
        list[str] | None, typer.Option("--related", help="Replace the related slugs (repeatable).")
    ] = None,
    editor: EditorOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Change a topic. Each option given replaces that field; others stay as they are.

    With --editor, the whole topic opens in $EDITOR as Markdown (the summary) with
    YAML front matter (the other fields); a bad edit is shown again rather than lost.

    \b
    Example: mfgkb edit-topic chips-act --alias "CHIPS and Science Act" \\
      --alias "US CHIPS Act"
    """
    from mfgkb.cli import prompts  # only where a question may be asked

    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if alias is not None:
        changes["aliases"] = alias
    text = read_text(summary, summary_file, "summary")
    if text is not None:
        changes["summary"] = text
    if term is not None:
        changes["key_terms"] = _key_terms(term)
    if figure is not None:
        changes["figures"] = _figures(figure)
    if related is not None:
        changes["related"] = related
    kb = kb_of(ctx)

    def in_editor() -> Saved | None:
        from mfgkb import editing

        slug = kb.resolve_topic(topic)
        current = kb.topic_page(slug, limit=1).topic
        return prompts.edit_in_editor(
            editing.topic_document(current),
            lambda text: kb.edit_topic(slug, editing.topic_changes(text), expected=current),
        )

    updated = prompts.apply_edit(
        changes, editor=editor, in_editor=in_editor, directly=lambda c: kb.edit_topic(topic, c)
    )
    if updated is not None:
        views.emit(updated, json=json_)
