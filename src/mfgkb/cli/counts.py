"""Counting what articles carry: tags, authors, sources (each with its number of articles)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import typer

from mfgkb import views
from mfgkb.cli.context import kb_of
from mfgkb.cli.options import JsonOpt, LimitOpt, PagerOpt, limit_of


class By(StrEnum):
    count_ = "count"  # `count` would shadow str.count
    name = "name"


SortOpt = Annotated[
    By, typer.Option("--sort", help="Order: most articles first (then by name), or by name.")
]


def _tally(
    ctx: typer.Context,
    what: Literal["tag", "author", "source"],
    by: By,
    limit: int,
    *,
    json_: bool,
    pager: bool,
) -> None:
    from mfgkb.results import TallyList

    # Every name in one query, cut here: the view says how many were left
    # out, and counting them apart would be a second pass over the same rows.
    rows = kb_of(ctx).tallies(what, by=by.value)
    shown = limit_of(limit)
    views.emit(TallyList(what, rows[:shown], len(rows)), json=json_, pager=pager)


def tags(
    ctx: typer.Context,
    sort: SortOpt = By.count_,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List every tag with its number of articles, the most used first.

    \b
    Example: mfgkb tags --sort name
    """
    _tally(ctx, "tag", sort, limit, json_=json_, pager=pager)


def authors(
    ctx: typer.Context,
    sort: SortOpt = By.count_,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List every author with their number of articles, the most first.

    Names spelt alike but for case or accents are one author.

    \b
    Example: mfgkb authors --limit 10
    """
    _tally(ctx, "author", sort, limit, json_=json_, pager=pager)


def sources(
    ctx: typer.Context,
    sort: SortOpt = By.count_,
    limit: LimitOpt = 50,
    json_: JsonOpt = False,
    pager: PagerOpt = False,
) -> None:
    """List every source with its number of articles, the most first.

    Names spelt alike but for case or accents are one source; see its articles
    with: mfgkb articles --source NAME.

    \b
    Example: mfgkb sources --sort name
    """
    _tally(ctx, "source", sort, limit, json_=json_, pager=pager)
