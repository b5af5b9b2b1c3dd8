"""Reading across the knowledge base: search (ranked) and stats (counts)."""

from __future__ import annotations

from typing import Annotated

import typer

from mfgkb import views
from mfgkb.cli.context import MAX_INT, kb_of
from mfgkb.cli.options import (
    AuthorOpt,
    DayfirstOpt,
    JsonOpt,
    Kind,
    PagerOpt,
    SinceOpt,
    SourceOpt,
    TagOpt,
    TopicOpt,
    UntilOpt,
    filters,
    typed_text,
)


def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(help="What to look for.", show_default=False, callback=typed_text),
    ],
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="Only topics or only articles.")
    ] = None,
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many results.", min=1, max=MAX_INT)
    ] = 10,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """Search topics and articles, best match first.

    Topics are searched in their title, slug, aliases, key terms and summary;
    articles in their title, description, authors, tags and source. Case and
    accents are ignored and words are stemmed (manufacturer finds manufacturing).
    Results with all the words come before those with only some.

    \b
    Query syntax:
      word word      both words (results with only some come after)
      "a phrase"     the words next to each other, in this order
      manufact*      any word that starts with "manufact"
      -word          leave out results with this word
    The article filters (--topic, --author, --tag, --source, --since, --until)
    leave out topics.

    \b
    Example: mfgkb search chips act --limit 5
    """
    chosen = filters(
        topic=topic,
        author=author,
        tag=tag,
        source=source,
        since=since,
        until=until,
        dayfirst=dayfirst,
        kind=kind,
    )
    result = kb_of(ctx).search(" ".join(words), chosen, limit)
    views.emit(result, json=json_, pager=pager)


def stats(
    ctx: typer.Context,
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    dayfirst: DayfirstOpt = False,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """Counts, articles per year and per topic, top authors, sources and tags.

    The filters are those of articles (a repeated one matches any of its values;
    different ones all apply): the counts and charts are then of the articles
    they choose.

    \b
    Example: mfgkb stats --topic chips-act --since 2024
    """
    chosen = filters(
        topic=topic,
        author=author,
        tag=tag,
        source=source,
        since=since,
        until=until,
        dayfirst=dayfirst,
    )
    views.emit(kb_of(ctx).stats(chosen), json=json_, pager=pager)
